using MuSharp.Sweeps;

namespace MuSharp.Tests.Sweeps;

/// <summary>The sweep's ETA weighs the trials left by their size, calibrated on the finished trials' own timings.</summary>
public sealed class SweepEtaTests
{
    private static TrialRow Row(long id, int width, TrialStatus status, double? seconds = null) => new(
        new TrialSpec(id, $"w{width}", "mlp", "sgd", "mup", width, 0.01, 0, 1,
            $$"""{"task":"mlp","dataset":"blobs","hidden":[{{width}},{{width}}],"steps":20,"batchSize":32}""", 32),
        new TrialResult { Status = status, FinalValLoss = status == TrialStatus.Done ? 0.5 : null, Seconds = seconds }, null, null, null, 1);

    [Fact]
    public void CostGrowsWithTheModelAndTheSteps()
    {
        double narrow = SweepProgress.Cost(Row(1, 16, TrialStatus.Pending).Spec), wide = SweepProgress.Cost(Row(2, 64, TrialStatus.Pending).Spec);
        // 16-16-16-4 has 612 parameters, 16-64-64-4 has 5508: nine times the work per step at the same batch and steps.
        Assert.Equal(612.0 * 32 * 20, narrow);
        Assert.Equal(5508.0 / 612, wide / narrow, 9);
    }

    [Fact]
    public void FirstEtaCountsTheWideTrialsStillToRun()
    {
        List<TrialRow> rows = [Row(1, 16, TrialStatus.Done, seconds: 2), Row(2, 16, TrialStatus.Pending), Row(3, 64, TrialStatus.Pending), Row(4, 64, TrialStatus.Pending)];
        double ratio = 5508.0 / 612;
        var one = SweepProgress.Remaining(rows, workers: 1, SweepProgress.Cost);
        Assert.NotNull(one);
        Assert.Equal(2 * (1 + 2 * ratio), one.Value.TotalSeconds, 6);     // a per-trial average would say 3 × 2 s = 6 s
        Assert.Equal(one.Value.TotalSeconds / 2, SweepProgress.Remaining(rows, workers: 2, SweepProgress.Cost)!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void NoEtaBeforeAFinishedTrialHasATiming()
    {
        List<TrialRow> rows = [Row(1, 16, TrialStatus.Failed), Row(2, 16, TrialStatus.Running), Row(3, 64, TrialStatus.Pending)];
        Assert.Null(SweepProgress.Remaining(rows, workers: 2, SweepProgress.Cost));
    }
}
