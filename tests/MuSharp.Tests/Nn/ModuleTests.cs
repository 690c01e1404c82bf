using MuSharp.Nn;

namespace MuSharp.Tests.Nn;

public class ModuleTests
{
    [Fact]
    public void MlpRolesFollowPositionInTheNetwork()
    {
        var mlp = new MlpClassifier([20, 32, 16, 5], new Rng(1));
        var weights = mlp.Parameters().Where(p => p.Rank == 2).ToList();
        Assert.Equal([Role.Input, Role.Hidden, Role.Output], weights.Select(p => p.Role));
        Assert.Equal([(20, 32), (32, 16), (16, 5)], weights.Select(p => (p.FanIn, p.FanOut)));
        Assert.All(mlp.Parameters().Where(p => p.Rank == 1), p => Assert.Equal(Role.Vector, p.Role));
        Assert.Equal(20 * 32 + 32 + 32 * 16 + 16 + 16 * 5 + 5, mlp.ParameterCount());
    }

    [Theory]
    [InlineData(false, PositionEncoding.Learned)]
    [InlineData(true, PositionEncoding.Rope)]
    public void GptParametersCarryRolesAndUniqueNames(bool tied, PositionEncoding positions)
    {
        var config = new GptConfig { VocabSize = 11, ContextLength = 8, DModel = 16, Layers = 2, Heads = 2, TiedHead = tied, Positions = positions };
        var gpt = new Gpt(config, new Rng(1));
        var ps = gpt.Parameters().ToList();
        Assert.Equal(ps.Count, ps.Select(p => p.Name).Distinct().Count());
        Assert.Equal(positions == PositionEncoding.Learned ? 2 : 1, ps.Count(p => p.Role == Role.Embedding));
        Assert.Equal(tied ? 0 : 1, ps.Count(p => p.Role == Role.Output));
        Assert.Equal(2 * 6, ps.Count(p => p.Role == Role.Hidden)); // q, k, v, proj, up, down per block
        var up = ps.Single(p => p.Name == "block0.mlp.up.weight");
        Assert.Equal((16, 64), (up.FanIn, up.FanOut));
        var logits = gpt.Forward(Enumerable.Range(0, 16).Select(i => i % 11).ToArray(), 2, 8);
        Assert.Equal(new[] { 16, 11 }, logits.Shape);
    }

    [Fact]
    public void LinearRejectsNonDenseRolesAndGptRejectsBadShapes()
    {
        Assert.Contains("Vector", Assert.Throws<ArgumentException>(() => new Linear("x", Role.Vector, 2, 3, new Rng(1))).Message);
        Assert.Contains("divisible", Assert.Throws<ArgumentException>(() => new Gpt(new GptConfig { DModel = 30, Heads = 4 }, new Rng(1))).Message);
        var gpt = new Gpt(new GptConfig { VocabSize = 5, ContextLength = 4, DModel = 8, Layers = 1, Heads = 2 }, new Rng(1));
        Assert.Contains("context length", Assert.Throws<ArgumentException>(() => gpt.Forward(new int[10], 2, 5)).Message);
    }

    [Fact]
    public void LinearMultiplierScalesTheOutputBeforeTheBias()
    {
        var layer = new Linear("l", Role.Hidden, 3, 2, new Rng(1));
        layer.Bias!.Data[0] = 1f;
        var x = Tensor.Randn(new Rng(2), 1f, 4, 3);
        var plain = layer.Forward(x).Data;
        layer.Multiplier = 2f;
        var doubled = layer.Forward(x).Data;
        for (int i = 0; i < plain.Length; i++)
        {
            float bias = layer.Bias.Data[i % 2];
            Assert.Equal(2f * (plain[i] - bias) + bias, doubled[i], 5);
        }
    }
}
