using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MuSharp.Kernels;

namespace MuSharp.Benchmarks;

/// <summary>
/// Square SGEMM C = A·B on each backend; the GFLOP/s column is 2·n³ / mean time.
/// Run: dotnet run -c Release --project benchmarks/MuSharp.Benchmarks -- --filter '*Gemm*'
/// </summary>
[Config(typeof(GflopsConfig))]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];

    /// <summary>Side of the square matrices.</summary>
    [Params(256, 1024)]
    public int N { get; set; }

    /// <summary>Fills A and B with uniform values in [-1, 1); fails the OpenBLAS case when the library is absent.</summary>
    [GlobalSetup(Target = nameof(OpenBlasSgemm))]
    public void SetupOpenBlas()
    {
        if (!OpenBlas.IsAvailable)
            throw new InvalidOperationException("OpenBLAS (libopenblas.so.0) is not installed: run scripts/setup.sh.");
        Console.WriteLine($"// {Gemm.Describe(GemmBackend.OpenBlas)}; {OpenBlas.Config}");
        Fill();
    }

    /// <summary>Fills A and B with uniform values in [-1, 1).</summary>
    [GlobalSetup(Target = nameof(ManagedSgemm))]
    public void SetupManaged()
    {
        Console.WriteLine($"// {Gemm.Describe(GemmBackend.Managed)}");
        Fill();
    }

    /// <summary>OpenBLAS cblas_sgemm.</summary>
    [Benchmark(Baseline = true)]
    public void OpenBlasSgemm() => Run(GemmBackend.OpenBlas, N, a, b, c);

    /// <summary>The managed Vector512 / Vector256 kernel.</summary>
    [Benchmark]
    public void ManagedSgemm() => Run(GemmBackend.Managed, N, a, b, c);

    private void Fill()
    {
        (a, b) = (Random(N * N, 1), Random(N * N, 2));
        c = new float[N * N];
    }

    private static void Run(GemmBackend backend, int n, float[] a, float[] b, float[] c) =>
        Gemm.Sgemm(backend, false, false, n, n, n, 1f, a, n, b, n, 0f, c, n);

    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>
    /// gemm-quick: best of several Stopwatch runs at 1024³ per backend, after warm-up, as GFLOP/s.
    /// </summary>
    public static void Quick(TextWriter output, int n = 1024, int repeats = 10)
    {
        var (a, b, c) = (Random(n * n, 1), Random(n * n, 2), new float[n * n]);
        output.WriteLine($"sgemm {n}x{n}x{n}, {Environment.ProcessorCount} logical cores");
        output.WriteLine($"default backend: {Gemm.Backend}");
        output.WriteLine($"OpenBLAS core: {OpenBlas.CoreName ?? "absent"} (requested OPENBLAS_CORETYPE={OpenBlas.CoreTypeRequested ?? "inherited"}); config: {OpenBlas.Config ?? "-"}");
        // Managed first: OpenBLAS's idle worker threads keep spinning for a while after a call and would steal its cores.
        foreach (var backend in new[] { GemmBackend.Managed, GemmBackend.OpenBlas })
        {
            if (backend == GemmBackend.OpenBlas && !OpenBlas.IsAvailable) continue;
            for (int w = 0; w < 3; w++) Run(backend, n, a, b, c);
            var times = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var sw = Stopwatch.StartNew();
                Run(backend, n, a, b, c);
                times.Add(sw.Elapsed.TotalSeconds);
            }
            times.Sort();
            double flops = 2.0 * n * n * n;
            output.WriteLine($"{Gemm.Describe(backend),-40} best {flops / times[0] / 1e9,7:F1} GFLOP/s, median {flops / times[repeats / 2] / 1e9,7:F1} GFLOP/s");
        }
    }

    private sealed class GflopsConfig : ManualConfig
    {
        // 2·N³ floating-point operations per call.
        public GflopsConfig() => AddColumn(new FlopsColumn("GFLOP/s", "2·N³ / mean time, in 1e9 floating-point operations per second",
            c => c.Parameters["N"] is int n ? 2.0 * n * n * n : null));
    }
}
