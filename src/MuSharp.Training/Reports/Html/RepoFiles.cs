namespace MuSharp.Reports;

/// <summary>
/// Finds repository files the report tools need (tools/vega/, scripts/render-vega.mjs) by walking up from the
/// app's folder and then from the current directory, as <see cref="MuSharp.Data.DataDirectory"/> does for data.
/// </summary>
public static class RepoFiles
{
    /// <summary>Every ancestor (inclusive) of the app's folder, then of the current directory, without repeats.</summary>
    public static IEnumerable<string> Ancestors()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string start in (string[])[AppContext.BaseDirectory, Environment.CurrentDirectory])
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir != null; dir = dir.Parent)
                if (seen.Add(dir.FullName)) yield return dir.FullName;
        }
    }

    /// <summary>The first <c>ancestor/relative</c> that is a file, or null.</summary>
    public static string? FindFile(string relative) =>
        Ancestors().Select(d => Path.Combine(d, relative)).FirstOrDefault(File.Exists);
}
