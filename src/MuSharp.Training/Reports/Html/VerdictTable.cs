using System.Globalization;
using System.Net;
using System.Text;

namespace MuSharp.Reports;

/// <summary>
/// The coordinate check's verdicts as an HTML table: one row per (parametrization, optimizer, metric, module, step)
/// with the fitted log₂-log₂ slope, the verdict cell coloured flat (green), growing (red) or shrinking (amber).
/// </summary>
public static class VerdictTable
{
    /// <summary>The CSS the table's classes need; <see cref="HtmlReport"/> puts it in the page's style block.</summary>
    public const string Css = """
        table.verdicts { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
        table.verdicts th, table.verdicts td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        table.verdicts td.slope { text-align: right; font-variant-numeric: tabular-nums; }
        table.verdicts td.verdict-flat { background: #d9f2d9; color: #185c18; }
        table.verdicts td.verdict-growing { background: #f8d7d7; color: #8a1c1c; }
        table.verdicts td.verdict-shrinking { background: #fdebc8; color: #7a4f00; }
        """;

    /// <summary>
    /// The table's HTML, rows sorted by parametrization, optimizer, metric, module and step. Throws ArgumentException
    /// naming a verdict that is not flat, growing or shrinking.
    /// </summary>
    public static string ToHtml(IReadOnlyList<CoordVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        for (int i = 0; i < verdicts.Count; i++)
        {
            var v = verdicts[i];
            if (v.Verdict is not (CoordVerdict.Flat or CoordVerdict.Growing or CoordVerdict.Shrinking))
                throw new ArgumentException($"coordinate verdict {i} ({v.Parametrization}, {v.Optimizer}, {v.Module}, {v.Metric}, step {v.Step}) is '{v.Verdict}'; expected flat, growing or shrinking.");
        }
        var html = new StringBuilder();
        html.AppendLine("<table class=\"verdicts\">");
        html.AppendLine("<thead><tr><th>parametrization</th><th>optimizer</th><th>metric</th><th>module</th><th>step</th><th>slope (log₂ value per log₂ width)</th><th>verdict</th></tr></thead>");
        html.AppendLine("<tbody>");
        var sorted = verdicts
            .OrderBy(v => v.Parametrization, StringComparer.Ordinal).ThenBy(v => v.Optimizer, StringComparer.Ordinal)
            .ThenBy(v => v.Metric, StringComparer.Ordinal).ThenBy(v => v.Module, StringComparer.Ordinal).ThenBy(v => v.Step);
        foreach (var v in sorted)
        {
            html.Append("<tr>")
                .Append(Cell(v.Parametrization)).Append(Cell(v.Optimizer)).Append(Cell(v.Metric)).Append(Cell(v.Module))
                .Append(Cell(v.Step.ToString(CultureInfo.InvariantCulture)))
                .Append("<td class=\"slope\">").Append(WebUtility.HtmlEncode(Slope(v.Slope))).Append("</td>")
                .Append("<td class=\"verdict-").Append(v.Verdict).Append("\">").Append(v.Verdict).Append("</td>")
                .AppendLine("</tr>");
        }
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        return html.ToString();
    }

    /// <summary>Signed, three decimals: "+0.500", "−0.012" (a true minus sign), "NaN" when the fit failed.</summary>
    internal static string Slope(double slope) =>
        double.IsNaN(slope) ? "NaN" : (slope >= 0 ? "+" : "−") + Math.Abs(slope).ToString("0.000", CultureInfo.InvariantCulture);

    private static string Cell(string text) => "<td>" + WebUtility.HtmlEncode(text) + "</td>";
}
