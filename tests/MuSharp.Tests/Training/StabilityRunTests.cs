using MuSharp.Diagnostics;
using MuSharp.Experiments;
using MuSharp.Scaling;
using MuSharp.Tests.Cli;
using MuSharp.Tests.Data;
using MuSharp.Tests.Reports;
using MuSharp.Training;

namespace MuSharp.Tests.Training;

/// <summary>The library behind `musharp stability`: spec from a config, the report's tables, verdicts and HTML section.</summary>
public sealed class StabilityRunTests
{
    private static readonly StabilityOptions Quick = new() { Restarts = 2, Iterations = 8 };

    private static StabilityReport SmallMlp() => StabilityRun.Run(new StabilitySpec
    {
        Widths = [32, 64, 128],
        Options = new StabilitySweepOptions { MlpInputs = 16, MlpClasses = 4, Measure = Quick },
    });

    [Fact]
    public void SpecFromAConfigTakesItsShapeLrAndSeed()
    {
        var mlp = StabilitySpec.FromConfig(TrainRunTests.TinyMlp(1, "0.05", ("seed", "3")), [16, 32]);
        Assert.Equal((TaskKind.Mlp, 16, 4, 2, 0.05f, 3UL), (mlp.Task, mlp.Options.MlpInputs, mlp.Options.MlpClasses, mlp.Options.MlpHiddenLayers, mlp.Options.Lr, mlp.Options.Seed));
        var gpt = StabilitySpec.FromConfig(TrainRunTests.TinyGpt(1, ("norm", "rmsnorm")), [32, 64], [ParametrizationKind.Mup]);
        Assert.Equal((TaskKind.Gpt, 2, 2, 16, MuSharp.Nn.NormKind.RmsNorm), (gpt.Task, gpt.Options.Gpt.Layers, gpt.Options.Gpt.Heads, gpt.Options.Gpt.ContextLength, gpt.Options.Gpt.Norm));
        Assert.Equal([ParametrizationKind.Mup], gpt.Parametrizations);
        var ex = Assert.Throws<ArgumentException>(() => StabilitySpec.FromConfig(TrainRunTests.TinyGpt(1), [32, 33]));
        Assert.Contains("33", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => StabilitySpec.FromConfig(TrainRunTests.TinyMlp(1), [32]));
    }

    [Fact]
    public void MlpReportHasEveryUnitMetricAndParametrization()
    {
        var report = SmallMlp();
        Assert.True(report.BoundsHold);
        Assert.Equal(["layer0", "layer1", "layer2", "model"], report.Units);
        Assert.Equal(3 * 3 * 4, report.Points.Count);
        Assert.Equal(3 * 4 * 3, report.Slopes.Count);
        Assert.Equal(2 + 4 * 3, report.TextTable().Count);
        Assert.Equal(2 + 4 * 3, report.MarkdownTable().Count);
        Assert.StartsWith("| layer0 | forward | ", report.MarkdownTable()[2], StringComparison.Ordinal);

        // SP's hidden update grows with width (Adam's sign step, ‖ΔW‖_R ∝ width); μP's stays flat: the summary says so.
        Assert.True(report.Slope(ParametrizationKind.Standard, "layer1", StabilityMetric.Update).BoundSlope > 0.7);
        var summary = report.Summary();
        Assert.Equal(4, summary.Count);
        Assert.StartsWith("SP: not Θ(1)", summary[0], StringComparison.Ordinal);
        Assert.Contains("layer1 update", summary[0], StringComparison.Ordinal);
        Assert.DoesNotContain("layer1 update", summary[1], StringComparison.Ordinal);
        Assert.StartsWith("bound ≥ measured", summary[3], StringComparison.Ordinal);
    }

    [Fact]
    public void SectionDrawsBoundAndMeasuredAndRendersInTheBrowser()
    {
        var mlp = SmallMlp();
        var gpt = StabilityRun.Run(new StabilitySpec
        {
            Task = TaskKind.Gpt, Widths = [16, 32], Parametrizations = [ParametrizationKind.Spectral],
            Options = new StabilitySweepOptions { Gpt = new MuSharp.Nn.GptConfig { VocabSize = 16, ContextLength = 4, Layers = 1, Heads = 2 }, Measure = Quick with { Tokens = 4 } },
        });
        var section = mlp.Section();
        var figure = Assert.Single(section.Figures);
        var values = figure.Spec["data"]!["values"]!.AsArray();
        Assert.Equal(mlp.Points.Count * 3 * 2, values.Count);                       // every point, metric and kind (all positive)
        Assert.Contains("verdict-growing", section.TrailingHtml, StringComparison.Ordinal);

        using var dir = new TempDir();
        string path = dir.File("stability.html");
        StabilityRun.WriteHtml(path, [mlp, gpt]);
        string dom = HeadlessChromium.DumpDom(path);
        Assert.Equal(("rendered 2 of 2 charts, 0 errors", "true"), BrowserRenderTests.Status(dom));
        Assert.Contains("block0.attn", dom, StringComparison.Ordinal);
    }
}
