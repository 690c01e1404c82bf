using System.Numerics.Tensors;

namespace MuSharp.Kernels;

/// <summary>
/// Row kernels shared by the softmax-family ops (Softmax, LogSoftmax, CrossEntropy, attention).
/// Every forward subtracts the row maximum before exponentiating, so logits of any finite magnitude
/// give finite results; <see cref="TensorPrimitives.SoftMax{T}(ReadOnlySpan{T}, Span{T})"/> does not shift.
/// All rows must be non-empty.
/// </summary>
internal static class Softmax
{
    /// <summary>y = exp(x − max x) / Σ exp(x − max x). <paramref name="x"/> and <paramref name="y"/> may be the same span.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Forward(x, y, out _, out _);

    /// <summary>The same, also giving the row's statistics: <paramref name="max"/> = max x, <paramref name="inverseSum"/> = 1 / Σ exp(x − max).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, out float max, out float inverseSum)
    {
        max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        inverseSum = 1f / TensorPrimitives.Sum<float>(y);
        TensorPrimitives.Multiply(y, inverseSum, y);
    }

    /// <summary>
    /// y = exp(x − max) · inverseSum from the statistics a <see cref="Forward(ReadOnlySpan{float}, Span{float}, out float, out float)"/>
    /// of the same x gave: the same operations on the same values, so the same bits, without the max and sum passes.
    /// </summary>
    public static void Recompute(ReadOnlySpan<float> x, Span<float> y, float max, float inverseSum)
    {
        TensorPrimitives.Subtract(x, max, y);
        TensorPrimitives.Exp(y, y);
        TensorPrimitives.Multiply(y, inverseSum, y);
    }

    /// <summary>
    /// log Σ exp(x) split as <paramref name="max"/> + the returned log Σ exp(x − max), so callers can form
    /// x − max first (exact for nearby values) and keep precision when |x| is large.
    /// <paramref name="scratch"/> has x's length and is overwritten.
    /// </summary>
    public static float LogSumExpShifted(ReadOnlySpan<float> x, Span<float> scratch, out float max)
    {
        max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, scratch);
        TensorPrimitives.Exp(scratch, scratch);
        return MathF.Log(TensorPrimitives.Sum<float>(scratch));
    }

    /// <summary>
    /// dx += y ⊙ (dy − Σ dy⊙y), the vector-Jacobian product of y = softmax(x).
    /// <paramref name="scratch"/> has the row length and is overwritten; <paramref name="dx"/> may alias it
    /// only when <paramref name="overwrite"/> is true (then dx is assigned instead of accumulated).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, Span<float> scratch, bool overwrite = false)
    {
        float dot = TensorPrimitives.Dot(dy, y);
        TensorPrimitives.Subtract(dy, dot, scratch);
        if (overwrite) TensorPrimitives.Multiply(scratch, y, dx);
        else TensorPrimitives.MultiplyAdd(scratch, y, dx, dx);
    }
}
