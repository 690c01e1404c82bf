using System.Text.Json.Nodes;
using MuSharp.Io;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Tests.Scaling;

public sealed class ParametrizeModelTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-param-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static MlpClassifier Wide() => new([16, 256, 256, 4], new Rng(1), [16, 64, 64, 4]);

    [Fact]
    public void ModelsDeclareTheirBaseFansInsteadOfInferringThem()
    {
        var mlp = Wide();
        var byName = mlp.Parameters().ToDictionary(p => p.Name);
        Assert.Equal((16, 64), (byName["layer0.weight"].BaseFanIn, byName["layer0.weight"].BaseFanOut));
        Assert.Equal((64, 64), (byName["layer1.weight"].BaseFanIn, byName["layer1.weight"].BaseFanOut));
        Assert.Equal((64, 4), (byName["layer2.weight"].BaseFanIn, byName["layer2.weight"].BaseFanOut));
        Assert.Equal((1, 64), (byName["layer1.bias"].BaseFanIn, byName["layer1.bias"].BaseFanOut));
        Assert.Equal((1, 4), (byName["layer2.bias"].BaseFanIn, byName["layer2.bias"].BaseFanOut)); // the class bias does not scale

        var gpt = new Gpt(new GptConfig { VocabSize = 20, ContextLength = 8, DModel = 64, BaseDModel = 16, Layers = 1, Heads = 2 }, new Rng(2));
        var g = gpt.Parameters().ToDictionary(p => p.Name);
        Assert.Equal((20, 16), (g["embed.tokens"].BaseFanIn, g["embed.tokens"].BaseFanOut));
        Assert.Equal((16, 64), (g["block0.mlp.up.weight"].BaseFanIn, g["block0.mlp.up.weight"].BaseFanOut));
        Assert.Equal((16, 20), (g["head.weight"].BaseFanIn, g["head.weight"].BaseFanOut));
    }

    [Fact]
    public void ApplySetsScalesAndMultipliersAndIsSafeToRepeat()
    {
        var mlp = Wide();
        Parametrization.Apply(mlp, ParametrizationKind.Mup, OptimizerFamily.Adam, new Rng(5));
        var first = mlp.Parameters().Select(p => (float[])p.Data.Clone()).ToList();
        Assert.Equal(0.25f, mlp.Layers[1].Weight.LrScale);      // hidden: Adam lr / m, m = 4
        Assert.Equal(0.25f, mlp.Layers[2].Multiplier);          // readout 1/m
        Assert.Equal(1f, mlp.Layers[0].Weight.LrScale);

        Parametrization.Apply(mlp, ParametrizationKind.Mup, OptimizerFamily.Adam, new Rng(5));
        Assert.Equal(first, mlp.Parameters().Select(p => p.Data));
        Assert.Equal(0.25f, mlp.Layers[2].Multiplier);          // set, not multiplied again
        Assert.All(mlp.Layers[1].Bias!.Data, v => Assert.Equal(0f, v)); // biases keep their constant init
    }

    [Fact]
    public void OptimizersStepWithTheParameterLrScale()
    {
        // Step η·s, decay λ/s: at s = 1/4 and η = 0.4 the steps equal plain η = 0.1 and the per-step decay ηλ stays 0.4·0.1.
        foreach (var make in new Func<Parameter[], float, Optimizer>[] { (ps, _) => new Sgd(ps, 0.9f), (ps, wd) => new AdamW(ps, weightDecay: wd), (ps, wd) => new Lion(ps, weightDecay: wd) })
        {
            var scaled = Parameter.Matrix("w", Role.Hidden, 4, 3, new Rng(3), 1f);
            var plain = Parameter.Matrix("w", Role.Hidden, 4, 3, new Rng(3), 1f);
            scaled.LrScale = 0.25f;
            var a = make([scaled], 0.1f);
            var b = make([plain], 0.4f);
            for (int t = 0; t < 3; t++)
            {
                var g = Enumerable.Range(0, 12).Select(i => MathF.Sin(i + t)).ToArray();
                scaled.Grad = (float[])g.Clone();
                plain.Grad = (float[])g.Clone();
                a.Step(0.4f);
                b.Step(0.1f);
            }
            for (int i = 0; i < 12; i++) Assert.Equal(plain.Data[i], scaled.Data[i], 5);
        }
    }

    [Fact]
    public void CheckpointsCarryTheParametrizationAndRestoreItWithoutRescaling()
    {
        var mlp = Wide();
        Parametrization.Apply(mlp, ParametrizationKind.Mup, OptimizerFamily.Sgd, new Rng(5));
        var opt = new Sgd(mlp.Parameters());
        string path = Path.Combine(dir, "mup.ckpt");
        Checkpoint.Capture(mlp, opt, new JsonObject()).Save(path);

        var fresh = Wide(); // built at the same widths, not parametrized: lr scales 1, multipliers 1
        Checkpoint.Load(path).Restore(fresh, new Sgd(fresh.Parameters()));
        foreach (var (a, b) in mlp.Parameters().Zip(fresh.Parameters()))
        {
            Assert.Equal(a.LrScale, b.LrScale);
            Assert.Equal(a.OutputMultiplier, b.OutputMultiplier);
            Assert.Equal(a.Data, b.Data);
        }
        Assert.Equal(0.25f, fresh.Layers[2].Multiplier);

        var otherBase = new MlpClassifier([16, 256, 256, 4], new Rng(1), [16, 128, 128, 4]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path).Restore(otherBase, new Sgd(otherBase.Parameters())));
        Assert.Contains("base fans", e.Message);
        Assert.Contains("layer0.weight", e.Message);
    }

    [Fact]
    public void WidthsThatDoNotScaleTogetherAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Dim.Scaled(100, 96, 64));
        Assert.Contains("not divisible", e.Message);
        Assert.Throws<ArgumentException>(() => new MlpClassifier([16, 64, 4], new Rng(1), [16, 64, 5]));
    }
}
