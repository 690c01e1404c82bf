using MuSharp.Sweeps;

namespace MuSharp.Tests.Sweeps;

public sealed class TransferSummaryTests
{
    private static readonly double[] Grid = [0.001, 0.002, 0.004, 0.008];
    private static long nextId;

    private static TrialRow Row(int width, int lrIndex, double? loss, ulong seed = 1, TrialStatus status = TrialStatus.Done,
        string parametrization = "mup", string optimizer = "sgd") => new(
        new TrialSpec(Interlocked.Increment(ref nextId), "", "mlp", optimizer, parametrization, width, Grid[lrIndex], lrIndex, seed, "{}", 32),
        new TrialResult { Status = status, FinalValLoss = loss }, null, null, null, 1);

    // Loss table (rows: lr index 0..3, columns: widths 8, 16, 32) for a sweep whose optimum moves one step per doubling.
    private static List<TrialRow> Drifting() =>
    [
        Row(8, 0, 0.9), Row(16, 0, 0.8), Row(32, 0, 0.7),
        Row(8, 1, 0.5), Row(16, 1, 0.6), Row(32, 1, 0.65),
        Row(8, 2, 0.6), Row(16, 2, 0.4), Row(32, 2, 0.5),
        Row(8, 3, 0.8), Row(16, 3, 0.9), Row(32, 3, 0.3),
    ];

    [Fact]
    public void OptimaAndTheirDriftInGridSteps()
    {
        var g = Assert.Single(TransferSummary.Summarize(Drifting(), baseWidth: 8));
        Assert.Equal([8, 16, 32], g.Widths);
        Assert.Equal(Grid, g.Lrs);
        Assert.Equal([(8, 1, 0.5), (16, 2, 0.4), (32, 3, 0.3)], g.Optima.Select(o => (o.Width, o.LrIndex, o.Loss)));
        Assert.Equal(0.002, g.Optima[0].Lr);
        Assert.Equal(2, g.DriftSteps);
    }

    [Fact]
    public void ReferenceOptimumAcrossWidthsAndMonotonicity()
    {
        var g = TransferSummary.Summarize(Drifting(), baseWidth: 8)[0];
        Assert.Equal(8, g.ReferenceWidth);
        Assert.Equal(1, g.ReferenceOptimum!.LrIndex);
        Assert.Equal([0.5, 0.6, 0.65], g.AtReferenceOptimum.Select(l => l.Loss!.Value)); // lr 0.002 gets worse with width
        Assert.False(g.MonotoneAtReferenceOptimum);

        // Base width 16 (optimum lr index 2): 0.6 → 0.4 → 0.5, not monotone either; width 32's optimum is index 3.
        var from16 = TransferSummary.Summarize(Drifting(), baseWidth: 16)[0];
        Assert.Equal(2, from16.ReferenceOptimum!.LrIndex);
        Assert.False(from16.MonotoneAtReferenceOptimum);

        // A base width outside the sweep falls back to the smallest width.
        Assert.Equal(8, TransferSummary.Summarize(Drifting(), baseWidth: 64)[0].ReferenceWidth);

        // Perfect transfer: the same optimum everywhere and the loss falls with width.
        List<TrialRow> perfect = [Row(8, 0, 0.9), Row(8, 1, 0.5), Row(16, 0, 0.8), Row(16, 1, 0.4), Row(32, 0, 0.7), Row(32, 1, 0.3)];
        var p = TransferSummary.Summarize(perfect, baseWidth: 8)[0];
        Assert.Equal(0, p.DriftSteps);
        Assert.True(p.MonotoneAtReferenceOptimum);
        Assert.Equal([0.5, 0.4, 0.3], p.AtReferenceOptimum.Select(l => l.Loss!.Value));
    }

    [Fact]
    public void WiderIsBetterPerLearningRate()
    {
        var g = TransferSummary.Summarize(Drifting(), baseWidth: 8)[0];
        Assert.Equal([true, false, false, false], g.ByLr.Select(t => t.WiderIsBetter));
        Assert.Equal([0.9, 0.8, 0.7], g.ByLr[0].Losses.Select(l => l.Loss!.Value));
        Assert.True(TransferSummary.NonIncreasing([0.5, 0.5, 0.4])); // equal counts as not worse
        Assert.True(TransferSummary.NonIncreasing([double.PositiveInfinity, 0.4])); // the narrow one diverged
        Assert.False(TransferSummary.NonIncreasing([0.4, double.PositiveInfinity]));
        Assert.Null(TransferSummary.NonIncreasing([double.PositiveInfinity, double.PositiveInfinity]));
        Assert.Null(TransferSummary.NonIncreasing([0.4, null]));
        Assert.True(TransferSummary.NonIncreasing([0.6, null, 0.4])); // a width without results is skipped
    }

    [Fact]
    public void SeedsAreAveragedAndADivergedSeedMakesTheCellInfinite()
    {
        List<TrialRow> rows =
        [
            Row(8, 0, 0.6, seed: 1), Row(8, 0, 0.4, seed: 2),                                          // mean 0.5
            Row(8, 1, 0.1, seed: 1), Row(8, 1, null, seed: 2, status: TrialStatus.Diverged),           // +∞ despite the 0.1
            Row(8, 2, 0.45, seed: 1), Row(8, 2, 9.0, seed: 2, status: TrialStatus.Failed),              // failed: left out
            Row(8, 3, null, seed: 1, status: TrialStatus.Pending),                                      // no result yet
        ];
        var g = TransferSummary.Summarize(rows, baseWidth: 8)[0];
        Assert.Equal(0.5, g.Cell(8, 0)!.MeanLoss!.Value, 12);
        Assert.Equal((double.PositiveInfinity, 2, 1), (g.Cell(8, 1)!.MeanLoss!.Value, g.Cell(8, 1)!.Finished, g.Cell(8, 1)!.Diverged));
        Assert.Equal((0.45, 1), (g.Cell(8, 2)!.MeanLoss!.Value, g.Cell(8, 2)!.Finished));
        Assert.Null(g.Cell(8, 3)!.MeanLoss);
        Assert.Equal(2, Assert.Single(g.Optima).LrIndex); // 0.45 beats 0.5; the diverged lr is never optimal
    }

    [Fact]
    public void AllDivergedWidthHasNoOptimumAndGroupsAreSeparate()
    {
        List<TrialRow> rows =
        [
            Row(8, 0, 0.5), Row(8, 1, null, status: TrialStatus.Diverged),
            Row(16, 0, null, status: TrialStatus.Diverged), Row(16, 1, null, status: TrialStatus.Diverged),
            Row(8, 0, 0.7, parametrization: "standard"), Row(8, 1, 0.6, parametrization: "standard"),
        ];
        var groups = TransferSummary.Summarize(rows, baseWidth: 8);
        Assert.Equal(["mup", "standard"], groups.Select(g => g.Parametrization));
        var mup = groups[0];
        Assert.Equal(8, Assert.Single(mup.Optima).Width);
        Assert.Equal(0, mup.DriftSteps);
        Assert.Equal([false, null], mup.ByLr.Select(t => t.WiderIsBetter)); // 0.5 → ∞ is worse; ∞ → ∞ tells nothing
        Assert.Equal(1, Assert.Single(groups[1].Optima).LrIndex);

        string table = SummaryTable.Format(groups);
        Assert.Contains("mlp · sgd · mup", table);
        Assert.Contains("inf", table);
        Assert.Contains("0.5000 *", table);
        Assert.Contains("drift 0 grid steps", table);
    }
}
