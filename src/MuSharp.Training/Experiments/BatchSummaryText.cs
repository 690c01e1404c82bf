using System.Globalization;
using System.Text;
using MuSharp.Reports;

namespace MuSharp.Experiments;

/// <summary>
/// The plain-text summary of a batch-scaling sweep, one block per <see cref="BatchGroup"/>: steps to the target per
/// (learning rate, batch), each batch's optimum, the fitted laws and the comparison with the measured noise scale.
/// </summary>
public static class BatchSummaryText
{
    public static string Format(IReadOnlyList<BatchGroup> groups, double target)
    {
        ArgumentNullException.ThrowIfNull(groups);
        if (groups.Count == 0) return "no trials\n";
        var s = new StringBuilder();
        foreach (var g in groups)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"{g.Task} · {g.Optimizer}: steps to validation loss {target:G3} (geometric mean over seeds; * fewest at the batch, - not reached or diverged)");
            var steps = new TextTable([new("lr", TextAlign.Point, 0), .. g.Batches.SelectMany(b => new TextColumn[]
                { new("B" + b.ToString(CultureInfo.InvariantCulture), TextAlign.Right, 3), new("", TextAlign.Left, 1) })]);
            foreach (var lrGroup in g.Cells.GroupBy(c => c.LrIndex).OrderBy(x => x.Key))
            {
                var cells = new List<string> { Num(lrGroup.First().Lr) };
                foreach (int b in g.Batches)
                {
                    var cell = lrGroup.FirstOrDefault(c => c.Batch == b);
                    var rowCells = g.Cells.Where(c => c.Batch == b && c.Steps is not null).ToList();
                    bool star = cell?.Steps is not null && rowCells.Count > 0 && cell.Steps == rowCells.Min(c => c.Steps);
                    cells.Add(cell?.Steps is double st ? st.ToString("F0", CultureInfo.InvariantCulture) : "-");
                    cells.Add(star ? "*" : "");
                }
                steps.Add([.. cells]);
            }
            foreach (string line in steps.Lines()) s.AppendLine(line);
            s.AppendLine("optimum (refined in log lr):");
            var optima = new TextTable(new("batch", TextAlign.Right, 0), new("lr", TextAlign.Point), new("steps", TextAlign.Right),
                new("samples", TextAlign.Right), new("B_simple at target", TextAlign.Point), new("", TextAlign.Left));
            foreach (var o in g.Optima)
                optima.Add(o.Batch.ToString(CultureInfo.InvariantCulture), Num(o.Lr), o.Steps.ToString("F0", CultureInfo.InvariantCulture),
                    o.Samples.ToString("F0", CultureInfo.InvariantCulture), o.BSimple is double bs ? Num(bs) : "-", o.AtEdge ? "(at the grid edge)" : "");
            foreach (string line in optima.Lines("  ")) s.AppendLine(line);
            if (g.Fit is { } f)
                s.AppendLine(CultureInfo.InvariantCulture, $"fit η*(B) = η_max/(1 + B_noise/B)^α: η_max {Num(f.EtaMax)}, B_noise {Num(f.BNoise)}, α {f.Alpha:F2} (rms log error {f.RmsLogError:F3})");
            if (g.FitAlpha1 is { } f1)
                s.AppendLine(CultureInfo.InvariantCulture, $"fit with α = 1 (theory §7.2): η_max {Num(f1.EtaMax)}, B_noise {Num(f1.BNoise)} (rms log error {f1.RmsLogError:F3})");
            if (g.StepsFit is { } sf)
                s.AppendLine(CultureInfo.InvariantCulture, $"steps–samples fit S = S_min(1 + B_noise/B): S_min {sf.SMin:F0}, E_min {sf.EMin:F0}, B_noise = E_min/S_min {Num(sf.BNoise)} (rms relative error {sf.RmsRelError:F3})");
            if (g.BSimple is double b0)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"B_simple measured in training (median over the optima, at the target): {Num(b0)}");
                if (g.FitAlpha1 is { } fa)
                    s.AppendLine(CultureInfo.InvariantCulture, $"  B_noise of the α = 1 fit / B_simple = {fa.BNoise / b0:F2}{Within3(fa.BNoise / b0)}");
                if (g.StepsFit is { } sf2)
                    s.AppendLine(CultureInfo.InvariantCulture, $"  B_noise of the steps–samples fit / B_simple = {sf2.BNoise / b0:F2}{Within3(sf2.BNoise / b0)}");
            }
            string fitted = g.PredictionRmsLogError is double e ? $", one fitted scale: rms log error {e:F3}" : ": needs B_simple (set noiseEvery in the base config)";
            s.AppendLine(CultureInfo.InvariantCulture, $"prediction {g.PredictionName}{fitted}");
            s.AppendLine();
        }
        return s.ToString();
    }

    private static string Within3(double ratio) => ratio is >= 1.0 / 3 and <= 3 ? " (within a factor of 3)" : " (NOT within a factor of 3)";

    private static string Num(double v) => FixedPoint.Significant(v, 3, trimZeros: true);
}
