using System.Text.Json;
using MuSharp.Scaling;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Tests.Sweeps;

public sealed class SweepConfigTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-sweepconfig-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private SweepPlan Load(string axes, string name = "s", int steps = 20, string? baseJson = null) =>
        SweepConfig.Load(SweepFiles.Write(dir, name, axes, steps, baseJson));

    private string Error(string axes, string name = "s", string? baseJson = null)
    {
        var e = Assert.Throws<ArgumentException>(() => Load(axes, name, baseJson: baseJson));
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void LrGridIsALogGridFromMinToMaxInclusive()
    {
        var plan = Load("""  "widths": [8], "lrGrid": { "min": 0.001, "max": 0.01 } """);
        Assert.Equal([0.001, 0.002, 0.004, 0.008], plan.Axes.Lrs); // factor defaults to 2; 0.016 > max
        plan = Load("""  "widths": [8], "lrGrid": { "min": 0.001, "max": 0.009, "factor": 3 } """);
        Assert.Equal([0.001, 0.003, 0.009], plan.Axes.Lrs); // rounded, so 0.009 is on the grid and prints cleanly
        Assert.Contains("\"lrs\":[0.001,0.003,0.009]", plan.ResolvedJson);
    }

    [Fact]
    public void TrialsCrossTheAxesAndOverrideTheBase()
    {
        var plan = Load("""
              "widths": [32, 8], "lrs": [0.1, 0.01], "seeds": [3, 4], "parametrizations": ["standard", "mup"], "optimizers": ["sgd", "AdamW"]
            """, steps: 7);
        Assert.Equal(2 * 2 * 2 * 2 * 2, plan.Trials.Count);
        Assert.Equal([8, 32], plan.Axes.Widths);
        Assert.Equal([0.01, 0.1], plan.Axes.Lrs);
        Assert.Equal(["sgd", "adamw"], plan.Axes.Optimizers);
        Assert.Equal(Enumerable.Range(1, plan.Trials.Count).Select(i => (long)i), plan.Trials.Select(t => t.Id));
        Assert.Equal(plan.Trials.Count, plan.Trials.Select(t => t.Key).Distinct().Count());

        var t = plan.Trials.Single(t => t is { Seed: 4, Optimizer: "adamw", Parametrization: "mup", Width: 32, LrIndex: 1 });
        Assert.Equal("adamw/mup/w32/lr1/s4", t.Key);
        var c = JsonSerializer.Deserialize<TrainConfig>(t.ConfigJson, TrainConfig.Json)!;
        Assert.Equal([32, 32], c.Hidden); // the base's two hidden layers, both at the trial's width
        Assert.Equal(0.1f, c.Lr);
        Assert.Equal(4UL, c.Seed);
        Assert.Equal(OptimizerKind.AdamW, c.Optimizer);
        Assert.Equal(ParametrizationKind.Mup, c.Parametrization);
        Assert.Equal(8, c.BaseWidth); // default: the smallest width
        Assert.Equal(7, c.Steps);
        Assert.Equal(0.9f, c.Momentum); // untouched base keys carry over
        // Seed is the outermost axis: the whole picture for the first seed comes first.
        Assert.All(plan.Trials.Take(plan.Trials.Count / 2), x => Assert.Equal(3UL, x.Seed));
    }

    [Fact]
    public void DefaultsAreOneSeedStandardAndTheBasesOptimizer()
    {
        var plan = Load("""  "widths": [8, 16], "lrs": [0.1], "baseWidth": 16 """);
        Assert.Equal([1UL], plan.Axes.Seeds);
        Assert.Equal(["standard"], plan.Axes.Parametrizations);
        Assert.Equal(["sgd"], plan.Axes.Optimizers);
        Assert.Equal(16, plan.Axes.BaseWidth);
        Assert.Equal(SweepConfig.DefaultDivergenceFactor, plan.Axes.DivergenceFactor);
        Assert.Equal(Path.Combine(dir, "s", "sweep.db"), plan.DefaultDbPath);
    }

    [Fact]
    public void GptWidthIsDModelAndItsShapeErrorNamesTheFileAndWidth()
    {
        string gpt = """{ "task": "gpt", "dataset": "synthetic", "dModel": 32, "heads": 4, "layers": 1, "contextLength": 8 }""";
        var plan = Load("""  "widths": [16, 64], "lrs": [0.01] """, baseJson: gpt);
        Assert.Equal(64, JsonSerializer.Deserialize<TrainConfig>(plan.Trials[1].ConfigJson, TrainConfig.Json)!.DModel);

        string path = Path.Combine(dir, "g.json");
        string message = Error("""  "widths": [16, 30], "lrs": [0.01] """, "g", gpt);
        Assert.Contains(path, message);
        Assert.Contains("width 30", message);
        Assert.Contains("d_model", message);
    }

    [Theory]
    [InlineData("""  "widths": [8], "lrs": [] """, "learning-rate grid is empty")]
    [InlineData("""  "widths": [8], "lrGrid": { "min": 0.1, "max": 0.01 } """, "min (0.1) > max (0.01)")]
    [InlineData("""  "widths": [8], "lrGrid": { "min": 0.01, "max": 0.1, "factor": 1 } """, "factor must be > 1")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "lrGrid": { "min": 0.01, "max": 0.1 } """, "not both")]
    [InlineData("""  "widths": [8] """, "no learning rates")]
    [InlineData("""  "widths": [], "lrs": [0.1] """, "no widths")]
    [InlineData("""  "lrs": [0.1] """, "no widths")]
    [InlineData("""  "widths": [8, 0], "lrs": [0.1] """, "widths: 0 is not a positive width")]
    [InlineData("""  "widths": [8, 8], "lrs": [0.1] """, "widths: 8 is listed twice")]
    [InlineData("""  "widths": [8], "lrs": [0.1, -1] """, "lrs: -1 is not a positive")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "optimizers": ["adam"] """, "optimizers: 'adam' is not an optimizer; use one of sgd, adamw")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "optimizers": ["sgd", "SGD"] """, "optimizers: sgd is listed twice")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "parametrizations": ["mup", "ntk"] """, "parametrizations: 'ntk' is not a parametrization; use one of standard, mup, spectral")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "divergenceFactor": 0.5 """, "divergenceFactor must be")]
    [InlineData("""  "widths": [8], "lrs": [0.1], "learningRates": [1] """, "learningRates")]
    public void InvalidSweepsGiveOneLineErrorsNamingTheFile(string axes, string expected)
    {
        string message = Error(axes);
        Assert.Contains(expected, message);
        Assert.Contains(Path.Combine(dir, "s.json"), message);
    }

    [Fact]
    public void BaseComesInlineOrFromAFileBesideTheSweep()
    {
        File.WriteAllText(Path.Combine(dir, "base.json"), SweepFiles.BaseJson(dir));
        string path = Path.Combine(dir, "f.json");
        File.WriteAllText(path, """{ "name": "f", "baseConfig": "base.json", "widths": [8], "lrs": [0.1] }""");
        var fromFile = SweepConfig.Load(path);
        var inline = Load("""  "widths": [8], "lrs": [0.1] """, name: "f", steps: 0);
        Assert.Equal(inline.Hash, fromFile.Hash); // same resolved sweep, so the same identity

        File.WriteAllText(path, """{ "name": "f", "baseConfig": "missing.json", "widths": [8], "lrs": [0.1] }""");
        Assert.Contains("missing.json does not exist", Assert.Throws<ArgumentException>(() => SweepConfig.Load(path)).Message);
        Assert.Contains("base", Error("""  "widths": [8], "lrs": [0.1], "baseConfig": "base.json" """));
    }

    [Fact]
    public void HashIgnoresBaseKeyOrderButNotAxes()
    {
        var a = Load("""  "widths": [8], "lrs": [0.1] """);
        var reordered = Load("""  "widths": [8], "lrs": [0.1] """, baseJson: """{ "runsDir": "x", "task": "mlp", "dataset": "blobs" }""");
        var same = Load("""  "widths": [8], "lrs": [0.1] """, baseJson: """{ "dataset": "blobs", "task": "mlp", "runsDir": "x" }""");
        Assert.Equal(reordered.Hash, same.Hash);
        Assert.NotEqual(a.Hash, Load("""  "widths": [8], "lrs": [0.2] """).Hash);
        Assert.Equal(a.Hash, Load("""  "widths": [8], "lrs": [0.1], "workers": 3 """).Hash); // workers is not part of the sweep
    }

    [Fact]
    public void ShippedSweepConfigLoads()
    {
        var plan = SweepConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", "transfer-blobs-smoke.json"));
        Assert.Equal("transfer-blobs-smoke", plan.Name);
        Assert.True(plan.Trials.Count is > 4 and < 100, $"{plan.Trials.Count} trials is not a smoke test");
    }

    [Theory]
    [InlineData("batch-scaling-mlp-quick.json", 60)]
    [InlineData("batch-scaling-mlp-muon-quick.json", 28)]
    [InlineData("batch-scaling-mlp.json", 252)]
    [InlineData("batch-scaling-mlp-muon.json", 128)]
    [InlineData("batch-scaling-gpt.json", 35)]
    [InlineData("batch-scaling-gpt-muon.json", 40)]
    public void ShippedBatchScalingSweepsLoadWithATarget(string file, int trials)
    {
        var plan = SweepConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", file));
        Assert.Equal(trials, plan.Trials.Count);
        Assert.NotEmpty(plan.Axes.BatchSizes);
        Assert.NotNull(plan.Axes.BaseConfig.TargetLoss);
        Assert.True(plan.Axes.BaseConfig.NoiseEvery > 0);
    }
}
