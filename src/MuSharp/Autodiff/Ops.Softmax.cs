using System.Numerics.Tensors;

namespace MuSharp;

// Shapes: a is [N, V] after flattening the leading axes into N rows; V is the softmax axis (the last).
public static partial class Ops
{
    /// <summary>softmax over the last axis, max-shifted: y = exp(x − max x) / Σ exp(x − max x). Output has a's shape.</summary>
    public static Tensor Softmax(Tensor a)
    {
        var (rows, v) = SoftmaxRows(a, "Softmax");
        var y = Tensor.Uninitialized(a.Shape); // [N, V]
        for (int r = 0; r < rows; r++)
            Kernels.Softmax.Forward(a.Data.AsSpan(r * v, v), y.Data.AsSpan(r * v, v));

        return Tape.Record(y, () =>
        {
            // y = softmax(x) ⇒ ∂y_i/∂x_j = y_i (δ_ij − y_j) ⇒ dx = y ⊙ (dy − Σ dy⊙y).
            var dy = y.Grad!; // [N, V]
            var dx = a.GradBuffer(); // [N, V]
            var scratch = new float[v]; // [V]
            for (int r = 0; r < rows; r++)
                Kernels.Softmax.Backward(y.Data.AsSpan(r * v, v), dy.AsSpan(r * v, v), dx.AsSpan(r * v, v), scratch);
        }, a);
    }

    /// <summary>log softmax over the last axis: y = x − max x − log Σ exp(x − max x). Output has a's shape.</summary>
    public static Tensor LogSoftmax(Tensor a)
    {
        var (rows, v) = SoftmaxRows(a, "LogSoftmax");
        var y = Tensor.Uninitialized(a.Shape); // [N, V]
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Data.AsSpan(r * v, v);
            float logSum = Kernels.Softmax.LogSumExpShifted(a.Data.AsSpan(r * v, v), yr, out float max);
            TensorPrimitives.Subtract(a.Data.AsSpan(r * v, v), max, yr);
            TensorPrimitives.Subtract(yr, logSum, yr);
        }

        return Tape.Record(y, () =>
        {
            // y_i = x_i − log Σ_j exp(x_j) ⇒ ∂y_i/∂x_j = δ_ij − softmax_j ⇒ dx = dy − softmax · Σ dy, softmax = exp(y).
            var dy = y.Grad!; // [N, V]
            var dx = a.GradBuffer(); // [N, V]
            var p = new float[v]; // [V]
            for (int r = 0; r < rows; r++)
            {
                var dyr = dy.AsSpan(r * v, v);
                var dxr = dx.AsSpan(r * v, v);
                TensorPrimitives.Exp(y.Data.AsSpan(r * v, v), p);
                float sum = TensorPrimitives.Sum<float>(dyr);
                TensorPrimitives.Add(dxr, dyr, dxr);
                TensorPrimitives.MultiplyAdd(p, -sum, dxr, dxr);
            }
        }, a);
    }

    // Validates a [..., V] input with V ≥ 1 and returns (rows, V).
    private static (int Rows, int V) SoftmaxRows(Tensor a, string op)
    {
        if (a.Rank < 1 || a.Shape[^1] < 1)
            throw new ArgumentException($"{op}: expected a tensor [..., V] with V ≥ 1, got {Shapes.Format(a.Shape)}.");
        return (Shapes.Rows(a.Shape), a.Shape[^1]);
    }
}
