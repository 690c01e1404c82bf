using MuSharp.Kernels;
using MuSharp.Spectral;
using Xunit.Abstractions;
using static MuSharp.Tests.Spectral.SpectralTestMatrices;

namespace MuSharp.Tests.Spectral;

public class SpectralOpsTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(64, 48)]
    [InlineData(30, 90)]
    public void PowerIterationConvergesToSigmaMax(int rows, int cols)
    {
        var w = Gaussian(rows, cols, 12345);
        double expected = SingularValues(w, rows, cols)[0];
        var (u, v) = (new float[rows], new float[cols]);
        float sigma = PowerIteration.TopSingularTriple(w, rows, cols, 2000, 1e-9, u, v);
        Assert.True(Math.Abs(sigma - expected) <= 1e-4 * expected, $"power iteration {sigma} vs SVD {expected}");
        // W·v₁ = σ₁·u₁ and ‖u₁‖ = ‖v₁‖ = 1.
        var wv = MatMul(ToDouble(w), ToDouble(v), rows, cols, 1);
        for (int i = 0; i < rows; i++) Assert.True(Math.Abs(wv[i] - sigma * u[i]) < 1e-3 * sigma, $"(W·v)[{i}] = {wv[i]}, σ·u = {sigma * u[i]}");
        Assert.Equal(1.0, Math.Sqrt(v.Sum(x => (double)x * x)), 5);
    }

    [Fact]
    public void WarmStartConvergesInAFewIterations()
    {
        const int R = 50, C = 40;
        var w = Gaussian(R, C, 7);
        double expected = SingularValues(w, R, C)[0];
        var (u, v) = (new float[R], new float[C]);
        PowerIteration.TopSingularTriple(w, R, C, 2000, 1e-9, u, v);
        // A small perturbation barely moves v₁: three rounds from the old v₁ suffice, three from scratch do not.
        var w2 = w.Select((x, i) => x + 1e-3f * MathF.Sin(i)).ToArray();
        double expected2 = SingularValues(w2, R, C)[0];
        float warm = PowerIteration.TopSingularTriple(w2, R, C, 3, 0, u, v);
        float cold = PowerIteration.TopSingularTriple(w2, R, C, 3, 0, new float[R], new float[C]);
        output.WriteLine($"σ₁ = {expected2:F6}: warm 3 its {warm:F6}, cold 3 its {cold:F6} (before perturbation {expected:F6})");
        Assert.True(Math.Abs(warm - expected2) < 1e-4 * expected2, $"warm {warm} vs {expected2}");
        Assert.True(Math.Abs(cold - expected2) > Math.Abs(warm - expected2), "warm start should beat a cold start");
    }

    [Fact]
    public void NormsAndEntropyMatchTheOracle()
    {
        const int R = 20, C = 12;
        var w = Gaussian(R, C, 3);
        var s = SingularValues(w, R, C);
        Assert.Equal(s[0], SpectralOps.SpectralNorm(w, R, C), 4);
        Assert.Equal(s.Sum(), SpectralOps.NuclearNorm(w, R, C), 3);
        // §5.1 entropy from the oracle's σ.
        double total = s.Sum(x => x * x);
        double h = -s.Select(x => x * x / total).Sum(p => p * Math.Log(p)) / Math.Log(s.Length);
        Assert.Equal(h, SpectralOps.SingularValueEntropy(w, R, C), 5);
        // Flat spectrum ⇒ H = 1; rank one ⇒ H = 0.
        var identity = new float[C * C];
        for (int i = 0; i < C; i++) identity[i * C + i] = 1;
        Assert.Equal(1.0, SpectralOps.SingularValueEntropy(identity, C, C), 6);
        var rankOne = MatMul(ToDouble(Gaussian(R, 1, 4)), ToDouble(Gaussian(1, C, 5)), R, 1, C).Select(x => (float)x).ToArray();
        Assert.True(SpectralOps.SingularValueEntropy(rankOne, R, C) < 1e-3);
    }

    [Fact]
    public void SpectralNormalizeHasUnitSpectralNorm()
    {
        var w = Gaussian(24, 16, 9);
        var sn = new float[w.Length];
        float sigma = SpectralOps.SpectralNormalize(w, 24, 16, sn);
        Assert.Equal(SingularValues(w, 24, 16)[0], sigma, 4);
        Assert.Equal(1.0, SingularValues(sn, 24, 16)[0], 5);
    }

    [Theory]
    [InlineData(24, 16, 5f)]
    [InlineData(16, 24, 5f)]
    [InlineData(24, 16, 1f)]
    public void MClipMatchesTheSvdOracle(int rows, int cols, float tau)
    {
        // σ of a 24×16 Gaussian span roughly [1, 9], so τ = 5 clips about half of them (§4.4).
        var w = Gaussian(rows, cols, 21);
        var expected = SpectralMap(w, rows, cols, s => Math.Min(s, tau));
        var clipped = new float[w.Length];
        if (tau == 1f) SpectralOps.Svc(w, rows, cols, clipped);
        else SpectralOps.MClip(w, rows, cols, tau, clipped);
        Assert.True(RelativeError(clipped, expected) < 1e-5, $"SVD mclip error {RelativeError(clipped, expected)}");
        SpectralOps.MClipTwoMsign(w, rows, cols, tau, clipped);
        double twoMsign = RelativeError(clipped, expected);
        SpectralOps.MClipTwoMsign(w, rows, cols, tau, NsSchedule.PolarExpress(8), 8, clipped);
        double twoMsignNs = RelativeError(clipped, expected);
        output.WriteLine($"[{rows}, {cols}] τ={tau}: two-msign (exact msign) {twoMsign:E2}, two-msign (PE-8) {twoMsignNs:E2}");
        Assert.True(twoMsign < 1e-5, $"two-msign with exact msign: {twoMsign}");
        Assert.True(twoMsignNs < 5e-2, $"two-msign with Polar Express: {twoMsignNs}");
        Assert.True(SingularValues(w, rows, cols)[0] > tau, "the test must actually clip something");
    }

    [Fact]
    public void MClipIsTheNearestMatrixWithBoundedSpectralNorm()
    {
        // §4.4: mclip is the projection onto {‖·‖₂ ≤ τ}. Compare ‖W − P‖_F with random feasible Q: radial
        // rescalings of random matrices and feasible perturbations of P itself.
        const int R = 6, C = 5;
        const float Tau = 1.5f;
        var w = Gaussian(R, C, 31);
        var p = new float[w.Length];
        SpectralOps.MClip(w, R, C, Tau, p);
        Assert.True(SingularValues(p, R, C)[0] <= Tau * (1 + 1e-5));
        double best = Distance(w, p);
        var rng = new Rng(77);
        var q = new float[w.Length];
        var e = new float[w.Length];
        for (int trial = 0; trial < 400; trial++)
        {
            rng.FillNormal(e, 0f, trial < 200 ? 1f : 0.05f);
            for (int i = 0; i < q.Length; i++) q[i] = trial < 200 ? e[i] : p[i] + e[i];
            double norm = SingularValues(q, R, C)[0];
            if (norm > Tau) for (int i = 0; i < q.Length; i++) q[i] *= (float)(Tau / norm);
            Assert.True(best <= Distance(w, q) + 1e-5, $"trial {trial}: feasible Q is closer ({Distance(w, q)}) than mclip ({best})");
        }
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
