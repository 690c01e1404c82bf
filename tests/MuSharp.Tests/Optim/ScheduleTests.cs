using MuSharp.Optim;

namespace MuSharp.Tests.Optim;

public class ScheduleTests
{
    [Fact]
    public void WarmupRisesLinearlyToPeak()
    {
        var s = new Schedule(1f, WarmupSteps: 4, Decay: DecayKind.Constant);
        Assert.Equal([0.25f, 0.5f, 0.75f, 1f, 1f], Enumerable.Range(0, 5).Select(i => s.At(i, 100)).ToArray());
    }

    [Fact]
    public void CosineGoesFromPeakToMinimumAtTheLastStep()
    {
        var s = new Schedule(2f, 0, DecayKind.Cosine, MinLrRatio: 0.1f);
        Assert.Equal(2f, s.At(0, 101), 5);
        Assert.Equal(1.1f, s.At(50, 101), 5); // halfway: min + (peak − min)/2
        Assert.Equal(0.2f, s.At(100, 101), 5);
    }

    [Fact]
    public void LinearDecayIsLinear()
    {
        var s = new Schedule(1f, 0, DecayKind.Linear);
        Assert.Equal(0.75f, s.At(25, 101), 5);
        Assert.Equal(0f, s.At(100, 101), 5);
    }

    [Fact]
    public void WarmupStableDecayHoldsThenDecaysOverFinalFraction()
    {
        var s = new Schedule(1f, WarmupSteps: 10, Decay: DecayKind.WarmupStableDecay, DecayFraction: 0.2f);
        Assert.Equal(1f, s.At(50, 100));
        Assert.Equal(1f, s.At(79, 100));
        Assert.Equal(0.5f, s.At(89, 100), 5);
        Assert.Equal(0f, s.At(99, 100), 5);
    }

    [Fact]
    public void InvalidScheduleIsRejected()
    {
        Assert.Contains("peak", Assert.Throws<ArgumentException>(() => new Schedule(-1f).Validate()).Message);
        Assert.Contains("decay fraction", Assert.Throws<ArgumentException>(() => new Schedule(1f, DecayFraction: 0f).Validate()).Message);
    }
}
