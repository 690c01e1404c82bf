using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

public class ShapeTests
{
    private static int[] Strides(int[] shape)
    {
        var s = new int[shape.Length];
        for (int d = shape.Length - 1, acc = 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
        return s;
    }

    // Double reference of swapping axes d0 and d1: y[idx] = x[idx with d0, d1 exchanged].
    private static double[] TransposeRef(double[] x, int[] shape, int d0, int d1)
    {
        var outShape = (int[])shape.Clone();
        (outShape[d0], outShape[d1]) = (outShape[d1], outShape[d0]);
        int[] inStrides = Strides(shape), outStrides = Strides(outShape);
        var y = new double[x.Length];
        for (int i = 0; i < y.Length; i++)
        {
            var idx = outShape.Select((_, d) => i / outStrides[d] % outShape[d]).ToArray();
            (idx[d0], idx[d1]) = (idx[d1], idx[d0]);
            y[i] = x[idx.Select((v, d) => v * inStrides[d]).Sum()];
        }
        return y;
    }

    [Fact]
    public void ReshapeInfersMinusOneAndPassesGradientThrough()
    {
        var a = GradCheck.Input(1, 1f, 2, 3, 4);
        var y = Ops.Reshape(a, 6, -1);
        Assert.Equal(new[] { 6, 4 }, y.Shape);
        Assert.Same(a.Data, y.Data);
        GradCheck.Check(x => Ops.Tanh(Ops.Reshape(x[0], -1, 4, 2)), x => x[0].Select(Math.Tanh).ToArray(), [a]);
    }

    [Theory]
    [InlineData(new[] { 5, 4 })]
    [InlineData(new[] { -1, 5 })]
    [InlineData(new[] { -1, -1 })]
    public void ReshapeMismatchNamesOpAndBothShapes(int[] shape)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Reshape(Tensor.Zeros(2, 3, 4), shape));
        Assert.Contains("Reshape", ex.Message);
        Assert.Contains("[2, 3, 4]", ex.Message);
        Assert.Contains(Shapes.Format(shape), ex.Message);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 0)]
    [InlineData(1, 2)]
    [InlineData(0, 1)]
    [InlineData(-1, -2)]
    [InlineData(1, 1)]
    public void Transpose3DMatchesFiniteDifferences(int dim0, int dim1)
    {
        int[] shape = [2, 3, 5];
        int d0 = dim0 < 0 ? dim0 + 3 : dim0, d1 = dim1 < 0 ? dim1 + 3 : dim1;
        var a = GradCheck.Input(2, 1f, shape);
        var expected = (int[])shape.Clone();
        (expected[d0], expected[d1]) = (expected[d1], expected[d0]);
        Assert.Equal(expected, Ops.Transpose(a, dim0, dim1).Shape);
        GradCheck.Check(x => Ops.Transpose(x[0], dim0, dim1), x => TransposeRef(x[0], shape, d0, d1), [a]);
    }

    [Fact]
    public void Transpose4DSwapsMiddleAxes()
    {
        int[] shape = [2, 3, 4, 5]; // [B, T, H, D] -> [B, H, T, D]
        var a = GradCheck.Input(3, 1f, shape);
        GradCheck.Check(x => Ops.Transpose(x[0], 1, 2), x => TransposeRef(x[0], shape, 1, 2), [a]);
    }

    [Theory]
    [InlineData(0, 1, 2)]
    [InlineData(1, 0, 3)]
    [InlineData(2, 3, 2)]
    [InlineData(-1, 0, 5)]
    public void SliceMatchesFiniteDifferences(int axis, int start, int length)
    {
        int[] shape = [3, 4, 5];
        int ax = axis < 0 ? axis + 3 : axis;
        var a = GradCheck.Input(4, 1f, shape);
        Assert.Equal(length, Ops.Slice(a, axis, start, length).Shape[ax]);
        GradCheck.Check(x => Ops.Slice(x[0], axis, start, length), x =>
        {
            int[] st = Strides(shape);
            return Enumerable.Range(0, x[0].Length)
                .Where(i => i / st[ax] % shape[ax] is var k && k >= start && k < start + length)
                .Select(i => x[0][i]).ToArray();
        }, [a]);
    }

    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(1, -1, 2)]
    [InlineData(0, 0, 4)]
    public void SliceOutOfRangeNamesOpAndShape(int axis, int start, int length)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Slice(Tensor.Zeros(3, 4), axis, start, length));
        Assert.Contains("Slice", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    public void ConcatMatchesFiniteDifferences(int axis)
    {
        int ax = axis < 0 ? axis + 3 : axis;
        int[] sizes = [2, 1, 3];
        var parts = sizes.Select((n, p) => GradCheck.Input((ulong)(10 + p), 1f, [.. new[] { 2, 3, 4 }.Select((d, i) => i == ax ? n : d)])).ToArray();
        parts[1].RequiresGrad = false; // a constant part between two trainable ones
        Assert.Equal(6, Ops.Concat(parts, axis).Shape[ax]);
        GradCheck.Check(x => Ops.Concat(x, axis), x =>
        {
            // Row-major walk over the output: for each outer index, the parts' blocks in order.
            int outer = new[] { 2, 3, 4 }.Take(ax).Aggregate(1, (p, d) => p * d);
            var y = new List<double>();
            for (int o = 0; o < outer; o++)
                for (int p = 0; p < x.Length; p++)
                {
                    int block = x[p].Length / outer;
                    y.AddRange(x[p].Skip(o * block).Take(block));
                }
            return y.ToArray();
        }, parts);
        Assert.Null(parts[1].Grad);
    }

    [Fact]
    public void ConcatShapeMismatchNamesOpAndShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Concat([Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)], 1));
        Assert.Contains("Concat", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[4, 5]", ex.Message);
    }
}
