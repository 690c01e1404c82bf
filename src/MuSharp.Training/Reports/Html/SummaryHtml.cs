using System.Globalization;
using System.Net;
using System.Text;
using MuSharp.Sweeps;

namespace MuSharp.Reports;

/// <summary>
/// The μTransfer summary as HTML tables, one per <see cref="TransferGroup"/>, built from the typed summary (the same
/// numbers <see cref="SummaryTable"/> prints): learning rates down, widths across, each width's optimum marked, the
/// wider-is-better column, then the optimum row with the drift, and the reference optimum's losses across widths.
/// </summary>
public static class SummaryHtml
{
    /// <summary>The CSS the tables' classes need; <see cref="HtmlReport"/> puts it in the page's style block.</summary>
    public const string Css = """
        table.summary { border-collapse: collapse; font-size: 13px; margin: 8px 0 8px; }
        table.summary th, table.summary td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        table.summary td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: ui-monospace, monospace; }
        table.summary td.optimum { background: #d9f2d9; font-weight: bold; }
        table.summary td.diverged { color: #8a1c1c; }
        table.summary tr.optimum-row td, table.summary tr.optimum-row th { border-top: 2px solid #999; }
        p.summary-note { font-size: 13px; margin: 0 0 20px; }

        """;

    /// <summary>One heading, table and note per group, in order; empty without groups.</summary>
    public static string ToHtml(IReadOnlyList<TransferGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var html = new StringBuilder();
        foreach (var g in groups)
        {
            string id = $"summary-{Id(g.Task)}-{Id(g.Optimizer)}-{Id(g.Parametrization)}";
            html.Append("<h3>").Append(Encode($"{g.Task} · {g.Optimizer} · {g.Parametrization}")).AppendLine("</h3>");
            html.Append("<table class=\"summary\" id=\"").Append(id).Append("\" data-parametrization=\"").Append(Encode(g.Parametrization)).AppendLine("\">");
            html.AppendLine("<caption>mean final validation loss over seeds; marked: each width's optimum, inf: diverged, -: no result</caption>");
            html.Append("<thead><tr><th>lr</th>");
            foreach (int w in g.Widths) html.Append("<th>w").Append(w.ToString(CultureInfo.InvariantCulture)).Append("</th>");
            html.AppendLine("<th>wider is better</th></tr></thead>");
            html.AppendLine("<tbody>");
            foreach (var trend in g.ByLr)
            {
                html.Append("<tr class=\"lr-row\"><th class=\"num\">").Append(SummaryTable.Lr(trend.Lr)).Append("</th>");
                foreach (var l in trend.Losses)
                {
                    bool optimum = g.Optima.Any(o => o.Width == l.Width && o.LrIndex == trend.LrIndex);
                    string cls = optimum ? "num optimum" : l.Loss is double v && double.IsPositiveInfinity(v) ? "num diverged" : "num";
                    html.Append("<td class=\"").Append(cls).Append("\">").Append(SummaryTable.Loss(l.Loss)).Append(optimum ? " *" : "").Append("</td>");
                }
                html.Append("<td>").Append(trend.WiderIsBetter switch { true => "yes", false => "no", null => "-" }).AppendLine("</td></tr>");
            }
            html.Append("<tr class=\"optimum-row\"><th>optimum</th>");
            foreach (int w in g.Widths)
                html.Append("<td class=\"num\">").Append(g.Optima.FirstOrDefault(o => o.Width == w) is { } o ? SummaryTable.Lr(o.Lr) : "-").Append("</td>");
            html.Append("<td>").Append(g.DriftSteps is int d ? $"drift {d} grid step{(d == 1 ? "" : "s")}" : "drift -").AppendLine("</td></tr>");
            html.AppendLine("</tbody>");
            html.AppendLine("</table>");
            html.Append("<p class=\"summary-note\">").Append(Encode(Note(g))).AppendLine("</p>");
        }
        return html.ToString();
    }

    private static string Note(TransferGroup g)
    {
        int measured = g.ByLr.Count(t => t.WiderIsBetter is not null), wider = g.ByLr.Count(t => t.WiderIsBetter == true);
        string widerLine = $"Wider is better at {wider} of {measured} learning rates with results.";
        if (g.ReferenceOptimum is not { } r) return $"Reference width {g.ReferenceWidth} has no finished, non-diverged trial yet. {widerLine}";
        string losses = string.Join(" → ", g.AtReferenceOptimum.Select(l => $"w{l.Width} {SummaryTable.Loss(l.Loss)}"));
        string verdict = g.MonotoneAtReferenceOptimum switch
        {
            true => "improves monotonically with width",
            false => "does not improve monotonically with width",
            null => "too few widths to tell",
        };
        return $"At lr {SummaryTable.Lr(r.Lr)} (optimum of reference width {g.ReferenceWidth}): {losses}: {verdict}. {widerLine}";
    }

    private static string Id(string s) => new([.. s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
