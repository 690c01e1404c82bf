using System.Text.Json.Nodes;
using MuSharp.Reports;

namespace MuSharp.Tests.Reports;

public sealed class BatchScalingFigureTests
{
    private static readonly BatchScalingData Sample = ReportSamples.BatchScaling();

    private static readonly BatchScalingData Empty = new([], [], [], [], [], []);

    private static IEnumerable<JsonObject> Layers(JsonNode view) => view["spec"]!["layer"]!.AsArray().Select(l => l!.AsObject());

    private static List<JsonObject> Data(JsonNode view) => [.. view["data"]!["values"]!.AsArray().Select(v => v!.AsObject())];

    private static JsonObject Layer(JsonNode view, string filterPart) =>
        Layers(view).Single(l => ((string?)l["transform"]?[0]?["filter"] ?? "").Contains(filterPart, StringComparison.Ordinal));

    private static void AssertLog(JsonNode channel, string field, int? logBase = null)
    {
        Assert.Equal(field, (string)channel["field"]!);
        Assert.Equal("log", (string)channel["scale"]!["type"]!);
        if (logBase != null) Assert.Equal(logBase, (int)channel["scale"]!["base"]!);
    }

    [Fact]
    public void EmptyListsGiveNoFiguresAndNoSections()
    {
        Assert.Null(BatchScalingOptimumFigure.Build(Empty));
        Assert.Null(BatchScalingCurvesFigure.Build(Empty));
        Assert.Null(BatchScalingTradeoffFigure.Build(Empty));
        Assert.Null(BatchScalingTrainingFigures.NoiseScale(Empty));
        Assert.Null(BatchScalingTrainingFigures.UpdateRms(Empty));
        Assert.Null(BatchScalingQuadraticFigure.Build(Empty));
        Assert.Empty(BatchScalingSections.Build(Empty));
    }

    [Fact]
    public void HeadlineIsLogLogWithAPanelPerTaskAndAColourPerOptimizer()
    {
        var spec = BatchScalingOptimumFigure.Build(Sample)!.Spec;
        Assert.Equal("task", (string)spec["facet"]!["column"]!["field"]!);
        Assert.Equal(ReportSamples.BatchTasks, spec["facet"]!["column"]!["sort"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("independent", (string)spec["resolve"]!["scale"]!["y"]!);
        foreach (var layer in Layers(spec))
        {
            AssertLog(layer["encoding"]!["x"]!, "batch", 2);
            AssertLog(layer["encoding"]!["y"]!, "lr", 2);
            Assert.Equal(ReportSamples.Batches.Select(b => (double)b), layer["encoding"]!["x"]!["axis"]!["values"]!.AsArray().Select(v => (double)v!));
            var color = layer["encoding"]!["color"]!;
            Assert.Equal("optimizer", (string)color["field"]!);
            Assert.Equal(ReportSamples.BatchOptimizers, color["scale"]!["domain"]!.AsArray().Select(s => (string)s!));
            Assert.True(layer["encoding"]!["tooltip"]!.AsArray().Count >= 4);
        }

        // 2 tasks × 3 optimizers × 6 batches optima, and 41 points of each fit and prediction curve.
        var rows = Data(spec);
        Assert.Equal(36, rows.Count(r => (string)r["kind"]! == "optimum"));
        Assert.Equal(2 * 3 * 41 * 2, rows.Count(r => (string)r["kind"]! == "curve"));
        Assert.DoesNotContain(rows, r => (string?)r["curve"] == "steps-fit");
    }

    [Fact]
    public void FitIsSolidPredictionDashedAndEdgeOptimaHollow()
    {
        var spec = BatchScalingOptimumFigure.Build(Sample)!.Spec;
        var curves = Layer(spec, "'curve'");
        Assert.Equal("line", (string)curves["mark"]!["type"]!);
        var dash = curves["encoding"]!["strokeDash"]!;
        Assert.Equal("curve", (string)dash["field"]!);
        Assert.Equal(["fit", "prediction"], dash["scale"]!["domain"]!.AsArray().Select(s => (string)s!));
        var ranges = dash["scale"]!["range"]!.AsArray().Select(r => r!.AsArray().Select(v => (int)v!).ToList()).ToList();
        Assert.Equal([1, 0], ranges[0]);
        Assert.True(ranges[1][1] > 0, "the prediction must be dashed");

        var filled = Layer(spec, "=== 'interior'");
        var hollow = Layer(spec, "!== 'interior'");
        Assert.True((bool)filled["mark"]!["filled"]!);
        Assert.False((bool)hollow["mark"]!["filled"]!);
        Assert.Equal(["circle", "triangle-up"], hollow["encoding"]!["shape"]!["scale"]!["range"]!.AsArray().Select(s => (string)s!));

        // Known answer: only gpt·sgd at batch 256 has its optimum beyond the grid (clamped to 2^0).
        var edge = Assert.Single(Data(spec), r => (string?)r["position"] == BatchScalingOptimumFigure.Edge);
        Assert.Equal(("gpt", "sgd", 256, 1.0), ((string)edge["task"]!, (string)edge["optimizer"]!, (int)edge["batch"]!, (double)edge["lr"]!));
    }

    [Fact]
    public void LrCurvesHaveARowPerTaskAColumnPerOptimizerAndABatchColour()
    {
        var spec = BatchScalingCurvesFigure.Build(Sample)!.Spec;
        var rows = spec["vconcat"]!.AsArray();
        Assert.Equal(ReportSamples.BatchTasks, rows.Select(r => (string)r!["title"]!["text"]!));
        foreach (var row in rows)
        {
            Assert.Equal("optimizer", (string)row!["facet"]!["column"]!["field"]!);
            Assert.Equal(ReportSamples.BatchOptimizers, row["facet"]!["column"]!["sort"]!.AsArray().Select(s => (string)s!));
            Assert.Equal("independent", (string)row["resolve"]!["scale"]!["x"]!);
            foreach (var layer in Layers(row))
            {
                AssertLog(layer["encoding"]!["x"]!, "lr", 2);
                var color = layer["encoding"]!["color"]!;
                Assert.Equal("batch", (string)color["field"]!);
                Assert.Equal("ordinal", (string)color["type"]!);
                Assert.Equal("viridis", (string)color["scale"]!["scheme"]!["name"]!);
            }
            var line = Layer(row, "=== 'reached'");
            AssertLog(line["encoding"]!["y"]!, "steps");
            Assert.Equal("mean", (string)line["encoding"]!["y"]!["aggregate"]!);
            Assert.Equal(3 * 6 * ReportSamples.GridSize + 3 * 6, Data(row).Count);
        }
    }

    [Fact]
    public void TrialsWithoutStepsToTargetAreInTheTopStrip()
    {
        var spec = BatchScalingCurvesFigure.Build(Sample)!.Spec;
        var rows = spec["vconcat"]!.AsArray().SelectMany(r => Data(r!)).Where(r => (string)r["kind"]! == "trial").ToList();
        var strip = Layer(spec["vconcat"]![0]!, "!== 'reached'");
        Assert.Null(strip["encoding"]!["y"]!["scale"]);
        Assert.Equal(["not reached", "diverged", "failed"], strip["encoding"]!["shape"]!["scale"]!["domain"]!.AsArray().Select(s => (string)s!));

        int diverged = Sample.Trials.Count(t => t.Status == "diverged"), notReached = Sample.Trials.Count(t => t.Status == "done" && t.StepsToTarget == null);
        Assert.True(diverged > 0 && notReached > 0, "the sample must exercise both");
        Assert.Equal(diverged, rows.Count(r => (string)r["status"]! == "diverged"));
        Assert.Equal(notReached, rows.Count(r => (string)r["status"]! == "not reached"));
        Assert.All(rows.Where(r => (string)r["status"]! != "reached"), r => Assert.Null(r["steps"]));
        Assert.All(rows.Where(r => (int)r["batch"]! == 8), r => Assert.Equal(5, (double)r["strip"]!));
    }

    [Fact]
    public void DoneTrialWithNonFiniteLossCountsAsDiverged()
    {
        var data = Empty with { Trials = [new("mlp", "sgd", 8, 0.1, 1, double.PositiveInfinity, 120, "done")] };
        var row = Data(BatchScalingCurvesFigure.Build(data)!.Spec["vconcat"]![0]!).Single();
        Assert.Equal("diverged", (string)row["status"]!);
        Assert.Null(row["steps"]);
        Assert.Contains("<td class=\"num\">1</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">0</td>",
            BatchScalingTable.Outcomes(data.Trials), StringComparison.Ordinal);
    }

    [Fact]
    public void TradeOffDrawsTheStepsFitAsAHyperbolaInSamples()
    {
        var spec = BatchScalingTradeoffFigure.Build(Sample)!.Spec;
        foreach (var layer in Layers(spec).Take(2))
        {
            AssertLog(layer["encoding"]!["x"]!, "samples");
            AssertLog(layer["encoding"]!["y"]!, "steps");
        }
        var rows = Data(spec);
        var curve = rows.Where(r => (string)r["kind"]! == "curve").ToList();
        Assert.Equal(2 * 3 * 41, curve.Count);
        Assert.All(curve, r => Assert.Equal((double)r["batch"]! * (double)r["steps"]!, (double)r["samples"]!, 9));
        Assert.Equal(36, rows.Count(r => (string)r["kind"]! == "optimum"));

        // The asymptotes are recovered exactly: mlp·sgd has S_min = 1.5·300 and B_noise = 180.
        var asymptote = rows.Single(r => (string)r["kind"]! == "asymptote" && (string)r["task"]! == "mlp" && (string)r["optimizer"]! == "sgd");
        Assert.Equal(450, (double)asymptote["sMin"]!, 6);
        Assert.Equal(450 * 180, (double)asymptote["eMin"]!, 4);
        var rules = Layers(spec).Where(l => (string)l["mark"]!["type"]! == "rule").ToList();
        Assert.Equal([("y", "sMin"), ("x", "eMin")], rules.Select(r => r["encoding"]!["y"] is { } y ? ("y", (string)y["field"]!) : ("x", (string)r["encoding"]!["x"]!["field"]!)));
        // On the hyperbola (S/S_min − 1)(E/E_min − 1) = 1.
        foreach (var r in curve.Where(r => (string)r["task"]! == "mlp" && (string)r["optimizer"]! == "sgd"))
            Assert.Equal(1, ((double)r["steps"]! / 450 - 1) * ((double)r["samples"]! / (450 * 180) - 1), 9);
    }

    [Fact]
    public void AsymptotesNeedTwoBatchSizesAndTheRightShape()
    {
        Assert.Null(BatchScalingTradeoffFigure.Asymptotes([new("t", "o", "steps-fit", "l", 8, 100)]));
        Assert.Null(BatchScalingTradeoffFigure.Asymptotes([new("t", "o", "steps-fit", "l", 8, 100), new("t", "o", "steps-fit", "l", 16, 200)]));
    }

    [Fact]
    public void NoiseScaleIsLogPerStepAndNegativeEstimatesAreCounted()
    {
        var figure = BatchScalingTrainingFigures.NoiseScale(Sample)!;
        var rows = figure.Spec["vconcat"]!.AsArray();
        Assert.Equal(ReportSamples.BatchTasks, rows.Select(r => (string)r!["title"]!["text"]!));
        var line = Layers(rows[0]!).Single();
        Assert.Equal("step", (string)line["encoding"]!["x"]!["field"]!);
        AssertLog(line["encoding"]!["y"]!, "bSimple");
        Assert.Equal("batch", (string)line["encoding"]!["color"]!["field"]!);
        Assert.Equal(2 * 2 * 3 * 20 - 1, rows.Sum(r => Data(r!).Count));
        Assert.Contains("1 estimate ≤ 0 or non-finite", figure.Caption, StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateRmsHasALinePerBetaAndDashedPredictionRules()
    {
        var spec = BatchScalingTrainingFigures.UpdateRms(Sample)!.Spec;
        Assert.Equal(84, Data(spec).Count);
        var layers = Layers(spec).ToList();
        Assert.Equal("line", (string)layers[0]["mark"]!["type"]!);
        Assert.Equal("measured", (string)layers[0]["encoding"]!["y"]!["field"]!);
        Assert.Equal("rule", (string)layers[1]["mark"]!["type"]!);
        Assert.Equal("predicted", (string)layers[1]["encoding"]!["y"]!["field"]!);
        Assert.NotEmpty(layers[1]["mark"]!["strokeDash"]!.AsArray());
        foreach (var layer in layers)
            Assert.Equal(["0", "0.5", "0.9", "0.95"], layer["encoding"]!["color"]!["scale"]!["domain"]!.AsArray().Select(s => (string)s!));
    }

    [Fact]
    public void QuadraticWrapsAPanelPerCase()
    {
        var spec = BatchScalingQuadraticFigure.Build(Sample)!.Spec;
        Assert.Equal("case", (string)spec["facet"]!["field"]!);
        Assert.Equal(ReportSamples.QuadraticCases, spec["facet"]!["sort"]!.AsArray().Select(s => (string)s!));
        Assert.Equal(3, (int)spec["columns"]!);
        Assert.Equal(5 * 11, Data(spec).Count);
        var layers = Layers(spec).ToList();
        Assert.Equal(("line", "predicted"), ((string)layers[0]["mark"]!["type"]!, (string)layers[0]["encoding"]!["y"]!["field"]!));
        Assert.Equal(("point", "measured"), ((string)layers[1]["mark"]!["type"]!, (string)layers[1]["encoding"]!["y"]!["field"]!));
        // Planted batch sizes are fractional, so this axis is log10 with general labels, independent per panel.
        foreach (var layer in layers) AssertLog(layer["encoding"]!["x"]!, "batch");
        Assert.Equal("independent", (string)spec["resolve"]!["scale"]!["x"]!);
    }

    [Fact]
    public void SectionsComeInReadingOrderAfterTheOthers()
    {
        var sections = BatchScalingSections.Build(Sample);
        Assert.Equal(["batch-scaling", "batch-noise", "quadratic"], sections.Select(s => s.Id));
        Assert.Equal(["batch-optimal-lr", "batch-lr-curves", "batch-steps-samples", "batch-noise-scale", "adam-update-rms", "quadratic-lr"],
            sections.SelectMany(s => s.Figures).Select(f => f.Name));
        Assert.Contains("<table class=\"batch optima\">", sections[0].TrailingHtml, StringComparison.Ordinal);
        Assert.Contains("<table class=\"batch outcomes\">", sections[0].TrailingHtml, StringComparison.Ordinal);

        var full = HtmlReport.Sections(ReportSamples.Full() with { BatchScaling = Sample });
        Assert.Equal(["transfer", "coord-check", "spectral", "batch-scaling", "batch-noise", "quadratic"], full.Select(s => s.Id));

        // Only the quadratic: one section; only optima: the headline and the trade-off with the table.
        Assert.Equal(["quadratic"], BatchScalingSections.Build(Empty with { Quadratic = Sample.Quadratic }).Select(s => s.Id));
        var optimaOnly = Assert.Single(BatchScalingSections.Build(Empty with { Optima = Sample.Optima }));
        Assert.Equal(["batch-optimal-lr", "batch-steps-samples"], optimaOnly.Figures.Select(f => f.Name));
    }

    [Fact]
    public void OptimaTableIsSortedFlagsTheEdgeAndEscapes()
    {
        string html = BatchScalingTable.Optima(Sample.Optima);
        Assert.Equal(36, html.Split("<tr>").Length - 2);
        Assert.True(html.IndexOf("<td>gpt</td>", StringComparison.Ordinal) < html.IndexOf("<td>mlp</td>", StringComparison.Ordinal), "rows are sorted by task");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "class=\"edge\""));
        Assert.Contains("<td>gpt</td><td>sgd</td><td class=\"num\">256</td><td class=\"num\">1</td>", html, StringComparison.Ordinal);

        string escaped = BatchScalingTable.Optima([new("<b>x</b>", "a&b", 8, 1.234e-5, 12345.6, 98764.8, false)]);
        Assert.Contains("<td>&lt;b&gt;x&lt;/b&gt;</td><td>a&amp;b</td><td class=\"num\">8</td><td class=\"num\">1.23e-05</td><td class=\"num\">12,346</td><td class=\"num\">98,765</td>",
            escaped, StringComparison.Ordinal);
        Assert.Contains("<td>fit: B_noise 180, α 1.00</td>", BatchScalingTable.Laws(Sample.Curves), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exploded", 0.01, 8, "batch trial 0 (mlp, sgd, batch 8, lr 0.01, seed 3) has status 'exploded'; expected done, diverged or failed.")]
    [InlineData("done", 0.0, 8, "batch trial 0 (mlp, sgd, batch 8, lr 0, seed 3) has a learning rate that is not positive and finite; the learning-rate axis is logarithmic.")]
    [InlineData("done", 0.01, 0, "batch trial 0 (mlp, sgd, batch 0, lr 0.01, seed 3) has batch 0; batch sizes must be positive.")]
    public void MalformedTrialsAreNamed(string status, double lr, int batch, string message)
    {
        var data = Empty with { Trials = [new("mlp", "sgd", batch, lr, 3, 1.0, 100, status)] };
        Assert.Equal(message, Assert.Throws<ArgumentException>(() => HtmlReport.Sections(new ReportData("t", [], [], [], [], data))).Message);
    }

    [Fact]
    public void UnknownCurveKindIsNamed()
    {
        var data = Empty with { Curves = [new("mlp", "sgd", "spline", "s", 8, 0.1)] };
        var e = Assert.Throws<ArgumentException>(() => BatchScalingSections.Build(data));
        Assert.Equal("batch curve point 0 (mlp, sgd, 's') has curve 'spline'; expected fit, prediction or steps-fit.", e.Message);
    }
}
