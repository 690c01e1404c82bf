using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.Diagnostics;

// Stability certificates (theory §4.1–4.3, §14.1–14.2): the composed upper bound is never below the ascent's lower bound.
public class StabilityTests(ITestOutputHelper output)
{
    // Float rounding of the SVD and of the projected inputs: a measured value may exceed an exact bound by ~1e-7 relative.
    private const double Rounding = 1e-5;

    private static readonly StabilityOptions Quick = new() { Restarts = 3, Iterations = 25, Tokens = 6 };

    private void AssertBounded(IReadOnlyList<StabilityResult> results, string label)
    {
        foreach (var r in results)
            foreach (var metric in Enum.GetValues<StabilityMetric>())
            {
                double bound = r.Bound[metric], measured = r.Measured[metric];
                output.WriteLine($"{label} {r.Unit} {metric}: bound {bound:G4}, measured {measured:G4}");
                Assert.True(measured > 0, $"{label} {r.Unit} {metric}: nothing measured");
                Assert.True(bound >= measured * (1 - Rounding), $"{label} {r.Unit} {metric}: bound {bound} < measured {measured}");
            }
    }

    private static void Step<T>(T model, Func<T, Tensor> loss, float lr) where T : Module
    {
        loss(model).Backward();
        new AdamW(model.Parameters()).Step(lr);
        model.ZeroGrad();
    }

    [Theory]
    [InlineData(ParametrizationKind.Standard)]
    [InlineData(ParametrizationKind.Mup)]
    [InlineData(ParametrizationKind.Spectral)]
    public void MlpBoundsDominateMeasurements(ParametrizationKind kind)
    {
        MlpClassifier Build()
        {
            var m = new MlpClassifier([20, 48, 32, 5], new Rng(7), [20, 24, 16, 5]);
            Parametrization.Apply(m, kind, OptimizerFamily.Adam, new Rng(8));
            return m;
        }
        var (model, updated) = (Build(), Build());
        var rng = new Rng(9);
        var x = Tensor.Randn(rng, 1f, 8, 20);
        Step(updated, m => m.Loss(x, [0, 1, 2, 3, 4, 0, 1, 2]), 0.05f);
        AssertBounded(Stability.Certify(model, updated, Quick), $"mlp {kind}");
    }

    public static TheoryData<NormKind, PositionEncoding, bool, ParametrizationKind> GptCases => new()
    {
        { NormKind.LayerNorm, PositionEncoding.Learned, false, ParametrizationKind.Standard },
        { NormKind.RmsNorm, PositionEncoding.Rope, false, ParametrizationKind.Mup },
        { NormKind.RmsNorm, PositionEncoding.Learned, true, ParametrizationKind.Spectral },
    };

    [Theory]
    [MemberData(nameof(GptCases))]
    public void GptBoundsDominateMeasurements(NormKind norm, PositionEncoding positions, bool tied, ParametrizationKind kind)
    {
        var (invDh, multiplier) = Parametrization.Attention(kind, 8, 4);
        var config = new GptConfig
        {
            VocabSize = 13, ContextLength = 6, DModel = 16, BaseDModel = 8, Layers = 2, Heads = 2, Norm = norm, Positions = positions,
            TiedHead = tied, AttentionScaleInvDh = invDh, AttentionMultiplier = multiplier,
        };
        Gpt Build()
        {
            var m = new Gpt(config, new Rng(3));
            Parametrization.Apply(m, kind, OptimizerFamily.Adam, new Rng(4));
            // Non-trivial gains and biases so the norm bound N = max|g| (+ ‖b‖) is exercised.
            foreach (var p in m.Parameters().Where(p => p.Role == Role.Vector))
                for (int i = 0; i < p.Size; i++) p.Data[i] += 0.3f * MathF.Sin(i + 1);
            return m;
        }
        var (model, updated) = (Build(), Build());
        var ids = Enumerable.Range(0, 12).Select(i => (i * 5 + 2) % 13).ToArray();
        Step(updated, m => m.Loss(ids, ids.Select(i => (i + 1) % 13).ToArray(), 2, 6), 0.05f);
        AssertBounded(Stability.Certify(model, updated, Quick), $"gpt {norm} {positions} tied={tied} {kind}");
    }

    // For one dense layer the forward bound is attained (x = the top right-singular direction), so the ascent must
    // come close to it: the measurement is a real search, not just any lower number.
    [Fact]
    public void AscentReachesTheLinearLayersExactValue()
    {
        var model = new MlpClassifier([24, 40, 6], new Rng(2));
        var updated = new MlpClassifier([24, 40, 6], new Rng(2));
        foreach (var p in updated.Parameters()) for (int i = 0; i < p.Size; i++) p.Data[i] *= 1.1f;
        var results = Stability.Certify(model, updated, new StabilityOptions { Restarts = 4, Iterations = 80 });
        var layer0 = results.Single(r => r.Unit == "layer0");
        output.WriteLine($"layer0: bound {layer0.Bound}, measured {layer0.Measured}");
        // Biases are zero at init: forward = ‖W‖_R, dependency = 2‖W‖_R, update = 0.1·‖W‖_R, each attained.
        Assert.Equal(layer0.Bound.Forward, layer0.Measured.Forward, 0.01 * layer0.Bound.Forward);
        Assert.Equal(layer0.Bound.Dependency, layer0.Measured.Dependency, 0.01 * layer0.Bound.Dependency);
        Assert.Equal(layer0.Bound.Update, layer0.Measured.Update, 0.01 * layer0.Bound.Update);
    }

    // The GELU constant bounds the library's GELU slope (finite differences in double on the float op), and is tight.
    [Fact]
    public void GeluLipschitzConstantBoundsTheOp()
    {
        const int n = 1601;                                    // step 0.01: float noise in a secant stays below 1e-4
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -8f + 16f * i / (n - 1);
        var y = Ops.Gelu(Tensor.From(x, n)).Data;
        double worst = 0;
        for (int i = 1; i < n; i++)
        {
            worst = Math.Max(worst, Math.Abs((y[i] - (double)y[i - 1]) / (x[i] - (double)x[i - 1])));
            Assert.True(Math.Abs(y[i]) <= Math.Abs(x[i]) + 1e-6, "|gelu(x)| ≤ |x|");
        }
        output.WriteLine($"max secant slope {worst:F6}");
        Assert.InRange(worst, Stability.GeluLipschitz - 3e-3, Stability.GeluLipschitz);
    }

    // Slopes are log-log least squares per (kind, unit, metric), for bound and measurement separately.
    [Fact]
    public void SlopesFitPowerLaws()
    {
        StabilityPoint Point(int w) => new(ParametrizationKind.Mup, w,
            new("u", StabilityScope.Module, new(2.0 * Math.Sqrt(w), 3.0, 1.0 / w), new(1.0, 0.5 * w, 2.0)));
        var slopes = StabilitySweep.Slopes([Point(64), Point(128), Point(512)]);
        double Of(StabilityMetric m, bool bound) => slopes.Single(s => s.Metric == m) is var s && bound ? s.BoundSlope : s.MeasuredSlope;
        Assert.Equal(0.5, Of(StabilityMetric.Forward, true), 12);
        Assert.Equal(0.0, Of(StabilityMetric.Dependency, true), 12);
        Assert.Equal(-1.0, Of(StabilityMetric.Update, true), 12);
        Assert.Equal(1.0, Of(StabilityMetric.Dependency, false), 12);
    }

    // A tiny sweep: every unit of every width appears, and under μP the MLP's hidden layer forward bound is flat in
    // width (‖W‖_R ≈ 2 for fan-in init on a square matrix) while SP's output layer update grows (Adam step ∝ fan-in).
    [Fact]
    public void MlpSweepSlopes()
    {
        var options = new StabilitySweepOptions { MlpInputs = 16, Measure = new StabilityOptions { Restarts = 2, Iterations = 10 } };
        var points = StabilitySweep.Mlp([32, 64, 128], [ParametrizationKind.Standard, ParametrizationKind.Mup], options);
        Assert.Equal(2 * 3 * 4, points.Count);
        var slopes = StabilitySweep.Slopes(points);
        foreach (var s in slopes.Where(s => s.Unit != "model")) output.WriteLine($"{s.Kind} {s.Unit} {s.Metric}: bound {s.BoundSlope:F2}, measured {s.MeasuredSlope:F2}");
        var hidden = slopes.Single(s => s.Kind == ParametrizationKind.Mup && s.Unit == "layer1" && s.Metric == StabilityMetric.Forward);
        Assert.InRange(hidden.BoundSlope, -0.1, 0.1);
        var spOut = slopes.Single(s => s.Kind == ParametrizationKind.Standard && s.Unit == "layer2" && s.Metric == StabilityMetric.Update);
        var mupOut = slopes.Single(s => s.Kind == ParametrizationKind.Mup && s.Unit == "layer2" && s.Metric == StabilityMetric.Update);
        Assert.True(spOut.BoundSlope > 0.3 && mupOut.BoundSlope < spOut.BoundSlope - 0.3, $"SP {spOut.BoundSlope}, μP {mupOut.BoundSlope}");
    }
}
