using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MuSharp.Kernels;

/// <summary>
/// Lazily loaded binding to OpenBLAS (<c>libopenblas.so.0</c>): cblas_sgemm, the thread and core-type
/// controls, and the Fortran LAPACK entry points used by <see cref="Lapack"/>.
/// Absent library ⇒ <see cref="IsAvailable"/> is false and callers use the managed kernels.
/// </summary>
public static unsafe class OpenBlas
{
    /// <summary>Environment variable that overrides the OpenBLAS core type MuSharp chooses (e.g. "Haswell").</summary>
    public const string CoreTypeOverrideVariable = "MUSHARP_OPENBLAS_CORETYPE";

    /// <summary>Environment variable giving the thread count for OpenBLAS and the managed kernels.</summary>
    public const string ThreadsVariable = "MUSHARP_THREADS";

    private const int CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112;

    private static readonly Lazy<Binding?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when libopenblas.so.0 was found and exports cblas_sgemm.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>Kernel family OpenBLAS selected (openblas_get_corename), e.g. "SkylakeX"; null when absent.</summary>
    public static string? CoreName => Loaded.Value?.CoreName;

    /// <summary>Build string (openblas_get_config), e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ..."; null when absent.</summary>
    public static string? Config => Loaded.Value?.Config;

    /// <summary>Threads OpenBLAS uses after MuSharp configured it (openblas_get_num_threads); 0 when absent.</summary>
    public static int Threads => Loaded.Value?.Threads ?? 0;

    /// <summary>The OPENBLAS_CORETYPE value MuSharp set before loading, or null if it left the inherited one.</summary>
    public static string? CoreTypeRequested { get; private set; }

    /// <summary>The OPENBLAS_THREAD_TIMEOUT value MuSharp set before loading, or null if the user set one.</summary>
    public static string? ThreadTimeoutRequested { get; private set; }

    // OpenBLAS's idle workers spin for 2^OPENBLAS_THREAD_TIMEOUT time-stamp cycles before they sleep: 2^28 by default,
    // ~0.1 s at 3 GHz. Since the small fp32 GEMMs run on OpenBLAS (Gemm.SmallShapeLimit), a worker still spinning
    // when the step moves on to oneDNN GEMMs or the managed kernels takes one of the 2 cores from them. 2^22 (~1.4 ms)
    // still bridges the gaps between a step's back-to-back GEMMs. Measured in docs/engine.md; a user's value wins.
    internal const string ThreadTimeoutVariable = "OPENBLAS_THREAD_TIMEOUT", DefaultThreadTimeout = "22";

    /// <summary>"OpenBLAS 0.3.21" taken from the config string; null when absent.</summary>
    public static string? Version
    {
        get
        {
            var parts = Config?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 2 } ? $"{parts[0]} {parts[1]}" : null;
        }
    }

    /// <summary>Thread count from MUSHARP_THREADS when it is a positive integer, else Environment.ProcessorCount.</summary>
    public static int ConfiguredThreads =>
        int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out int t) && t > 0 ? t : Environment.ProcessorCount;

    // The library's native handle, for the LAPACK binding; zero when absent.
    internal static nint Handle => Loaded.Value?.Handle ?? 0;

    // Row-major cblas_sgemm. The caller has validated shapes and strides (see Gemm); m, n, k are all positive
    // here.
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var lib = Loaded.Value ?? throw new InvalidOperationException("Sgemm: OpenBLAS (libopenblas.so.0) is not loaded.");
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            lib.Sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
    }

    // The core-type policy: the user's MUSHARP_OPENBLAS_CORETYPE wins; otherwise an AVX-512 core is forced on
    // AVX-512 hardware, deliberately overriding an inherited OPENBLAS_CORETYPE=Haswell (half the sgemm speed).
    // Cooperlake is what OpenBLAS 0.3.21 auto-detects on AVX512-BF16 parts and shares SkylakeX's sgemm kernel.
    internal static string? ChooseCoreType()
    {
        var user = Environment.GetEnvironmentVariable(CoreTypeOverrideVariable);
        if (!string.IsNullOrWhiteSpace(user)) return user.Trim();
        if (!Avx512F.IsSupported) return null;
        return HasAvx512Bf16() ? "Cooperlake" : "SkylakeX";
    }

    // CPUID leaf 7, sub-leaf 1, EAX bit 5 = AVX512_BF16; .NET 10 has no intrinsic class for it.
    private static bool HasAvx512Bf16() => X86Base.IsSupported && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;

    private static Binding? Load()
    {
        if (!OperatingSystem.IsLinux()) return null;
        // OpenBLAS reads OPENBLAS_CORETYPE in its load-time constructor, from the C environment, which
        // Environment.SetEnvironmentVariable does not touch: set it through libc before the first load.
        var core = ChooseCoreType();
        if (core is not null && SetNativeEnvironment("OPENBLAS_CORETYPE", core)) CoreTypeRequested = core;
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ThreadTimeoutVariable)) &&
            SetNativeEnvironment(ThreadTimeoutVariable, DefaultThreadTimeout))
            ThreadTimeoutRequested = DefaultThreadTimeout;
        if (!NativeLibrary.TryLoad("libopenblas.so.0", typeof(OpenBlas).Assembly, null, out nint h)) return null;
        if (!NativeLibrary.TryGetExport(h, "cblas_sgemm", out nint sgemm)) return null;
        var lib = new Binding(h, sgemm);
        if (NativeLibrary.TryGetExport(h, "openblas_set_num_threads", out nint set))
            ((delegate* unmanaged<int, void>)set)(ConfiguredThreads);
        if (NativeLibrary.TryGetExport(h, "openblas_get_num_threads", out nint get))
            lib.Threads = ((delegate* unmanaged<int>)get)();
        lib.CoreName = ReadString(h, "openblas_get_corename");
        lib.Config = ReadString(h, "openblas_get_config")?.Trim();
        return lib;
    }

    private static string? ReadString(nint h, string export) =>
        NativeLibrary.TryGetExport(h, export, out nint f) ? Marshal.PtrToStringUTF8((nint)((delegate* unmanaged<byte*>)f)()) : null;

    // libc setenv: native libraries read their settings from the C environment, which .NET does not update.
    internal static bool SetNativeEnvironment(string name, string value)
    {
        if (!NativeLibrary.TryLoad("libc.so.6", out nint libc)) return false;
        if (!NativeLibrary.TryGetExport(libc, "setenv", out nint setenv)) return false;
        nint n = Marshal.StringToCoTaskMemUTF8(name), v = Marshal.StringToCoTaskMemUTF8(value);
        try { return ((delegate* unmanaged<nint, nint, int, int>)setenv)(n, v, 1) == 0; }
        finally { Marshal.FreeCoTaskMem(n); Marshal.FreeCoTaskMem(v); }
    }

    private sealed class Binding(nint handle, nint sgemm)
    {
        public nint Handle { get; } = handle;
        public int Threads { get; set; }
        public string? CoreName { get; set; }
        public string? Config { get; set; }

        // cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
        public void Sgemm(int order, int ta, int tb, int m, int n, int k, float alpha,
            float* a, int lda, float* b, int ldb, float beta, float* c, int ldc) =>
            ((delegate* unmanaged<int, int, int, int, int, int, float, float*, int, float*, int, float, float*, int, void>)sgemm)(
                order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }
}
