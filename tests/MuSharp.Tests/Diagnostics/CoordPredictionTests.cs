using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.Diagnostics;

// Predicted coordinate-check slopes (theory §2–§3) against closed forms and against a real coordinate check.
[Trait("Category", "Slow")]
public class CoordPredictionTests(ITestOutputHelper output)
{
    private const int Inputs = 784, Classes = 10;

    private static Func<int, MlpClassifier> Builder(ParametrizationKind kind, OptimizerFamily family, int baseWidth, ulong seed = 1) => width =>
    {
        var m = new MlpClassifier([Inputs, width, width, Classes], new Rng(seed), [Inputs, baseWidth, baseWidth, Classes]);
        Parametrization.Apply(m, kind, family, new Rng(seed + 100));
        return m;
    };

    // The example: the spectral input layer's RMS gain √d_out/(√d_in + √d_out) at d_in = 784 rises with slope
    // ≈ 0.30 from width 64 to 2048 (closed form: ln(g(2048)/g(64))/ln 32 for two points; least squares over six here).
    [Fact]
    public void SpectralInputLayerSlopeIsPoint30()
    {
        int[] widths = [64, 128, 256, 512, 1024, 2048];
        var predictions = CoordPredictions.Mlp(ParametrizationKind.Spectral, OptimizerFamily.Adam, Builder(ParametrizationKind.Spectral, OptimizerFamily.Adam, 64), widths);
        var x = widths.Select(w => Math.Log(w)).ToList();
        var y = widths.Select(w => Math.Log(Math.Sqrt(w) / (Math.Sqrt(Inputs) + Math.Sqrt(w)))).ToList();
        double closedForm = CoordCheck.Slope(x, y);
        double predicted = predictions.Single(p => p.Module == "layer0" && p.Metric == CoordMetric.Activation).Slope;
        output.WriteLine($"spectral layer0 activation slope: predicted {predicted:F4}, closed form {closedForm:F4}");
        Assert.Equal(closedForm, predicted, 1e-9);
        Assert.InRange(predicted, 0.27, 0.33);
        // The hidden layer passes it on (‖W‖_R ≈ 1 for a square spectral init); μP's input layer is flat.
        Assert.Equal(predicted, predictions.Single(p => p.Module == "layer1" && p.Metric == CoordMetric.Activation).Slope, 1e-9);
        var mup = CoordPredictions.Mlp(ParametrizationKind.Mup, OptimizerFamily.Adam, Builder(ParametrizationKind.Mup, OptimizerFamily.Adam, 64), widths);
        Assert.Equal(0, mup.Single(p => p.Module == "layer0" && p.Metric == CoordMetric.Activation).Slope, 1e-9);
        // SP with Adam: a hidden update's ‖ΔW‖_R grows like fan-in (slope 1); μP divides the lr by the width (slope 0).
        var sp = CoordPredictions.Mlp(ParametrizationKind.Standard, OptimizerFamily.Adam, Builder(ParametrizationKind.Standard, OptimizerFamily.Adam, 64), widths);
        Assert.Equal(1, sp.Single(p => p.Module == "layer1.weight" && p.Metric == CoordMetric.Update).Slope, 1e-9);
        Assert.Equal(0, mup.Single(p => p.Module == "layer1.weight" && p.Metric == CoordMetric.Update).Slope, 1e-9);
    }

    [Fact]
    public void VerdictsCompareWithinTolerance()
    {
        CoordSlope M(string module, double slope) => new(module, CoordMetric.Activation, 3, slope, CoordTrend.Flat);
        var verdicts = CoordPredictions.Compare([M("a", 0.31), M("b", 0.05), M("c", 0.5), M("d", 0.2)],
            [new("a", CoordMetric.Activation, 0.30, false), new("b", CoordMetric.Activation, 0.0, false), new("c", CoordMetric.Activation, 0.3, false),
             new("d", CoordMetric.Activation, 0.2, true)]);
        Assert.Equal(["matches", "flat", "differs", "no prediction"], verdicts.Select(v => v.Verdict)); // d: an init prediction, measured at step 3
    }

    // A real coordinate check (Adam, 3 steps, random 784-dim inputs): under each parametrization every activation and
    // weight curve at init agrees with its prediction within ±0.1, the spectral input layer's rising activation "matches",
    // and SP's hidden and output updates grow like fan-in as predicted.
    [Theory]
    [InlineData(ParametrizationKind.Standard)]
    [InlineData(ParametrizationKind.Mup)]
    [InlineData(ParametrizationKind.Spectral)]
    public void CoordCheckAgreesWithPrediction(ParametrizationKind kind)
    {
        int[] widths = [64, 128, 256, 512];
        const float lr = 1e-3f;
        var build = Builder(kind, OptimizerFamily.Adam, 64);
        var stats = CoordCheck.Run(widths, [1, 2], 3, (width, seed) =>
        {
            var model = Builder(kind, OptimizerFamily.Adam, 64, seed)(width);
            var rng = new Rng(seed + 7);
            var probe = Tensor.Randn(new Rng(99), 1f, 16, Inputs);
            Tensor NextLoss()
            {
                var x = Tensor.Randn(rng, 1f, 32, Inputs);
                return model.Loss(x, Enumerable.Range(0, 32).Select(i => i % Classes).ToArray());
            }
            return new CoordSubject(model, new AdamW(model.Parameters()), lr, NextLoss, taps => model.Forward(probe, taps));
        });
        var measured = CoordCheck.Fit(stats).Where(s => s.Step is 0 or 3).ToList();
        var verdicts = CoordPredictions.Compare(measured, CoordPredictions.Mlp(kind, OptimizerFamily.Adam, build, widths));
        foreach (var v in verdicts) output.WriteLine($"{kind} {v.Module} {v.Metric}: measured {v.Measured:+0.00;-0.00}, predicted {v.Predicted:+0.00;-0.00} → {v.Verdict}");
        var atInit = verdicts.Where(v => v.Step == 0 && v.Metric is CoordMetric.Activation or CoordMetric.Weight).ToList();
        Assert.Equal(6, atInit.Count);
        Assert.All(atInit, v => Assert.True(v.Agrees, $"{v.Module} {v.Metric}: {v.Measured} vs {v.Predicted}"));
        if (kind == ParametrizationKind.Spectral)
            Assert.Equal("matches", verdicts.Single(v => v.Step == 0 && v.Module == "layer0" && v.Metric == CoordMetric.Activation).Verdict);
        if (kind == ParametrizationKind.Standard)
            Assert.All(verdicts.Where(v => v.Step == 3 && v.Module is "layer1.weight" or "layer2.weight" && v.Metric == CoordMetric.Update),
                v => Assert.Equal("matches", v.Verdict));
    }
}
