using System.Runtime.Intrinsics;

namespace MuSharp.Kernels;

/// <summary>
/// Single-threaded GEMM for the small blocks of the attention heads (m, n up to a few hundred, k = Dh or a row block):
/// C = alpha·op(A)·op(B) + beta·C with row-major storage. What the general kernel (<see cref="ManagedGemm"/>) pays on
/// such calls and this one does not: two pack buffers allocated per call (here thread-static, reused), B copied into
/// strips even when its rows are already contiguous (here read in place with stride ldb), and a bottom edge tile
/// computed in full into scratch and merged element by element when 12 does not divide m (here a 4-row kernel, so
/// m = 64 = 5·12 + 4). The micro-kernels are ManagedGemm's, with B's row stride as a parameter. A transposed B is
/// transposed once per call into a thread-static [k, n] buffer. Shapes outside
/// <see cref="Handles"/> (no 512-bit vectors, m not a multiple of 4, n not a multiple of 32) go to the general kernel.
/// </summary>
internal static unsafe class SmallGemm
{
    private const int Nr = 32; // columns per kernel call: two Vector512

    [ThreadStatic] private static float[]? transposedB; // [k, n]: op(B) when B is stored transposed
    [ThreadStatic] private static float[]? packedA;     // [k, mr]: one strip of op(A), depth-major

    /// <summary>Whether this kernel takes an m×n product itself rather than passing it to the general one.</summary>
    internal static bool Handles(int m, int n) => Vector512.IsHardwareAccelerated && m % 4 == 0 && n % Nr == 0;

    // Validated call (see Gemm.Sgemm): m, n, k positive, spans long enough for their strides.
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (!Handles(m, n))
        {
            ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        var aStrip = packedA is { } pa && pa.Length >= 12 * k ? pa : packedA = new float[Math.Max(12 * k, 12 * 256)];
        float[]? bt = null;
        if (transB)
            bt = transposedB is { } tb && tb.Length >= k * n ? tb : transposedB = new float[Math.Max(k * n, 64 * 256)];

        fixed (float* pA = a)
        fixed (float* pB = b)
        fixed (float* pC = c)
        fixed (float* pStrip = aStrip)
        fixed (float* pT = bt)
        {
            float* bRows = pB;
            nint ldB = ldb;
            if (transB)
            {
                // op(B)[p, j] = b[j·ldb + p]: read each stored row once, write it down a column of [k, n].
                for (int j = 0; j < n; j++)
                {
                    float* src = pB + (nint)j * ldb;
                    for (int p = 0; p < k; p++) pT[(nint)p * n + j] = src[p];
                }
                bRows = pT;
                ldB = n;
            }

            for (int i = 0; i < m;)
            {
                int mr = m - i >= 12 ? 12 : 4;
                PackA(transA, pA, lda, i, mr, k, pStrip);
                float* cRow = pC + (nint)i * ldc;
                for (int j = 0; j < n; j += Nr)
                {
                    if (mr == 12) ManagedGemm.Kernel12x32(k, pStrip, bRows + j, ldB, cRow + j, ldc, alpha, beta);
                    else ManagedGemm.Kernel4x32(k, pStrip, bRows + j, ldB, cRow + j, ldc, alpha, beta);
                }
                i += mr;
            }
        }
    }

    // dst[p·mr + r] = op(A)[i0 + r, p] for r < mr, p < k.
    private static void PackA(bool transA, float* a, nint lda, int i0, int mr, int k, float* dst)
    {
        if (!transA) // op(A)[i, p] = a[i·lda + p]
            for (int r = 0; r < mr; r++)
            {
                float* src = a + (i0 + r) * lda;
                for (int p = 0; p < k; p++) dst[p * mr + r] = src[p];
            }
        else // op(A)[i, p] = a[p·lda + i]: a depth step is a contiguous run of mr rows
            for (int p = 0; p < k; p++)
                new ReadOnlySpan<float>(a + p * lda + i0, mr).CopyTo(new Span<float>(dst + p * mr, mr));
    }
}
