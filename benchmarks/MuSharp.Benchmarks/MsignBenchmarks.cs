using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MuSharp.Kernels;
using MuSharp.Spectral;

namespace MuSharp.Benchmarks;

/// <summary>
/// msign of a Gaussian [Rows, Cols] matrix: 5 Keller Jordan Newton–Schulz steps, the same 15 BLAS-3 calls alone
/// (the floor: NS matmul FLOPs at the BLAS rate), and an exact SVD with vectors (sgesdd jobz='S').
/// Acceptance: NS ≤ 1.3× the GEMM floor and ≥ 4× faster than the SVD.
/// Run: dotnet run -c Release --project benchmarks/MuSharp.Benchmarks -- --filter '*Msign*' --job short
/// </summary>
[Config(typeof(NsFlopsConfig))]
public class MsignBenchmarks
{
    private const int Steps = 5;
    private float[] m = [], dst = [], scratch = [], gram = [], poly = [], u = [], s = [], vt = [];

    /// <summary>Rows of M (the small side here).</summary>
    [Params(1024)]
    public int Rows { get; set; }

    /// <summary>Columns of M.</summary>
    [Params(1024, 4096)]
    public int Cols { get; set; }

    /// <summary>Matmul FLOPs of <paramref name="steps"/> NS steps on [rows, cols], s = small side, l = large:
    /// per step X·Xᵀ (s²l, one triangle by SYRK), A² (s³, SYRK) and B·X (2s²l, GEMM).</summary>
    public static double NsFlops(int rows, int cols, int steps)
    {
        double small = Math.Min(rows, cols), large = Math.Max(rows, cols);
        return steps * (3 * small * small * large + small * small * small);
    }

    /// <summary>Fills M with N(0, 1) from MuSharp's Rng and allocates every buffer once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        if (!OpenBlas.IsAvailable || !Lapack.IsNative)
            throw new InvalidOperationException("OpenBLAS (libopenblas.so.0 with sgesdd_) is not installed: run scripts/setup.sh.");
        Console.WriteLine($"// {Gemm.Backend}");
        int n = Rows * Cols, k = Math.Min(Rows, Cols);
        m = new float[n];
        new Rng(12345).FillNormal(m, 0f, 1f);
        dst = new float[n];
        scratch = new float[Msign.ScratchLength(Rows, Cols)];
        (gram, poly) = (new float[k * k], new float[k * k]);
        (u, s, vt) = (new float[Rows * k], new float[k], new float[k * Cols]);
    }

    /// <summary>Msign.NewtonSchulz, 5 Keller Jordan steps with preallocated scratch.</summary>
    [Benchmark(Baseline = true)]
    public void NewtonSchulz5() => Msign.NewtonSchulz(m, Rows, Cols, NsSchedule.KellerJordan, Steps, scratch, dst);

    /// <summary>Only the 15 BLAS-3 calls that NewtonSchulz5 issues (wide case: SYRK Gram, SYRK A², GEMM B·X) on the
    /// same shapes, without the normalisation, triangle mirroring and polynomial assembly.</summary>
    [Benchmark]
    public void GemmFloor()
    {
        int k = Math.Min(Rows, Cols);
        for (int t = 0; t < Steps; t++)
        {
            Lapack.TrySyrkLower(false, k, Cols, 1f, m, Cols, 0f, gram, k);
            Lapack.TrySyrkLower(false, k, k, 1f, gram, k, 0f, poly, k);
            Gemm.Sgemm(false, false, Rows, Cols, Rows, 1f, poly, k, m, Cols, 0f, dst, Cols);
        }
    }

    /// <summary>Exact SVD with singular vectors, Lapack.Svd (sgesdd jobz='S'); msign is one more GEMM on top.</summary>
    [Benchmark]
    public void ExactSvd() => Lapack.Svd(m, Rows, Cols, u, s, vt);

    /// <summary>
    /// ns-quick: 5-step Keller Jordan Newton–Schulz on a Gaussian [n, n] in fp32 and with bf16 products, interleaved
    /// over <paramref name="rounds"/> rounds (best / median ms), and the singular-value band of each output (exact SVD).
    /// </summary>
    public static void Quick(TextWriter output, int n = 1024, int rounds = 10)
    {
        var m = new float[n * n];
        new Rng(12345).FillNormal(m, 0f, 1f);
        var scratch = new float[Msign.ScratchLength(n, n)];
        var o32 = new float[n * n];
        var o16 = new float[n * n];
        output.WriteLine($"NS 5 steps on {n}x{n}; fp32: {Gemm.Backend}; bf16: {Gemm.Bf16Backend}; load {File.ReadAllText("/proc/loadavg").Trim()}");
        void Fp32() => Msign.NewtonSchulz(m, n, n, NsSchedule.KellerJordan, Steps, scratch, o32);
        void Bf16() => Msign.NewtonSchulzBf16(m, n, n, NsSchedule.KellerJordan, Steps, scratch, o16);
        Fp32();
        Bf16();
        var (t32, t16) = (new List<double>(), new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            Fp32();
            t32.Add(sw.Elapsed.TotalMilliseconds);
            sw.Restart();
            Bf16();
            t16.Add(sw.Elapsed.TotalMilliseconds);
        }
        t32.Sort();
        t16.Sort();
        var s32 = Lapack.SingularValues(o32, n, n);
        var s16 = Lapack.SingularValues(o16, n, n);
        output.WriteLine($"fp32: best {t32[0]:F1} ms, median {t32[rounds / 2]:F1} ms; σ ∈ [{s32[^1]:F4}, {s32[0]:F4}]");
        output.WriteLine($"bf16: best {t16[0]:F1} ms, median {t16[rounds / 2]:F1} ms; σ ∈ [{s16[^1]:F4}, {s16[0]:F4}]");
        output.WriteLine($"fp32 / bf16 time: best {t32[0] / t16[0]:F2}x, median {t32[rounds / 2] / t16[rounds / 2]:F2}x; " +
            $"band difference: low {s16[^1] - s32[^1]:+0.0000;-0.0000}, high {s16[0] - s32[0]:+0.0000;-0.0000}");
    }

    private sealed class NsFlopsConfig : ManualConfig
    {
        // NS matmul FLOPs: the GEMM rate for GemmFloor, the effective rate for the others.
        public NsFlopsConfig() => AddColumn(new FlopsColumn("NS GFLOP/s", "5-step NS matmul FLOPs / mean time, in 1e9 floating-point operations per second",
            c => c.Parameters["Rows"] is int rows && c.Parameters["Cols"] is int cols ? NsFlops(rows, cols, Steps) : null));
    }
}
