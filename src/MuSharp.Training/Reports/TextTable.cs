using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MuSharp.Reports;

/// <summary>How a <see cref="TextTable"/> column lines up its cells.</summary>
public enum TextAlign
{
    /// <summary>Text columns: names, verdicts.</summary>
    Left,
    /// <summary>Counts and other integers.</summary>
    Right,
    /// <summary>Numbers with their decimal points in one column; "-", "inf" and "nan" stand where the integer part would.</summary>
    Point,
}

/// <summary>One column of a <see cref="TextTable"/>: its header, alignment, and the spaces that separate it from the column before.</summary>
public sealed record TextColumn(string Header, TextAlign Align, int Gap = 2);

/// <summary>
/// A plain-text table with fixed-width columns, for the tables the CLI prints: every column is as wide as its widest
/// cell, numbers line up on their decimal points, and trailing spaces are trimmed. Cells are formatted by the caller
/// (usually with <see cref="FixedPoint"/>), so one table can mix learning rates, losses and markers.
/// </summary>
public sealed partial class TextTable(params TextColumn[] columns)
{
    private readonly List<string[]> rows = [];

    /// <summary>Adds a row; missing trailing cells are empty. Throws ArgumentException for more cells than columns.</summary>
    public void Add(params string[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length > columns.Length) throw new ArgumentException($"TextTable: a row of {cells.Length} cells for {columns.Length} columns.");
        rows.Add([.. cells, .. Enumerable.Repeat("", columns.Length - cells.Length)]);
    }

    /// <summary>The header line, then one line per row, each starting with <paramref name="indent"/>.</summary>
    public IReadOnlyList<string> Lines(string indent = "")
    {
        var laid = new string[columns.Length][];
        for (int c = 0; c < columns.Length; c++) laid[c] = Layout(columns[c], [.. rows.Select(r => r[c])]);
        var lines = new List<string>();
        for (int r = 0; r <= rows.Count; r++)
        {
            var line = new StringBuilder(indent);
            for (int c = 0; c < columns.Length; c++)
            {
                if (c > 0) line.Append(' ', columns[c].Gap);
                line.Append(laid[c][r]);
            }
            lines.Add(line.ToString().TrimEnd());
        }
        return lines;
    }

    /// <summary>The lines joined with newlines, ending with one.</summary>
    public override string ToString() => string.Concat(Lines().Select(l => l + "\n"));

    // Header first, then the cells, all padded to the column's width.
    private static string[] Layout(TextColumn column, string[] cells)
    {
        if (column.Align == TextAlign.Point) cells = DecimalAligned(cells);
        int width = Math.Max(column.Header.Length, cells.Length == 0 ? 0 : cells.Max(s => s.Length));
        bool left = column.Align == TextAlign.Left;
        return [left ? column.Header.PadRight(width) : column.Header.PadLeft(width), .. cells.Select(s => left ? s.PadRight(width) : s.PadLeft(width))];
    }

    // Numbers get the same integer-part width and fraction width, so their points line up; other text is left as it is
    // and right-aligned with the column by Layout.
    private static string[] DecimalAligned(string[] cells)
    {
        var parts = cells.Select(Split).ToArray();
        int integer = parts.Where(p => p is not null).Select(p => p!.Value.Integer.Length).DefaultIfEmpty(0).Max();
        int fraction = parts.Where(p => p is not null).Select(p => p!.Value.Fraction.Length).DefaultIfEmpty(0).Max();
        return [.. cells.Select((s, i) => parts[i] is { } p ? p.Integer.PadLeft(integer) + p.Fraction.PadRight(fraction) : s)];
    }

    private static (string Integer, string Fraction)? Split(string cell)
    {
        if (cell is "-" or "inf" or "-inf" or "nan") return (cell, "");
        if (!Number().IsMatch(cell)) return null;
        int point = cell.IndexOf('.', StringComparison.Ordinal);
        return point < 0 ? (cell, "") : (cell[..point], cell[point..]);
    }

    [GeneratedRegex(@"^[+\-−]?\d+(\.\d+)?$")]
    private static partial Regex Number();
}

/// <summary>
/// Fixed-point number formatting for the CLI's tables and lines: never an exponent, so a column of losses from 2.3 down
/// to 0.0000004 reads at a glance, and the same value always prints the same way.
/// </summary>
public static class FixedPoint
{
    // 1e-20 and below print as 0.000…; no loss or learning rate this tool reports is that small.
    private const int MaxDecimals = 20;

    /// <summary>
    /// <paramref name="value"/> with <paramref name="digits"/> significant digits in fixed-point (1.409, 0.0002689,
    /// 12345 with 4 digits: integers keep all theirs); "inf", "-inf" and "nan" for the non-finite values. With
    /// <paramref name="trimZeros"/> trailing zeros go (0.001 rather than 0.00100), for grid values such as learning
    /// rates, whose digits are exact rather than measured.
    /// </summary>
    public static string Significant(double value, int digits, bool trimZeros = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 1);
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return "0";
        int decimals = Decimals(value, digits);
        // Rounding can carry into a new leading digit (9.9996 → 10.00): one decimal fewer keeps the digit count.
        if (decimals > 0 && Math.Abs(Math.Round(value, Math.Min(decimals, 15))) >= Math.Pow(10, digits - decimals)) decimals--;
        string text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return trimZeros && text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    /// <summary><see cref="Significant(double, int, bool)"/> for a value that may be missing: "-" when null.</summary>
    public static string Significant(double? value, int digits) => value is double v ? Significant(v, digits) : "-";

    /// <summary>A signed slope with two decimals, rounded first so −0.001 prints as +0.00 rather than -0.00.</summary>
    public static string WithSign(double value, int decimals = 2) =>
        double.IsNaN(value) ? "nan" : Math.Round(value, decimals).ToString("+0." + new string('0', decimals) + ";-0." + new string('0', decimals) + ";+0." + new string('0', decimals), CultureInfo.InvariantCulture);

    private static int Decimals(double value, int digits) =>
        Math.Clamp(digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value))), 0, MaxDecimals);
}
