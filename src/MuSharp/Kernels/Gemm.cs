namespace MuSharp.Kernels;

// Which SGEMM implementation runs a call.
internal enum GemmBackend
{
    OpenBlas,
    Managed,
}

/// <summary>
/// Single-precision GEMM, row-major: C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C.
/// op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of A, B, C as stored.
/// Dispatches to OpenBLAS when present, else to a managed kernel.
/// </summary>
public static class Gemm
{
    /// <summary>Environment variable: "managed" forces the managed backend even when OpenBLAS is installed.</summary>
    public const string BackendVariable = "MUSHARP_GEMM";

    private static readonly Lazy<GemmBackend> Default = new(ChooseDefault, LazyThreadSafetyMode.ExecutionAndPublication);
    private static GemmBackend? forced;

    /// <summary>Human-readable name of the backend in use, e.g. "OpenBLAS 0.3.21 SkylakeX, 2 threads".</summary>
    public static string Backend => Describe(Active);

    // The backend Sgemm dispatches to.
    internal static GemmBackend Active => forced ?? Default.Value;

    // Process-wide override (benchmarks, comparisons); null restores the default choice.
    internal static void UseBackend(GemmBackend? backend)
    {
        if (backend == GemmBackend.OpenBlas && !OpenBlas.IsAvailable)
            throw new InvalidOperationException("Gemm: OpenBLAS (libopenblas.so.0) is not loaded, so it cannot be selected.");
        forced = backend;
    }

    internal static string Describe(GemmBackend backend) => backend == GemmBackend.OpenBlas
        ? $"{OpenBlas.Version ?? "OpenBLAS"} {OpenBlas.CoreName}, {OpenBlas.Threads} thread{(OpenBlas.Threads == 1 ? "" : "s")}"
        : ManagedGemm.Name;

    /// <summary>C[m,n] = alpha · op(A) · op(B) + beta · C with the active backend. k = 0 gives C = beta · C.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Sgemm(Active, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    // The same operation on an explicitly chosen backend (tests and benchmarks compare them).
    internal static void Sgemm(GemmBackend backend, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        if (backend == GemmBackend.OpenBlas) OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

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

    private static GemmBackend ChooseDefault()
    {
        bool wantManaged = string.Equals(Environment.GetEnvironmentVariable(BackendVariable), "managed", StringComparison.OrdinalIgnoreCase);
        if (wantManaged) return GemmBackend.Managed;
        if (OpenBlas.IsAvailable) return GemmBackend.OpenBlas;
        // Evaluated once per process by the Lazy, so the warning is printed once.
        Console.Error.WriteLine("MuSharp: OpenBLAS not found (libopenblas.so.0); using the managed GEMM, several times slower. " +
            "Install it with scripts/setup.sh or apt-get install libopenblas0-pthread.");
        return GemmBackend.Managed;
    }

    // C = beta·C over the m×n window; beta = 0 writes zeros without reading (C may hold NaN garbage).
    private static void ScaleC(int m, int n, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == 0f) row.Clear();
            else if (beta != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
        }
    }

    // Stored shapes: A is [m,k] (or [k,m] when transposed), B is [k,n] (or [n,k]), C is [m,n]; each row
    // stride must cover the stored width and each span must reach the last stored element.
    private static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: negative size m={m}, n={n}, k={k}.");
        Check("A", transA ? k : m, transA ? m : k, lda, aLength, transA);
        Check("B", transB ? n : k, transB ? k : n, ldb, bLength, transB);
        Check("C", m, n, ldc, cLength, false);

        void Check(string name, int rows, int cols, int ld, int length, bool trans)
        {
            string shape = $"{name} stored as [{rows}, {cols}]{(trans ? " (transposed)" : "")} with row stride {ld}, for m={m}, n={n}, k={k}";
            if (ld < cols)
                throw new ArgumentException($"Sgemm: {shape}: the stride must be at least {cols}.", "ld" + name.ToLowerInvariant());
            long need = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
            if (length < need)
                throw new ArgumentException($"Sgemm: {shape} needs {need} elements but the span has {length}.", name.ToLowerInvariant());
        }
    }
}
