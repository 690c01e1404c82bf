using System.Globalization;
using System.Net;
using System.Text;

namespace MuSharp.Reports;

/// <summary>
/// The batch-scaling sweep as HTML tables: how the trials ended per task and optimizer (so diverged runs are counted
/// even where the figures only show them as marks), the measured optimum per batch size, and the fitted laws' labels.
/// </summary>
public static class BatchScalingTable
{
    /// <summary>The CSS the tables' classes need; <see cref="HtmlReport"/> puts it in the page's style block.</summary>
    public const string Css = """
        table.batch { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
        table.batch th, table.batch td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        table.batch td.num { text-align: right; font-variant-numeric: tabular-nums; }
        table.batch td.edge { background: #fdebc8; color: #7a4f00; }
        """;

    /// <summary>Trial outcomes per (task, optimizer), first-appearance order; empty without trials.</summary>
    public static string Outcomes(IReadOnlyList<BatchTrialPoint> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0) return "";
        string[] statuses = [BatchScalingSpec.Reached, BatchScalingSpec.NotReached, TransferPoint.Diverged, TransferPoint.Failed];
        var html = new StringBuilder();
        html.AppendLine("<table class=\"batch outcomes\">");
        html.AppendLine("<thead><tr><th>task</th><th>optimizer</th><th>trials</th><th>reached target</th><th>not reached</th><th>diverged</th><th>failed</th></tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var group in trials.GroupBy(t => (t.Task, t.Optimizer)))
        {
            var counts = group.CountBy(BatchScalingSpec.Shown).ToDictionary();
            html.Append("<tr>").Append(Cell(group.Key.Task)).Append(Cell(group.Key.Optimizer)).Append(Number(group.Count()));
            foreach (string s in statuses) html.Append(Number(counts.GetValueOrDefault(s)));
            html.AppendLine("</tr>");
        }
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        return html.ToString();
    }

    /// <summary>
    /// One row per measured optimum, sorted by task, optimizer and batch; an optimum at the edge of the lr grid is
    /// flagged. Empty without optima.
    /// </summary>
    public static string Optima(IReadOnlyList<BatchOptimumPoint> optima)
    {
        ArgumentNullException.ThrowIfNull(optima);
        if (optima.Count == 0) return "";
        var html = new StringBuilder();
        html.AppendLine("<table class=\"batch optima\">");
        html.AppendLine("<thead><tr><th>task</th><th>optimizer</th><th>batch</th><th>optimal lr</th><th>steps</th><th>samples</th><th>lr grid</th></tr></thead>");
        html.AppendLine("<tbody>");
        var sorted = optima.OrderBy(o => o.Task, StringComparer.Ordinal).ThenBy(o => o.Optimizer, StringComparer.Ordinal).ThenBy(o => o.Batch);
        foreach (var o in sorted)
        {
            html.Append("<tr>").Append(Cell(o.Task)).Append(Cell(o.Optimizer)).Append(Number(o.Batch))
                .Append(Number(Lr(o.OptimalLr))).Append(Number(Count(o.Steps))).Append(Number(Count(o.Samples)))
                .Append(o.AtEdge ? "<td class=\"edge\">at edge</td>" : "<td>inside</td>")
                .AppendLine("</tr>");
        }
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        return html.ToString();
    }

    /// <summary>The distinct labels of the fitted and predicted curves, one row per (task, optimizer, curve); empty without curves.</summary>
    public static string Laws(IReadOnlyList<BatchCurvePoint> curves)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) return "";
        var html = new StringBuilder();
        html.AppendLine("<table class=\"batch laws\">");
        html.AppendLine("<thead><tr><th>task</th><th>optimizer</th><th>curve</th><th>law</th></tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var (task, optimizer, curve, label) in curves.Select(c => (c.Task, c.Optimizer, c.Curve, c.Label)).Distinct())
            html.Append("<tr>").Append(Cell(task)).Append(Cell(optimizer)).Append(Cell(curve)).Append(Cell(label)).AppendLine("</tr>");
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        return html.ToString();
    }

    /// <summary>Three significant digits, in exponent form below 10⁻³: "0.0123", "4.56e-05".</summary>
    internal static string Lr(double lr) =>
        !double.IsFinite(lr) ? "—"
        : lr != 0 && Math.Abs(lr) < 1e-3 ? lr.ToString("0.00e-00", CultureInfo.InvariantCulture)
        : lr.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Rounded with thousands separators: "12,345"; "—" when not finite.</summary>
    internal static string Count(double v) => double.IsFinite(v) ? v.ToString("#,0", CultureInfo.InvariantCulture) : "—";

    private static string Cell(string text) => "<td>" + WebUtility.HtmlEncode(text) + "</td>";

    private static string Number(int n) => Number(n.ToString(CultureInfo.InvariantCulture));

    private static string Number(string text) => "<td class=\"num\">" + WebUtility.HtmlEncode(text) + "</td>";
}
