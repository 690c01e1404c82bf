using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>theory §7.2 noise-scale estimators on planted g and Σ = diag σ² (theory §7 test idea 5).</summary>
public class NoiseScaleTests(ITestOutputHelper output)
{
    private const int N = 64;
    private static readonly QuadraticProblem P = QuadraticProblem.Planted(N, new Rng(31), eigenMin: 1, eigenMax: 10, noiseStd: 1);

    // Mean of `batch` per-example gradients g + σ∘z: g + (σ/√batch)∘z.
    private static float[] BatchGradient(Rng rng, double batch)
    {
        var v = new float[N];
        for (int i = 0; i < N; i++) v[i] = (float)(P.G[i] + P.Sigma[i] / Math.Sqrt(batch) * rng.NextNormal());
        return v;
    }

    private static double NormSq(float[] v) => v.Sum(x => (double)x * x);

    private static float[] Hvp(float[] v)
    {
        var r = new float[N];
        for (int i = 0; i < N; i++)
        {
            double s = 0;
            for (int j = 0; j < N; j++) s += P.HessianEntry(i, j) * v[j];
            r[i] = (float)s;
        }
        return r;
    }

    private void Check(string what, double measured, double planted, double tolerance)
    {
        output.WriteLine($"{what}: estimate {measured:G5}, planted {planted:G5}, ratio {measured / planted:F4}");
        Assert.True(Math.Abs(measured / planted - 1) < tolerance, $"{what}: {measured:G5} vs planted {planted:G5}");
    }

    [Fact]
    public void TwoBatchAndMicroBatchesRecoverGradientAndNoise()
    {
        var rng = new Rng(1);
        const int draws = 2000;
        double g2 = 0, tr = 0, g2Micro = 0, trMicro = 0;
        for (int d = 0; d < draws; d++)
        {
            var e = NoiseScale.TwoBatch(NormSq(BatchGradient(rng, 4)), 4, NormSq(BatchGradient(rng, 64)), 64);
            g2 += e.GradNormSq / draws; tr += e.TraceSigma / draws;
            var micro = Enumerable.Range(0, 8).Select(_ => BatchGradient(rng, 4)).ToList();
            var m = NoiseScale.FromMicroBatches(micro, microBatch: 4);
            g2Micro += m.GradNormSq / draws; trMicro += m.TraceSigma / draws;
        }
        // Both are unbiased; over 2000 draws the relative SE is ≤ 1.5% (tr Σ) and ≤ 0.5% (|G|²), so 10% is > 6 SE.
        Check("two-batch |G|²", g2, P.GradNormSq, 0.10);
        Check("two-batch tr Σ", tr, P.TraceSigma, 0.10);
        Check("micro-batch |G|²", g2Micro, P.GradNormSq, 0.10);
        Check("micro-batch tr Σ", trMicro, P.TraceSigma, 0.10);
        Check("two-batch B_simple (ratio of means)", new NoiseEstimate(g2, tr).BSimple, P.BSimple, 0.10);
    }

    [Fact]
    public void HessianWeightedEstimateRecoversBNoise()
    {
        var rng = new Rng(2);
        const int draws = 300, k = 32, micro = 4;
        double ghg = 0, trSH = 0, single = 0;
        for (int d = 0; d < draws; d++)
        {
            var grads = Enumerable.Range(0, k).Select(_ => BatchGradient(rng, micro)).ToList();
            var e = NoiseScale.HessianWeighted(grads, micro, Hvp);
            ghg += e.GHG / draws; trSH += e.TraceSigmaH / draws;
            single += NoiseScale.BNoise(grads, micro, Hvp) / draws;
        }
        // Components are unbiased (relative SE < 1% over 300 draws); a single call's ratio with k = 32 has a small
        // O(1/k) bias, still far inside 10%.
        Check("gᵀHg", ghg, P.GHG, 0.10);
        Check("tr(ΣH)", trSH, P.TraceSigmaH, 0.10);
        Check("B_noise from averaged components", new HessianNoiseEstimate(ghg, trSH).BNoise, P.BNoise, 0.10);
        Check("mean of single-call B_noise", single, P.BNoise, 0.10);
    }

    [Fact]
    public void MonitorConvergesToPlantedBSimple()
    {
        var rng = new Rng(3);
        var monitor = new NoiseScaleMonitor(decay: 0.995);
        var first = NoiseScale.TwoBatch(NormSq(BatchGradient(rng, 4)), 4, NormSq(BatchGradient(rng, 64)), 64);
        monitor.Add(first);
        // Bias correction: the first average is the first estimate itself, not (1 − decay) times it.
        Assert.Equal(first.GradNormSq, monitor.GradNormSq, 1e-9 * Math.Abs(first.GradNormSq));
        Assert.Equal(first.TraceSigma, monitor.TraceSigma, 1e-9 * Math.Abs(first.TraceSigma));
        for (int t = 1; t < 2000; t++)
            monitor.Add(NoiseScale.TwoBatch(NormSq(BatchGradient(rng, 4)), 4, NormSq(BatchGradient(rng, 64)), 64));
        Assert.Equal(2000, monitor.Count);
        // A single tr Σ estimate has ~50% noise; the EMA's window (1+d)/(1−d) ≈ 400 cuts it to ~2.5%, so 10% is ~4 SE.
        Check("monitor B_simple", monitor.BSimple, P.BSimple, 0.10);
        Assert.True(double.IsNaN(new NoiseScaleMonitor().BSimple));
    }

    [Fact]
    public void BadInputsThrow()
    {
        var a = new float[3];
        Assert.Contains("big batch", Assert.Throws<ArgumentException>(() => NoiseScale.TwoBatch(1, 8, 1, 4)).Message);
        Assert.Contains("batch size must be positive", Assert.Throws<ArgumentException>(() => NoiseScale.TwoBatch(1, -1, 1, 4)).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => NoiseScale.FromMicroBatches([a], 4)).Message);
        Assert.Contains("mismatched lengths", Assert.Throws<ArgumentException>(() => NoiseScale.FromMicroBatches([a, new float[4]], 4)).Message);
        Assert.Contains("micro-batch size", Assert.Throws<ArgumentException>(() => NoiseScale.FromMicroBatches([a, a], 0)).Message);
        Assert.Contains("Hessian-vector", Assert.Throws<ArgumentException>(() => NoiseScale.BNoise([a, a], 1, _ => new float[2])).Message);
        Assert.Contains("decay", Assert.Throws<ArgumentException>(() => new NoiseScaleMonitor(1.0)).Message);
    }
}
