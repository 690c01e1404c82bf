using System.Buffers;
using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp;

public static partial class Ops
{
    // How b lines up with a when a is viewed as [Rows, Cols]:
    // Repeat: b is one [Cols] block reused for every row (same shape: Rows = 1; row [C]; trailing block [T, C]).
    // Column: b holds one value per row, reused along the row (a [N, C], b [N, 1]).
    private enum BroadcastMode { Repeat, Column }

    private readonly record struct Broadcast(BroadcastMode Mode, int Rows, int Cols)
    {
        public Span<float> Row(Span<float> s, int r) => s.Slice(r * Cols, Cols);
        public ReadOnlySpan<float> ReadRow(ReadOnlySpan<float> s, int r) => s.Slice(r * Cols, Cols);

        // b has a's size and lines up element for element (one row of everything).
        public bool SameShape => Mode == BroadcastMode.Repeat && Rows == 1;
    }

    private enum BinaryOp { Add, Sub, Mul, Div }

    /// <summary>
    /// Classifies how b broadcasts to a's shape (the output's shape). b may have a's shape; be a trailing block of
    /// a's shape, possibly with leading 1s ([C], [1, C], [T, C] for a [B, T, C]); or be a column [..., 1] with one
    /// value per row of a ([N, 1] for a [N, C], [B, T, 1] for a [B, T, C]).
    /// </summary>
    private static Broadcast ClassifyBroadcast(Tensor a, Tensor b, string op)
    {
        if (Shapes.Equal(a.Shape, b.Shape)) return new(BroadcastMode.Repeat, 1, a.Size);
        if (a.Rank > 0 && b.Rank > 0 && b.Rank <= a.Rank)
        {
            int lead = 0;
            while (lead < b.Rank - 1 && b.Shape[lead] == 1) lead++;
            bool block = true;
            for (int i = lead; i < b.Rank; i++)
                if (b.Shape[i] != a.Shape[a.Rank - b.Rank + i]) block = false;
            if (block) return new(BroadcastMode.Repeat, b.Size == 0 ? 0 : a.Size / b.Size, b.Size);
            int rows = (int)Shapes.Size(a.Shape[..^1]);
            if (b.Shape[^1] == 1 && b.Size == rows) return new(BroadcastMode.Column, rows, a.Shape[^1]);
        }
        throw new ArgumentException($"{op}: cannot broadcast {Shapes.Format(b.Shape)} to {Shapes.Format(a.Shape)}");
    }

    private static Tensor BroadcastForward(Tensor a, Tensor b, Broadcast bc, BinaryOp op)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone()); // a's shape
        if (op == BinaryOp.Add && bc.SameShape)
        {
            // Same shapes (a residual connection): one element-wise pass, chunked.
            Chunks.ForElements(y.Size, (i0, i1) => TensorPrimitives.Add(a.Data.AsSpan(i0..i1), b.Data.AsSpan(i0..i1), y.Data.AsSpan(i0..i1)));
            return y;
        }
        for (int r = 0; r < bc.Rows; r++)
        {
            ReadOnlySpan<float> x = bc.ReadRow(a.Data, r);
            Span<float> d = bc.Row(y.Data, r);
            if (bc.Mode == BroadcastMode.Repeat)
            {
                ReadOnlySpan<float> z = b.Data;
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(x, z, d); break;
                    case BinaryOp.Sub: TensorPrimitives.Subtract(x, z, d); break;
                    case BinaryOp.Mul: TensorPrimitives.Multiply(x, z, d); break;
                    default: TensorPrimitives.Divide(x, z, d); break;
                }
            }
            else
            {
                float z = b.Data[r];
                switch (op)
                {
                    case BinaryOp.Add: TensorPrimitives.Add(x, z, d); break;
                    case BinaryOp.Sub: TensorPrimitives.Subtract(x, z, d); break;
                    case BinaryOp.Mul: TensorPrimitives.Multiply(x, z, d); break;
                    default: TensorPrimitives.Divide(x, z, d); break;
                }
            }
        }
        return y;
    }

    // db += sign · dy summed over the axis along which b was broadcast.
    private static void ReduceToBroadcast(Broadcast bc, ReadOnlySpan<float> dy, Span<float> db, float sign)
    {
        for (int r = 0; r < bc.Rows; r++)
        {
            var dyRow = bc.ReadRow(dy, r);
            if (bc.Mode == BroadcastMode.Column) db[r] += sign * TensorPrimitives.Sum(dyRow);
            else if (sign > 0) TensorPrimitives.Add(db, dyRow, db);
            else TensorPrimitives.Subtract(db, dyRow, db);
        }
    }

    /// <summary>a + b. b has a's shape, or is a row [C] broadcast over rows of a [..., C], or a column [..., 1] broadcast over the last axis.</summary>
    public static Tensor Add(Tensor a, Tensor b)
    {
        var bc = ClassifyBroadcast(a, b, "Add");
        var y = BroadcastForward(a, b, bc, BinaryOp.Add);
        return Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            // d/da (a + b) = 1, d/db (a + b) = 1 (summed over the broadcast axis)
            if (a.RequiresGrad) AccumulateGrad(a, dy);
            if (b.RequiresGrad && bc.SameShape) AccumulateGrad(b, dy);
            else if (b.RequiresGrad) ReduceToBroadcast(bc, dy, b.GradBuffer(), 1f);
        }, a, b);
    }

    // t.Grad += dy (same shapes), chunked. A first contribution is copied into an unzeroed pooled buffer rather than
    // added to a zeroed one: one pass over memory instead of two (a residual stream's gradient arrives this way).
    private static void AccumulateGrad(Tensor t, float[] dy)
    {
        var g = t.GradBufferToWrite(out bool fresh);
        if (fresh) Chunks.ForElements(dy.Length, (i0, i1) => dy.AsSpan(i0..i1).CopyTo(g.AsSpan(i0..i1)));
        else Chunks.ForElements(dy.Length, (i0, i1) => TensorPrimitives.Add(g.AsSpan(i0..i1), dy.AsSpan(i0..i1), g.AsSpan(i0..i1)));
    }

    /// <summary>a − b, broadcasting b as in <see cref="Add"/>.</summary>
    public static Tensor Sub(Tensor a, Tensor b)
    {
        var bc = ClassifyBroadcast(a, b, "Sub");
        var y = BroadcastForward(a, b, bc, BinaryOp.Sub);
        return Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            // d/da (a − b) = 1, d/db (a − b) = −1 (summed over the broadcast axis)
            if (a.RequiresGrad) TensorPrimitives.Add(a.GradBuffer(), dy, a.GradBuffer());
            if (b.RequiresGrad) ReduceToBroadcast(bc, dy, b.GradBuffer(), -1f);
        }, a, b);
    }

    /// <summary>a ⊙ b, broadcasting b as in <see cref="Add"/>.</summary>
    public static Tensor Mul(Tensor a, Tensor b)
    {
        var bc = ClassifyBroadcast(a, b, "Mul");
        var y = BroadcastForward(a, b, bc, BinaryOp.Mul);
        return Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            // d/da (a·b) = b, d/db (a·b) = a (summed over the broadcast axis)
            if (a.RequiresGrad)
            {
                var da = a.GradBuffer();
                for (int r = 0; r < bc.Rows; r++)
                {
                    var daRow = bc.Row(da, r);
                    if (bc.Mode == BroadcastMode.Repeat) TensorPrimitives.FusedMultiplyAdd(bc.ReadRow(dy, r), b.Data, daRow, daRow);
                    else TensorPrimitives.FusedMultiplyAdd(bc.ReadRow(dy, r), b.Data[r], daRow, daRow);
                }
            }
            if (b.RequiresGrad)
            {
                var db = b.GradBuffer();
                for (int r = 0; r < bc.Rows; r++)
                {
                    if (bc.Mode == BroadcastMode.Repeat) TensorPrimitives.FusedMultiplyAdd(bc.ReadRow(dy, r), bc.ReadRow(a.Data, r), db, db);
                    else db[r] += TensorPrimitives.Dot(bc.ReadRow(dy, r), bc.ReadRow(a.Data, r));
                }
            }
        }, a, b);
    }

    /// <summary>a / b, broadcasting b as in <see cref="Add"/>.</summary>
    public static Tensor Div(Tensor a, Tensor b)
    {
        var bc = ClassifyBroadcast(a, b, "Div");
        var y = BroadcastForward(a, b, bc, BinaryOp.Div);
        return Tape.Record(y, () =>
        {
            var dy = y.Grad!;
            // d/da (a/b) = 1/b, d/db (a/b) = −a/b² = −y/b (summed over the broadcast axis)
            if (a.RequiresGrad)
            {
                var da = a.GradBuffer();
                for (int r = 0; r < bc.Rows; r++)
                {
                    var daRow = bc.Row(da, r);
                    if (bc.Mode == BroadcastMode.Repeat) Elementwise.AddDivide(bc.ReadRow(dy, r), b.Data, daRow);
                    else TensorPrimitives.FusedMultiplyAdd(bc.ReadRow(dy, r), 1f / b.Data[r], daRow, daRow);
                }
            }
            if (b.RequiresGrad)
            {
                var db = b.GradBuffer();
                for (int r = 0; r < bc.Rows; r++)
                {
                    if (bc.Mode == BroadcastMode.Repeat) Elementwise.SubtractMultiplyDivide(bc.ReadRow(dy, r), bc.ReadRow(y.Data, r), b.Data, db);
                    else db[r] -= TensorPrimitives.Dot(bc.ReadRow(dy, r), bc.ReadRow(y.Data, r)) / b.Data[r];
                }
            }
        }, a, b);
    }

    /// <summary>a + s.</summary>
    public static Tensor AddScalar(Tensor a, float s)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Add(a.Data, s, y.Data);
        return Tape.Record(y, () =>
        {
            // d/da (a + s) = 1
            var da = a.GradBuffer();
            TensorPrimitives.Add(da, y.Grad!, da);
        }, a);
    }

    /// <summary>a · s.</summary>
    public static Tensor MulScalar(Tensor a, float s)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Multiply(a.Data, s, y.Data);
        return Tape.Record(y, () =>
        {
            // d/da (a·s) = s
            var da = a.GradBuffer();
            TensorPrimitives.FusedMultiplyAdd(y.Grad!, s, da, da);
        }, a);
    }

    /// <summary>aᵖ element-wise (NaN for negative a unless p is an integer).</summary>
    public static Tensor PowScalar(Tensor a, float p)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Pow(a.Data, p, y.Data);
        return Tape.Record(y, () =>
        {
            // d/da aᵖ = p·aᵖ⁻¹ (zero for p = 0)
            var da = a.GradBuffer();
            if (p == 0f) return;
            int n = da.Length;
            var rented = ArrayPool<float>.Shared.Rent(n);
            try
            {
                var t = rented.AsSpan(0, n);
                TensorPrimitives.Pow(a.Data, p - 1f, t);
                TensorPrimitives.Multiply(t, y.Grad!, t);
                TensorPrimitives.FusedMultiplyAdd(t, p, da, da);
            }
            finally { ArrayPool<float>.Shared.Return(rented); }
        }, a);
    }

    /// <summary>eᵃ.</summary>
    public static Tensor Exp(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Exp(a.Data, y.Data);
        return Tape.Record(y, () =>
        {
            // d/dx eˣ = y
            var da = a.GradBuffer();
            TensorPrimitives.FusedMultiplyAdd(y.Grad!, y.Data, da, da);
        }, a);
    }

    /// <summary>Natural logarithm.</summary>
    public static Tensor Log(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Log(a.Data, y.Data);
        // d/dx ln x = 1/x
        return Tape.Record(y, () => Elementwise.AddDivide(y.Grad!, a.Data, a.GradBuffer()), a);
    }

    public static Tensor Tanh(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Tanh(a.Data, y.Data);
        // d/dx tanh = 1 − y²
        return Tape.Record(y, () => Elementwise.TanhBackward(y.Grad!, y.Data, a.GradBuffer()), a);
    }

    /// <summary>σ(a) = 1 / (1 + e⁻ᵃ).</summary>
    public static Tensor Sigmoid(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Sigmoid(a.Data, y.Data);
        // d/dx σ = y·(1 − y)
        return Tape.Record(y, () => Elementwise.SigmoidBackward(y.Grad!, y.Data, a.GradBuffer()), a);
    }

    /// <summary>max(a, 0).</summary>
    public static Tensor Relu(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        TensorPrimitives.Max(a.Data, 0f, y.Data);
        // d/dx relu = 1 where x > 0, else 0
        return Tape.Record(y, () => Elementwise.ReluBackward(y.Grad!, a.Data, a.GradBuffer()), a);
    }

    /// <summary>GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), as PyTorch gelu(approximate='tanh').</summary>
    public static Tensor Gelu(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        GeluForwardChunked(a.Data, y.Data);
        // d/dx gelu = s + x·s·(1 − s)·2u', s = σ(2u), u = √(2/π)·(x + 0.044715·x³)
        return Tape.Record(y, () => AccumulateGeluGrad(a, y.Grad!), a);
    }

    // y[..x.Length] = gelu(x), chunked.
    private static void GeluForwardChunked(float[] x, float[] y) =>
        Chunks.ForElements(x.Length, (i0, i1) => Elementwise.GeluForward(x.AsSpan(i0..i1), y.AsSpan(i0..i1)));

    // x.Grad (+)= gelu'(x) ⊙ dy, chunked; a first gradient is written, not added.
    private static void AccumulateGeluGrad(Tensor x, float[] dy)
    {
        var dx = x.GradBufferToWrite(out bool fresh);
        Chunks.ForElements(x.Size, (i0, i1) => Elementwise.GeluBackward(dy.AsSpan(i0..i1), x.Data.AsSpan(i0..i1), dx.AsSpan(i0..i1), overwrite: fresh));
    }

    /// <summary>SiLU (swish): x·σ(x).</summary>
    public static Tensor Silu(Tensor a)
    {
        var y = Tensor.Uninitialized((int[])a.Shape.Clone());
        Elementwise.SiluForward(a.Data, y.Data);
        // d/dx x·σ(x) = σ + x·σ·(1 − σ)
        return Tape.Record(y, () => Elementwise.SiluBackward(y.Grad!, a.Data, a.GradBuffer()), a);
    }
}
