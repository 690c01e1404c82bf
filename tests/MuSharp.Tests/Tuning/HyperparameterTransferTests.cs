using MuSharp.Nn;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Tests.Tuning;

/// <summary>The transfer table: how each key carries from a proxy to a target across width, depth and data, and what it refuses.</summary>
public sealed class HyperparameterTransferTests
{
    private static TrainConfig Gpt(int d, int layers, ParametrizationKind kind = ParametrizationKind.Mup, DepthScaling depth = DepthScaling.None, int steps = 100) =>
        new() { Task = TaskKind.Gpt, Dataset = "synthetic", DModel = d, Layers = layers, Heads = 2, Parametrization = kind, Depth = depth, Steps = steps };

    [Fact]
    public void UnderMupWidthLeavesLrAndMultipliersAsIsAndScalesAdamEpsilon()
    {
        var proxy = Gpt(64, 2);
        var target = Gpt(512, 2);
        foreach (string key in (string[])["lr", "outputMultiplier", "initStdMultiplier", "attentionMultiplier", "beta2", "weightDecay", "warmupFraction"])
        {
            var rule = HyperparameterTransfer.Require(key, proxy, target);
            Assert.Equal(TransferKind.AsIs, rule.Kind);
            Assert.Equal(0.003, rule.Apply(0.003));
        }
        var eps = HyperparameterTransfer.Require("eps", proxy, target);
        Assert.Equal(TransferKind.Scaled, eps.Kind);
        Assert.Equal(1e-8 / 8, eps.Apply(1e-8), 15); // ε·m_N^{−1}, m_N = 8
        Assert.Contains("theory §10.2", eps.Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void UnderSpEveryKeyIsMerelyCopiedAcrossWidthButAsIsAtTheSameWidth()
    {
        Assert.Equal(TransferKind.Copied, HyperparameterTransfer.Require("lr", Gpt(64, 2, ParametrizationKind.Standard), Gpt(512, 2, ParametrizationKind.Standard)).Kind);
        Assert.Equal(TransferKind.AsIs, HyperparameterTransfer.Require("lr", Gpt(64, 2, ParametrizationKind.Standard), Gpt(64, 2, ParametrizationKind.Standard)).Kind);
    }

    [Fact]
    public void AcrossDepthInitNeedsADepthRuleAndLrIsCarriedByIt()
    {
        var e = Assert.Throws<ArgumentException>(() => HyperparameterTransfer.Require("initStdMultiplier", Gpt(64, 2), Gpt(64, 8)));
        Assert.Contains("'initStdMultiplier'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(TransferKind.Copied, HyperparameterTransfer.Require("lr", Gpt(64, 2), Gpt(64, 8)).Kind);

        var complete = Gpt(64, 8, depth: DepthScaling.Complete);
        Assert.Equal(TransferKind.AsIs, HyperparameterTransfer.Require("initStdMultiplier", Gpt(64, 2, depth: DepthScaling.Complete), complete).Kind);
        Assert.Equal(TransferKind.AsIs, HyperparameterTransfer.Require("lr", Gpt(64, 2, depth: DepthScaling.Complete), complete).Kind);
        Assert.Equal(TransferKind.None, HyperparameterTransfer.For("eps", Gpt(64, 2, depth: DepthScaling.Complete), complete).Kind);
    }

    [Fact]
    public void WeightDecayAndWarmupStepsDoNotFollowAChangeOfTrainingLength()
    {
        var proxy = Gpt(64, 2, steps: 100);
        var longer = Gpt(512, 2, steps: 400);
        Assert.Equal(TransferKind.None, HyperparameterTransfer.For("weightDecay", proxy, longer).Kind);
        Assert.Equal(TransferKind.None, HyperparameterTransfer.For("warmupSteps", proxy, longer).Kind);
        Assert.Equal(TransferKind.AsIs, HyperparameterTransfer.For("warmupFraction", proxy, Gpt(512, 2, steps: 100)).Kind);
        Assert.Equal(TransferKind.Copied, HyperparameterTransfer.For("warmupFraction", proxy, longer).Kind);
    }

    [Fact]
    public void UnknownKeysAndKeysWithoutARuleAreRefusedInOneLineNamingTheKey()
    {
        var a = Assert.Throws<ArgumentException>(() => HyperparameterTransfer.For("learningRate", Gpt(64, 2), Gpt(128, 2)));
        Assert.Contains("'learningRate' is not a training config key", a.Message, StringComparison.Ordinal);
        var b = Assert.Throws<ArgumentException>(() => HyperparameterTransfer.For("batchSize", Gpt(64, 2), Gpt(128, 2)));
        Assert.Contains("'batchSize' has no transfer rule", b.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', a.Message + b.Message);
    }

    [Fact]
    public void InitStdMultiplierScalesEveryDrawnStdAndOutputMultiplierOnlyTheReadout()
    {
        MlpClassifier Build(double std, double output) => new([6, 16, 16, 3],
            new Init(new Rng(5), ParametrizationKind.Mup) { InitStdMultiplier = std, ReadoutMultiplier = output }, [6, 8, 8, 3]);
        var plain = Build(1, 1).Parameters().ToList();
        var scaled = Build(2, 3).Parameters().ToList();
        for (int i = 0; i < plain.Count; i++)
        {
            var (p, s) = (plain[i], scaled[i]);
            float factor = p.Role == Role.Vector ? 1 : 2;
            Assert.Equal(p.Data.Select(x => x * factor), s.Data);
            Assert.Equal(p.OutputMultiplier * (p.Role == Role.Output ? 3 : 1), s.OutputMultiplier, 6);
        }
        Assert.Contains(plain, p => p.Role == Role.Output && p.OutputMultiplier == 0.5f); // μP's 1/m_N, m_N = 2, kept under the factor
    }

    [Fact]
    public void ConfigKeysReachTheScheduleAndTheAttentionScale()
    {
        var c = new TrainConfig { Steps = 200, WarmupFraction = 0.1 };
        Assert.Equal(20, c.Schedule.WarmupSteps);
        var gpt = Gpt(64, 2) with { AttentionMultiplier = 2 };
        Assert.Equal(2 * Gpt(64, 2).Gpt(10).AttentionMultiplier, gpt.Gpt(10).AttentionMultiplier, 6);
        var bad = Assert.Throws<ArgumentException>(() => (new TrainConfig { OutputMultiplier = -1 }).Validate());
        Assert.Contains("outputMultiplier", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => (new TrainConfig { Steps = 100, WarmupSteps = 5, WarmupFraction = 0.1 }).Validate());
    }
}
