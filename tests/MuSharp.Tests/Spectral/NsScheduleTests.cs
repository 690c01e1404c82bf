using MuSharp.Spectral;
using Xunit.Abstractions;

namespace MuSharp.Tests.Spectral;

public class NsScheduleTests(ITestOutputHelper output)
{
    // Min and max of the composed scalar map over a uniform grid of 2·10⁵ points on [lo, 1] (theory §5.4).
    private static (double Min, double Max) Band(NsSchedule schedule, int steps, double lo)
    {
        const int Points = 200_000;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = 0; i < Points; i++)
        {
            double y = schedule.Map(lo + (1 - lo) * i / (Points - 1), steps);
            min = Math.Min(min, y);
            max = Math.Max(max, y);
        }
        return (min, max);
    }

    public static TheoryData<string, int, double, double, double> PublishedBands => new()
    {
        // schedule, steps, lo, min, max: theory §5.4 (4 decimals).
        { "keller-jordan", 5, 1e-3, 0.4705, 1.2024 },
        { "keller-jordan", 5, 1e-2, 0.6818, 1.1344 },
        { "su-x3", 5, 1e-3, 0.6116, 1.0495 },
        { "you-jiacheng", 6, 1e-3, 0.8663, 0.9993 },
        { "pe-raw", 5, 1e-3, 0.8764, 1.1236 },
        { "pe-1.01", 5, 1e-3, 0.8462, 1.1236 },
        { "pe-raw", 8, 1e-3, 1.0000, 1.0000 },
    };

    [Theory]
    [MemberData(nameof(PublishedBands))]
    public void ScalarMapBandMatchesTheory(string name, int steps, double lo, double min, double max)
    {
        var schedule = name switch
        {
            "keller-jordan" => NsSchedule.KellerJordan,
            "su-x3" => NsSchedule.SuX3,
            "you-jiacheng" => NsSchedule.YouJiacheng,
            "pe-raw" => NsSchedule.PolarExpress(steps, safety: 1.0),
            "pe-1.01" => NsSchedule.PolarExpress(steps, safety: 1.01),
            _ => throw new ArgumentException(name),
        };
        var (lo2, hi2) = Band(schedule, steps, lo);
        output.WriteLine($"{name} T={steps} on [{lo}, 1] → [{lo2:F6}, {hi2:F6}]");
        Assert.InRange(lo2, min - 6e-5, min + 6e-5);
        Assert.InRange(hi2, max - 6e-5, max + 6e-5);
    }

    [Fact]
    public void KellerJordanAtTheEndpoints()
    {
        // §5.4: f(1) = 0.6964, f(1e−3) = 0.4705 for 5 KJ steps.
        Assert.Equal(0.6964, NsSchedule.KellerJordan.Map(1, 5), 4);
        Assert.Equal(0.4705, NsSchedule.KellerJordan.Map(1e-3, 5), 4);
    }

    [Fact]
    public void TaylorHasAFixedPointAtOneWithZeroSlope()
    {
        // §5.2: the Taylor quintic has f(1) = 1 and f'(1) = 0, so it converges quadratically near 1.
        var g = NsSchedule.Taylor[0];
        Assert.Equal(1.0, g.Apply(1), 15);
        double h = 1e-6, slope = (g.Apply(1 + h) - g.Apply(1 - h)) / (2 * h);
        Assert.True(Math.Abs(slope) < 1e-9, $"f'(1) = {slope}");
    }

    [Fact]
    public void CubicConvergesToOneOnTheWholeInterval()
    {
        // Classic (1.5, −0.5): x grows ×1.5 when small, so 40 steps take 1e−3 to 1 (§5.2).
        var (min, max) = Band(NsSchedule.Cubic, 40, 1e-3);
        Assert.InRange(min, 1 - 1e-12, 1 + 1e-12);
        Assert.InRange(max, 1 - 1e-12, 1 + 1e-12);
        Assert.True(Math.Abs(NsSchedule.Cubic.Map(1e-3, 10) - 1) > 0.5, "10 cubic steps cannot reach 1 from 1e−3");
    }

    [Fact]
    public void SingleTripleRepeatsAndPerStepListRepeatsItsLast()
    {
        Assert.Equal(NsSchedule.KellerJordan[0], NsSchedule.KellerJordan[7]);
        Assert.Equal(NsSchedule.SuX3[4], NsSchedule.SuX3[9]);
        Assert.NotEqual(NsSchedule.SuX3[0], NsSchedule.SuX3[1]);
        Assert.Equal(3955 / 1024.0, NsSchedule.YouJiacheng[0].A, 15);
        Assert.Equal(682 / 1024.0, NsSchedule.YouJiacheng[5].C, 15);
    }
}
