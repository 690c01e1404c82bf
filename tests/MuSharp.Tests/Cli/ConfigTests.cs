using MuSharp.Training;

namespace MuSharp.Tests.Cli;

public sealed class ConfigTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-config-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void FileValuesAreOverriddenFromTheCommandLine()
    {
        string path = Path.Combine(dir, "c.json");
        File.WriteAllText(path, """{ "task": "gpt", "dataset": "synthetic", "optimizer": "adamw", "lr": 0.01, "steps": 5, "hidden": [8] }""");
        var c = TrainConfig.Load(path, [("lr", "3e-4"), ("batch-size", "7"), ("norm", "rmsnorm"), ("hidden", "[4,5]")]);
        Assert.Equal(TaskKind.Gpt, c.Task);
        Assert.Equal(OptimizerKind.AdamW, c.Optimizer);
        Assert.Equal(3e-4f, c.Lr);
        Assert.Equal(7, c.BatchSize);
        Assert.Equal(MuSharp.Nn.NormKind.RmsNorm, c.Norm);
        Assert.Equal([4, 5], c.Hidden);
    }

    [Fact]
    public void UnknownKeyIsNamed()
    {
        var ex = Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("learning-rate", "0.1")]));
        Assert.Contains("--learning-rate", ex.Message);
    }

    [Fact]
    public void BadValuesAndFilesGiveOneLineErrors()
    {
        Assert.Contains("--batch-size", Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("batch-size", "0")])).Message);
        Assert.Contains("d_model", Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("task", "gpt"), ("dataset", "synthetic"), ("steps", "5"), ("d-model", "30"), ("heads", "4")])).Message);
        string bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, "{ \"lr\": ");
        Assert.Contains("not valid JSON", Assert.Throws<ArgumentException>(() => TrainConfig.Load(bad, [])).Message);
        Assert.Contains("does not exist", Assert.Throws<FileNotFoundException>(() => TrainConfig.Load(Path.Combine(dir, "none.json"), [])).Message);
    }

    [Fact]
    public void CommandLineErrorsExitWithCodeTwo()
    {
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["train", "--config", Path.Combine(dir, "missing.json")]));
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["frobnicate"]));
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["train", "--lr"]));
    }

    [Fact]
    public void ShippedConfigsLoad()
    {
        string configs = Path.Combine(AppContext.BaseDirectory, "configs");
        // transfer-*.json and batch-scaling-*.json are sweep configs, loaded by SweepConfigTests; tune-*.json by TuneConfigTests.
        var files = Directory.GetFiles(configs, "*.json")
            .Where(f => !Path.GetFileName(f).StartsWith("transfer-", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("batch-scaling-", StringComparison.Ordinal)
                && !Path.GetFileName(f).StartsWith("tune-", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(files);
        foreach (var f in files) TrainConfig.Load(f, []);
    }

    [Fact]
    public void UnknownParametrizationOrOptimizerNamesListTheAcceptedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("parametrization", "mupp")]));
        Assert.Equal("option --parametrization: must be one of standard, mup, spectral (or null), got \"mupp\".", e.Message);
        e = Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("optimizer", "adamx")]));
        Assert.Contains("sgd, adamw", e.Message);
        e = Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("task", "gpt"), ("dataset", "synthetic"), ("steps", "10"), ("parametrization", "mup"), ("tied-head", "true")]));
        Assert.Contains("tied head", e.Message);
        e = Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("hidden", "[96,64]"), ("base-width", "64")]));
        Assert.Contains("not divisible", e.Message);
    }
}
