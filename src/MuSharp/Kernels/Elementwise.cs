using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MuSharp.Kernels;

/// <summary>
/// Fused element-wise kernels that <see cref="System.Numerics.Tensors.TensorPrimitives"/> has no single call for:
/// activation forwards and the "acc += dy · f'(…)" backward updates. Each runs a Vector512 loop when AVX-512
/// is available and finishes (or falls back) with the same formula in scalar code.
/// All spans of one call have the same length; <c>acc</c> is accumulated into, never overwritten.
/// </summary>
internal static class Elementwise
{
    // GELU tanh approximation: gelu(x) = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
    private const float GeluK0 = 0.7978845608028654f; // √(2/π)
    private const float GeluK1 = 0.044715f;

    private static bool Simd => Vector512.IsHardwareAccelerated;

    // The vector loops load without bounds checks, so every span must be as long as the destination.
    private static void SameLength(int expected, int actual)
    {
        if (actual != expected) throw new ArgumentException($"Elementwise: span length {actual} differs from destination length {expected}.");
    }

    private static Vector512<float> Load(ReadOnlySpan<float> s, int i) =>
        Vector512.LoadUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    private static void Store(Vector512<float> v, Span<float> s, int i) =>
        v.StoreUnsafe(ref MemoryMarshal.GetReference(s), (nuint)i);

    /// <summary>acc += dy / b.</summary>
    public static void AddDivide(ReadOnlySpan<float> dy, ReadOnlySpan<float> b, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, b.Length);
        int i = 0;
        if (Simd)
            for (; i <= acc.Length - 16; i += 16)
                Store(Load(acc, i) + Load(dy, i) / Load(b, i), acc, i);
        for (; i < acc.Length; i++) acc[i] += dy[i] / b[i];
    }

    /// <summary>acc -= dy · y / b (the b-gradient of y = a / b).</summary>
    public static void SubtractMultiplyDivide(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ReadOnlySpan<float> b, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, y.Length); SameLength(acc.Length, b.Length);
        int i = 0;
        if (Simd)
            for (; i <= acc.Length - 16; i += 16)
                Store(Load(acc, i) - Load(dy, i) * Load(y, i) / Load(b, i), acc, i);
        for (; i < acc.Length; i++) acc[i] -= dy[i] * y[i] / b[i];
    }

    /// <summary>acc += dy · (1 − y²), y = tanh(x).</summary>
    public static void TanhBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, y.Length);
        int i = 0;
        if (Simd)
            for (; i <= acc.Length - 16; i += 16)
            {
                var v = Load(y, i);
                Store(Vector512.FusedMultiplyAdd(Load(dy, i), Vector512<float>.One - v * v, Load(acc, i)), acc, i);
            }
        for (; i < acc.Length; i++) acc[i] += dy[i] * (1f - y[i] * y[i]);
    }

    /// <summary>acc += dy · y · (1 − y), y = sigmoid(x).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, y.Length);
        int i = 0;
        if (Simd)
            for (; i <= acc.Length - 16; i += 16)
            {
                var v = Load(y, i);
                Store(Vector512.FusedMultiplyAdd(Load(dy, i), v * (Vector512<float>.One - v), Load(acc, i)), acc, i);
            }
        for (; i < acc.Length; i++) acc[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>acc += dy where x &gt; 0 (ReLU; the derivative at 0 is taken as 0).</summary>
    public static void ReluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, x.Length);
        int i = 0;
        if (Simd)
            for (; i <= acc.Length - 16; i += 16)
            {
                var mask = Vector512.GreaterThan(Load(x, i), Vector512<float>.Zero);
                Store(Load(acc, i) + (Load(dy, i) & mask), acc, i);
            }
        for (; i < acc.Length; i++)
            if (x[i] > 0f) acc[i] += dy[i];
    }

    // 0.5·(1 + tanh(u)) = sigmoid(2u), so gelu(x) = x · s with s = 1 / (1 + exp(−2u)).
    // For large |u| exp saturates to 0 or +∞ and s to 1 or 0, without NaN.

    /// <summary>y = gelu(x) (tanh approximation).</summary>
    public static void GeluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        SameLength(y.Length, x.Length);
        int i = 0;
        if (Simd)
            for (; i <= y.Length - 16; i += 16)
            {
                var v = Load(x, i);
                Store(v * GeluGate(v), y, i);
            }
        for (; i < y.Length; i++) y[i] = x[i] * GeluGate(x[i]);
    }

    /// <summary>
    /// y = bf16(gelu(x)) as bit patterns, in one pass: the same values as <see cref="GeluForward"/> followed by
    /// <see cref="Bf16.Convert"/>, without the fp32 output in between.
    /// </summary>
    public static void GeluForwardBf16(ReadOnlySpan<float> x, Span<ushort> y)
    {
        SameLength(y.Length, x.Length);
        int i = 0;
        if (Simd)
            for (; i <= y.Length - 32; i += 32)
            {
                var lo = Load(x, i);
                var hi = Load(x, i + 16);
                Bf16.FromFloats(lo * GeluGate(lo), hi * GeluGate(hi)).StoreUnsafe(ref MemoryMarshal.GetReference(y), (nuint)i);
            }
        for (; i < y.Length; i++) y[i] = Bf16.FromFloat(x[i] * GeluGate(x[i]));
    }

    // d/dx gelu = s + x · s·(1 − s) · 2·du/dx,  du/dx = √(2/π)·(1 + 3·0.044715·x²)
    /// <summary>acc += dy · gelu'(x); acc = dy · gelu'(x) when <paramref name="overwrite"/> (acc is then never read).</summary>
    public static void GeluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> acc, bool overwrite = false) =>
        GeluBackward(dy, x, acc, [], overwrite);

    /// <summary>
    /// In one pass, <see cref="GeluBackward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float}, bool)"/> and
    /// <see cref="GeluForward"/> on the same x: acc += dy · gelu'(x) (acc = dy · gelu'(x) when
    /// <paramref name="overwrite"/>: acc is then never read), then dy = gelu(x) (each element overwritten once read).
    /// Same values, bit for bit, as the two calls; the gate is computed once.
    /// </summary>
    public static void GeluBackwardThenForward(Span<float> dy, ReadOnlySpan<float> x, Span<float> acc, bool overwrite = false) =>
        GeluBackward(dy, x, acc, dy, overwrite);

    // acc (+)= dy · gelu'(x); when `forward` is not empty (it may be dy itself), also forward = gelu(x) after reading dy.
    private static void GeluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> acc, Span<float> forward, bool overwrite)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, x.Length);
        bool writeForward = !forward.IsEmpty;
        if (writeForward) SameLength(forward.Length, x.Length);
        int i = 0;
        if (Simd)
        {
            var one = Vector512<float>.One;
            for (; i <= acc.Length - 16; i += 16)
            {
                var v = Load(x, i);
                var s = GeluGate(v);
                var du2 = Vector512.Create(2f * GeluK0) * Vector512.FusedMultiplyAdd(Vector512.Create(3f * GeluK1), v * v, one);
                var d = Vector512.FusedMultiplyAdd(v * s * (one - s), du2, s);
                Store(overwrite ? Load(dy, i) * d : Vector512.FusedMultiplyAdd(Load(dy, i), d, Load(acc, i)), acc, i);
                if (writeForward) Store(v * s, forward, i);
            }
        }
        for (; i < acc.Length; i++)
        {
            float v = x[i], s = GeluGate(v);
            float du2 = 2f * GeluK0 * (1f + 3f * GeluK1 * v * v);
            float grad = dy[i] * (s + v * s * (1f - s) * du2);
            acc[i] = overwrite ? grad : acc[i] + grad;
            if (writeForward) forward[i] = v * s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> GeluGate(Vector512<float> v)
    {
        var minus2u = Vector512.Create(-2f * GeluK0) * Vector512.FusedMultiplyAdd(Vector512.Create(GeluK1) * v, v * v, v);
        return Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(minus2u));
    }

    private static float GeluGate(float v) => 1f / (1f + MathF.Exp(-2f * GeluK0 * (v + GeluK1 * v * v * v)));

    /// <summary>y = x · sigmoid(x).</summary>
    public static void SiluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        SameLength(y.Length, x.Length);
        int i = 0;
        if (Simd)
            for (; i <= y.Length - 16; i += 16)
            {
                var v = Load(x, i);
                Store(v / (Vector512<float>.One + Vector512.Exp(-v)), y, i);
            }
        for (; i < y.Length; i++) y[i] = x[i] / (1f + MathF.Exp(-x[i]));
    }

    // d/dx x·σ(x) = σ + x·σ·(1 − σ)
    /// <summary>acc += dy · silu'(x).</summary>
    public static void SiluBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> acc)
    {
        SameLength(acc.Length, dy.Length); SameLength(acc.Length, x.Length);
        int i = 0;
        if (Simd)
        {
            var one = Vector512<float>.One;
            for (; i <= acc.Length - 16; i += 16)
            {
                var v = Load(x, i);
                var s = one / (one + Vector512.Exp(-v));
                var d = Vector512.FusedMultiplyAdd(v * s, one - s, s);
                Store(Vector512.FusedMultiplyAdd(Load(dy, i), d, Load(acc, i)), acc, i);
            }
        }
        for (; i < acc.Length; i++)
        {
            float v = x[i], s = 1f / (1f + MathF.Exp(-v));
            acc[i] += dy[i] * (s + v * s * (1f - s));
        }
    }
}
