namespace MuSharp.Cli.CommandLine;

/// <summary>
/// Checks on the paths a user names, before any work starts, with messages that name the option and say what to do:
/// a folder given for a file, a missing or unreadable file, a folder that cannot be written.
/// </summary>
internal static class Paths
{
    /// <summary>An existing, readable file named by <paramref name="what"/> (e.g. "option --config").</summary>
    public static string InputFile(string path, string what, string example = "")
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{what}: {path} is a folder; name a file{example}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{what}: {path} does not exist{(example.Length > 0 ? example : "; check the path")}.", path);
        try { using var _ = File.OpenRead(path); }
        catch (UnauthorizedAccessException) { throw new ArgumentException($"{what}: {path} cannot be read (permission denied); check its permissions."); }
        return path;
    }

    /// <summary>Creates <paramref name="dir"/> if needed and proves it writable with a probe file.</summary>
    public static string WritableFolder(string dir, string what)
    {
        if (File.Exists(dir)) throw new ArgumentException($"{what}: {dir} is a file, not a folder; name a folder.");
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".musharp-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new ArgumentException($"{what}: cannot write to {dir} ({OneLine(e.Message)}); fix its permissions or choose another folder.");
        }
        return dir;
    }

    /// <summary>A writable file: its folder is writable and the file, if it exists, can be opened for writing.</summary>
    public static string WritableFile(string path, string what)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"{what}: {path} is a folder; name a file.");
        WritableFolder(Path.GetDirectoryName(Path.GetFullPath(path))!, what);
        if (File.Exists(path))
            try { using var _ = new FileStream(path, FileMode.Open, FileAccess.ReadWrite); }
            catch (UnauthorizedAccessException) { throw new ArgumentException($"{what}: {path} is read-only; fix its permissions or choose another path."); }
        return path;
    }

    public static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>
    /// A config that ships with the tool: src/MuSharp.Cli/configs/FILE above the app or the current folder (a checkout), or
    /// configs/FILE beside the executable (an installed tool).
    /// </summary>
    public static string BundledConfig(string file, string verb) => RepoFiles.FindFile(Path.Combine("src", "MuSharp.Cli", "configs", file))
        ?? (File.Exists(Path.Combine(AppContext.BaseDirectory, "configs", file)) ? Path.Combine(AppContext.BaseDirectory, "configs", file) : null)
        ?? throw new FileNotFoundException($"{verb}: the bundled config src/MuSharp.Cli/configs/{file} was not found; run from the repository or pass --config.", file);
}
