using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Spectral;
using Xunit.Abstractions;

namespace MuSharp.Tests.Optim;

public class NormalizedUpdateTests(ITestOutputHelper output)
{
    private const int DIn = 16, DOut = 32;

    private static Parameter Weight(float std, Role role = Role.Hidden) =>
        Parameter.Matrix("w", role, DIn, DOut, new Rng(4), std);

    private static void SetGrad(Parameter p, ulong seed, float std = 1f)
    {
        p.Grad = new float[p.Size];
        new Rng(seed).FillNormal(p.Grad, 0f, std);
    }

    private static double[] UpdateSingularValues(float[] before, float[] after)
    {
        var delta = before.Zip(after, (b, a) => b - a).ToArray();
        return Lapack.SingularValues(delta, DIn, DOut).Select(s => (double)s).ToArray();
    }

    // (h) msign∘AdamW ("Mudamw") with exact msign: every singular value of ΔW is η·sqrt(d_out/d_in) (theory §3.2).
    [Fact]
    public void MsignOfAdamWHasFlatSpectrum()
    {
        var p = Weight(0f); // W = 0: ΔW = −W exactly
        SetGrad(p, 1);
        const float lr = 0.01f;
        new NormalizedUpdate(new AdamW([p]), exactMsign: true).Step(lr);
        double target = lr * Math.Sqrt((double)DOut / DIn);
        var sigma = UpdateSingularValues(new float[p.Size], p.Data);
        double worst = sigma.Max(s => Math.Abs(s / target - 1));
        output.WriteLine($"msign∘AdamW: σ(ΔW)/(η·sqrt(d_out/d_in)) − 1 up to {worst:E2}");
        Assert.Equal(Math.Min(DIn, DOut), sigma.Length);
        Assert.True(worst < 1e-4, $"relative spread {worst}");
    }

    // Φ is read off the base exactly and the base's moments carry across steps: compare with AdamW.Update + Msign.Exact.
    [Fact]
    public void MsignOfAdamWMatchesReferenceOverSteps()
    {
        var p = Weight(0.5f);
        var w = (float[])p.Data.Clone();
        float[] m = new float[p.Size], v = new float[p.Size], phi = new float[p.Size], o = new float[p.Size];
        const float lr = 0.02f, wd = 0.1f;
        var opt = new NormalizedUpdate(new AdamW([p], 0.9f, 0.95f), weightDecay: wd, exactMsign: true);
        double alpha = Math.Sqrt((double)DOut / DIn);
        for (int t = 1; t <= 3; t++)
        {
            SetGrad(p, (ulong)(10 + t));
            Array.Clear(phi);
            AdamW.Update(phi, p.Grad, m, v, 1f, 0.9f, 0.95f, 1e-8f, 0f, t); // phi = −Φ
            Msign.Exact(phi, DIn, DOut, o);                                  // msign(−Φ) = −msign(Φ)
            for (int i = 0; i < w.Length; i++) w[i] = (float)(w[i] - lr * wd * w[i] + lr * alpha * o[i]);
            opt.Step(lr);
        }
        for (int i = 0; i < w.Length; i++) Assert.Equal(w[i], p.Data[i], 1e-5);
        Assert.Equal(3, opt.Base.StepCount);
    }

    // (h) SVC: singular values ≤ η·sqrt(d_out/d_in); a small Φ passes through unchanged (σ < 1), a large one is clipped.
    [Theory]
    [InlineData(0.01f)]
    [InlineData(1f)]
    public void SvcClipsSingularValues(float gradStd)
    {
        var p = Weight(0f);
        SetGrad(p, 2, gradStd);
        const float lr = 0.05f;
        new NormalizedUpdate(new Sgd([p]), UpdateNormalization.Svc).Step(lr);
        double target = lr * Math.Sqrt((double)DOut / DIn);
        var sigma = UpdateSingularValues(new float[p.Size], p.Data);
        var phiSigma = Lapack.SingularValues(p.Grad, DIn, DOut);
        output.WriteLine($"SVC, grad std {gradStd}: σ(ΔW)/target in [{sigma.Min() / target:F4}, {sigma.Max() / target:F4}]");
        for (int i = 0; i < sigma.Length; i++)
        {
            Assert.True(sigma[i] <= target * (1 + 1e-5), $"σ {sigma[i]} > {target}");
            Assert.Equal(Math.Min(phiSigma[i], 1.0) * target, sigma[i], target * 1e-4);
        }
    }

    // SN: top singular value η·sqrt(d_out/d_in), the spectrum's shape kept.
    [Fact]
    public void SpectralNormKeepsShape()
    {
        var p = Weight(0f);
        SetGrad(p, 3);
        const float lr = 0.05f;
        new NormalizedUpdate(new Sgd([p]), UpdateNormalization.SpectralNorm).Step(lr);
        double target = lr * Math.Sqrt((double)DOut / DIn);
        var sigma = UpdateSingularValues(new float[p.Size], p.Data);
        var phiSigma = Lapack.SingularValues(p.Grad, DIn, DOut);
        for (int i = 0; i < sigma.Length; i++) Assert.Equal(phiSigma[i] / phiSigma[0] * target, sigma[i], target * 1e-4);
    }

    // Newton–Schulz msign (default): singular values in KJ's band around η·α (theory §5.4).
    [Fact]
    public void NewtonSchulzMsignInBand()
    {
        var p = Weight(0f);
        SetGrad(p, 4);
        const float lr = 0.05f;
        new NormalizedUpdate(new Lion([p])).Step(lr);
        double target = lr * Math.Sqrt((double)DOut / DIn);
        Assert.All(UpdateSingularValues(new float[p.Size], p.Data), s => Assert.InRange(s / target, 0.68, 1.14));
    }

    [Theory]
    [InlineData(Role.Embedding)]
    [InlineData(Role.Output)]
    public void WrongRoleThrowsUnlessAllowed(Role role)
    {
        var p = Weight(1f, role);
        var e = Assert.Throws<ArgumentException>(() => new NormalizedUpdate(new AdamW([p])));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("AdamW", e.Message);
        SetGrad(p, 5);
        var before = (float[])p.Data.Clone();
        new NormalizedUpdate(new AdamW([p]), allowAnyRole: true).Step(0.01f);
        Assert.NotEqual(before, p.Data);
    }
}
