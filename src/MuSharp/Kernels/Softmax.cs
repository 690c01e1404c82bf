using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        inverseSum = 1f / ExpShifted(x, max, 1f, y);
        TensorPrimitives.Multiply(y, inverseSum, y);
    }

    /// <summary>
    /// y = exp(x − max) · inverseSum from the statistics a <see cref="Forward(ReadOnlySpan{float}, Span{float}, out float, out float)"/>
    /// of the same x gave: the same operations on the same values, so the same bits, without the max and sum passes.
    /// </summary>
    public static void Recompute(ReadOnlySpan<float> x, Span<float> y, float max, float inverseSum) =>
        ExpShifted(x, max, inverseSum, y);

    // y = exp(x − shift) · scale in one pass (two roundings: the exp, then the product, never fused); returns
    // Σ exp(x − shift). Sixteen lanes at a time; the last x.Length mod 16 elements go through one vector padded with
    // −∞ (exp = 0), so every element takes the same exp whatever its position. y may alias x.
    private static float ExpShifted(ReadOnlySpan<float> x, float shift, float scale, Span<float> y)
    {
        int n = x.Length, i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        var s = Vector512.Create(shift);
        var acc = Vector512<float>.Zero;
        for (; i <= n - 16; i += 16)
        {
            var e = Vector512.Exp(Vector512.LoadUnsafe(ref x0, (nuint)i) - s);
            acc += e;
            (e * scale).StoreUnsafe(ref y0, (nuint)i);
        }
        if (i < n)
        {
            Span<float> pad = stackalloc float[16];
            pad.Fill(float.NegativeInfinity);
            x[i..].CopyTo(pad);
            var e = Vector512.Exp(Vector512.Create<float>(pad) - s);
            acc += e;
            (e * scale).CopyTo(pad);
            pad[..(n - i)].CopyTo(y[i..]);
        }
        return Vector512.Sum(acc);
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
        if (!overwrite)
        {
            TensorPrimitives.Subtract(dy, dot, scratch);
            TensorPrimitives.MultiplyAdd(scratch, y, dx, dx);
            return;
        }
        // dx = (dy − dot) ⊙ y in one pass (the attention backward's rows).
        int n = y.Length, i = 0;
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        var d = Vector512.Create(dot);
        for (; i <= n - 16; i += 16)
            ((Vector512.LoadUnsafe(ref dy0, (nuint)i) - d) * Vector512.LoadUnsafe(ref y0, (nuint)i)).StoreUnsafe(ref dx0, (nuint)i);
        for (; i < n; i++) dx[i] = (dy[i] - dot) * y[i];
    }
}
