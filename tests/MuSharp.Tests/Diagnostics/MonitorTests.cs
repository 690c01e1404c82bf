using MuSharp.Diagnostics;
using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Spectral;

namespace MuSharp.Tests.Diagnostics;

public sealed class MonitorTests
{
    // U·Vᵀ restricted to the first `rank` singular directions of a Gaussian [rows, cols]: `rank` singular values
    // equal to 1, the rest 0.
    private static float[] FlatSpectrum(int rows, int cols, int rank, ulong seed)
    {
        int k = Math.Min(rows, cols);
        var g = new float[rows * cols];
        new Rng(seed).FillNormal(g, 0f, 1f);
        var u = new float[rows * k];
        var s = new float[k];
        var vt = new float[k * cols];
        Lapack.Svd(g, rows, cols, u, s, vt);
        var w = new float[rows * cols];
        Gemm.Sgemm(false, false, rows, cols, rank, 1f, u, k, vt, cols, 0f, w, cols);
        return w;
    }

    private static Parameter Matrix(string name, int fanIn, int fanOut, float[] data) =>
        new(name, Role.Hidden, fanIn, fanOut, data, [fanIn, fanOut]);

    // One monitored "step": capture, overwrite the weights with `after`, measure.
    private static ParameterStats Step(UpdateMonitor monitor, Parameter p, float[] after)
    {
        monitor.Capture([p]);
        after.CopyTo(p.Data, 0);
        return Assert.Single(monitor.Measure());
    }

    [Theory]
    [InlineData(64, 32)]
    [InlineData(32, 64)]
    [InlineData(40, 40)]
    public void OrthogonalWeightHasScaledSpectralNormSqrtFanInOverFanOut(int fanIn, int fanOut)
    {
        var w = FlatSpectrum(fanIn, fanOut, Math.Min(fanIn, fanOut), 7);
        var p = Matrix("w", fanIn, fanOut, w);
        var stats = Step(new UpdateMonitor(entropy: true), p, w);
        Assert.Equal(Math.Sqrt((double)fanIn / fanOut), stats.SpectralNormScaled, 1e-4);   // §3.1 with ‖W‖₂ = 1
        Assert.Equal(1.0, stats.SingularValueEntropy, 1e-4);                               // §5.1: flat spectrum
        Assert.Equal(0.0, stats.UpdateRms);
        Assert.Equal(0.0, stats.UpdateSpectralNormScaled);
        Assert.Equal(Math.Sqrt(Math.Min(fanIn, fanOut) / ((double)fanIn * fanOut)), stats.WeightRms, 1e-6);
    }

    [Fact]
    public void RankOneUpdateFromZeroHasEntropyZeroAndItsExactNorm()
    {
        const int fanIn = 24, fanOut = 12;
        var a = new float[fanIn];
        var b = new float[fanOut];
        new Rng(3).FillNormal(a, 0f, 1f);
        new Rng(4).FillNormal(b, 0f, 1f);
        var after = new float[fanIn * fanOut];
        for (int i = 0; i < fanIn; i++)
            for (int j = 0; j < fanOut; j++) after[i * fanOut + j] = a[i] * b[j];
        var p = Matrix("w", fanIn, fanOut, new float[fanIn * fanOut]);
        var stats = Step(new UpdateMonitor(entropy: true), p, after);
        double sigma = Math.Sqrt(a.Sum(x => (double)x * x) * b.Sum(x => (double)x * x));   // ‖abᵀ‖₂ = ‖a‖‖b‖
        Assert.Equal(0.0, stats.SingularValueEntropy, 1e-6);
        Assert.Equal(sigma * Math.Sqrt(2.0), stats.UpdateSpectralNormScaled, 1e-4 * sigma);
        Assert.Equal(stats.SpectralNormScaled, stats.UpdateSpectralNormScaled, 1e-4 * sigma);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(16)]
    public void UniformSpectrumOfRankRHasNormalisedEntropyLogROverLogN(int rank)
    {
        // §5.1 normalises by log n (n = min(rows, cols)): r equal singular values give log r / log n, so 1 at full rank.
        const int rows = 16, cols = 20;
        var w = FlatSpectrum(rows, cols, rank, 11);
        var stats = Step(new UpdateMonitor(entropy: true), Matrix("w", rows, cols, w), w);
        Assert.Equal(Math.Log(rank) / Math.Log(16), stats.SingularValueEntropy, 1e-4);
    }

    [Fact]
    public void RmsColumnsMatchHandComputedValuesAndVectorsHaveNoSpectralColumns()
    {
        var w = Matrix("w", 2, 3, [1, 2, 3, 4, 5, 6]);
        var bias = Parameter.Vector("b", 4, 1f);
        var monitor = new UpdateMonitor();
        monitor.Capture([w, bias]);
        float[] delta = [1, -2, 2, 0, 0, 0];
        for (int i = 0; i < 6; i++) w.Data[i] += delta[i];
        bias.Data[0] = 3f;                                            // Δb = (2, 0, 0, 0)
        var stats = monitor.Measure();

        Assert.Equal(Math.Sqrt(9.0 / 6), stats[0].UpdateRms, 1e-12);  // (1 + 4 + 4)/6
        Assert.Equal(Math.Sqrt((4 + 0 + 25 + 16 + 25 + 36) / 6.0), stats[0].WeightRms, 1e-6);
        Assert.Equal(3.0 * Math.Sqrt(2.0 / 3), stats[0].UpdateSpectralNormScaled, 1e-5);   // ΔW rank 1, ‖ΔW‖₂ = 3
        Assert.True(stats[0].IsMatrix);
        Assert.True(double.IsNaN(stats[0].SingularValueEntropy));     // entropy off by default

        Assert.Equal(1.0, stats[1].UpdateRms, 1e-12);                 // sqrt(4/4)
        Assert.Equal(Math.Sqrt(12.0 / 4), stats[1].WeightRms, 1e-12); // (9 + 1 + 1 + 1)/4
        Assert.False(stats[1].IsMatrix);
        Assert.True(double.IsNaN(stats[1].SpectralNormScaled));
        Assert.True(double.IsNaN(stats[1].UpdateSpectralNormScaled));
        Assert.True(double.IsNaN(stats[1].SingularValueEntropy));
    }

    [Fact]
    public void WarmStartGivesTheSameSigmaAsColdStart()
    {
        const int rows = 48, cols = 32;
        var rng = new Rng(12345);
        var w = new float[rows * cols];
        rng.FillNormal(w, 0f, 1f);
        var p = Matrix("w", rows, cols, w);
        var warm = new UpdateMonitor();
        for (int step = 0; step < 6; step++)
        {
            var next = (float[])p.Data.Clone();
            var noise = new float[next.Length];
            rng.FillNormal(noise, 0f, 0.05f);
            for (int i = 0; i < next.Length; i++) next[i] += noise[i];
            var before = (float[])p.Data.Clone();
            var warmStats = Step(warm, p, next);

            var cold = new UpdateMonitor();
            before.CopyTo(p.Data, 0);
            var coldStats = Step(cold, p, next);

            double scale = Math.Sqrt((double)rows / cols);
            double exactW = SpectralOps.SpectralNorm(next, rows, cols) * scale;
            double exactDelta = SpectralOps.SpectralNorm(noise, rows, cols) * scale;
            Assert.Equal(coldStats.SpectralNormScaled, warmStats.SpectralNormScaled, 1e-4 * exactW);
            Assert.Equal(coldStats.UpdateSpectralNormScaled, warmStats.UpdateSpectralNormScaled, 1e-3 * exactDelta);
            Assert.Equal(exactW, warmStats.SpectralNormScaled, 1e-3 * exactW);
            Assert.Equal(exactDelta, warmStats.UpdateSpectralNormScaled, 1e-2 * exactDelta);
        }
    }

    [Fact]
    public void MeasureBeforeCaptureThrows() =>
        Assert.Throws<InvalidOperationException>(() => new UpdateMonitor().Measure());
}
