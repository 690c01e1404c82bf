using System.Numerics.Tensors;

namespace MuSharp;

public static partial class Ops
{
    /// <summary>Sum of all elements, shape [1].</summary>
    public static Tensor Sum(Tensor a) => ReduceAll(a, 1f);

    /// <summary>Mean of all elements, shape [1] (NaN for an empty tensor).</summary>
    public static Tensor Mean(Tensor a) => ReduceAll(a, 1f / a.Size);

    /// <summary>Sum over <paramref name="axis"/> (negative counts from the end); the axis is kept as size 1 or removed.</summary>
    public static Tensor Sum(Tensor a, int axis, bool keepDim = false) => ReduceAxis(a, axis, keepDim, "Sum", mean: false);

    /// <summary>Mean over <paramref name="axis"/> (negative counts from the end); the axis is kept as size 1 or removed.</summary>
    public static Tensor Mean(Tensor a, int axis, bool keepDim = false) => ReduceAxis(a, axis, keepDim, "Mean", mean: true);

    // y = scale · Σᵢ aᵢ
    private static Tensor ReduceAll(Tensor a, float scale)
    {
        var y = Tensor.From([scale * TensorPrimitives.Sum<float>(a.Data)], 1); // [1]
        return Tape.Record(y, () =>
        {
            // d/daᵢ (scale · Σ a) = scale
            var da = a.GradBuffer();
            TensorPrimitives.Add(da, scale * y.Grad![0], da);
        }, a);
    }

    // a viewed as [outer, n, inner], reduced over n: y[o, j] = scale · Σₖ a[o, k, j].
    private static Tensor ReduceAxis(Tensor a, int axis, bool keepDim, string op, bool mean)
    {
        int ax = Shapes.Axis(axis, a.Rank, op);
        int n = a.Shape[ax];
        int outer = (int)Shapes.Size(a.Shape[..ax]), inner = (int)Shapes.Size(a.Shape[(ax + 1)..]);
        float scale = mean ? 1f / n : 1f;
        int[] shape = keepDim ? Shapes.With(a.Shape, ax, 1) : [.. a.Shape[..ax], .. a.Shape[(ax + 1)..]];
        if (shape.Length == 0) shape = [1];
        var y = Tensor.Uninitialized(shape); // [outer, inner]
        for (int o = 0; o < outer; o++)
        {
            var src = a.Data.AsSpan(o * n * inner, n * inner); // [n, inner]
            var dst = y.Data.AsSpan(o * inner, inner);
            if (inner == 1) { dst[0] = scale * TensorPrimitives.Sum<float>(src); continue; }
            if (n == 0) { dst.Fill(mean ? float.NaN : 0f); continue; }
            src[..inner].CopyTo(dst);
            for (int k = 1; k < n; k++) TensorPrimitives.Add(dst, src.Slice(k * inner, inner), dst);
            if (mean) TensorPrimitives.Multiply(dst, scale, dst);
        }
        return Tape.Record(y, () =>
        {
            // d/da[o, k, j] (scale · Σₖ a[o, k, j]) = scale: dy[o, j] is spread over k
            var da = a.GradBuffer();
            var dy = y.Grad!;
            for (int o = 0; o < outer; o++)
            {
                var dRows = da.AsSpan(o * n * inner, n * inner);
                var dyRow = dy.AsSpan(o * inner, inner);
                if (inner == 1) { TensorPrimitives.Add(dRows, scale * dyRow[0], dRows); continue; }
                for (int k = 0; k < n; k++)
                {
                    var d = dRows.Slice(k * inner, inner);
                    TensorPrimitives.FusedMultiplyAdd(dyRow, scale, d, d);
                }
            }
        }, a);
    }
}
