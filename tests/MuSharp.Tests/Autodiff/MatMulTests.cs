using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

public class MatMulTests
{
    // Double reference of op(A)·op(B) with A given as [rowsA, colsA] storage.
    private static double[] Ref(double[] a, int ra, int ca, bool ta, double[] b, int rb, int cb, bool tb)
    {
        int m = ta ? ca : ra, k = ta ? ra : ca, n = tb ? rb : cb;
        var y = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (ta ? a[p * ca + i] : a[i * ca + p]) * (tb ? b[j * cb + p] : b[p * cb + j]);
                y[i * n + j] = s;
            }
        return y;
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void GradientsMatchFiniteDifferences(bool ta, bool tb)
    {
        int m = 3, k = 5, n = 4;
        int[] sa = ta ? [k, m] : [m, k], sb = tb ? [n, k] : [k, n];
        var a = GradCheck.Input(1, 1f, sa);
        var b = GradCheck.Input(2, 1f, sb);
        GradCheck.Check(x => Ops.MatMul(x[0], x[1], ta, tb),
            x => Ref(x[0], sa[0], sa[1], ta, x[1], sb[0], sb[1], tb), [a, b]);
    }

    [Fact]
    public void LeadingDimensionsAreFlattenedIntoRows()
    {
        var a = GradCheck.Input(3, 1f, 2, 3, 5); // [B, T, C]
        var b = GradCheck.Input(4, 1f, 5, 4);
        var y = Ops.MatMul(a, b);
        Assert.Equal(new[] { 2, 3, 4 }, y.Shape);
        GradCheck.Check(x => Ops.MatMul(x[0], x[1]), x => Ref(x[0], 6, 5, false, x[1], 5, 4, false), [a, b]);
    }

    [Fact]
    public void InnerDimensionMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.MatMul(Tensor.Zeros(3, 4), Tensor.Zeros(5, 2)));
        Assert.Contains("MatMul", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[5, 2]", ex.Message);
    }

    [Fact]
    public void FusedLinearMatchesFiniteDifferences()
    {
        var x = GradCheck.Input(5, 1f, 2, 3, 5); // [B, T, K]
        var w = GradCheck.Input(6, 1f, 5, 4);
        var b = GradCheck.Input(7, 1f, 4);
        GradCheck.Check(t => Ops.Linear(t[0], t[1], t[2]), t =>
        {
            var y = Ref(t[0], 6, 5, false, t[1], 5, 4, false);
            for (int i = 0; i < y.Length; i++) y[i] += t[2][i % 4];
            return y;
        }, [x, w, b]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedLinearWithAnOutputMultiplierMatchesFiniteDifferences(bool withBias)
    {
        var x = GradCheck.Input(8, 1f, 3, 5); // [N, K]
        var w = GradCheck.Input(9, 1f, 5, 4);
        var b = GradCheck.Input(10, 1f, 4);
        Tensor[] inputs = withBias ? [x, w, b] : [x, w];
        GradCheck.Check(t => Ops.Linear(t[0], t[1], withBias ? t[2] : null, alpha: 0.25f), t =>
        {
            var y = Ref(t[0], 3, 5, false, t[1], 5, 4, false);
            for (int i = 0; i < y.Length; i++) y[i] = 0.25 * y[i] + (withBias ? t[2][i % 4] : 0);
            return y;
        }, inputs);
    }

    [Fact]
    public void FusedLinearRejectsAMismatchedBias()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Linear(Tensor.Zeros(3, 4), Tensor.Zeros(4, 2), Tensor.Zeros(3)));
        Assert.Contains("Linear", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }
}
