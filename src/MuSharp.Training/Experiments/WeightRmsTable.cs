using System.Globalization;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>One parameter's weight RMS at a monitored step beside AdamW's weight-RMS law (theory §6).</summary>
public sealed record WeightRmsRow(long Step, string Name, string Role, int FanIn, int FanOut, double Measured, double Predicted)
{
    /// <summary>measured / predicted.</summary>
    public double Ratio => Measured / Predicted;
}

/// <summary>
/// The per-matrix weight-RMS table of an AdamW run with monitors (docs/optimizers.md): measured ‖W‖_RMS against the law's
/// prediction, which the loop advances every step from the initial RMS with the scheduled η·s and λ/s
/// (<see cref="LoopOptions.WeightRmsLawDecay"/>).
/// </summary>
public static class WeightRmsTable
{
    /// <summary>Rows of monitors.csv at its last monitored step (or <paramref name="step"/>) that carry a prediction; vectors only with <paramref name="vectors"/>.</summary>
    public static IReadOnlyList<WeightRmsRow> Read(string monitorsCsv, long? step = null, bool vectors = false)
    {
        var lines = File.ReadAllLines(monitorsCsv);
        if (lines.Length == 0 || lines[0] != MonitorsCsv.HeaderLine)
            throw new InvalidDataException($"{monitorsCsv}: not a monitors.csv with the header '{MonitorsCsv.HeaderLine}'.");
        var rows = lines.Skip(1).Select(l => l.Split(',')).Where(c => c[10].Length > 0)
            .Select(c => new WeightRmsRow(long.Parse(c[0], CultureInfo.InvariantCulture), c[1], c[2], int.Parse(c[3], CultureInfo.InvariantCulture),
                int.Parse(c[4], CultureInfo.InvariantCulture), D(c[5]), D(c[10])))
            .Where(r => vectors || r.Role != "vector").ToList();
        if (rows.Count == 0) throw new InvalidDataException($"{monitorsCsv}: no predicted_weight_rms values; train with optimizer adamw and monitorEvery > 0.");
        long at = step ?? rows.Max(r => r.Step);
        return rows.Where(r => r.Step == at).ToList();
    }

    /// <summary>Markdown: parameter, shape, measured, predicted, ratio; then the median ratio.</summary>
    public static IReadOnlyList<string> Markdown(IReadOnlyList<WeightRmsRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lines = new List<string> { "| parameter | role | d_in × d_out | measured ‖W‖_RMS | predicted | measured/predicted |", "|---|---|---|---:|---:|---:|" };
        foreach (var r in rows)
            lines.Add(FormattableString.Invariant($"| {r.Name} | {r.Role} | {r.FanIn} × {r.FanOut} | {r.Measured:0.0000} | {r.Predicted:0.0000} | {r.Ratio:0.000} |"));
        var ratios = rows.Select(r => r.Ratio).Order().ToList();
        if (ratios.Count > 0) lines.Add(FormattableString.Invariant($"| median | | | | | {ratios[ratios.Count / 2]:0.000} |"));
        return lines;
    }

    private static double D(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);
}
