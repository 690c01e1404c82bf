using System.Runtime.InteropServices;

namespace MuSharp.Kernels;

/// <summary>
/// Lazily loaded binding to oneDNN (<c>libdnnl.so.2</c>, Debian <c>libdnnl2</c>) through its C API:
/// <c>dnnl_sgemm</c> (fp32) and <c>dnnl_gemm_bf16bf16f32</c> (bf16 inputs, fp32 accumulation and output), both
/// row-major with 64-bit sizes. Absent library ⇒ <see cref="IsAvailable"/> is false and <see cref="Gemm"/> uses OpenBLAS.
/// </summary>
public static unsafe class OneDnn
{
    private static readonly Lazy<Binding?> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when libdnnl.so.2 was found and exports dnnl_sgemm.</summary>
    public static bool IsAvailable => Loaded.Value is not null;

    /// <summary>True when the bf16 GEMM is exported (oneDNN ≥ 1.2); it runs on AVX512-BF16 hardware natively.</summary>
    public static bool HasBf16Gemm => Loaded.Value?.GemmBf16 is not (null or 0);

    /// <summary>"oneDNN 2.6.3"; null when absent.</summary>
    public static string? Version => Loaded.Value?.Version;

    /// <summary>OpenMP threads oneDNN runs on (OMP_NUM_THREADS as MuSharp set it before loading); 0 when absent.</summary>
    public static int Threads => Loaded.Value?.Threads ?? 0;

    // Row-major dnnl_sgemm; the caller has validated shapes and strides and m, n, k are positive.
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var lib = Loaded.Value ?? throw new InvalidOperationException("Sgemm: oneDNN (libdnnl.so.2) is not loaded.");
        int status;
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            status = ((delegate* unmanaged<byte, byte, long, long, long, float, float*, long, float*, long, float, float*, long, int>)lib.Sgemm)(
                Flag(transA), Flag(transB), m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        if (status != 0) throw new InvalidOperationException($"dnnl_sgemm failed with status {status} (m={m}, n={n}, k={k}).");
    }

    // Row-major dnnl_gemm_bf16bf16f32: A and B hold bf16 bit patterns (the upper half of an fp32), C is fp32.
    internal static void GemmBf16(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<ushort> a, int lda, ReadOnlySpan<ushort> b, int ldb, float beta, Span<float> c, int ldc)
    {
        var lib = Loaded.Value ?? throw new InvalidOperationException("GemmBf16: oneDNN (libdnnl.so.2) is not loaded.");
        if (lib.GemmBf16 == 0) throw new InvalidOperationException("GemmBf16: this oneDNN does not export dnnl_gemm_bf16bf16f32.");
        int status;
        fixed (ushort* pa = a)
        fixed (ushort* pb = b)
        fixed (float* pc = c)
            status = ((delegate* unmanaged<byte, byte, long, long, long, float, ushort*, long, ushort*, long, float, float*, long, int>)lib.GemmBf16)(
                Flag(transA), Flag(transB), m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        if (status != 0) throw new InvalidOperationException($"dnnl_gemm_bf16bf16f32 failed with status {status} (m={m}, n={n}, k={k}).");
    }

    private static byte Flag(bool trans) => trans ? (byte)'T' : (byte)'N';

    private static Binding? Load()
    {
        if (!OperatingSystem.IsLinux()) return null;
        // Debian's oneDNN threads with OpenMP (libgomp), which reads OMP_* from the C environment once, when it loads.
        // Thread count follows MUSHARP_THREADS like OpenBLAS. Idle OpenMP threads must sleep at once (PASSIVE): with
        // libgomp's default spin (GOMP_SPINCOUNT 300000) or ACTIVE they compete with the training thread and the GC
        // between GEMMs, and on this shared 2-core machine the MLP SGD step took 144-175 ms instead of 16 ms
        // (docs/engine.md). A user's OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
        int threads = OpenBlas.ConfiguredThreads;
        OpenBlas.SetNativeEnvironment("OMP_NUM_THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")) &&
            string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GOMP_SPINCOUNT")))
            OpenBlas.SetNativeEnvironment("OMP_WAIT_POLICY", "PASSIVE");
        if (!NativeLibrary.TryLoad("libdnnl.so.2", typeof(OneDnn).Assembly, null, out nint h)) return null;
        if (!NativeLibrary.TryGetExport(h, "dnnl_sgemm", out nint sgemm)) return null;
        NativeLibrary.TryGetExport(h, "dnnl_gemm_bf16bf16f32", out nint bf16);
        string? version = null;
        if (NativeLibrary.TryGetExport(h, "dnnl_version", out nint v))
        {
            // dnnl_version_t starts with three ints: major, minor, patch.
            int* p = ((delegate* unmanaged<int*>)v)();
            if (p != null) version = $"oneDNN {p[0]}.{p[1]}.{p[2]}";
        }
        return new Binding(sgemm, bf16, version ?? "oneDNN", threads);
    }

    private sealed record Binding(nint Sgemm, nint GemmBf16, string Version, int Threads);
}
