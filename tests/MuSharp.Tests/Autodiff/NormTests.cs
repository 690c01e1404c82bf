using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

// Shapes: x is [N, C] after flattening the leading axes; gain and bias are [C].
public class NormTests
{
    // Double reference: y = x / sqrt(mean(x²) + eps) ⊙ g per length-c row; g null means 1.
    private static double[] RmsRef(double[] x, int c, double[]? g, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / c; r++)
        {
            double ms = 0;
            for (int j = 0; j < c; j++) ms += x[r * c + j] * x[r * c + j];
            double s = 1 / Math.Sqrt(ms / c + eps);
            for (int j = 0; j < c; j++) y[r * c + j] = x[r * c + j] * s * (g?[j] ?? 1);
        }
        return y;
    }

    // Double reference: y = (x − μ) / sqrt(σ² + eps) ⊙ g + b with the biased variance; null g is 1, null b is 0.
    private static double[] LayerRef(double[] x, int c, double[]? g, double[]? b, double eps)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / c; r++)
        {
            double mu = 0, var = 0;
            for (int j = 0; j < c; j++) mu += x[r * c + j];
            mu /= c;
            for (int j = 0; j < c; j++) var += (x[r * c + j] - mu) * (x[r * c + j] - mu);
            double s = 1 / Math.Sqrt(var / c + eps);
            for (int j = 0; j < c; j++) y[r * c + j] = (x[r * c + j] - mu) * s * (g?[j] ?? 1) + (b?[j] ?? 0);
        }
        return y;
    }

    private static Tensor Gain(ulong seed, int c)
    {
        var g = GradCheck.Input(seed, 0.3f, c);
        for (int j = 0; j < c; j++) g.Data[j] += 1f;
        return g;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RmsNormGradientsMatchFiniteDifferences(bool withGain)
    {
        var x = GradCheck.Input(31, 1.5f, 2, 3, 6); // [B, T, C]
        Tensor[] inputs = withGain ? [x, Gain(32, 6)] : [x];
        GradCheck.Check(t => Ops.RmsNorm(t[0], withGain ? t[1] : null, 1e-3f),
            t => RmsRef(t[0], 6, withGain ? t[1] : null, 1e-3), inputs);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void LayerNormGradientsMatchFiniteDifferences(bool withGain, bool withBias)
    {
        var x = GradCheck.Input(33, 1.5f, 2, 3, 6); // [B, T, C]
        var inputs = new List<Tensor> { x };
        int gi = -1, bi = -1;
        if (withGain) { gi = inputs.Count; inputs.Add(Gain(34, 6)); }
        if (withBias) { bi = inputs.Count; inputs.Add(GradCheck.Input(35, 0.5f, 6)); }
        GradCheck.Check(t => Ops.LayerNorm(t[0], gi < 0 ? null : t[gi], bi < 0 ? null : t[bi], 1e-3f),
            t => LayerRef(t[0], 6, gi < 0 ? null : t[gi], bi < 0 ? null : t[bi], 1e-3), [.. inputs]);
    }

    [Fact]
    public void ConstantGainOnlyDifferentiatesX()
    {
        var x = GradCheck.Input(36, 1f, 4, 5);
        var g = Tensor.Full(2f, 5);
        GradCheck.Check(t => Ops.RmsNorm(t[0], t[1]), t => RmsRef(t[0], 5, t[1], 1e-6), [x, g]);
        GradCheck.Check(t => Ops.LayerNorm(t[0], t[1], null), t => LayerRef(t[0], 5, t[1], null, 1e-5), [x, g]);
        Assert.Null(g.Grad);
    }

    [Fact]
    public void LayerNormUsesBiasedVariance()
    {
        var y = Ops.LayerNorm(Tensor.From([1f, 2f, 3f, 4f], 1, 4), null, null, 0f);
        double s = Math.Sqrt(1.25); // mean((x − 2.5)²) = 1.25, not 5/3
        Assert.Equal(new[] { -1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s }, y.Data.Select(v => (double)v).ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void GainOfWrongShapeIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.RmsNorm(Tensor.Zeros(2, 3, 4), Tensor.Ones(5)));
        Assert.Contains("RmsNorm", ex.Message);
        Assert.Contains("[5]", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ops.LayerNorm(Tensor.Zeros(2, 4), Tensor.Ones(4), Tensor.Ones(1, 4)));
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("bias", ex.Message);
        Assert.Contains("[1, 4]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void NegativeEpsIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.LayerNorm(Tensor.Zeros(2, 4), null, null, -1f));
        Assert.Contains("LayerNorm", ex.Message);
        Assert.Contains("eps", ex.Message);
    }
}
