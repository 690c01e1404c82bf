using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Autodiff;

/// <summary>
/// bf16 mixed precision: the GEMMs of Ops.Linear and Ops.MatMul round their inputs to bf16, everything else is fp32.
/// Compared with the fp32 path at stated tolerances, and with an exact bf16 reference for one layer.
/// </summary>
public class MixedPrecisionTests
{
    [Fact]
    public void LinearGradientsAreBf16GemmsOfTheSameOperands()
    {
        // Y = α·X·W + b ⇒ dX = α·dY·Wᵀ, dW = α·Xᵀ·dY; in bf16 each GEMM sees bf16(X), bf16(W), bf16(dY).
        const int m = 19, k = 33, n = 21;
        const float alpha = 0.5f;
        var rng = new Rng(3);
        var x = Param(Tensor.Randn(rng, 1f, m, k));
        var w = Param(Tensor.Randn(rng, 1f, k, n));
        var b = Param(Tensor.Randn(rng, 1f, n));
        var dyData = Tensor.Randn(rng, 1f, m, n).Data;
        Tensor y;
        using (MixedPrecision.Use(Precision.Bf16)) y = Ops.Linear(x, w, b, alpha);
        // Backward outside the scope: the op must keep the precision of its forward.
        Ops.Sum(Ops.Mul(y, new Tensor(dyData, [m, n]))).Backward();

        var (xr, wr, dyr) = (Rounded(x.Data), Rounded(w.Data), Rounded(dyData));
        var yRef = new float[m * n];
        for (int i = 0; i < m; i++) b.Data.CopyTo(yRef, i * n);
        Gemm.Reference(false, false, m, n, k, alpha, xr, k, wr, n, 1f, yRef, n);
        var dxRef = new float[m * k];
        Gemm.Reference(false, true, m, k, n, alpha, dyr, n, wr, n, 0f, dxRef, k);
        var dwRef = new float[k * n];
        Gemm.Reference(true, false, k, n, m, alpha, xr, k, dyr, n, 0f, dwRef, n);
        AssertClose(yRef, y.Data, 2e-5f);
        AssertClose(dxRef, x.Grad!, 2e-5f);
        AssertClose(dwRef, w.Grad!, 2e-5f);
    }

    [Fact]
    public void ScopeRestoresThePreviousPrecision()
    {
        Assert.Equal(Precision.Fp32, MixedPrecision.Current);
        using (MixedPrecision.Use(Precision.Bf16))
        {
            Assert.Equal(Precision.Bf16, MixedPrecision.Current);
            using (MixedPrecision.Use(Precision.Fp32)) Assert.Equal(Precision.Fp32, MixedPrecision.Current);
            Assert.Equal(Precision.Bf16, MixedPrecision.Current);
        }
        Assert.Equal(Precision.Fp32, MixedPrecision.Current);
    }

    [Fact]
    public void GptLossAndGradientsCloseToFp32()
    {
        // Stated tolerance of the bf16 path at initialisation: loss within 0.5% relative, each parameter's gradient
        // within 5% relative Frobenius error (bf16 keeps 8 significant bits; errors of the 4 GEMMs a gradient
        // passes through per layer add up, partly cancelling).
        var (fp32Loss, fp32Grads) = GptGradients(Precision.Fp32);
        var (bf16Loss, bf16Grads) = GptGradients(Precision.Bf16);
        Assert.InRange(Math.Abs(bf16Loss - fp32Loss) / fp32Loss, 0, 5e-3);
        foreach (var (name, g32) in fp32Grads)
        {
            var g16 = bf16Grads[name];
            double err = 0, norm = 0;
            for (int i = 0; i < g32.Length; i++)
            {
                err += Math.Pow(g32[i] - g16[i], 2);
                norm += Math.Pow(g32[i], 2);
            }
            Assert.True(Math.Sqrt(err / Math.Max(norm, 1e-30)) < 5e-2, $"{name}: relative gradient error {Math.Sqrt(err / norm):E2}");
        }
    }

    [Fact]
    public void Bf16TrainingIsDeterministicAndTracksFp32()
    {
        // Same seed twice in bf16: identical losses bit for bit (what bit-exact resume within a precision needs);
        // and 30 AdamW steps stay within 2% of the fp32 losses.
        var a = TrainLosses(Precision.Bf16);
        var b = TrainLosses(Precision.Bf16);
        Assert.Equal(a, b);
        var f = TrainLosses(Precision.Fp32);
        Assert.True(f[^1] < f[0] * 0.9f, "the fp32 run must learn something for the comparison to mean anything");
        for (int i = 0; i < f.Length; i++)
            Assert.True(Math.Abs(a[i] - f[i]) <= 0.02f * f[i], $"step {i}: bf16 {a[i]} vs fp32 {f[i]}");
    }

    private static GptConfig SmallGpt => new() { VocabSize = 23, ContextLength = 16, DModel = 32, Layers = 2, Heads = 4 };

    private static (float Loss, Dictionary<string, float[]> Grads) GptGradients(Precision precision)
    {
        var config = SmallGpt;
        var model = new Gpt(config, new Rng(7));
        var rng = new Rng(8);
        int batch = 3, t = config.ContextLength;
        var ids = Ints(rng, batch * t, config.VocabSize);
        var targets = Ints(rng, batch * t, config.VocabSize);
        Tensor loss;
        using (MixedPrecision.Use(precision)) loss = model.Loss(ids, targets, batch, t);
        loss.Backward();
        return (loss.Item(), model.Parameters().ToDictionary(p => p.Name, p => (float[])p.Grad!.Clone()));
    }

    private static float[] TrainLosses(Precision precision)
    {
        var config = SmallGpt;
        var model = new Gpt(config, new Rng(11));
        var opt = new AdamW(model.Parameters(), weightDecay: 0.01f);
        var rng = new Rng(12);
        int batch = 4, t = config.ContextLength;
        // A learnable target: the next token is the current one plus one (mod V).
        var ids = Ints(rng, batch * t, config.VocabSize);
        var targets = ids.Select(i => (i + 1) % config.VocabSize).ToArray();
        var losses = new float[30];
        for (int s = 0; s < losses.Length; s++)
        {
            Tensor loss;
            using (MixedPrecision.Use(precision)) loss = model.Loss(ids, targets, batch, t);
            loss.Backward();
            opt.Step(3e-3f);
            opt.ZeroGrad();
            losses[s] = loss.Item();
        }
        return losses;
    }

    private static Tensor Param(Tensor t) => new(t.Data, t.Shape, requiresGrad: true);

    private static int[] Ints(Rng rng, int count, int bound) => Enumerable.Range(0, count).Select(_ => rng.NextInt(bound)).ToArray();

    private static float[] Rounded(float[] x)
    {
        var r = (float[])x.Clone();
        Bf16.RoundInPlace(r);
        return r;
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
