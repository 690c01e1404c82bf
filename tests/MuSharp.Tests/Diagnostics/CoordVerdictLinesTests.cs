using MuSharp.Diagnostics;
using MuSharp.Experiments;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Tests.Diagnostics;

/// <summary>The coord-check's printed table: the predicted slope beside the measured ones, and the verdict against it.</summary>
public sealed class CoordVerdictLinesTests
{
    private static CoordSlope S(string module, CoordMetric metric, int step, double slope) =>
        new(module, metric, step, slope, Math.Abs(slope) <= 0.1 ? CoordTrend.Flat : slope > 0 ? CoordTrend.Growing : CoordTrend.Shrinking);

    // The spectral demo's shape: the input layer's activation grows as predicted at init, and less after it.
    private static CoordCase Spectral(double layer1Update) => new(ParametrizationKind.Spectral, OptimizerKind.AdamW, [],
    [
        S("layer0", CoordMetric.Activation, 0, 0.28), S("layer0", CoordMetric.Activation, 1, 0.13),
        S("layer0", CoordMetric.Change, 1, 0.01),
        S("layer1.weight", CoordMetric.Update, 1, layer1Update), S("layer1.weight", CoordMetric.Update, 2, 0.02),
    ])
    {
        Predictions = [new("layer0", CoordMetric.Activation, 0.30, AtInit: true), new("layer1.weight", CoordMetric.Update, 0.0, AtInit: false)],
    };

    private static string[] Cells(IEnumerable<string> lines, string module, string metric) =>
        lines.Single(l => l.TrimStart().StartsWith(module + " ", StringComparison.Ordinal) && l.Contains(metric, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void PredictedSlopeSitsBesideTheMeasuredOnes()
    {
        var lines = CoordCheckRun.VerdictTable(Spectral(0.03), 0.1).ToList();
        Assert.Equal(["module", "metric", "t=0", "t=1", "t=2", "trend", "predicted", "vs", "prediction"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["layer0", "activation", "+0.28", "+0.13", "GROWING", "+0.30", "matches"], Cells(lines, "layer0", "activation"));
        Assert.Equal(["layer0", "change", "+0.01", "flat", "-", "-"], Cells(lines, "layer0", "change"));
        Assert.Equal(["layer1.weight", "update", "+0.03", "+0.02", "flat", "+0.00", "flat"], Cells(lines, "layer1.weight", "update"));
        Assert.Contains(lines, l => l.Contains("steps ≥ 1: flat except as predicted", StringComparison.Ordinal) && l.Contains("+0.30", StringComparison.Ordinal));
    }

    [Fact]
    public void UpdateAwayFromItsPredictionDiffers()
    {
        var lines = CoordCheckRun.VerdictTable(Spectral(0.45), 0.1).ToList();
        Assert.Equal("DIFFERS at t=1", string.Join(' ', Cells(lines, "layer1.weight", "update")[^3..]));
    }

    [Fact]
    public void GrowthBeyondThePredictionIsNotExplained()
    {
        var c = Spectral(0.03) with { Slopes = [S("layer0", CoordMetric.Activation, 0, 0.28), S("layer0", CoordMetric.Activation, 1, 0.55)] };
        Assert.Contains(CoordCheckRun.VerdictTable(c, 0.1), l => l.Contains("NOT all flat", StringComparison.Ordinal));
    }
}
