using System.Globalization;
using System.Text;

namespace MuSharp.Sweeps;

/// <summary>
/// The plain-text summary of a sweep, one block per <see cref="TransferGroup"/>: learning rates down, widths across,
/// the seed-mean final validation loss in each cell with each width's optimum starred, then the drift of the optimum
/// and the reference optimum's loss across widths.
/// </summary>
public static class SummaryTable
{
    private const int Column = 10;

    public static string Format(IReadOnlyList<TransferGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var s = new StringBuilder();
        if (groups.Count == 0) return "no trials\n";
        foreach (var g in groups)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{g.Task} · {g.Optimizer} · {g.Parametrization}: mean final validation loss over seeds (* optimum of the width, inf diverged, - no result)");
            s.Append("lr".PadLeft(Column)).Append(' ');
            foreach (int w in g.Widths) s.Append(("w" + w.ToString(CultureInfo.InvariantCulture)).PadLeft(Column));
            s.AppendLine("  wider is better");
            foreach (var trend in g.ByLr)
            {
                s.Append(Lr(trend.Lr).PadLeft(Column)).Append(' ');
                foreach (var l in trend.Losses)
                {
                    bool star = g.Optima.Any(o => o.Width == l.Width && o.LrIndex == trend.LrIndex);
                    s.Append((Loss(l.Loss) + (star ? "*" : " ")).PadLeft(Column));
                }
                s.AppendLine("  " + YesNo(trend.WiderIsBetter));
            }
            s.Append("optimum".PadLeft(Column)).Append(' ');
            foreach (int w in g.Widths)
                s.Append((g.Optima.FirstOrDefault(o => o.Width == w) is { } o ? Lr(o.Lr) + " " : "- ").PadLeft(Column));
            s.AppendLine(g.DriftSteps is int d ? $"  drift {d} grid step{(d == 1 ? "" : "s")}" : "  drift -");
            if (g.ReferenceOptimum is { } r)
            {
                string losses = string.Join(" → ", g.AtReferenceOptimum.Select(l => $"w{l.Width} {Loss(l.Loss)}"));
                string verdict = g.MonotoneAtReferenceOptimum switch
                {
                    true => "improves monotonically with width",
                    false => "does not improve monotonically with width",
                    null => "too few widths to tell",
                };
                s.AppendLine(CultureInfo.InvariantCulture, $"at lr {Lr(r.Lr)} (optimum of reference width {g.ReferenceWidth}): {losses}: {verdict}");
            }
            else s.AppendLine(CultureInfo.InvariantCulture, $"reference width {g.ReferenceWidth} has no finished, non-diverged trial yet");
            int measured = g.ByLr.Count(t => t.WiderIsBetter is not null), wider = g.ByLr.Count(t => t.WiderIsBetter == true);
            s.AppendLine(CultureInfo.InvariantCulture, $"wider is better at {wider} of {measured} learning rates with results");
            s.AppendLine();
        }
        return s.ToString();
    }

    private static string Lr(double lr) => lr.ToString("G3", CultureInfo.InvariantCulture);

    private static string Loss(double? loss) => loss switch
    {
        null => "-",
        double v when double.IsPositiveInfinity(v) => "inf",
        double v => v.ToString("G4", CultureInfo.InvariantCulture), // 4 significant digits: converged blobs losses are ~1e-5
    };

    private static string YesNo(bool? b) => b switch { true => "yes", false => "no", null => "-" };
}
