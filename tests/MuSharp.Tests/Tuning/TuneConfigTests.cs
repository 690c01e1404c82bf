using System.Text.Json;
using MuSharp.Experiments;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Tests.Tuning;

public sealed class TuneConfigTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-tuneconfig-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Error(string search, string proxy = """{ "hidden": [8, 8] }""", string target = """{ "hidden": [32, 32] }""")
    {
        string path = TuneFiles.Write(dir, "t", search, proxy, target);
        var e = Assert.Throws<ArgumentException>(() => TuneConfig.Load(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"tune {path}:", e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    [Fact]
    public void BadConfigsAreOneLineErrors()
    {
        Assert.Contains("'learningRate' is not a training config key", Error("""{ "trials": 3, "axes": { "learningRate": { "logUniform": [0.001, 0.1] } } }"""), StringComparison.Ordinal);
        Assert.Contains("'batchSize' has no transfer rule", Error("""{ "trials": 3, "axes": { "batchSize": { "values": [16, 32] } } }"""), StringComparison.Ordinal);
        Assert.Contains("search space is empty", Error("""{ "trials": 3, "axes": {} }"""), StringComparison.Ordinal);
        Assert.Contains("smaller than the proxy", Error(TuneFiles.LrGrid, proxy: """{ "hidden": [32, 32] }""", target: """{ "hidden": [8, 8] }"""), StringComparison.Ordinal);
        // The MLP has no depth rule, so a deeper target cannot take a searched init std (theory §11.3).
        Assert.Contains("'initStdMultiplier' cannot be transferred", Error("""{ "method": "grid", "axes": { "initStdMultiplier": { "values": [1, 2] } } }""",
            target: """{ "hidden": [32, 32, 32] }"""), StringComparison.Ordinal);
    }

    [Fact]
    public void TrialsCarryTheirValuesInKeyAndConfigAndTheTargetIsAnchoredAtTheProxy()
    {
        var plan = TuneConfig.Load(TuneFiles.Write(dir, "t", TuneFiles.LrGrid));
        var proxy = plan.ProxyPlan();
        Assert.Equal(6 * 2, proxy.Trials.Count); // 6 points × (mup, standard) × 1 seed
        Assert.Equal(proxy.Trials.Count, proxy.Trials.Select(t => t.Key).Distinct().Count());
        var t = proxy.Trials.Single(t => t.Key == "mup/p3/lr=0.01,outputMultiplier=2/s1");
        var c = JsonSerializer.Deserialize<TrainConfig>(t.ConfigJson, TrainConfig.Json)!;
        Assert.Equal((0.01f, 2.0, ParametrizationKind.Mup, 8, 8), (c.Lr, c.OutputMultiplier, c.Parametrization, c.Hidden[0], c.BaseWidth));

        var arm = plan.Arm("mup");
        var choice = new TuneChoice("mup", 3, plan.Points[3], plan.Points[3], arm.Rules, 0.5);
        var target = plan.TargetPlan([choice]);
        Assert.Equal(2, target.Trials.Count); // target seeds 1 and 2
        var tc = JsonSerializer.Deserialize<TrainConfig>(target.Trials[0].ConfigJson, TrainConfig.Json)!;
        Assert.Equal((32, 8, 0.01f, 2.0), (tc.Hidden[0], tc.BaseWidth, tc.Lr, tc.OutputMultiplier));
        var verify = plan.VerifyPlan([choice]);
        Assert.Equal(4 * 2, verify.Trials.Count); // ×1 is the target run itself
        Assert.Equal([0.0025f, 0.005f, 0.02f, 0.04f], verify.Trials.Where(v => v.Seed == 1).Select(v => JsonSerializer.Deserialize<TrainConfig>(v.ConfigJson, TrainConfig.Json)!.Lr));
        Assert.Equal(proxy.Hash, plan.ProxyPlan().Hash); // a stage's identity is stable across resolutions
        Assert.NotEqual(proxy.Hash, target.Hash);
    }

    [Theory]
    [InlineData("tune-mlp-quick.json", 16)]
    [InlineData("tune-gpt-brown.json", 24)]
    public void BundledTuneConfigsResolveWithEveryKeyTransferableUnderMup(string file, int points)
    {
        var plan = TuneConfig.Load(Path.Combine(AppContext.BaseDirectory, "configs", file));
        Assert.Equal(points, plan.Points.Count);
        Assert.All(plan.Arm("mup").Rules, r => Assert.Equal(TransferKind.AsIs, r.Kind));
        Assert.All(plan.Arm("standard").Rules, r => Assert.Equal(TransferKind.Copied, r.Kind));
        Assert.True(HyperparameterTransfer.WidthOf(plan.Arm("mup").Target) >= 4 * HyperparameterTransfer.WidthOf(plan.Arm("mup").Proxy));
    }
}
