using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MuSharp.Kernels;

/// <summary>
/// Which part of a small product is needed or nonzero, for the causal attention heads, whose blocks are triangular.
/// Row i of the product is query i + <c>Offset</c> (the band's offset: the block's first query); the kernel works in 12- and 4-row
/// strips and 32-column tiles, so it skips only the tiles and depth steps that lie wholly outside the triangle.
/// </summary>
internal enum BandKind
{
    /// <summary>Full product.</summary>
    None,

    /// <summary>Only C[i, j] with j ≤ i + Offset is needed (scores S = Q Kᵀ, dP = dO Vᵀ: key j ≤ query i).</summary>
    ColumnsUpToRow,

    /// <summary>op(A)[i, p] = 0 for p &gt; i + Offset (A = P or dS times V or K: no weight on later keys).</summary>
    DepthUpToRow,

    /// <summary>op(A)[j, p] = 0 for p + Offset &lt; j (A = Pᵀ or dSᵀ times dO or Q: key j gets nothing from earlier queries).</summary>
    DepthFromRow,
}

/// <summary>A <see cref="BandKind"/> and the global index of the product's first row.</summary>
internal readonly record struct Band(BandKind Kind, int Offset)
{
    public static readonly Band None = new(BandKind.None, 0);
}

/// <summary>
/// Single-threaded GEMM for the small blocks of the attention heads (m, n up to a few hundred, k = Dh or a row block):
/// C = alpha·op(A)·op(B) + beta·C with row-major storage. What the general kernel (<see cref="ManagedGemm"/>) pays on
/// such calls and this one does not: packing A (the micro-kernel reads op(A) in place through a row stride and a
/// depth stride; a pack of a 64×64 block cost more than the block's FMAs), packing B (read in place with stride ldb),
/// and a bottom edge tile computed into scratch (here a 4-row kernel, so m = 64 = 5·12 + 4). A transposed B is
/// transposed once per call into a thread-static [k, n] buffer, so callers that reuse one Bᵀ pass it transposed
/// themselves. A <see cref="Band"/> skips tiles outside a causal triangle. Shapes outside <see cref="Handles"/>
/// (no 512-bit vectors, m not a multiple of 4, n not a multiple of 32) go to the general kernel in full.
/// </summary>
internal static unsafe class SmallGemm
{
    private const int Nr = 32; // columns per kernel call: two Vector512

    [ThreadStatic] private static float[]? transposedB; // [k, n]: op(B) when B is stored transposed

    /// <summary>Whether this kernel takes an m×n product itself rather than passing it to the general one.</summary>
    internal static bool Handles(int m, int n) => Vector512.IsHardwareAccelerated && m % 4 == 0 && n % Nr == 0;

    // Validated call (see Gemm.Sgemm): m, n, k positive, spans long enough for their strides.
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, Band band)
    {
        if (!Handles(m, n))
        {
            ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        float[]? bt = null;
        if (transB)
            bt = transposedB is { } tb && tb.Length >= k * n ? tb : transposedB = new float[Math.Max(k * n, 64 * 256)];

        fixed (float* pA = a)
        fixed (float* pB = b)
        fixed (float* pC = c)
        fixed (float* pT = bt)
        {
            float* bRows = pB;
            nint ldB = ldb;
            if (transB)
            {
                Transpose(pB, ldb, n, k, pT, n);
                bRows = pT;
                ldB = n;
            }
            // op(A)[i, p] = a[i·rowStride + p·depthStride]
            nint rowStride = transA ? 1 : lda, depthStride = transA ? lda : 1;

            for (int i = 0; i < m;)
            {
                int mr = m - i >= 12 ? 12 : 4;
                int nEnd = n, k0 = 0, k1 = k;
                switch (band.Kind)
                {
                    case BandKind.ColumnsUpToRow: nEnd = Math.Min(n, (i + mr + band.Offset + Nr - 1) / Nr * Nr); break;
                    case BandKind.DepthUpToRow: k1 = Math.Clamp(i + mr + band.Offset, 0, k); break;
                    case BandKind.DepthFromRow: k0 = Math.Clamp(i - band.Offset, 0, k); break;
                }
                float* aRow = pA + i * rowStride + k0 * depthStride;
                float* bRow = bRows + k0 * ldB;
                float* cRow = pC + (nint)i * ldc;
                for (int j = 0; j < nEnd; j += Nr)
                {
                    if (mr == 12) Kernel12x32(k1 - k0, aRow, rowStride, depthStride, bRow + j, ldB, cRow + j, ldc, alpha, beta);
                    else Kernel4x32(k1 - k0, aRow, rowStride, depthStride, bRow + j, ldB, cRow + j, ldc, alpha, beta);
                }
                i += mr;
            }
        }
    }

    /// <summary>dst[p·ldd + j] = src[j·lds + p] for j &lt; rows, p &lt; cols: a [rows, cols] block into [cols, rows].</summary>
    internal static void Transpose(float* src, nint lds, int rows, int cols, float* dst, nint ldd)
    {
        // 8×8 blocks through registers, visited in 32×32 tiles so that each destination row gets 32 floats (two cache
        // lines) per visit (a 512×2048 block: 0.89 → 0.55 ms); scalar edges.
        int r8 = rows / 8 * 8, c8 = cols / 8 * 8;
        if (Avx.IsSupported)
            for (int j0 = 0; j0 < r8; j0 += 32)
                for (int p0 = 0; p0 < c8; p0 += 32)
                    for (int j = j0; j < Math.Min(r8, j0 + 32); j += 8)
                        for (int p = p0; p < Math.Min(c8, p0 + 32); p += 8)
                            Transpose8x8(src + j * lds + p, lds, dst + p * ldd + j, ldd);
        else
            r8 = c8 = 0;
        for (int j = 0; j < rows; j++)
        {
            int p0 = j < r8 ? c8 : 0;
            float* s = src + j * lds;
            for (int p = p0; p < cols; p++) dst[p * ldd + j] = s[p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint lds, float* d, nint ldd)
    {
        var r0 = Vector256.Load(s); var r1 = Vector256.Load(s + lds);
        var r2 = Vector256.Load(s + 2 * lds); var r3 = Vector256.Load(s + 3 * lds);
        var r4 = Vector256.Load(s + 4 * lds); var r5 = Vector256.Load(s + 5 * lds);
        var r6 = Vector256.Load(s + 6 * lds); var r7 = Vector256.Load(s + 7 * lds);
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves: the standard 8×8 AVX transpose.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(d);
        Avx.Permute2x128(u1, u5, 0x20).Store(d + ldd);
        Avx.Permute2x128(u2, u6, 0x20).Store(d + 2 * ldd);
        Avx.Permute2x128(u3, u7, 0x20).Store(d + 3 * ldd);
        Avx.Permute2x128(u0, u4, 0x31).Store(d + 4 * ldd);
        Avx.Permute2x128(u1, u5, 0x31).Store(d + 5 * ldd);
        Avx.Permute2x128(u2, u6, 0x31).Store(d + 6 * ldd);
        Avx.Permute2x128(u3, u7, 0x31).Store(d + 7 * ldd);
    }

    // C[12, 32] (+)= alpha · Σₚ op(A)[0..11, p]ᵀ · B[p, 0..31] with op(A)[r, p] = a[r·ars + p·aps] and B's row p at
    // b + p·ldb: two B vectors per depth step, one broadcast per row. ars = 1, aps = 12 reads a packed strip.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Kernel12x32(int kb, float* a, nint ars, nint aps, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default,
            c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default,
            c90 = default, c91 = default, cA0 = default, cA1 = default, cB0 = default, cB1 = default;
        // Four base pointers (rows 0, 3, 6, 9) and two row offsets keep the twelve rows in general registers.
        float* a0 = a, a3 = a + 3 * ars, a6 = a + 6 * ars, a9 = a + 9 * ars;
        nint r1 = ars, r2 = 2 * ars;
        for (int p = 0; p < kb; p++, a0 += aps, a3 += aps, a6 += aps, a9 += aps, b += ldb)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a0[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a0[r1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a0[r2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[0]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a3[r1]); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a3[r2]); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[0]); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a6[r1]); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a6[r2]); c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a9[0]); c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a9[r1]); cA0 = Vector512.FusedMultiplyAdd(x, b0, cA0); cA1 = Vector512.FusedMultiplyAdd(x, b1, cA1);
            x = Vector512.Create(a9[r2]); cB0 = Vector512.FusedMultiplyAdd(x, b0, cB0); cB1 = Vector512.FusedMultiplyAdd(x, b1, cB1);
        }
        Store(c, c00, alpha, beta); Store(c + 16, c01, alpha, beta); c += ldc;
        Store(c, c10, alpha, beta); Store(c + 16, c11, alpha, beta); c += ldc;
        Store(c, c20, alpha, beta); Store(c + 16, c21, alpha, beta); c += ldc;
        Store(c, c30, alpha, beta); Store(c + 16, c31, alpha, beta); c += ldc;
        Store(c, c40, alpha, beta); Store(c + 16, c41, alpha, beta); c += ldc;
        Store(c, c50, alpha, beta); Store(c + 16, c51, alpha, beta); c += ldc;
        Store(c, c60, alpha, beta); Store(c + 16, c61, alpha, beta); c += ldc;
        Store(c, c70, alpha, beta); Store(c + 16, c71, alpha, beta); c += ldc;
        Store(c, c80, alpha, beta); Store(c + 16, c81, alpha, beta); c += ldc;
        Store(c, c90, alpha, beta); Store(c + 16, c91, alpha, beta); c += ldc;
        Store(c, cA0, alpha, beta); Store(c + 16, cA1, alpha, beta); c += ldc;
        Store(c, cB0, alpha, beta); Store(c + 16, cB1, alpha, beta);
    }

    // C[4, 32] (+)= the same for four rows: the rows after the 12-row strips.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel4x32(int kb, float* a, nint ars, nint aps, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default;
        nint r1 = ars, r2 = 2 * ars, r3 = 3 * ars;
        for (int p = 0; p < kb; p++, a += aps, b += ldb)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var x = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[r1]); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[r2]); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[r3]); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
        }
        Store(c, c00, alpha, beta); Store(c + 16, c01, alpha, beta); c += ldc;
        Store(c, c10, alpha, beta); Store(c + 16, c11, alpha, beta); c += ldc;
        Store(c, c20, alpha, beta); Store(c + 16, c21, alpha, beta); c += ldc;
        Store(c, c30, alpha, beta); Store(c + 16, c31, alpha, beta);
    }

    // c = alpha·acc + beta·c; with beta = 0, C is never read (it may hold NaN garbage from an uninitialized tensor).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Store(float* c, Vector512<float> acc, float alpha, float beta)
    {
        var r = acc * alpha;
        if (beta != 0f) r = Vector512.FusedMultiplyAdd(Vector512.Load(c), Vector512.Create(beta), r);
        r.Store(c);
    }
}
