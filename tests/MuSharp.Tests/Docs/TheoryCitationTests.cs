using System.Text.RegularExpressions;

namespace MuSharp.Tests.Docs;

/// <summary>
/// Code and docs cite the theory by section ("theory §7.2", "docs/theory.md §4.3", "(theory §6, §7.2)",
/// "theory §7.2–§7.6"): every cited section must be a heading of docs/theory.md, and no file may point at the
/// folder outside the repository that the theory used to live in.
/// </summary>
public partial class TheoryCitationTests
{
    // A citation: "theory" or "theory.md", then a chain of section numbers. After ",", ";", "and", "or" or "/" the next
    // number needs its own §; after a dash (a range) the § is optional ("§5.2–5.3"). The chain may continue on the next
    // comment line ("§3.1, §5.1,\n/// §6)"). § is written \u00A7 so this file does not cite anything itself.
    [GeneratedRegex(
        @"\btheory(?:\.md)?\s{0,2}\u00A7(?<n>\d+(?:\.\d+)?)" +
        @"(?:\s*(?:,|;|\band\b|\bor\b|/)\s*(?:(?:///|//|\*|#)\s*)?\u00A7(?<n>\d+(?:\.\d+)?)" +
        @"|\s*[\u2013\u2014-]\s*\u00A7?(?<n>\d+(?:\.\d+)?))*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CitationRegex();

    // "## 7. Learning rate …" → 7; "### 7.2 SGD" → 7.2.
    [GeneratedRegex(@"^#{2,4}[ \t]+(?<n>\d+(?:\.\d+)*)\.?[ \t]", RegexOptions.Multiline)]
    private static partial Regex HeadingRegex();

    // A relative or absolute path to the "shared" folder beside the repository (two dots and a slash, or /work/, then
    // "shared"), or a path into its docs or seeds folders.
    [GeneratedRegex(@"(?:\.\.[/\\]|/work/)shared\b|\bshared/(?:docs|seeds)/")]
    private static partial Regex OutsidePathRegex();

    private static readonly string[] CodeRoots = ["src", "tests", "benchmarks", "examples", "scripts"];
    private static readonly string[] SkippedDirectories = ["bin", "obj", ".git", "node_modules", "artifacts"];

    /// <summary>One cited section: where it was written and the number it names.</summary>
    public sealed record Citation(string File, int Line, string Section);

    [Fact]
    public void EveryTheoryCitationNamesAHeadingOfDocsTheory()
    {
        string root = RepositoryRoot();
        var headings = Headings(root);
        var citations = CitationFiles(root).SelectMany(f => Citations(Path.GetRelativePath(root, f), File.ReadAllText(f))).ToList();
        Assert.True(citations.Count > 100, $"only {citations.Count} theory citations found; is the scanner looking in the right place?");
        var unresolved = citations.Where(c => !headings.Contains(c.Section)).ToList();
        Assert.True(unresolved.Count == 0,
            $"{unresolved.Count} theory citation(s) name no heading of docs/theory.md (headings: {string.Join(" ", headings.OrderBy(h => Version.Parse(h.Contains('.') ? h : h + ".0")))}):\n" +
            string.Join("\n", unresolved.Select(c => $"  {c.File}:{c.Line}: \u00A7{c.Section}")));
    }

    [Fact]
    public void NoFilePointsOutsideTheRepository()
    {
        string root = RepositoryRoot();
        var hits = new List<string>();
        foreach (string file in RepositoryTextFiles(root))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (OutsidePathRegex().IsMatch(lines[i]))
                    hits.Add($"  {Path.GetRelativePath(root, file)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.True(hits.Count == 0,
            $"{hits.Count} line(s) point at a folder outside the repository; cite docs/theory.md (or another file in the repository) instead:\n" +
            string.Join("\n", hits));
    }

    // A repository path in a document: src/, tests/, benchmarks/, scripts/ or examples/, then path characters, ending in a
    // file extension or a slash ("src/MuSharp/Nn/Linear.cs", "src/MuSharp.Training/Sweeps/").
    [GeneratedRegex(@"\b(?:src|tests|benchmarks|scripts|examples)/[A-Za-z0-9_.\-/]*(?:\.(?:cs|json|sh|py|mjs|props|csproj)\b|/)")]
    private static partial Regex RepositoryPathRegex();

    [Fact]
    public void EveryRepositoryPathInTheDocsExists()
    {
        // Files move between layers (the CLI's code moved into MuSharp.Training); a document must not point at the old place.
        string root = RepositoryRoot();
        var docs = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Append(Path.Combine(root, "README.md"));
        var missing = new List<string>();
        int seen = 0;
        foreach (string doc in docs)
        {
            string[] lines = File.ReadAllLines(doc);
            for (int i = 0; i < lines.Length; i++)
                foreach (Match m in RepositoryPathRegex().Matches(lines[i]))
                {
                    // Python files outside scripts/ are the cited sources' (theory.md's source list), not ours; bin/ and
                    // obj/ are build outputs, absent from a fresh clone.
                    if (m.Value.EndsWith(".py", StringComparison.Ordinal) && !m.Value.StartsWith("scripts/", StringComparison.Ordinal)) continue;
                    if (m.Value.Contains("/bin/", StringComparison.Ordinal) || m.Value.Contains("/obj/", StringComparison.Ordinal)) continue;
                    seen++;
                    string path = Path.Combine(root, m.Value);
                    if (!File.Exists(path) && !Directory.Exists(path))
                        missing.Add($"  {Path.GetRelativePath(root, doc)}:{i + 1}: {m.Value}");
                }
        }
        Assert.True(seen > 50, $"only {seen} repository paths found in the docs; is the scanner looking in the right place?");
        Assert.True(missing.Count == 0, $"{missing.Count} path(s) in the docs do not exist:\n" + string.Join("\n", missing));
    }

    [Theory]
    [InlineData("// theory \u00A77.2: SGD", new[] { "7.2" })]
    [InlineData("/// (docs/theory.md \u00A74.3; anchors.md \u00A72)", new[] { "4.3" })]
    [InlineData("(theory \u00A76, \u00A77.2)", new[] { "6", "7.2" })]
    [InlineData("laws of theory \u00A77.2\u2013\u00A77.6, as", new[] { "7.2", "7.6" })]
    [InlineData("coefficients (theory \u00A75.2\u20135.3).", new[] { "5.2", "5.3" })]
    [InlineData("in the units of theory \u00A71, \u00A73.1 and \u00A76.", new[] { "1", "3.1", "6" })]
    [InlineData("/// monitors (theory \u00A73.1, \u00A75.1,\n    /// \u00A76) to monitors.csv", new[] { "3.1", "5.1", "6" })]
    [InlineData("Theory \u00A76 with no signal", new[] { "6" })]
    [InlineData("theory \u00A77 test ideas 1\u20134", new[] { "7" })]
    [InlineData("\u00A75.2 and the anchors.md \u00A72 (no theory citation)", new string[0])]
    public void ParserReadsEveryCitationForm(string text, string[] expected)
    {
        Assert.Equal(expected, Citations("x.cs", text).Select(c => c.Section).ToArray());
    }

    [Fact]
    public void BogusSectionsAreReportedWithFileAndLine()
    {
        var headings = Headings(RepositoryRoot());
        string text = "// fine: theory \u00A77.2\n// bogus: theory \u00A799.9 and \u00A742\n/// also bogus: docs/theory.md \u00A77.9\n";
        var unresolved = Citations("src/Fake.cs", text).Where(c => !headings.Contains(c.Section)).ToList();
        Assert.Equal(
            new[] { new Citation("src/Fake.cs", 2, "99.9"), new Citation("src/Fake.cs", 2, "42"), new Citation("src/Fake.cs", 3, "7.9") },
            unresolved);
    }

    /// <summary>Every section number cited in <paramref name="text"/>, with its 1-based line.</summary>
    public static IEnumerable<Citation> Citations(string file, string text)
    {
        foreach (Match m in CitationRegex().Matches(text))
            foreach (Capture c in m.Groups["n"].Captures)
                yield return new Citation(file, 1 + text.AsSpan(0, c.Index).Count('\n'), c.Value);
    }

    /// <summary>The section numbers of docs/theory.md's numbered headings ("7", "7.2", …).</summary>
    private static HashSet<string> Headings(string root)
    {
        string path = Path.Combine(root, "docs", "theory.md");
        Assert.True(File.Exists(path), $"{path} does not exist; the theory that code comments cite must live in the repository.");
        var set = HeadingRegex().Matches(File.ReadAllText(path)).Select(m => m.Groups["n"].Value).ToHashSet();
        Assert.True(set.Count > 10, $"docs/theory.md has only {set.Count} numbered headings (## N. or ### N.M)");
        return set;
    }

    /// <summary>*.cs under the code roots, *.md under docs/, and README.md.</summary>
    private static IEnumerable<string> CitationFiles(string root)
    {
        foreach (string dir in CodeRoots)
            foreach (string f in FilesUnder(Path.Combine(root, dir), ".cs")) yield return f;
        foreach (string f in FilesUnder(Path.Combine(root, "docs"), ".md")) yield return f;
        string readme = Path.Combine(root, "README.md");
        if (File.Exists(readme)) yield return readme;
    }

    /// <summary>Text files of the repository: source, docs, scripts, build and CI files, and the top-level files.</summary>
    private static IEnumerable<string> RepositoryTextFiles(string root)
    {
        string[] extensions = [".cs", ".md", ".sh", ".py", ".mjs", ".js", ".json", ".csproj", ".props", ".targets", ".slnx", ".yml", ".yaml", ".txt"];
        foreach (string dir in CodeRoots.Append("docs").Append(".ci").Append(".github"))
            foreach (string f in FilesUnder(Path.Combine(root, dir), extensions)) yield return f;
        foreach (string f in Directory.EnumerateFiles(root))
            if (new FileInfo(f).Length < 1 << 20 && !LooksBinary(f)) yield return f;
        string ci = Path.Combine(root, ".ci");
        if (Directory.Exists(ci))
            foreach (string f in Directory.EnumerateFiles(ci).Where(f => Path.GetExtension(f).Length == 0))
                yield return f;
    }

    private static IEnumerable<string> FilesUnder(string dir, params string[] extensions)
    {
        if (!Directory.Exists(dir)) yield break;
        var pending = new Stack<string>([dir]);
        while (pending.Count > 0)
        {
            string d = pending.Pop();
            foreach (string sub in Directory.EnumerateDirectories(d))
                if (!SkippedDirectories.Contains(Path.GetFileName(sub))) pending.Push(sub);
            foreach (string f in Directory.EnumerateFiles(d))
                if (extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)) yield return f;
        }
    }

    private static bool LooksBinary(string file)
    {
        using var s = File.OpenRead(file);
        var buffer = new byte[4096];
        int n = s.Read(buffer);
        return Array.IndexOf(buffer, (byte)0, 0, n) >= 0;
    }

    /// <summary>The folder holding MuSharp.slnx, found by walking up from the test assembly.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MuSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"no MuSharp.slnx above {AppContext.BaseDirectory}");
    }
}
