using System.Buffers;
using MuSharp.Diagnostics;

namespace MuSharp.Kernels;

// Which SGEMM implementation runs a call.
internal enum GemmBackend
{
    OpenBlas,
    Managed,
    OneDnn,
}

/// <summary>
/// Single-precision GEMM, row-major: C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C.
/// op(X) is X or Xᵀ; lda/ldb/ldc are the row strides of A, B, C as stored.
/// Backends: oneDNN (<c>dnnl_sgemm</c>) when libdnnl.so.2 is present, else OpenBLAS, else a managed kernel;
/// <c>MUSHARP_GEMM=onednn|openblas|managed</c> forces one for every call. oneDNN is the default because it measured
/// faster in the GPT steps and its bf16 GEMM has no OpenBLAS counterpart; with it, fp32 GEMMs with every dimension
/// ≤ <see cref="SmallShapeLimit"/> run on OpenBLAS, which measured faster in steps made of such GEMMs (docs/engine.md).
/// OpenBLAS stays loaded for LAPACK.
/// </summary>
public static class Gemm
{
    /// <summary>Environment variable: "onednn", "openblas" or "managed" forces that backend.</summary>
    public const string BackendVariable = "MUSHARP_GEMM";

    private static readonly Lazy<GemmBackend> Default = new(ChooseDefault, LazyThreadSafetyMode.ExecutionAndPublication);
    private static GemmBackend? forced;

    /// <summary>Human-readable name of the backend in use, e.g. "OpenBLAS 0.3.21 SkylakeX, 2 threads".</summary>
    public static string Backend => forced is null && RoutesSmallShapes.Value
        ? $"{Describe(Active)}; {Describe(GemmBackend.OpenBlas)} where m, n, k ≤ {SmallShapeLimit}"
        : Describe(Active);

    // The process's backend: bf16 GEMMs and every fp32 GEMM with a dimension above SmallShapeLimit run on it.
    internal static GemmBackend Active => forced ?? Default.Value;

    /// <summary>
    /// fp32 GEMMs whose m, n and k are all at most this run on OpenBLAS when MuSharp chose oneDNN itself (MUSHARP_GEMM
    /// unset) and runs them on several threads. In whole train steps whose GEMMs are all this small (the MLP at batch
    /// 256) OpenBLAS was faster, though oneDNN is as fast or faster on each shape alone: its sleeping OpenMP threads
    /// are woken for every call. In GPT steps at 2,048 tokens, where every GEMM has the tokens as a dimension, oneDNN
    /// was as fast or faster; on one thread the two were even. docs/engine.md ("Two GEMM libraries by shape").
    /// </summary>
    internal const int SmallShapeLimit = 1024;

    private static readonly Lazy<bool> RoutesSmallShapes = new(() =>
        RoutesSmall(Environment.GetEnvironmentVariable(BackendVariable), Default.Value, OpenBlas.IsAvailable, OpenBlas.ConfiguredThreads));

    // Whether small fp32 GEMMs go to OpenBLAS: only when the default choice is oneDNN, OpenBLAS loaded, the GEMMs run on
    // more than one thread, and the user did not name oneDNN in MUSHARP_GEMM (a named backend runs every call).
    internal static bool RoutesSmall(string? requested, GemmBackend chosen, bool hasOpenBlas, int threads) =>
        chosen == GemmBackend.OneDnn && hasOpenBlas && threads > 1 && requested?.Trim().ToLowerInvariant() != "onednn";

    internal static GemmBackend Route(GemmBackend chosen, bool routesSmall, int m, int n, int k) =>
        routesSmall && Math.Max(m, Math.Max(n, k)) <= SmallShapeLimit ? GemmBackend.OpenBlas : chosen;

    // The backend an fp32 call of this shape runs on.
    internal static GemmBackend For(int m, int n, int k) => forced ?? Route(Default.Value, RoutesSmallShapes.Value, m, n, k);

    // Process-wide override (benchmarks, comparisons); null restores the default choice.
    internal static void UseBackend(GemmBackend? backend)
    {
        if (backend == GemmBackend.OpenBlas && !OpenBlas.IsAvailable)
            throw new InvalidOperationException("Gemm: OpenBLAS (libopenblas.so.0) is not loaded, so it cannot be selected.");
        if (backend == GemmBackend.OneDnn && !OneDnn.IsAvailable)
            throw new InvalidOperationException("Gemm: oneDNN (libdnnl.so.2) is not loaded, so it cannot be selected.");
        forced = backend;
    }

    internal static string Describe(GemmBackend backend) => backend switch
    {
        GemmBackend.OpenBlas => $"{OpenBlas.Version ?? "OpenBLAS"} {OpenBlas.CoreName}, {Plural(OpenBlas.Threads)}",
        GemmBackend.OneDnn => $"{OneDnn.Version} sgemm{(OneDnn.HasBf16Gemm ? " + bf16 gemm" : "")}, {Plural(OneDnn.Threads)}",
        _ => ManagedGemm.Name,
    };

    /// <summary>
    /// What a bf16 GEMM runs on: oneDNN's <c>dnnl_gemm_bf16bf16f32</c> when the active backend is oneDNN, else an
    /// emulation (inputs rounded to bf16 and widened, then the fp32 GEMM of the active backend; same values up to the
    /// order of fp32 accumulation, no speed-up).
    /// </summary>
    public static string Bf16Backend => NativeBf16(Active)
        ? $"{OneDnn.Version} gemm_bf16bf16f32, {Plural(OneDnn.Threads)}"
        : $"emulated bf16 on {Backend}";

    // Whether bf16 GEMMs on this backend are oneDNN's native ones (else emulated on fp32 GEMMs).
    private static bool NativeBf16(GemmBackend backend) => backend == GemmBackend.OneDnn && OneDnn.HasBf16Gemm;

    private static string Plural(int threads) => $"{threads} thread{(threads == 1 ? "" : "s")}";

    /// <summary>C[m,n] = alpha · op(A) · op(B) + beta · C with the active backend. k = 0 gives C = beta · C.</summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        OpClock.Hold();
        Sgemm(For(m, n, k), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        OpClock.Gemm(Precision.Fp32, transA, transB, m, n, k);
    }

    // oneDNN 2.6's A·Bᵀ kernel is slower than its A·B one when the depth is large: at 2048×512×2048 (a GPT d512 MLP's
    // dX = dY·Wᵀ), 340 against 435 GFLOP/s with the transposition of B included (2048×256×1024: 345 against 462).
    // Transposing B costs n·k moves against m·n·k multiply-adds, so it pays only for tall A; below these it is a wash or
    // a loss (256×1024×1024, the MLP's dX: 297 against 232). Measured in docs/engine.md.
    private const int TransposeBMinRows = 1024, TransposeBMinDepth = 512;

    private static void OneDnnTransposingB(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var bt = ArrayPool<float>.Shared.Rent(k * n); // op(B) = Bᵀ as [k, n]
        try
        {
            TransposeChunked(b, ldb, n, k, bt, n);
            OneDnn.Sgemm(false, false, m, n, k, alpha, a, lda, bt.AsSpan(0, k * n), n, beta, c, ldc);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bt);
        }
    }

    // Transpose on the configured threads, each chunk a band of source rows (a band of destination columns).
    private static unsafe void TransposeChunked(ReadOnlySpan<float> src, int lds, int rows, int cols, float[] dst, int ldd)
    {
        fixed (float* s = src)
        fixed (float* d = dst)
        {
            nint from = (nint)s, to = (nint)d;
            Chunks.For(rows, cols, (r0, r1) => SmallGemm.Transpose((float*)from + (nint)r0 * lds, lds, r1 - r0, cols, (float*)to + r0, ldd));
        }
    }

    // Validates a call; false when there is nothing to multiply (m, n, k or alpha zero), with C already scaled by beta.
    private static bool Multiplies(bool transA, bool transB, int m, int n, int k, float alpha,
        int aLength, int lda, int bLength, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, aLength, lda, bLength, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return false;
        if (k != 0 && alpha != 0f) return true;
        ScaleC(m, n, beta, c, ldc);
        return false;
    }

    // The same operation on an explicitly chosen backend (tests and benchmarks compare them).
    internal static void Sgemm(GemmBackend backend, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (!Multiplies(transA, transB, m, n, k, alpha, a.Length, lda, b.Length, ldb, beta, c, ldc)) return;
        switch (backend)
        {
            case GemmBackend.OneDnn when !transA && transB && m >= TransposeBMinRows && k >= TransposeBMinDepth:
                OneDnnTransposingB(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
                break;
            case GemmBackend.OneDnn: OneDnn.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
            case GemmBackend.OpenBlas: OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
            default: ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); break;
        }
    }

    // The same operation on the single-threaded small-block kernel of the attention heads (SmallGemm).
    // A band (causal attention) lets it skip the tiles outside a triangle; entries of C outside the band may be left
    // unwritten.
    internal static void SmallSgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, Band band = default)
    {
        if (!Multiplies(transA, transB, m, n, k, alpha, a.Length, lda, b.Length, ldb, beta, c, ldc)) return;
        SmallGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, band);
    }

    /// <summary>dst[p·ldd + j] = src[j·lds + p] for j &lt; rows, p &lt; cols: a row-major [rows, cols] block into [cols, rows].</summary>
    internal static unsafe void Transpose(ReadOnlySpan<float> src, int lds, int rows, int cols, Span<float> dst, int ldd)
    {
        if (rows < 1 || cols < 1 || lds < cols || ldd < rows || src.Length < (long)(rows - 1) * lds + cols || dst.Length < (long)(cols - 1) * ldd + rows)
            throw new ArgumentException($"Transpose: [{rows}, {cols}] with lds {lds}, ldd {ldd} does not fit spans of {src.Length} and {dst.Length}.");
        fixed (float* s = src)
        fixed (float* d = dst)
            SmallGemm.Transpose(s, lds, rows, cols, d, ldd);
    }

    /// <summary>
    /// C = alpha · bf16(op(A)) · bf16(op(B)) + beta · C: A and B rounded to bfloat16 (nearest, ties to even), products
    /// accumulated in fp32, C read and written in fp32. Same shapes and strides as <see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
    /// </summary>
    public static void SgemmBf16(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        OpClock.Hold();
        SgemmBf16(Active, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        OpClock.Gemm(Precision.Bf16, transA, transB, m, n, k);
    }

    internal static void SgemmBf16(GemmBackend backend, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (!Multiplies(transA, transB, m, n, k, alpha, a.Length, lda, b.Length, ldb, beta, c, ldc)) return;
        // Only the stored window is converted: rows·ld elements, the padding between rows included.
        int aLen = StoredLength(transA ? k : m, transA ? m : k, lda), bLen = StoredLength(transB ? n : k, transB ? k : n, ldb);
        if (NativeBf16(backend))
        {
            var ah = ArrayPool<ushort>.Shared.Rent(aLen);
            var bh = ArrayPool<ushort>.Shared.Rent(bLen);
            try
            {
                Bf16.Convert(a[..aLen], ah.AsSpan(0, aLen));
                Bf16.Convert(b[..bLen], bh.AsSpan(0, bLen));
                OpClock.Lap("bf16 conversion");
                OneDnn.GemmBf16(transA, transB, m, n, k, alpha, ah.AsSpan(0, aLen), lda, bh.AsSpan(0, bLen), ldb, beta, c, ldc);
            }
            finally
            {
                ArrayPool<ushort>.Shared.Return(ah);
                ArrayPool<ushort>.Shared.Return(bh);
            }
            return;
        }
        var af = ArrayPool<float>.Shared.Rent(aLen);
        var bf = ArrayPool<float>.Shared.Rent(bLen);
        try
        {
            a[..aLen].CopyTo(af);
            b[..bLen].CopyTo(bf);
            Bf16.RoundInPlace(af.AsSpan(0, aLen));
            Bf16.RoundInPlace(bf.AsSpan(0, bLen));
            OpClock.Lap("bf16 conversion");
            Sgemm(backend, transA, transB, m, n, k, alpha, af.AsSpan(0, aLen), lda, bf.AsSpan(0, bLen), ldb, beta, c, ldc);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(af);
            ArrayPool<float>.Shared.Return(bf);
        }
    }

    /// <summary>
    /// An operand rounded to bf16 once and used by several GEMMs (a layer's X and W in forward and backward, dY in
    /// both backward GEMMs): oneDNN bit patterns when the active backend is oneDNN, else fp32 values rounded to bf16
    /// for the emulation. Pooled; dispose it after its last GEMM.
    /// </summary>
    internal sealed class Bf16Operand : IDisposable
    {
        private ushort[]? bits;
        private float[]? rounded;

        internal int Length { get; }
        internal ReadOnlySpan<ushort> Bits => bits.AsSpan(0, Length);
        internal ReadOnlySpan<float> Rounded => rounded.AsSpan(0, Length);
        internal bool Native => bits != null;

        internal Bf16Operand(ReadOnlySpan<float> source)
        {
            Length = source.Length;
            OpClock.Hold();
            if (NativeBf16(Active))
            {
                bits = ArrayPool<ushort>.Shared.Rent(Length);
                Bf16.Convert(source, bits.AsSpan(0, Length));
            }
            else
            {
                rounded = ArrayPool<float>.Shared.Rent(Length);
                source.CopyTo(rounded);
                Bf16.RoundInPlace(rounded.AsSpan(0, Length));
            }
            OpClock.Lap("bf16 conversion");
        }

        private Bf16Operand(int length, ushort[]? bits, float[]? rounded)
        {
            Length = length;
            this.bits = bits;
            this.rounded = rounded;
        }

        /// <summary>
        /// bf16(gelu(u)) made in one pass over u (no fp32 gelu(u) in between), in chunks on the configured threads:
        /// the same values as <c>new Bf16Operand(gelu(u))</c>.
        /// </summary>
        internal static Bf16Operand Gelu(float[] u)
        {
            int length = u.Length;
            if (NativeBf16(Active))
            {
                var bits = ArrayPool<ushort>.Shared.Rent(length);
                Chunks.ForElements(length, (i0, i1) => Elementwise.GeluForwardBf16(u.AsSpan(i0..i1), bits.AsSpan(i0..i1)));
                return new Bf16Operand(length, bits, null);
            }
            var rounded = ArrayPool<float>.Shared.Rent(length);
            Elementwise.GeluForward(u, rounded.AsSpan(0, length));
            Bf16.RoundInPlace(rounded.AsSpan(0, length));
            return new Bf16Operand(length, null, rounded);
        }

        public void Dispose()
        {
            if (bits != null) ArrayPool<ushort>.Shared.Return(bits);
            if (rounded != null) ArrayPool<float>.Shared.Return(rounded);
            bits = null;
            rounded = null;
        }
    }

    // C = alpha · op(A) · op(B) + beta · C on operands already rounded to bf16 (same contract as SgemmBf16).
    internal static void SgemmBf16(bool transA, bool transB, int m, int n, int k, float alpha,
        Bf16Operand a, int lda, Bf16Operand b, int ldb, float beta, Span<float> c, int ldc)
        => SgemmBf16(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, ldc);

    // The same with A and B starting at element offsets of their operands (a block of rows or columns).
    internal static void SgemmBf16(bool transA, bool transB, int m, int n, int k, float alpha,
        Bf16Operand a, int aOffset, int lda, Bf16Operand b, int bOffset, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length - aOffset, lda, b.Length - bOffset, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f)
        {
            ScaleC(m, n, beta, c, ldc);
            return;
        }
        OpClock.Hold();
        if (a.Native && b.Native) OneDnn.GemmBf16(transA, transB, m, n, k, alpha, a.Bits[aOffset..], lda, b.Bits[bOffset..], ldb, beta, c, ldc);
        else Sgemm(Active, transA, transB, m, n, k, alpha, Operand(a)[aOffset..], lda, Operand(b)[bOffset..], ldb, beta, c, ldc);
        OpClock.Gemm(Precision.Bf16, transA, transB, m, n, k);

        static ReadOnlySpan<float> Operand(Bf16Operand x) => x.Native
            ? throw new InvalidOperationException("SgemmBf16: operands converted for different backends.")
            : x.Rounded;
    }

    // The GEMM of an autodiff op in the precision its forward ran in.
    internal static void Run(Precision precision, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (precision == Precision.Bf16) SgemmBf16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        else Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static int StoredLength(int rows, int cols, int ld) => (rows - 1) * ld + cols;

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

    private static GemmBackend ChooseDefault() =>
        Choose(Environment.GetEnvironmentVariable(BackendVariable), OneDnn.IsAvailable, OpenBlas.IsAvailable, Console.Error);

    // MUSHARP_GEMM when its library loaded, else the fastest one present: oneDNN, OpenBLAS, managed. Called once per
    // process (the Lazy), so each warning prints once.
    internal static GemmBackend Choose(string? requested, bool hasOneDnn, bool hasOpenBlas, TextWriter warnings)
    {
        var wanted = requested?.Trim().ToLowerInvariant();
        switch (wanted)
        {
            case "managed":
                return GemmBackend.Managed;
            case "openblas" when hasOpenBlas:
                return GemmBackend.OpenBlas;
            case "onednn" when hasOneDnn:
                return GemmBackend.OneDnn;
            case "openblas" or "onednn":
                warnings.WriteLine($"MuSharp: {BackendVariable}={wanted} but its library did not load; choosing the default backend.");
                break;
            case null or "":
                break;
            default:
                warnings.WriteLine($"MuSharp: {BackendVariable}={wanted} is not one of onednn, openblas, managed; choosing the default backend.");
                break;
        }
        if (hasOneDnn) return GemmBackend.OneDnn;
        if (hasOpenBlas) return GemmBackend.OpenBlas;
        warnings.WriteLine("MuSharp: neither oneDNN (libdnnl.so.2) nor OpenBLAS (libopenblas.so.0) found; using the managed GEMM, " +
            "several times slower. Install them with scripts/setup.sh or apt-get install libdnnl2 libopenblas0-pthread.");
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
