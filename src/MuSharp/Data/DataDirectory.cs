namespace MuSharp.Data;

/// <summary>
/// Finds the project's data folder, <c>&lt;repo&gt;/data</c>, where scripts/setup.sh installs npm
/// corpora (<c>data/node_modules/...</c>) and where text caches such as <c>kjv.txt</c> are written.
/// Order: an explicit folder, else <c>$MUSHARP_DATA_DIR</c>, else the <c>data</c> folder of the nearest
/// ancestor of <see cref="AppContext.BaseDirectory"/> or of the current directory.
/// </summary>
public static class DataDirectory
{
    /// <summary>Environment variable naming the data folder (the one that holds <c>node_modules</c>).</summary>
    public const string Variable = "MUSHARP_DATA_DIR";

    /// <summary>
    /// Data folders to look in, best first. An explicit folder or the variable is used alone (both the
    /// folder and its <c>data</c> subfolder, so a repository root works too); otherwise every ancestor's
    /// <c>data</c> folder, nearest first.
    /// </summary>
    public static IReadOnlyList<string> Candidates(string? dataDir = null)
    {
        string? chosen = !string.IsNullOrEmpty(dataDir) ? dataDir : Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(chosen))
            return [Path.GetFullPath(chosen), Path.GetFullPath(Path.Combine(chosen, "data"))];

        var result = new List<string>();
        foreach (var dir in Ancestors())
        {
            string candidate = Path.Combine(dir, "data");
            if (!result.Contains(candidate)) result.Add(candidate);
        }
        return result;
    }

    /// <summary>The first candidate folder <c>c</c> for which <c>c/relative</c> is a directory, or null.</summary>
    public static string? FindContaining(string relative, string? dataDir = null) =>
        Candidates(dataDir).FirstOrDefault(c => Directory.Exists(Path.Combine(c, relative)));

    /// <summary>
    /// The folder to write caches to: an explicit folder or the variable; else the first existing
    /// candidate; else <c>data</c> beside the nearest <c>MuSharp.slnx</c>; else null (do not cache).
    /// </summary>
    public static string? ForWriting(string? dataDir = null)
    {
        if (!string.IsNullOrEmpty(dataDir)) return Path.GetFullPath(dataDir);
        string? fromEnv = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnv)) return Path.GetFullPath(fromEnv);
        string? existing = Candidates().FirstOrDefault(Directory.Exists);
        if (existing != null) return existing;
        string? repo = Ancestors().FirstOrDefault(d => File.Exists(Path.Combine(d, "MuSharp.slnx")));
        return repo == null ? null : Path.Combine(repo, "data");
    }

    // Every ancestor (inclusive) of the app's folder, then of the current directory, without repeats.
    private static IEnumerable<string> Ancestors()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string start in (string[])[AppContext.BaseDirectory, Environment.CurrentDirectory])
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir != null; dir = dir.Parent)
                if (seen.Add(dir.FullName)) yield return dir.FullName;
        }
    }
}
