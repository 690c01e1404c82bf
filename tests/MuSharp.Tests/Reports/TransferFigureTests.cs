using System.Text.Json.Nodes;
using MuSharp.Reports;

namespace MuSharp.Tests.Reports;

public sealed class TransferFigureTests
{
    private static readonly JsonObject Spec = TransferFigure.Build(ReportSamples.Transfer())!.Spec;

    private static JsonArray Rows => Spec["vconcat"]!.AsArray();

    private static IEnumerable<JsonObject> Layers(JsonNode row) => row["spec"]!["layer"]!.AsArray().Select(l => l!.AsObject());

    private static IEnumerable<JsonObject> Data(JsonNode row) => row["data"]!["values"]!.AsArray().Select(v => v!.AsObject());

    [Fact]
    public void NoTrialsNoFigure() => Assert.Null(TransferFigure.Build([]));

    [Fact]
    public void OneRowPerTaskAndOptimizerAndOneColumnPerParametrization()
    {
        Assert.Equal(["mlp · adamw", "mlp · muon"], Rows.Select(r => (string)r!["title"]!["text"]!));
        foreach (var row in Rows)
        {
            var column = row!["facet"]!["column"]!;
            Assert.Equal("parametrization", (string)column["field"]!);
            Assert.Equal(["sp", "mup"], column["sort"]!.AsArray().Select(s => (string)s!));
        }
        Assert.Equal("independent", (string)Spec["resolve"]!["scale"]!["y"]!);
        Assert.Equal("shared", (string)Spec["resolve"]!["scale"]!["color"]!);
    }

    [Fact]
    public void LearningRateIsLog2AndWidthIsASequentialOrdinalColour()
    {
        foreach (var layer in Rows.SelectMany(r => Layers(r!)))
        {
            var x = layer["encoding"]!["x"]!;
            Assert.Equal("lr", (string)x["field"]!);
            Assert.Equal("log", (string)x["scale"]!["type"]!);
            Assert.Equal(2, (int)x["scale"]!["base"]!);
            Assert.Equal(ReportSamples.Lrs, x["axis"]!["values"]!.AsArray().Select(v => (double)v!));
            var color = layer["encoding"]!["color"]!;
            Assert.Equal("width", (string)color["field"]!);
            Assert.Equal("ordinal", (string)color["type"]!);
            Assert.Equal("viridis", (string)color["scale"]!["scheme"]!["name"]!);
            var extent = color["scale"]!["scheme"]!["extent"]!.AsArray().Select(v => (double)v!).ToList();
            Assert.True(extent[0] > extent[1], "wider widths must map to the darker end of the scheme");
        }
    }

    [Fact]
    public void LinesAreSeedMeansOfFinishedTrialsWithPoints()
    {
        var line = Layers(Rows[0]!).Single(l => (string)l["mark"]!["type"]! == "line");
        Assert.True((bool)line["mark"]!["point"]!);
        Assert.Equal("mean", (string)line["encoding"]!["y"]!["aggregate"]!);
        Assert.Equal("loss", (string)line["encoding"]!["y"]!["field"]!);
        Assert.Equal("datum.status === 'done'", (string)line["transform"]![0]!["filter"]!);
    }

    [Fact]
    public void DivergedAndFailedTrialsAreDrawnInTheTopStrip()
    {
        var strip = Layers(Rows[0]!).Single(l => (string)l["transform"]![0]!["filter"]! == "datum.status !== 'done'");
        var y = strip["encoding"]!["y"]!;
        Assert.Equal("strip", (string)y["field"]!);
        Assert.True(y.AsObject().ContainsKey("scale") && y["scale"] == null, "the strip's y must be unscaled pixels");
        Assert.Equal(["diverged", "failed"], strip["encoding"]!["shape"]!["scale"]!["domain"]!.AsArray().Select(s => (string)s!));

        // adamw row: width 256 at lr 2^-3 diverged for 2 seeds × 2 parametrizations, plus one failed trial.
        var notDone = Data(Rows[0]!).Where(d => (string)d["status"]! != "done").ToList();
        Assert.Equal(5, notDone.Count);
        Assert.Single(notDone, d => (string)d["status"]! == "failed");
        Assert.All(notDone, d => Assert.Null(d["loss"]));
        Assert.All(notDone.Where(d => (int)d["width"]! == 256), d => Assert.Equal(5 + 7 * 2, (double)d["strip"]!));
        Assert.All(notDone.Where(d => (int)d["width"]! == 64), d => Assert.Equal(5, (double)d["strip"]!));
    }

    [Fact]
    public void EachWidthsBestLearningRateIsMarked()
    {
        var optimum = Layers(Rows[0]!).Single(l => (string)l["transform"]![0]!["filter"]! == "datum.optimum");
        Assert.Equal("diamond", (string)optimum["mark"]!["shape"]!);
        Assert.Equal("mean", (string)optimum["encoding"]!["y"]!["aggregate"]!);

        // Known answer: μP's optimum is 2^-6 at every width; SP's moves from 2^-5 (64) to 2^-7 (256).
        var best = Data(Rows[0]!).Where(d => (bool)d["optimum"]!)
            .GroupBy(d => ((string)d["parametrization"]!, (int)d["width"]!))
            .ToDictionary(g => g.Key, g => g.Select(d => Math.Log2((double)d["lr"]!)).Distinct().Single());
        Assert.Equal(6, best.Count);
        Assert.All(ReportSamples.Widths, w => Assert.Equal(-6, best[("mup", w)]));
        Assert.Equal(-5, best[("sp", 64)]);
        Assert.Equal(-6, best[("sp", 128)]);
        Assert.Equal(-7, best[("sp", 256)]);
    }

    [Fact]
    public void LearningRateWhereASeedDivergedIsNotTheOptimum()
    {
        var trials = new List<TransferPoint>
        {
            new("t", "o", "mup", 64, 0.01, 1, 2.0, "done"),
            new("t", "o", "mup", 64, 0.1, 1, 1.0, "done"),
            new("t", "o", "mup", 64, 0.1, 2, null, "diverged"),
        };
        Assert.Equal([("t", "o", "mup", 64, 0.01)], TransferFigure.Optima(trials));
    }

    [Fact]
    public void DoneTrialWithNonFiniteLossIsShownAsDiverged()
    {
        var spec = TransferFigure.Build([new("t", "o", "mup", 64, 0.01, 1, double.NaN, "done")])!.Spec;
        var row = Data(spec["vconcat"]![0]!).Single();
        Assert.Equal("diverged", (string)row["status"]!);
        Assert.Null(row["loss"]);
        Assert.False((bool)row["optimum"]!);
        Assert.DoesNotContain("NaN", spec.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exploded", 1.0, 0.01, "has status 'exploded'; expected done, diverged or failed.")]
    [InlineData("done", null, 0.01, "is done but has no loss")]
    [InlineData("done", 1.0, 0.0, "learning rate that is not positive and finite")]
    public void MalformedTrialsAreNamed(string status, double? loss, double lr, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => TransferFigure.Build([new("mlp", "adamw", "mup", 64, lr, 7, loss, status)]));
        Assert.Contains("transfer trial 0 (mlp, adamw, mup, width 64", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
