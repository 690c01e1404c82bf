using System.Text.Json.Nodes;
using MuSharp.Reports;

namespace MuSharp.Tests.Reports;

public sealed class CoordFigureTests
{
    private static void AssertLog2(JsonNode channel, string field)
    {
        Assert.Equal(field, (string)channel["field"]!);
        Assert.Equal("log", (string)channel["scale"]!["type"]!);
        Assert.Equal(2, (int)channel["scale"]!["base"]!);
    }

    [Fact]
    public void ActivationIsLogLogPerModuleFacetedByStepAndParametrization()
    {
        var figure = CoordCheckFigure.Build(ReportSamples.Coord(), CoordPoint.Activation)!;
        Assert.Equal("coord-activation", figure.Name);
        var spec = figure.Spec;
        Assert.Equal("step", (string)spec["facet"]!["column"]!["field"]!);
        Assert.Equal("panel", (string)spec["facet"]!["row"]!["field"]!);
        Assert.Equal(["sp · adamw", "mup · adamw"], spec["facet"]!["row"]!["sort"]!.AsArray().Select(s => (string)s!));
        var encoding = spec["spec"]!["encoding"]!;
        AssertLog2(encoding["x"]!, "width");
        AssertLog2(encoding["y"]!, "value");
        Assert.Equal("module", (string)encoding["color"]!["field"]!);
        Assert.Equal([64.0, 128, 256], encoding["x"]!["axis"]!["values"]!.AsArray().Select(v => (double)v!));

        var rows = spec["data"]!["values"]!.AsArray();
        Assert.Equal(2 * 2 * 3 * 3, rows.Count);
        Assert.All(rows, r => Assert.Equal("activation", (string)r!["metric"]!));
    }

    [Fact]
    public void ChangeLeavesOutZerosThatHaveNoPlaceOnALogAxis()
    {
        var figure = CoordCheckFigure.Build(ReportSamples.Coord(), CoordPoint.Change)!;
        var rows = figure.Spec["data"]!["values"]!.AsArray();
        Assert.Equal(18, rows.Count);
        Assert.All(rows, r => Assert.Equal(10, (int)r!["step"]!));
        Assert.Contains("18 values ≤ 0 or non-finite", figure.Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void SpectralFigureShowsWeightSolidAndUpdateDashedPerModule()
    {
        var figure = SpectralRatioFigure.Build(ReportSamples.Coord())!;
        var encoding = figure.Spec["spec"]!["encoding"]!;
        AssertLog2(encoding["x"]!, "width");
        AssertLog2(encoding["y"]!, "value");
        Assert.Equal("module", (string)encoding["color"]!["field"]!);
        Assert.Equal("metric", (string)encoding["strokeDash"]!["field"]!);
        Assert.Equal(["weight", "update"], encoding["strokeDash"]!["scale"]!["domain"]!.AsArray().Select(s => (string)s!));
        var metrics = figure.Spec["data"]!["values"]!.AsArray().Select(r => (string)r!["metric"]!).Distinct().Order();
        Assert.Equal(["update", "weight"], metrics);
    }

    [Fact]
    public void MissingMetricsGiveNoFigure()
    {
        var onlyActivation = ReportSamples.Coord().Where(p => p.Metric == CoordPoint.Activation).ToList();
        Assert.Null(CoordCheckFigure.Build(onlyActivation, CoordPoint.Change));
        Assert.Null(SpectralRatioFigure.Build(onlyActivation));
        Assert.Null(CoordCheckFigure.Build([], CoordPoint.Activation));
    }

    [Fact]
    public void UnknownMetricsAreNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => CoordCheckFigure.Build([new("mup", "sgd", "h", "norm", 0, 64, 1)], CoordPoint.Activation));
        Assert.Equal("coordinate point 0 (mup, sgd, h, step 0, width 64) has metric 'norm'; expected activation, change, weight or update.", e.Message);
        var f = Assert.Throws<ArgumentException>(() => CoordCheckFigure.Build([], CoordPoint.Weight));
        Assert.Contains("use activation or change", f.Message, StringComparison.Ordinal);
    }
}
