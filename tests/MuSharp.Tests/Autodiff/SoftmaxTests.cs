using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

// Shapes: inputs are [N, V] rows after flattening the leading axes; V is the softmax axis.
public class SoftmaxTests
{
    // Double reference: max-shifted softmax (or log softmax) of each length-v row.
    internal static double[] Ref(double[] x, int v, bool log)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / v; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < v; j++) max = Math.Max(max, x[r * v + j]);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.Exp(x[r * v + j] - max);
            for (int j = 0; j < v; j++)
                y[r * v + j] = log ? x[r * v + j] - max - Math.Log(sum) : Math.Exp(x[r * v + j] - max) / sum;
        }
        return y;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsMatchFiniteDifferences(bool log)
    {
        var a = GradCheck.Input(11, 2f, 2, 3, 7); // [B, T, V]
        GradCheck.Check(x => log ? Ops.LogSoftmax(x[0]) : Ops.Softmax(x[0]), x => Ref(x[0], 7, log), [a]);
    }

    [Fact]
    public void SingleElementRowsAreOneAndZero()
    {
        var a = GradCheck.Input(12, 3f, 4, 1);
        Assert.All(Ops.Softmax(a).Data, p => Assert.Equal(1f, p));
        Assert.All(Ops.LogSoftmax(a).Data, p => Assert.Equal(0f, p));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LogitsOfMagnitude1e4AreStable(bool log)
    {
        float[] data = [1e4f, -1e4f, 0f, 1e4f - 1f, -1e4f, -1e4f + 2f, 5e3f, -1e4f + 0.5f];
        var a = new Tensor(data, [2, 4], requiresGrad: true);
        var y = log ? Ops.LogSoftmax(a) : Ops.Softmax(a);
        Assert.All(y.Data, p => Assert.True(float.IsFinite(p), $"non-finite output {p}"));
        GradCheck.Check(x => log ? Ops.LogSoftmax(x[0]) : Ops.Softmax(x[0]), x => Ref(x[0], 4, log), [a]);
        Assert.All(a.Grad!, g => Assert.True(float.IsFinite(g), $"non-finite gradient {g}"));
    }

    [Fact]
    public void RowsSumToOne()
    {
        var y = Ops.Softmax(GradCheck.Input(13, 5f, 6, 33));
        for (int r = 0; r < 6; r++)
            Assert.Equal(1.0, y.Data.AsSpan(r * 33, 33).ToArray().Sum(p => (double)p), 5);
    }

    [Fact]
    public void ScalarOrEmptyLastAxisIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Softmax(new Tensor([1f], [])));
        Assert.Contains("Softmax", ex.Message);
        Assert.Contains("[]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ops.LogSoftmax(Tensor.Zeros(2, 0)));
        Assert.Contains("LogSoftmax", ex.Message);
        Assert.Contains("[2, 0]", ex.Message);
    }

    [Fact]
    public void RecomputeFromTheForwardsStatisticsGivesTheSameBits()
    {
        // The attention backward rebuilds P from (max, 1/Σ) instead of storing it; it must be the forward's P exactly.
        var rng = new Rng(17);
        foreach (int n in new[] { 1, 7, 16, 64, 129 })
            foreach (float magnitude in new[] { 1f, 30f, 1e4f })
            {
                var x = new float[n];
                rng.FillNormal(x, 0f, magnitude);
                var forward = new float[n];
                var again = new float[n];
                MuSharp.Kernels.Softmax.Forward(x, forward, out float max, out float inverseSum);
                MuSharp.Kernels.Softmax.Recompute(x, again, max, inverseSum);
                Assert.Equal(forward, again);
                var plain = new float[n];
                MuSharp.Kernels.Softmax.Forward(x, plain);
                Assert.Equal(forward, plain);
            }
    }
}
