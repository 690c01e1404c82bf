using System.Numerics.Tensors;

namespace MuSharp;

public static partial class Ops
{
    /// <summary>
    /// The same values with a new shape; one dimension may be −1 (inferred). The result shares
    /// <paramref name="a"/>'s Data (ops never write their inputs); its gradient is separate.
    /// </summary>
    public static Tensor Reshape(Tensor a, params int[] shape)
    {
        var s = (int[])shape.Clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == -1 && infer < 0) infer = i;
            else if (s[i] < 0) throw new ArgumentException($"Reshape: cannot reshape {Shapes.Format(a.Shape)} to {Shapes.Format(shape)}: at most one dimension may be -1 and none may be negative.");
            else known *= s[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || a.Size % known != 0)
                throw new ArgumentException($"Reshape: cannot reshape {Shapes.Format(a.Shape)} ({a.Size} elements) to {Shapes.Format(shape)}.");
            s[infer] = (int)(a.Size / known);
        }
        else if (known != a.Size)
            throw new ArgumentException($"Reshape: cannot reshape {Shapes.Format(a.Shape)} ({a.Size} elements) to {Shapes.Format(shape)} ({known} elements).");
        var y = new Tensor(a.Data, s);
        return Tape.Record(y, () =>
        {
            // d/da reshape(a) = identity on the flat values
            var da = a.GradBuffer();
            TensorPrimitives.Add(da, y.Grad!, da);
        }, a);
    }

    /// <summary>Swaps axes <paramref name="dim0"/> and <paramref name="dim1"/> (negative count from the end) into a new contiguous tensor.</summary>
    public static Tensor Transpose(Tensor a, int dim0, int dim1)
    {
        int d0 = Shapes.Axis(dim0, a.Rank, "Transpose"), d1 = Shapes.Axis(dim1, a.Rank, "Transpose");
        if (d0 > d1) (d0, d1) = (d1, d0);
        var shape = (int[])a.Shape.Clone();
        (shape[d0], shape[d1]) = (shape[d1], shape[d0]);
        // a viewed as [outer, n0, mid, n1, inner]; y as [outer, n1, mid, n0, inner].
        var dims = d0 == d1
            ? new TransposeDims(1, 1, 1, 1, a.Size) // swapping an axis with itself: a plain copy
            : new TransposeDims(
                (int)Shapes.Size(a.Shape[..d0]), a.Shape[d0], (int)Shapes.Size(a.Shape[(d0 + 1)..d1]),
                a.Shape[d1], (int)Shapes.Size(a.Shape[(d1 + 1)..]));
        var y = Tensor.Uninitialized(shape);
        dims.Permute(a.Data, y.Data, backward: false);
        return Tape.Record(y, () =>
        {
            // d/da transpose(a) = the inverse permutation (the same swap) applied to dy
            dims.Permute(y.Grad!, a.GradBuffer(), backward: true);
        }, a);
    }

    private readonly record struct TransposeDims(int Outer, int N0, int Mid, int N1, int Inner)
    {
        // Forward: y[o, j, m, i, :] = a[o, i, m, j, :]. Backward: da[o, i, m, j, :] += dy[o, j, m, i, :].
        public void Permute(ReadOnlySpan<float> from, Span<float> to, bool backward)
        {
            for (int o = 0; o < Outer; o++)
                for (int i = 0; i < N0; i++)
                    for (int m = 0; m < Mid; m++)
                        for (int j = 0; j < N1; j++)
                        {
                            int aIdx = (((o * N0 + i) * Mid + m) * N1 + j) * Inner;
                            int yIdx = (((o * N1 + j) * Mid + m) * N0 + i) * Inner;
                            if (!backward)
                            {
                                if (Inner == 1) to[yIdx] = from[aIdx];
                                else from.Slice(aIdx, Inner).CopyTo(to.Slice(yIdx, Inner));
                            }
                            else if (Inner == 1) to[aIdx] += from[yIdx];
                            else TensorPrimitives.Add(to.Slice(aIdx, Inner), from.Slice(yIdx, Inner), to.Slice(aIdx, Inner));
                        }
        }
    }

    /// <summary>Elements [start, start + length) along <paramref name="axis"/>, copied.</summary>
    public static Tensor Slice(Tensor a, int axis, int start, int length)
    {
        int ax = Shapes.Axis(axis, a.Rank, "Slice");
        int n = a.Shape[ax];
        if (start < 0 || length < 0 || start > n - length)
            throw new ArgumentException($"Slice: range [{start}, {start + (long)length}) is out of bounds for axis {axis} of shape {Shapes.Format(a.Shape)}.");
        int outer = (int)Shapes.Size(a.Shape[..ax]), inner = (int)Shapes.Size(a.Shape[(ax + 1)..]);
        int block = length * inner;
        var y = Tensor.Uninitialized(Shapes.With(a.Shape, ax, length)); // [outer, length, inner]
        for (int o = 0; o < outer; o++)
            a.Data.AsSpan((o * n + start) * inner, block).CopyTo(y.Data.AsSpan(o * block, block));
        return Tape.Record(y, () =>
        {
            // d/da slice(a) = dy placed at the sliced positions, zero elsewhere
            var da = a.GradBuffer();
            var dy = y.Grad!;
            for (int o = 0; o < outer; o++)
            {
                var d = da.AsSpan((o * n + start) * inner, block);
                TensorPrimitives.Add(d, dy.AsSpan(o * block, block), d);
            }
        }, a);
    }

    /// <summary>Joins <paramref name="parts"/> along <paramref name="axis"/>; all other dimensions must agree.</summary>
    public static Tensor Concat(Tensor[] parts, int axis)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("Concat: no tensors to concatenate.");
        parts = (Tensor[])parts.Clone();
        var first = parts[0];
        int ax = Shapes.Axis(axis, first.Rank, "Concat");
        int total = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            var s = parts[p].Shape;
            bool ok = s.Length == first.Rank;
            for (int d = 0; ok && d < s.Length; d++) ok = d == ax || s[d] == first.Shape[d];
            if (!ok)
                throw new ArgumentException($"Concat: part {p} has shape {Shapes.Format(s)}, incompatible with part 0 shape {Shapes.Format(first.Shape)} along axis {axis} (only that axis may differ).");
            total += s[ax];
        }
        int outer = (int)Shapes.Size(first.Shape[..ax]), inner = (int)Shapes.Size(first.Shape[(ax + 1)..]);
        var y = Tensor.Uninitialized(Shapes.With(first.Shape, ax, total)); // [outer, Σ nₚ, inner]
        int row = total * inner;
        for (int o = 0, offset = 0; o < outer; o++, offset = 0)
            foreach (var part in parts)
            {
                int block = part.Shape[ax] * inner;
                part.Data.AsSpan(o * block, block).CopyTo(y.Data.AsSpan(o * row + offset, block));
                offset += block;
            }
        return Tape.Record(y, () =>
        {
            // d/dpartₚ concat = the slice of dy that partₚ occupies
            var dy = y.Grad!;
            int offset = 0;
            foreach (var part in parts)
            {
                int block = part.Shape[ax] * inner;
                if (part.RequiresGrad)
                {
                    var dp = part.GradBuffer();
                    for (int o = 0; o < outer; o++)
                    {
                        var d = dp.AsSpan(o * block, block);
                        TensorPrimitives.Add(d, dy.AsSpan(o * row + offset, block), d);
                    }
                }
                offset += block;
            }
        }, parts);
    }
}
