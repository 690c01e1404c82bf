using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MuSharp.Kernels;

/// <summary>
/// bfloat16 conversions: a bf16 is the upper 16 bits of an fp32 (8-bit exponent, 7-bit mantissa). Rounding is to
/// nearest, ties to even, as in oneDNN and PyTorch; NaN stays NaN (a quiet bit is set so it cannot round to ±Inf).
/// </summary>
public static class Bf16
{
    /// <summary>The bf16 bit pattern nearest to <paramref name="x"/> (ties to even).</summary>
    public static ushort FromFloat(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        if (float.IsNaN(x)) return (ushort)((bits >> 16) | 0x40);
        // Adding 0x7FFF plus the lowest kept bit rounds the dropped 16 bits to nearest, ties to the even result.
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    /// <summary>The fp32 value of a bf16 bit pattern (exact).</summary>
    public static float ToFloat(ushort h) => BitConverter.UInt32BitsToSingle((uint)h << 16);

    /// <summary>x rounded to the nearest bf16 and widened back to fp32.</summary>
    public static float Round(float x) => ToFloat(FromFloat(x));

    /// <summary>
    /// dst[i] = bf16(src[i]); the spans have equal length. Large spans are converted in chunks on the configured threads
    /// (<see cref="Chunks"/>); the rounding is per element, so the bits do not depend on the split.
    /// </summary>
    public static unsafe void Convert(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        if (dst.Length != src.Length) throw new ArgumentException($"Bf16.Convert: destination length {dst.Length} differs from source length {src.Length}.");
        fixed (float* s = src)
        fixed (ushort* d = dst)
        {
            nint from = (nint)s, to = (nint)d;
            Chunks.ForElements(src.Length, (i0, i1) =>
                ConvertRange(new ReadOnlySpan<float>((float*)from + i0, i1 - i0), new Span<ushort>((ushort*)to + i0, i1 - i0)));
        }
    }

    private static void ConvertRange(ReadOnlySpan<float> src, Span<ushort> dst)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref uint s = ref Unsafe.As<float, uint>(ref MemoryMarshal.GetReference(src));
            ref ushort d = ref MemoryMarshal.GetReference(dst);
            var one = Vector512.Create(1u);
            var bias = Vector512.Create(0x7FFFu);
            for (; i <= src.Length - 32; i += 32)
            {
                var lo = Vector512.LoadUnsafe(ref s, (nuint)i);
                var hi = Vector512.LoadUnsafe(ref s, (nuint)i + 16);
                var rlo = RoundBits(lo, one, bias);
                var rhi = RoundBits(hi, one, bias);
                // Narrow keeps the low 16 bits of each lane, i.e. the bf16 pattern already shifted down.
                Vector512.Narrow(rlo, rhi).StoreUnsafe(ref d, (nuint)i);
            }
        }
        for (; i < src.Length; i++) dst[i] = FromFloat(src[i]);
    }

    /// <summary>x[i] = bf16(x[i]) widened back to fp32, in place (the managed stand-in for a bf16 GEMM's input rounding).</summary>
    public static void RoundInPlace(Span<float> x)
    {
        for (int i = 0; i < x.Length; i++) x[i] = Round(x[i]);
    }

    /// <summary>
    /// bf16 patterns of 32 lanes (lo then hi), each rounded as <see cref="FromFloat"/> does: the vector step of
    /// <see cref="Convert"/>, for kernels that produce a value and round it in the same pass.
    /// </summary>
    internal static Vector512<ushort> FromFloats(Vector512<float> lo, Vector512<float> hi)
    {
        var one = Vector512.Create(1u);
        var bias = Vector512.Create(0x7FFFu);
        return Vector512.Narrow(RoundBits(lo.AsUInt32(), one, bias), RoundBits(hi.AsUInt32(), one, bias));
    }

    // Round-to-nearest-even on 16 lanes; NaN lanes keep their pattern with the quiet bit set.
    private static Vector512<uint> RoundBits(Vector512<uint> bits, Vector512<uint> one, Vector512<uint> bias)
    {
        var rounded = (bits + bias + ((bits >> 16) & one)) >> 16;
        var f = bits.AsSingle();
        var nan = ~Vector512.Equals(f, f).AsUInt32();
        var quiet = (bits >> 16) | Vector512.Create(0x40u);
        return Vector512.ConditionalSelect(nan, quiet, rounded);
    }
}
