using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Tests.Scaling;

/// <summary>The depth rules of theory §10 (depth-μP, CompleteP), tested as the width table is: exactly the base model at
/// the base depth, and the stated exponents as the depth grows.</summary>
public sealed class DepthScalingTests
{
    private static GptConfig Config(int dModel, int layers, int baseD) =>
        new() { VocabSize = 12, ContextLength = 8, DModel = dModel, BaseDModel = baseD, Layers = layers, Heads = 2 };

    private static Gpt Build(int dModel, int layers, DepthScaling depth, int baseLayers, ParametrizationKind kind = ParametrizationKind.Mup,
        OptimizerFamily family = OptimizerFamily.Adam, int baseD = 16) =>
        new(Config(dModel, layers, baseD), new Init(new Rng(3), kind, family, MuonScaling.Spectral, depth, baseLayers));

    [Theory]
    [InlineData(DepthScaling.Sqrt)]
    [InlineData(DepthScaling.Complete)]
    public void AtTheBaseDepthEveryRuleIsTheBaseModelExactly(DepthScaling depth)
    {
        var plain = Build(32, 3, DepthScaling.None, 0);
        var scaled = Build(32, 3, depth, baseLayers: 3);
        Assert.Equal(plain.Parameters().Select(p => (p.Name, p.LrScale, p.OutputMultiplier)), scaled.Parameters().Select(p => (p.Name, p.LrScale, p.OutputMultiplier)));
        Assert.Equal(plain.Parameters().Select(p => p.Data), scaled.Parameters().Select(p => p.Data));
        Assert.All(scaled.Blocks, b => Assert.Equal(1f, b.BranchMultiplier));
        int[] ids = [1, 2, 3, 4, 5, 6, 7, 8];
        Assert.Equal(plain.Forward(ids, 1, 8).Data, scaled.Forward(ids, 1, 8).Data);
    }

    [Theory]
    [InlineData(DepthScaling.None, 0.0)]
    [InlineData(DepthScaling.Sqrt, 0.5)]
    [InlineData(DepthScaling.Complete, 1.0)]
    public void BranchAndBlockLearningRatesFollowTheirExponentsAsDepthGrows(DepthScaling depth, double alpha)
    {
        var reference = Build(32, 2, DepthScaling.None, 0).Parameters().ToDictionary(p => p.Name.Replace("block1", "blockN", StringComparison.Ordinal));
        foreach (int layers in (int[])[2, 4, 8])
        {
            double m = layers / 2.0;
            var model = Build(32, layers, depth, baseLayers: 2);
            Assert.All(model.Blocks, b => Assert.Equal(Math.Pow(m, -alpha), b.BranchMultiplier, 6));
            foreach (var p in model.Parameters())
            {
                bool inBlock = p.Name.StartsWith("block", StringComparison.Ordinal);
                string key = inBlock ? "blockN" + p.Name[p.Name.IndexOf('.', StringComparison.Ordinal)..] : p.Name;
                double expected = reference[key].LrScale * (inBlock && depth != DepthScaling.None ? Math.Pow(m, alpha - 1) : 1);
                Assert.True(Math.Abs(p.LrScale - expected) <= 1e-6 * expected, $"L={layers} {p.Name}: lr scale {p.LrScale}, expected {expected}");
            }
        }
    }

    [Fact]
    public void TheWorkedNumbersOfTheoryMatch()
    {
        // theory §10.3: N 256 → 1024 and L 2 → 8 (m_N = m_L = 4). Same multipliers here at d 16 → 64.
        var complete = Build(64, 8, DepthScaling.Complete, baseLayers: 2).Parameters().ToDictionary(p => p.Name);
        var sqrt = Build(64, 8, DepthScaling.Sqrt, baseLayers: 2).Parameters().ToDictionary(p => p.Name);
        Assert.Equal(0.25f, complete["block5.mlp.up.weight"].LrScale, 6);   // α = 1: hidden LR ×0.25
        Assert.Equal(1f, complete["block5.norm1.gain"].LrScale, 6);         // bias/LN LR ×1
        Assert.Equal(0.125f, sqrt["block5.mlp.up.weight"].LrScale, 6);      // α = 0.5: hidden LR ×0.125
        Assert.Equal(0.5f, sqrt["block5.norm1.gain"].LrScale, 6);           // bias/LN LR ×0.5
        Assert.Equal(1f, complete["embed.tokens"].LrScale, 6);              // embeddings untouched by depth
        Assert.Equal(0.25f, complete["head.weight"].OutputMultiplier, 6);   // unembedding forward ×1/m_N
        Assert.Equal(0.25, DepthRules.BranchMultiplier(DepthScaling.Complete, 8, 2), 12);
        Assert.Equal(0.5, DepthRules.BranchMultiplier(DepthScaling.Sqrt, 8, 2), 12);
        // Depth only, L 12 → 48: α = 1 keeps the hidden LR, α = 0.5 halves it.
        Assert.Equal(1, DepthRules.BlockLrScale(DepthScaling.Complete, OptimizerFamily.Adam, 48, 12), 12);
        Assert.Equal(0.5, DepthRules.BlockLrScale(DepthScaling.Sqrt, OptimizerFamily.Adam, 48, 12), 12);
    }

    [Fact]
    public void SgdKeepsItsLearningRateAndTheBranchIsScaledInTheForwardPass()
    {
        Assert.Equal(1, DepthRules.BlockLrScale(DepthScaling.Sqrt, OptimizerFamily.Sgd, 8, 2));
        // One block at m_L = 4 under CompleteP adds 0.25 × each branch: rebuild the sum from the taps.
        var model = Build(32, 8, DepthScaling.Complete, baseLayers: 2);
        var taps = new Dictionary<string, Tensor>();
        int[] ids = [1, 2, 3, 4];
        using var _ = Tape.NoGrad();
        model.Forward(ids, 1, 4, taps);
        var before = taps["block2"].Data;
        var attn = taps["block3.attn"].Data;
        var mlp = taps["block3.mlp"].Data;
        var after = taps["block3"].Data;
        for (int i = 0; i < after.Length; i++)
            Assert.Equal(before[i] + attn[i] + mlp[i], after[i], 4);
        // The taps hold the scaled branches: their size relative to an unscaled model's block is the multiplier.
        var plain = Build(32, 8, DepthScaling.None, 0);
        var plainTaps = new Dictionary<string, Tensor>();
        plain.Forward(ids, 1, 4, plainTaps);
        Assert.Equal(0.25 * Rms(plainTaps["block0.attn"].Data), Rms(taps["block0.attn"].Data), 5);
    }

    private static double Rms(float[] x) => Math.Sqrt(x.Sum(v => (double)v * v) / x.Length);
}
