using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Spectral;
using Xunit.Abstractions;

namespace MuSharp.Tests.Optim;

// NorMuon, cautious weight decay, NS pre-scalings and Gram Newton–Schulz, each against a double-precision reference
// written here from its paper or reference code (theory §12.1, §12.3, §12.4–12.5), over 20 steps.
public class MuonVariantsTests(ITestOutputHelper output)
{
    private const int Steps = 20;

    // ---- references, double precision ----

    private static double[] Gemm(double[] a, double[] b, int m, int k, int n, bool transB = false)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = s;
            }
        return c;
    }

    private static double[] Transpose(double[] a, int rows, int cols)
    {
        var t = new double[a.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    private static double Frobenius(double[] a) => Math.Sqrt(a.Sum(x => x * x));

    private static double SpectralNorm(double[] a, int rows, int cols)
    {
        int k = Math.Min(rows, cols);
        var s = new double[k];
        Lapack.JacobiSvd(a, rows, cols, new double[rows * k], s, new double[k * cols]);
        return s[0];
    }

    // optax.contrib.muon's orthogonalization: orient wide (X [s, l]), pre-scale, then X ← aX + bAX + cA²X, A = XXᵀ.
    private static double[] NsReference(double[] m, int rows, int cols, NsSchedule schedule, int steps, NsPrescaling pre)
    {
        const double eps = NsVariants.Epsilon;
        bool wide = rows <= cols;
        int s = Math.Min(rows, cols), l = Math.Max(rows, cols);
        var x = wide ? (double[])m.Clone() : Transpose(m, rows, cols);
        var a0 = Gemm(x, x, s, l, s, transB: true);
        switch (pre)
        {
            case NsPrescaling.Frobenius: Scale(x, 1 / (Frobenius(x) + eps)); break;
            case NsPrescaling.Spectral: Scale(x, 1 / (SpectralNorm(x, s, l) + eps)); break;
            case NsPrescaling.Schatten: Scale(x, 1 / Math.Sqrt(Math.Max(Frobenius(a0), eps))); break;
            case NsPrescaling.Aol:
                for (int i = 0; i < s; i++)
                {
                    double rowSum = 0;
                    for (int j = 0; j < s; j++) rowSum += Math.Abs(a0[i * s + j]);
                    double d = 1 / Math.Sqrt(Math.Max(rowSum, eps));
                    for (int j = 0; j < l; j++) x[i * l + j] *= d;
                }
                break;
        }
        for (int t = 0; t < steps; t++)
        {
            var (ca, cb, cc) = schedule[t];
            var a = Gemm(x, x, s, l, s, transB: true);
            var ax = Gemm(a, x, s, s, l);
            var aax = Gemm(a, ax, s, s, l);
            for (int i = 0; i < x.Length; i++) x[i] = ca * x[i] + cb * ax[i] + cc * aax[i];
        }
        return wide ? x : Transpose(x, s, l);
    }

    private static void Scale(double[] x, double c)
    {
        for (int i = 0; i < x.Length; i++) x[i] *= c;
    }

    private static double[] ExactMsignReference(double[] m, int rows, int cols)
    {
        int k = Math.Min(rows, cols);
        double[] u = new double[rows * k], s = new double[k], vt = new double[k * cols];
        Lapack.JacobiSvd(m, rows, cols, u, s, vt);
        return Gemm(u, vt, rows, k, cols);
    }

    private static double[] D(ReadOnlySpan<float> x) => x.ToArray().Select(v => (double)v).ToArray();

    private static float[] Gaussian(int n, ulong seed, float std = 1f)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, 0f, std);
        return x;
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, double[] b)
    {
        double worst = 0;
        for (int i = 0; i < b.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    // ---- pre-scalings and Gram NS: one call ----

    [Theory]
    [InlineData(NsPrescaling.Frobenius, false, 12, 20)]
    [InlineData(NsPrescaling.Frobenius, true, 12, 20)]
    [InlineData(NsPrescaling.Frobenius, true, 40, 8)]
    [InlineData(NsPrescaling.Spectral, false, 20, 12)]
    [InlineData(NsPrescaling.Aol, false, 12, 20)]
    [InlineData(NsPrescaling.Aol, false, 30, 10)]
    [InlineData(NsPrescaling.Aol, true, 10, 30)]
    [InlineData(NsPrescaling.Schatten, true, 16, 24)]
    public void NewtonSchulzVariantMatchesReference(NsPrescaling pre, bool gram, int rows, int cols)
    {
        var m = Gaussian(rows * cols, 11);
        var dst = new float[m.Length];
        NsVariants.NewtonSchulz(m, rows, cols, NsSchedule.KellerJordan, 5, pre, gram, dst);
        var reference = NsReference(D(m), rows, cols, NsSchedule.KellerJordan, 5, pre);
        double err = MaxAbsDiff(dst, reference), scale = reference.Max(Math.Abs);
        output.WriteLine($"{pre} gram={gram} [{rows}, {cols}]: max |lib − ref| = {err:E2} (max |O| {scale:F3})");
        Assert.True(err <= 2e-5 * scale, $"error {err}");
    }

    // The classic path equals Msign.NewtonSchulz (same float algorithm up to GEMM order) and the Gram path equals the standard one.
    [Fact]
    public void FrobeniusAndGramAgreeWithMsign()
    {
        const int rows = 16, cols = 48;
        var m = Gaussian(rows * cols, 3);
        float[] classic = new float[m.Length], plain = new float[m.Length], gram = new float[m.Length], gramNoRestart = new float[m.Length];
        Msign.NewtonSchulz(m, rows, cols, NsSchedule.PolarExpress(8), 8, classic);
        NsVariants.NewtonSchulz(m, rows, cols, NsSchedule.PolarExpress(8), 8, NsPrescaling.Frobenius, false, plain);
        NsVariants.NewtonSchulz(m, rows, cols, NsSchedule.PolarExpress(8), 8, NsPrescaling.Frobenius, true, gram);
        NsVariants.NewtonSchulz(m, rows, cols, NsSchedule.PolarExpress(8), 8, NsPrescaling.Frobenius, true, gramNoRestart, restarts: []);
        double e1 = MaxAbsDiff(plain, D(classic)), e2 = MaxAbsDiff(gram, D(plain)), e3 = MaxAbsDiff(gramNoRestart, D(plain));
        output.WriteLine($"plain vs Msign {e1:E2}, gram vs plain {e2:E2}, gram without restart vs plain {e3:E2}");
        Assert.True(e1 < 1e-5 && e2 < 1e-5 && e3 < 1e-4);
        // Polar Express with 8 steps is converged: the Gram result is orthogonal to float rounding.
        var exact = ExactMsignReference(D(m), rows, cols);
        Assert.True(MaxAbsDiff(gram, exact) < 1e-3);
    }

    // theory §12.4's numbers on M (3×4): one identity step (a, b, c) = (1, 0, 0) returns the pre-scaled matrix itself.
    [Fact]
    public void PrescalingsGiveAddendumNumbers()
    {
        float[] m = [1, 2, 0, -1, 0.5f, -1, 3, 0, 2, 0, 1, 1];
        var identity = new NsSchedule("identity", [new(1, 0, 0)], 1);
        float[] Pre(NsPrescaling p)
        {
            var dst = new float[12];
            NsVariants.NewtonSchulz(m, 3, 4, identity, 1, p, false, dst);
            return dst;
        }
        Assert.Equal(1 / (4.716991 + 1e-7), Pre(NsPrescaling.Frobenius)[0], 2e-6);
        Assert.Equal(1.0, Lapack.SingularValues(Pre(NsPrescaling.Spectral), 3, 4)[0], 2e-6);
        Assert.Equal(0.931751, Lapack.SingularValues(Pre(NsPrescaling.Schatten), 3, 4)[0], 2e-6);
        var aol = Pre(NsPrescaling.Aol);
        double[] s = [0.342997, 0.251976, 0.301511];               // (row sums of |MMᵀ| = 8.5, 15.75, 11)^(−1/2)
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(s[i] * m[i * 4 + j], aol[i * 4 + j], 2e-6);
        Assert.Equal(0.955511, Lapack.SingularValues(aol, 3, 4)[0], 2e-6);
        // AOL targets msign(diag(s)M), which differs from msign(M) by 0.023883 (theory §12.4's pitfall).
        var pe = NsSchedule.PolarExpress(10);
        var viaAol = new float[12];
        NsVariants.NewtonSchulz(m, 3, 4, pe, 10, NsPrescaling.Aol, false, viaAol);
        Assert.Equal(0.023883, MaxAbsDiff(viaAol, ExactMsignReference(D(m), 3, 4)), 2e-5);
    }

    // ---- Muon with the options, 20 steps ----

    public static TheoryData<NsPrescaling, bool, bool, int, int> MuonOptions => new()
    {
        { NsPrescaling.Aol, false, false, 12, 20 },
        { NsPrescaling.Spectral, false, false, 20, 12 },
        { NsPrescaling.Frobenius, true, false, 8, 24 },
        { NsPrescaling.Aol, true, true, 24, 8 },
        { NsPrescaling.Frobenius, false, true, 12, 20 },
    };

    // Muon (Nesterov, M ← βM + G, KJ α) with each option against the reference loop; gradients are a fixed random
    // sequence so rounding differences never feed back through the loss.
    [Theory]
    [MemberData(nameof(MuonOptions))]
    public void MuonWithOptionMatchesReferenceOver20Steps(NsPrescaling pre, bool gram, bool cautious, int dIn, int dOut)
    {
        const float lr = 0.02f, beta = 0.95f, wd = 0.5f;
        var p = Parameter.Matrix("w", Role.Hidden, dIn, dOut, new Rng(5), 0.3f);
        var opt = new Muon([p], new MuonConfig { Prescaling = pre, GramNewtonSchulz = gram, CautiousWeightDecay = cautious, WeightDecay = wd });
        var w = D(p.Data);
        var mom = new double[w.Length];
        double alpha = Math.Sqrt(Math.Max(1.0, (double)dOut / dIn));
        for (int t = 0; t < Steps; t++)
        {
            p.Grad = Gaussian(p.Size, (ulong)(100 + t));
            var d = new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                mom[i] = beta * mom[i] + p.Grad[i];
                d[i] = beta * mom[i] + p.Grad[i];
            }
            var o = NsReference(d, dIn, dOut, NsSchedule.KellerJordan, 5, pre);
            for (int i = 0; i < w.Length; i++)
            {
                bool decay = !cautious || o[i] * w[i] >= 0;         // cautious: only where update and weight agree
                w[i] = w[i] - (decay ? lr * wd * w[i] : 0) - lr * alpha * o[i];
            }
            opt.Step(lr);
        }
        double err = MaxAbsDiff(p.Data, w);
        output.WriteLine($"Muon {pre} gram={gram} cautious={cautious} [{dIn}, {dOut}]: max |W_lib − W_ref| after {Steps} steps = {err:E2}");
        Assert.True(err < 5e-6, $"error {err}");
    }

    // ---- NorMuon ----

    // NorMuon's reference (zichongli5/NorMuon normuon.py, transposed to [d_in, d_out]) over 20 steps.
    [Theory]
    [InlineData(12, 20, false)]
    [InlineData(20, 12, true)]
    public void NorMuonMatchesReferenceOver20Steps(int dIn, int dOut, bool cautious)
    {
        const float lr = 0.02f, b1 = 0.95f, b2 = 0.95f, wd = 0.3f;
        var p = Parameter.Matrix("w", Role.Hidden, dIn, dOut, new Rng(6), 0.3f);
        var opt = new NorMuon([p], new NorMuonConfig { WeightDecay = wd, CautiousWeightDecay = cautious });
        var w = D(p.Data);
        var m = new double[w.Length];
        var v = new double[dOut];
        double alpha = Math.Sqrt(Math.Max(1.0, (double)dOut / dIn));
        for (int t = 0; t < Steps; t++)
        {
            var g = Gaussian(p.Size, (ulong)(200 + t));
            p.Grad = g;
            var u = new double[w.Length];
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];                   // momentum.lerp_(grad, 1 − β₁)
                u[i] = (1 - b1) * g[i] + b1 * m[i];                   // grad.lerp_(momentum, β₁)
            }
            var o = NsReference(u, dIn, dOut, NsSchedule.KellerJordan, 5, NsPrescaling.Frobenius);
            double frob = Frobenius(o);
            for (int j = 0; j < dOut; j++)                            // per output neuron: mean over d_in
            {
                double r = 0;
                for (int i = 0; i < dIn; i++) r += o[i * dOut + j] * o[i * dOut + j];
                v[j] = b2 * v[j] + (1 - b2) * r / dIn;
            }
            var n = new double[o.Length];
            for (int i = 0; i < dIn; i++)
                for (int j = 0; j < dOut; j++) n[i * dOut + j] = o[i * dOut + j] / (Math.Sqrt(v[j]) + 1e-10);
            Scale(n, frob / (Frobenius(n) + 1e-10));
            for (int i = 0; i < w.Length; i++)
            {
                bool decay = !cautious || n[i] * w[i] >= 0;
                w[i] = w[i] - (decay ? lr * wd * w[i] : 0) - lr * alpha * n[i];
            }
            opt.Step(lr);
        }
        double err = MaxAbsDiff(p.Data, w);
        output.WriteLine($"NorMuon [{dIn}, {dOut}] cautious={cautious}: max |W_lib − W_ref| after {Steps} steps = {err:E2}");
        Assert.True(err < 5e-6, $"error {err}");
    }

    // theory §12.1's numbers: after the normalization every column has L2 norm √(3/4), times KJ's 1.154701 = 1;
    // a second step gives the listed v and update.
    [Fact]
    public void NorMuonGivesAddendumNumbers()
    {
        float[] m1 = [1, 2, 0, -1, 0.5f, -1, 3, 0, 2, 0, 1, 1], m2 = [0, 1, 1, 0, 1, 0, -2, 1, 0, 1, 0, 2];
        var p = new Parameter("w", Role.Hidden, 3, 4, new float[12], [3, 4]);
        var opt = new NorMuon([p], new NorMuonConfig { Momentum = 0f, ExactMsign = true });
        p.Grad = m1;
        opt.Step(1f);
        for (int j = 0; j < 4; j++)
        {
            double norm = Math.Sqrt(Enumerable.Range(0, 3).Sum(i => (double)p.Data[i * 4 + j] * p.Data[i * 4 + j]));
            Assert.Equal(1.0, norm, 2e-6);
        }
        var before = (float[])p.Data.Clone();
        p.Grad = m2;
        opt.Step(1f);
        double[] v = [0.02089656, 0.02397455, 0.02772851, 0.02490038];
        for (int j = 0; j < 4; j++) Assert.Equal(v[j], opt.State["v:w"][j], 2e-8);
        double[] row0 = [0.391908, 0.830482, 0.362715, -0.212784];   // the normalized update's first row, before α
        double kj = Math.Sqrt(4.0 / 3);
        for (int j = 0; j < 4; j++) Assert.Equal(row0[j], (before[j] - p.Data[j]) / kj, 2e-6);
    }

    // ---- cautious weight decay ----

    [Fact]
    public void CautiousDecayGivesAddendumNumbers()
    {
        float[] p = [0.5f, -0.2f, 0.3f, 0f], u = [0.1f, 0.4f, -0.2f, 0.3f];
        const float lr = 0.01f, wd = 0.1f;
        CautiousWeightDecay.Apply(p, u, lr * wd);
        for (int i = 0; i < 4; i++) p[i] -= lr * u[i];
        double[] expected = [0.4985, -0.204, 0.302, -0.003];       // mask [1, 0, 0, 1]
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], p[i], 1e-7);
    }

    // AdamW with cautious decay (Chen et al. arXiv 2510.12402, their AdamW instance) over 20 steps.
    [Fact]
    public void CautiousAdamWMatchesReferenceOver20Steps()
    {
        const float lr = 0.01f, b1 = 0.9f, b2 = 0.95f, eps = 1e-8f, wd = 0.5f;
        var p = Parameter.Matrix("w", Role.Hidden, 10, 14, new Rng(8), 0.5f);
        var opt = new CautiousAdamW([p], b1, b2, eps, wd);
        var w = D(p.Data);
        double[] m = new double[w.Length], v = new double[w.Length];
        int masked = 0;
        for (int t = 1; t <= Steps; t++)
        {
            var g = Gaussian(p.Size, (ulong)(300 + t));
            for (int i = 0; i < g.Length; i++) g[i] += 0.3f;          // a mean, so signs of u and θ disagree often but not always
            p.Grad = g;
            for (int i = 0; i < w.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double u = m[i] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
                bool decay = u * w[i] >= 0;
                if (!decay) masked++;
                w[i] = w[i] - lr * (u + (decay ? wd * w[i] : 0));
            }
            opt.Step(lr);
        }
        double err = MaxAbsDiff(p.Data, w);
        output.WriteLine($"cautious AdamW: max |W_lib − W_ref| after {Steps} steps = {err:E2}; {masked} decays skipped");
        Assert.True(masked > 0 && masked < Steps * w.Length);
        Assert.True(err < 1e-5, $"error {err}");
    }
}
