using System.Globalization;
using System.Text;
using MuSharp.Reports;

namespace MuSharp.Sweeps;

/// <summary>
/// The plain-text summary of a sweep, one block per <see cref="TransferGroup"/>: learning rates down, widths across,
/// the seed-mean final validation loss in each cell with each width's optimum starred, then the drift of the optimum
/// and the reference optimum's loss across widths. Numbers are fixed-point and line up on their decimal points
/// (<see cref="TextTable"/>); the star has a column of its own.
/// </summary>
public static class SummaryTable
{
    /// <summary>Significant digits of a loss: converged blobs losses are ~1e-5, so fixed decimals would print 0.0000.</summary>
    public const int LossDigits = 4;

    /// <summary>Significant digits of a learning rate: grids are powers of 2 or 4, three digits tell them apart.</summary>
    public const int LrDigits = 3;

    /// <summary>The blocks of <paramref name="groups"/>, separated by blank lines; "no trials" when there are none.</summary>
    public static string Format(IReadOnlyList<TransferGroup> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var s = new StringBuilder();
        if (groups.Count == 0) return "no trials\n";
        foreach (var g in groups)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{g.Task} · {g.Optimizer} · {g.Parametrization}: mean final validation loss over seeds (* optimum of the width, inf diverged, - no result)");
            foreach (string line in Table(g).Lines()) s.AppendLine(line);
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

    /// <summary>A loss as the summary prints it: fixed-point, <see cref="LossDigits"/> significant digits; "inf" diverged, "-" none.</summary>
    public static string Loss(double? loss) => FixedPoint.Significant(loss, LossDigits);

    /// <summary>A learning rate as the summary prints it: fixed-point, up to <see cref="LrDigits"/> significant digits.</summary>
    public static string Lr(double lr) => FixedPoint.Significant(lr, LrDigits, trimZeros: true);

    // lr | per width: loss, star | wider is better; then the optimum row with the drift in the last column.
    private static TextTable Table(TransferGroup g)
    {
        var columns = new List<TextColumn> { new("lr", TextAlign.Point, 0) };
        foreach (int w in g.Widths)
        {
            columns.Add(new("w" + w.ToString(CultureInfo.InvariantCulture), TextAlign.Point, 3));
            columns.Add(new("", TextAlign.Left, 1));
        }
        columns.Add(new("wider is better", TextAlign.Left));
        var table = new TextTable([.. columns]);
        foreach (var trend in g.ByLr)
        {
            var cells = new List<string> { Lr(trend.Lr) };
            foreach (var l in trend.Losses)
            {
                cells.Add(Loss(l.Loss));
                cells.Add(g.Optima.Any(o => o.Width == l.Width && o.LrIndex == trend.LrIndex) ? "*" : "");
            }
            cells.Add(YesNo(trend.WiderIsBetter));
            table.Add([.. cells]);
        }
        var optimum = new List<string> { "optimum" };
        foreach (int w in g.Widths)
        {
            optimum.Add(g.Optima.FirstOrDefault(o => o.Width == w) is { } o ? Lr(o.Lr) : "-");
            optimum.Add("");
        }
        optimum.Add(g.DriftSteps is int d ? $"drift {d} grid step{(d == 1 ? "" : "s")}" : "drift -");
        table.Add([.. optimum]);
        return table;
    }

    private static string YesNo(bool? b) => b switch { true => "yes", false => "no", null => "-" };
}
