using System.Text.Json;
using MuSharp.Nn;
using Xunit.Abstractions;

namespace MuSharp.Tests.Golden;

/// <summary>
/// End-to-end check against PyTorch (scripts/make_goldens.py): with the golden parameter values loaded by name,
/// the logits, the loss and every parameter gradient must match per tensor with
/// max |diff| / max(max |golden|, 1e-6) ≤ <see cref="Tolerance"/>.
/// </summary>
public class GoldenTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const string ParamPrefix = "param.", GradPrefix = "grad.";

    [Fact]
    public void MlpMatchesPyTorch()
    {
        var golden = GoldenFile.Load("mlp");
        int[] sizes = golden.Config.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var mlp = new MlpClassifier(sizes, new Rng(1));
        LoadParameters(golden, mlp);

        var x = golden.Tensor("input.x"); // [B, in]
        int[] labels = golden.Ints("input.targets");
        var logits = mlp.Forward(x);
        var loss = mlp.Loss(x, labels);
        loss.Backward();

        AssertMatches(golden, mlp, logits, loss);
    }

    [Theory]
    [InlineData("gpt_a")] // learned positions, LayerNorm, untied head, scale 1/sqrt(Dh)
    [InlineData("gpt_b")] // RoPE, RmsNorm, tied head, scale 1.5/Dh
    public void GptMatchesPyTorch(string caseName)
    {
        var golden = GoldenFile.Load(caseName);
        var c = golden.Config;
        var config = new GptConfig
        {
            VocabSize = c.GetProperty("vocab").GetInt32(),
            ContextLength = c.GetProperty("context").GetInt32(),
            DModel = c.GetProperty("d_model").GetInt32(),
            Layers = c.GetProperty("layers").GetInt32(),
            Heads = c.GetProperty("heads").GetInt32(),
            MlpRatio = c.GetProperty("mlp_ratio").GetInt32(),
            Positions = Enum.Parse<PositionEncoding>(c.GetProperty("positions").GetString()!),
            Norm = Enum.Parse<NormKind>(c.GetProperty("norm").GetString()!),
            TiedHead = c.GetProperty("tied_head").GetBoolean(),
            AttentionScaleInvDh = c.GetProperty("attention_scale_inv_dh").GetBoolean(),
            AttentionMultiplier = c.GetProperty("attention_multiplier").GetSingle(),
            RopeTheta = c.GetProperty("rope_theta").GetSingle(),
        };
        int batch = c.GetProperty("batch").GetInt32(), time = c.GetProperty("time").GetInt32();
        var gpt = new Gpt(config, new Rng(1));
        LoadParameters(golden, gpt);

        int[] ids = golden.Ints("input.ids"), targets = golden.Ints("input.targets"); // [B·T], batch-major
        var logits = gpt.Forward(ids, batch, time); // [B·T, V]
        var loss = gpt.Loss(ids, targets, batch, time);
        loss.Backward();

        AssertMatches(golden, gpt, logits, loss);
    }

    /// <summary>Overwrites every parameter's values from "param.&lt;name&gt;"; the two name sets must be equal.</summary>
    private static void LoadParameters(GoldenFile golden, Module model)
    {
        var parameters = model.Parameters().ToList();
        var modelNames = parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var goldenNames = golden.Names.Where(n => n.StartsWith(ParamPrefix, StringComparison.Ordinal))
            .Select(n => n[ParamPrefix.Length..]).ToHashSet(StringComparer.Ordinal);
        var missingInGolden = modelNames.Except(goldenNames).ToList();
        var missingInModel = goldenNames.Except(modelNames).ToList();
        Assert.True(missingInGolden.Count == 0 && missingInModel.Count == 0,
            $"{golden.Case}: parameter names differ; not in golden: [{string.Join(", ", missingInGolden)}], " +
            $"not in model: [{string.Join(", ", missingInModel)}]");
        foreach (var p in parameters)
        {
            int[] shape = golden.Shape(ParamPrefix + p.Name);
            Assert.True(shape.SequenceEqual(p.Shape),
                $"{golden.Case}: parameter {p.Name} is {Shapes.Format(p.Shape)} in MuSharp but {Shapes.Format(shape)} in the golden");
            golden.Floats(ParamPrefix + p.Name).CopyTo(p.Data, 0);
            p.Grad = null;
        }
    }

    private void AssertMatches(GoldenFile golden, Module model, Tensor logits, Tensor loss)
    {
        Assert.True(golden.Shape("output.logits").SequenceEqual(logits.Shape),
            $"{golden.Case}: logits are {Shapes.Format(logits.Shape)}, golden {Shapes.Format(golden.Shape("output.logits"))}");
        var errors = new List<(string Name, double Error)>
        {
            ("logits", RelativeError(golden, "output.logits", logits.Data, logits.Shape)),
            ("loss", RelativeError(golden, "output.loss", [loss.Item()], [1])),
        };
        foreach (var p in model.Parameters())
        {
            Assert.True(p.Grad != null, $"{golden.Case}: parameter {p.Name} received no gradient");
            errors.Add(("grad " + p.Name, RelativeError(golden, GradPrefix + p.Name, p.Grad, p.Shape)));
        }

        foreach (var (name, error) in errors) output.WriteLine($"{golden.Case} {name}: {error:E2}");
        // The default comparer ranks NaN below every number, so count it as +∞ to make it the worst.
        var worst = errors.MaxBy(e => double.IsNaN(e.Error) ? double.PositiveInfinity : e.Error);
        var failing = errors.Where(e => !(e.Error <= Tolerance)).Select(e => $"{e.Name} {e.Error:E2}").ToList();
        output.WriteLine($"{golden.Case}: worst relative error {worst.Error:E2} ({worst.Name})");
        Assert.True(failing.Count == 0,
            $"{golden.Case}: worst relative error {worst.Error:E2} ({worst.Name}) exceeds {Tolerance:E0}; " +
            $"failing tensors: {string.Join("; ", failing)}");
    }

    /// <summary>max |actual − golden| / max(max |golden|, 1e-6); NaN if the values are not finite.</summary>
    private static double RelativeError(GoldenFile golden, string name, float[] actual, int[] actualShape)
    {
        int[] shape = golden.Shape(name);
        Assert.True(shape.Aggregate(1, (n, d) => n * d) == actual.Length,
            $"{golden.Case}: {name} has shape {Shapes.Format(shape)} in the golden but MuSharp produced {Shapes.Format(actualShape)}");
        float[] expected = golden.Floats(name);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double diff = Math.Abs((double)actual[i] - expected[i]);
            if (!double.IsFinite(diff)) return double.NaN;
            maxDiff = Math.Max(maxDiff, diff);
            maxRef = Math.Max(maxRef, Math.Abs(expected[i]));
        }
        return maxDiff / Math.Max(maxRef, 1e-6);
    }
}
