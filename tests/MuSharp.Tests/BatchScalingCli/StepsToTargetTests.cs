using MuSharp.Sweeps;

namespace MuSharp.Tests.BatchScalingCli;

public sealed class StepsToTargetTests
{
    private static MetricRow Eval(long step, double loss) => new(step, 0.1, loss, loss, null, 0);

    [Fact]
    public void InterpolatesLinearlyInLogLossBetweenTheBracketingEvaluations()
    {
        // log loss falls from log 1 at step 100 to log 0.25 at step 200: the target 0.5 is half-way in log.
        double? s = StepsToTarget.Of([Eval(50, 2), Eval(100, 1), Eval(200, 0.25), Eval(300, 0.2)], 0.5, initialLoss: 2.3);
        Assert.Equal(150, s!.Value, 9);
    }

    [Fact]
    public void TheInitialLossIsTheEvaluationBeforeTheFirst()
    {
        double? s = StepsToTarget.Of([Eval(10, 0.5)], 0.5 * Math.Sqrt(2), initialLoss: 1);
        Assert.Equal(5, s!.Value, 9); // log-midpoint of 1 (step 0) and 0.5 (step 10)
    }

    [Fact]
    public void NeverReachedIsNullAndRowsWithoutValidationAreIgnored()
    {
        Assert.Null(StepsToTarget.Of([Eval(10, 0.9), new MetricRow(20, 0.1, 0.1, null, null, 0), Eval(30, 0.8)], 0.5, 2));
        Assert.Null(StepsToTarget.Of([], 0.5, 2));
    }

    [Fact]
    public void BSimpleAtTargetIsTheLastFiniteMeasurementUpToTheStep()
    {
        NoiseRow Row(long step, double b) => new(step, 32, 1, 1, 1, 1, b);
        IReadOnlyList<NoiseRow> noise = [Row(4, 10), Row(8, double.NaN), Row(12, 30), Row(16, 40)];
        Assert.Equal(10, StepsToTarget.BSimpleAt(noise, 11));
        Assert.Equal(30, StepsToTarget.BSimpleAt(noise, 12.5));
        Assert.Equal(40, StepsToTarget.BSimpleAt(noise, null));
        Assert.Null(StepsToTarget.BSimpleAt(noise, 3));
    }
}
