using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

public class ReduceTests
{
    // Double reference of a sum/mean over one axis of a row-major tensor viewed as [outer, n, inner].
    private static double[] AxisRef(double[] x, int[] shape, int axis, bool mean)
    {
        int outer = 1, inner = 1, n = shape[axis];
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        var y = new double[outer * inner];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += x[(o * n + k) * inner + j];
                y[o * inner + j] = mean ? s / n : s;
            }
        return y;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullReductionsMatchFiniteDifferences(bool mean)
    {
        var a = GradCheck.Input(1, 1f, 3, 4, 5);
        GradCheck.Check(x => mean ? Ops.Mean(x[0]) : Ops.Sum(x[0]),
            x => [mean ? x[0].Average() : x[0].Sum()], [a]);
        Assert.Equal(new[] { 1 }, (mean ? Ops.Mean(a) : Ops.Sum(a)).Shape);
    }

    [Theory]
    [InlineData(0, false, false)]
    [InlineData(1, false, false)]
    [InlineData(2, false, false)]
    [InlineData(-1, false, false)]
    [InlineData(0, true, false)]
    [InlineData(1, true, false)]
    [InlineData(-1, true, false)]
    [InlineData(-3, true, false)]
    [InlineData(0, false, true)]
    [InlineData(1, false, true)]
    [InlineData(2, false, true)]
    [InlineData(-2, false, true)]
    [InlineData(0, true, true)]
    [InlineData(1, true, true)]
    [InlineData(2, true, true)]
    public void AxisReductionsMatchFiniteDifferences(int axis, bool keepDim, bool mean)
    {
        int[] shape = [3, 4, 21];
        int ax = axis < 0 ? axis + shape.Length : axis;
        var a = GradCheck.Input(2, 1f, shape);
        var y = mean ? Ops.Mean(a, axis, keepDim) : Ops.Sum(a, axis, keepDim);
        int[] expected = keepDim
            ? shape.Select((d, i) => i == ax ? 1 : d).ToArray()
            : shape.Where((_, i) => i != ax).ToArray();
        Assert.Equal(expected, y.Shape);
        GradCheck.Check(x => mean ? Ops.Mean(x[0], axis, keepDim) : Ops.Sum(x[0], axis, keepDim),
            x => AxisRef(x[0], shape, ax, mean), [a]);
    }

    [Fact]
    public void ReducingTheOnlyAxisGivesShapeOne()
    {
        var a = GradCheck.Input(3, 1f, 6);
        Assert.Equal(new[] { 1 }, Ops.Sum(a, 0).Shape);
        GradCheck.Check(x => Ops.Mean(x[0], -1), x => [x[0].Average()], [a]);
    }

    [Fact]
    public void AxisOutOfRangeNamesTheOp()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Mean(Tensor.Zeros(2, 3), 2));
        Assert.Contains("Mean", ex.Message);
    }
}
