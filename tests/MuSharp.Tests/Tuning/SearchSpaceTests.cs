using MuSharp.Experiments;
using MuSharp.Sweeps;

namespace MuSharp.Tests.Tuning;

public sealed class SearchSpaceTests
{
    [Fact]
    public void GridCrossesEveryListedValue()
    {
        var space = new SearchSpace
        {
            Method = SearchMethod.Grid,
            Axes = new() { ["lr"] = new() { Grid = new LrGrid(0.001, 0.004) }, ["outputMultiplier"] = new() { Values = [0.5, 1, 2] } },
        };
        var points = space.Expand();
        Assert.Equal(3 * 3, points.Count);
        Assert.Equal(9, points.Select(p => (p["lr"], p["outputMultiplier"])).Distinct().Count());
        Assert.Equal([0.001, 0.002, 0.004], points.Select(p => p["lr"]).Distinct().Order());
    }

    [Fact]
    public void RandomSearchDrawsItsBudgetInsideTheRangesReproduciblyBySeed()
    {
        SearchSpace Space(int seed) => new()
        {
            Trials = 40, Seed = seed,
            Axes = new() { ["lr"] = new() { LogUniform = [1e-4, 1e-1] }, ["beta2"] = new() { Uniform = [0.9, 0.99] } },
        };
        var points = Space(3).Expand();
        Assert.Equal(40, points.Count);
        Assert.All(points, p => Assert.InRange(p["lr"], 1e-4, 1e-1));
        Assert.All(points, p => Assert.InRange(p["beta2"], 0.9, 0.99));
        // Log-uniform: about as many draws below the geometric middle 10^-2.5 as above it.
        Assert.InRange(points.Count(p => p["lr"] < Math.Pow(10, -2.5)), 10, 30);
        Assert.Equal(points.Select(p => p["lr"]), Space(3).Expand().Select(p => p["lr"]));
        Assert.NotEqual(points.Select(p => p["lr"]), Space(4).Expand().Select(p => p["lr"]));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("emptyValues")]
    [InlineData("noBudget")]
    [InlineData("reversedRange")]
    [InlineData("continuousGrid")]
    public void AnEmptyOrMalformedSpaceIsOneLine(string what)
    {
        var space = what switch
        {
            "none" => new SearchSpace { Trials = 4 },
            "emptyValues" => new SearchSpace { Trials = 4, Axes = new() { ["lr"] = new() { Values = [] } } },
            "noBudget" => new SearchSpace { Axes = new() { ["lr"] = new() { LogUniform = [1e-3, 1e-2] } } },
            "reversedRange" => new SearchSpace { Trials = 4, Axes = new() { ["lr"] = new() { LogUniform = [1e-2, 1e-3] } } },
            _ => new SearchSpace { Method = SearchMethod.Grid, Axes = new() { ["lr"] = new() { Uniform = [1e-3, 1e-2] } } },
        };
        var e = Assert.Throws<ArgumentException>(() => space.Expand());
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(what == "continuousGrid" ? "grid search" : "empty", e.Message, StringComparison.Ordinal);
    }
}
