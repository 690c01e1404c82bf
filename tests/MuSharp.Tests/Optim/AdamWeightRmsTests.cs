using MuSharp.BatchScaling;
using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Optim;
using Xunit.Abstractions;

namespace MuSharp.Tests.Optim;

// AdamW weight RMS (theory §6, S11307): steady state sqrt(η/2λ) and its approach, against a simulation of the library's AdamW.
public class AdamWeightRmsTests(ITestOutputHelper output)
{
    [Fact]
    public void ClosedFormLimits()
    {
        Assert.Equal(Math.Sqrt(0.005), AdamWeightRms.SteadyState(1e-3, 0.1), 15);
        Assert.Equal(0.1, AdamWeightRms.Predicted(0.1, 1e-3, 0.1, 0), 15);
        Assert.Equal(AdamWeightRms.SteadyState(1e-3, 0.1), AdamWeightRms.Predicted(0.1, 1e-3, 0.1, 1e7), 12);
        Assert.Equal(Math.Sqrt(0.01 + 1e-6 * 500), AdamWeightRms.Predicted(0.1, 1e-3, 0, 500), 15); // λ = 0: r₀² + η²t
        // The recurrence reproduces the closed form step by step (both are the same law).
        double r2 = 0.01;
        for (int t = 1; t <= 20000; t++) r2 = AdamWeightRms.StepSquared(r2, 1e-3, 0.1);
        Assert.Equal(AdamWeightRms.Predicted(0.1, 1e-3, 0.1, 20000), Math.Sqrt(r2), 1e-3 * Math.Sqrt(r2));
    }

    // The post's experiment: N = 2000, T = 10⁵, η = 1e-3, λ = 0.1, β = (0.9, 0.95), θ₀ ~ 0.1·N(0, 1), g ~ N(0, 1).
    // The approach is checked at t = 1/(ηλ) = 10⁴ (e^{-2} of the initial energy left) and the end state at 10⁵.
    [Fact]
    public void SimulationMatchesLawWithin5Percent()
    {
        long[] at = [2_000, 10_000, 100_000];
        var rms = AdamWeightRms.Simulate(2000, 100_000, 1e-3f, 0.1f, 0.9f, 0.95f, 0.1f, new Rng(12345), at);
        for (int i = 0; i < at.Length; i++)
        {
            double predicted = AdamWeightRms.Predicted(0.1, 1e-3, 0.1, at[i]);
            output.WriteLine($"t = {at[i]}: simulated {rms[i]:F4}, law {predicted:F4} ({rms[i] / predicted - 1:+0.0%;-0.0%})");
            Assert.InRange(rms[i] / predicted, 0.95, 1.05);
        }
        // The "quick" estimate sqrt((1−β₁)/(1+β₁)·η/2λ) = 0.0162 that ignores momentum correlation is far off (the post's point).
        Assert.True(rms[^1] > 3 * Math.Sqrt(0.1 / 1.9 * 1e-3 / 0.2));
    }

    // UpdateMonitor's predicted column follows the law per matrix, with μP-style LrScale applied as the optimizer applies it.
    [Fact]
    public void MonitorPredictsWeightRmsPerMatrix()
    {
        var a = Parameter.Matrix("a", Role.Hidden, 48, 48, new Rng(1), 0.2f);
        var b = Parameter.Matrix("b", Role.Hidden, 32, 64, new Rng(2), 0.01f);
        b.LrScale = 0.5f;
        var opt = new AdamW([a, b], 0.9f, 0.95f, 1e-8f, weightDecay: 0.5f);
        var monitor = new UpdateMonitor();
        var rng = new Rng(3);
        const float lr = 0.01f;
        IReadOnlyList<ParameterStats> stats = [];
        for (int t = 0; t < 1500; t++)
        {
            foreach (var p in new[] { a, b }) { p.Grad = new float[p.Size]; rng.FillNormal(p.Grad, 0f, 1f); }
            monitor.AdvanceWeightRmsLaw([a, b], lr, 0.5f);
            monitor.Capture([a, b]);
            opt.Step(lr);
            if (t == 149 || t == 1499)
            {
                stats = monitor.Measure();
                foreach (var s in stats)
                {
                    output.WriteLine($"step {t + 1} {s.Name}: measured {s.WeightRms:F4}, predicted {s.PredictedWeightRms:F4}");
                    Assert.InRange(s.WeightRms / s.PredictedWeightRms, 0.95, 1.05);
                }
            }
        }
        // a's steady state sqrt(η/2λ) = 0.1; b (η·0.5, λ/0.5) has the same η·λ but sqrt(η/2λ) = 0.05.
        Assert.Equal(0.1, stats[0].PredictedWeightRms, 0.005);
        Assert.Equal(0.05, stats[1].PredictedWeightRms, 0.0025);
    }
}
