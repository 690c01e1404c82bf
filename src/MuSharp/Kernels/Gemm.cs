namespace MuSharp.Kernels;

/// <summary>
/// Single-precision GEMM, row-major: C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C.
/// op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of A, B, C as stored.
/// Dispatches to OpenBLAS when present, else to a managed kernel.
/// </summary>
public static class Gemm
{
    /// <summary>Human-readable name of the backend in use, e.g. "OpenBLAS SkylakeX, 2 threads".</summary>
    public static string Backend => "reference";

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Reference(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>Naive triple loop accumulating in double: the oracle the fast kernels are tested against.</summary>
    public static void Reference(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    s += (double)av * bv;
                }
                float prev = beta == 0f ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = (float)(alpha * s) + prev;
            }
    }
}
