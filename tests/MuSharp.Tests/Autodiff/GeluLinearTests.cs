using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

/// <summary>
/// Ops.GeluLinear, Y = α·gelu(U)·W + b with gelu(U) recomputed in the backward: finite differences against a double
/// reference written from the definitions, the same bits as the unfused Linear(Gelu(U)), and the bf16 fallback.
/// </summary>
public class GeluLinearTests
{
    private const double SqrtTwoOverPi = 0.79788456080286535588;

    // Y[i, j] = α·Σ_p gelu(U[i, p])·W[p, j] + b[j], gelu in its tanh form.
    private static double[] Reference(double[] u, double[] w, double[]? b, int m, int k, int n, double alpha)
    {
        var y = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = u[i * k + p];
                    s += 0.5 * x * (1 + Math.Tanh(SqrtTwoOverPi * (x + 0.044715 * x * x * x))) * w[p * n + j];
                }
                y[i * n + j] = alpha * s + (b?[j] ?? 0);
            }
        return y;
    }

    [Theory]
    [InlineData(false, 1f)]
    [InlineData(true, 0.5f)]
    public void GradientsMatchFiniteDifferences(bool withBias, float alpha)
    {
        const int m = 6, k = 8, n = 5;
        var u = GradCheck.Input(31, 1.5f, 2, 3, k); // [2, 3, K]: leading dims flattened into M = 6 rows
        var w = GradCheck.Input(32, 0.5f, k, n);
        var b = GradCheck.Input(33, 1f, n);
        Tensor[] inputs = withBias ? [u, w, b] : [u, w];
        GradCheck.Check(x => Ops.GeluLinear(x[0], x[1], withBias ? x[2] : null, alpha),
            x => Reference(x[0], x[1], withBias ? x[2] : null, m, k, n, alpha), inputs);
    }

    [Fact]
    public void SameBitsAsLinearOfGelu() =>
        // A GPT MLP's shape at small width: the pooled scratch path (M·K ≥ 16K floats) and a bias.
        AssertSameBitsAsLinearOfGelu(64, 512, 128, 0.75f, Precision.Fp32, seed: 41);

    [Theory]
    [InlineData(16, 32, 8)]     // small: one chunk, scalar tails
    [InlineData(600, 256, 64)]  // several chunks of the fused GELU + rounding pass
    public void UnderBf16SameBitsAsLinearOfGelu(int m, int k, int n) =>
        // Under bf16 the fused op keeps only bf16(gelu(U)) and writes dU without a zeroed buffer; outputs and all
        // gradients must still be the bits of Linear(Gelu(U)) under bf16, which rounds the same gelu values.
        AssertSameBitsAsLinearOfGelu(m, k, n, 0.5f, Precision.Bf16, seed: 51);

    // GeluLinear and Linear(Gelu) on copies of the same U [m, k], W [k, n], b [n]: the same output and gradients, bit
    // for bit, after a backward from the same random upstream gradient.
    private static void AssertSameBitsAsLinearOfGelu(int m, int k, int n, float alpha, Precision precision, ulong seed)
    {
        var inputs = new[] { GradCheck.Input(seed, 1f, m, k), GradCheck.Input(seed + 1, 0.05f, k, n), GradCheck.Input(seed + 2, 1f, n) };
        var copies = inputs.Select(t => { var c = t.Detach(); c.RequiresGrad = true; return c; }).ToArray();
        Tensor fused, plain;
        using (MixedPrecision.Use(precision))
        {
            fused = Ops.GeluLinear(inputs[0], inputs[1], inputs[2], alpha);
            plain = Ops.Linear(Ops.Gelu(copies[0]), copies[1], copies[2], alpha);
        }
        Assert.Equal(plain.Data, fused.Data);
        var r = new float[fused.Size];
        new Rng(seed + 3).FillNormal(r, 0f, 1f);
        Tape.Backward(fused, r);
        Tape.Backward(plain, r);
        for (int i = 0; i < inputs.Length; i++) Assert.Equal(copies[i].Grad, inputs[i].Grad);
    }

    [Fact]
    public void RejectsMismatchedShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.GeluLinear(Tensor.Zeros(4, 6), Tensor.Zeros(5, 3), null));
        Assert.Contains("GeluLinear", ex.Message);
        Assert.Contains("[4, 6]", ex.Message);
    }
}
