using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MuSharp.Data;

/// <summary>
/// The King James Bible (public domain) from the Debian packages bible-kjv (the <c>bible</c> command)
/// and bible-kjv-text (its data). <c>bible -f "Gen1:1-Rev22:21"</c> prints one verse a line as
/// <c>Ge1:1 In the beginning ...</c>; the references are stripped, leaving 31,102 lines of text
/// (about 4.1 MB), which is cached in <c>&lt;data&gt;/kjv.txt</c> so later loads do not run the command.
/// </summary>
public static partial class KingJamesBible
{
    public const string Package = "bible-kjv";
    public const string Command = "bible";
    public const string CacheFileName = "kjv.txt";
    public const string WholeBible = "Gen1:1-Rev22:21";

    // A verse reference: optional book number, book abbreviation, chapter:verse, then one space.
    [GeneratedRegex(@"^[1-3]?[A-Za-z]+[0-9]+:[0-9]+ ")]
    private static partial Regex Reference();

    /// <summary>
    /// The text, one verse a line, from the cache in the data folder (see <see cref="DataDirectory"/>)
    /// when present, else from the <c>bible</c> command, writing the cache when a data folder can be found.
    /// </summary>
    /// <exception cref="DatasetNotFoundException">No cache and the <c>bible</c> command is not installed.</exception>
    public static string ReadText(string? dataDir = null)
    {
        foreach (string candidate in DataDirectory.Candidates(dataDir))
        {
            string cached = Path.Combine(candidate, CacheFileName);
            if (File.Exists(cached) && new FileInfo(cached).Length > 0) return File.ReadAllText(cached);
        }

        string text = StripReferences(RunBible(dataDir));
        string? target = DataDirectory.ForWriting(dataDir);
        if (target != null) WriteCache(Path.Combine(target, CacheFileName), text);
        return text;
    }

    /// <summary>
    /// Removes the verse reference that starts each line and joins any line that does not start with a
    /// reference (a wrapped verse) onto the verse before it. The result has one verse a line.
    /// </summary>
    public static string StripReferences(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var sb = new StringBuilder(output.Length);
        bool inVerse = false;
        foreach (var rawLine in output.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty) continue;
            var match = Reference().EnumerateMatches(line);
            if (match.MoveNext())
            {
                if (inVerse) sb.Append('\n');
                sb.Append(line[match.Current.Length..].Trim());
                inVerse = true;
            }
            else if (inVerse)
            {
                sb.Append(' ').Append(line);
            }
        }
        if (inVerse) sb.Append('\n');
        return sb.ToString();
    }

    private static string RunBible(string? dataDir)
    {
        var info = new ProcessStartInfo(Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-f");
        info.ArgumentList.Add(WholeBible);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw NotFound(dataDir);
        }
        catch (Win32Exception)
        {
            throw NotFound(dataDir);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || stdout.Length == 0)
                throw new InvalidDataException($"King James Bible: '{Command} -f {WholeBible}' exited with code {process.ExitCode} and {stdout.Length} chars of output ({stderr.Result.Trim().ReplaceLineEndings(" ")}); reinstall {Package} and bible-kjv-text (run {DatasetNotFoundException.SetupScript}).");
            return stdout;
        }
    }

    private static DatasetNotFoundException NotFound(string? dataDir)
    {
        var tried = DataDirectory.Candidates(dataDir).Select(c => Path.Combine(c, CacheFileName)).Append($"the '{Command}' command on PATH").ToArray();
        return DatasetNotFoundException.Debian("King James Bible", tried, $"{Package} bible-kjv-text");
    }

    // The cache only saves time: a folder that cannot be written leaves the text uncached, not lost.
    // Written to a temporary name and moved, so a concurrent reader never sees a partial file.
    private static void WriteCache(string path, string text)
    {
        string temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(temp, text);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temp); } catch (IOException) { }
        }
    }
}
