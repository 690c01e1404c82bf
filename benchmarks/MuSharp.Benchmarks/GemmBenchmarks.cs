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
    /// gemm-quick: GFLOP/s of each backend (OpenBLAS, oneDNN, oneDNN bf16) at the square sizes of issue 12 and at the
    /// GEMM shapes of the compared train steps, best and median of <paramref name="rounds"/> rounds. A round times every
    /// (shape, backend) once, interleaved, so load from other processes hits all backends alike. The managed kernel is
    /// timed only with <c>--managed</c> (it is 3-4× slower and would dominate the run time).
    /// </summary>
    public static void Quick(TextWriter output, int rounds = 10, bool managed = false)
    {
        // (label, m, n, k, transA, transB): squares; MLP 784-1024 batch 256 forward and dW; GPT d256 T128 b16
        // (2048 tokens) qkv and MLP-up forward, MLP-down dX; GPT d512 T256 b8 (2048 tokens) MLP-up forward and dW.
        (string Label, int M, int N, int K, bool Ta, bool Tb)[] shapes =
        [
            ("1024^3", 1024, 1024, 1024, false, false),
            ("2048^3", 2048, 2048, 2048, false, false),
            ("mlp x·W1 256x1024x784", 256, 1024, 784, false, false),
            ("mlp dW2 1024x1024x256 (Aᵀ)", 1024, 1024, 256, true, false),
            ("gpt256 x·Wqkv 2048x768x256", 2048, 768, 256, false, false),
            ("gpt256 x·Wup 2048x1024x256", 2048, 1024, 256, false, false),
            ("gpt256 dX 2048x256x1024 (Bᵀ)", 2048, 256, 1024, false, true),
            ("gpt256 dX 2048x256x768 (Bᵀ)", 2048, 256, 768, false, true),
            ("gpt512 x·Wup 2048x2048x512", 2048, 2048, 512, false, false),
            ("gpt512 dX 2048x512x2048 (Bᵀ)", 2048, 512, 2048, false, true),
            ("gpt512 dWup 512x2048x2048 (Aᵀ)", 512, 2048, 2048, true, false),
            ("attn head S 64x128x64 (Bᵀ)", 64, 128, 64, false, true),
            ("attn head P·V 64x64x128", 64, 64, 128, false, false),
        ];
        var kinds = new List<(string Name, Action<int, float[], float[], float[]> Run)>();
        void Add(string name, GemmBackend backend, bool bf16) => kinds.Add((name, (i, a, b, c) =>
        {
            var s = shapes[i];
            int lda = s.Ta ? s.M : s.K, ldb = s.Tb ? s.K : s.N;
            if (bf16) Gemm.SgemmBf16(backend, s.Ta, s.Tb, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
            else Gemm.Sgemm(backend, s.Ta, s.Tb, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);
        }
        ));
        if (OpenBlas.IsAvailable) Add("OpenBLAS sgemm", GemmBackend.OpenBlas, false);
        if (OneDnn.IsAvailable) Add("oneDNN sgemm", GemmBackend.OneDnn, false);
        if (OneDnn.HasBf16Gemm) Add("oneDNN bf16 (incl. conversion)", GemmBackend.OneDnn, true);
        if (managed) Add("managed", GemmBackend.Managed, false);
        if (managed) kinds.Add(("SmallGemm (attention heads, 1 thread)", (i, a, b, c) =>
        {
            var s = shapes[i];
            Gemm.SmallSgemm(s.Ta, s.Tb, s.M, s.N, s.K, 1f, a, s.Ta ? s.M : s.K, b, s.Tb ? s.K : s.N, 0f, c, s.N);
        }
            ));

        output.WriteLine($"{Environment.ProcessorCount} logical cores; default backend: {Gemm.Backend}; bf16: {Gemm.Bf16Backend}");
        output.WriteLine($"OpenBLAS: {(OpenBlas.IsAvailable ? Gemm.Describe(GemmBackend.OpenBlas) : "absent")}; oneDNN: {(OneDnn.IsAvailable ? Gemm.Describe(GemmBackend.OneDnn) : "absent")}");
        output.WriteLine($"load average at start: {LoadAverage()}");
        var data = shapes.Select(s => (A: Random(s.M * s.K, 1), B: Random(s.K * s.N, 2), C: new float[s.M * s.N])).ToArray();
        var seconds = new List<double>[shapes.Length, kinds.Count];
        for (int i = 0; i < shapes.Length; i++)
            for (int j = 0; j < kinds.Count; j++)
            {
                seconds[i, j] = [];
                for (int w = 0; w < 2; w++) kinds[j].Run(i, data[i].A, data[i].B, data[i].C);
            }
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < shapes.Length; i++)
                for (int j = 0; j < kinds.Count; j++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    kinds[j].Run(i, data[i].A, data[i].B, data[i].C);
                    seconds[i, j].Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
        output.WriteLine($"GFLOP/s, best / median of {rounds} interleaved rounds");
        output.WriteLine($"| shape (m×n×k) | {string.Join(" | ", kinds.Select(k => k.Name))} |");
        output.WriteLine($"|---|{string.Concat(kinds.Select(_ => "---:|"))}");
        for (int i = 0; i < shapes.Length; i++)
        {
            double flops = 2.0 * shapes[i].M * shapes[i].N * shapes[i].K;
            var cells = Enumerable.Range(0, kinds.Count).Select(j =>
            {
                var t = seconds[i, j].Order().ToList();
                return $"{flops / t[0] / 1e9:F0} / {flops / t[t.Count / 2] / 1e9:F0}";
            });
            output.WriteLine($"| {shapes[i].Label} | {string.Join(" | ", cells)} |");
        }
        output.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private sealed class GflopsConfig : ManualConfig
    {
        // 2·N³ floating-point operations per call.
        public GflopsConfig() => AddColumn(new FlopsColumn("GFLOP/s", "2·N³ / mean time, in 1e9 floating-point operations per second",
            c => c.Parameters["N"] is int n ? 2.0 * n * n * n : null));
    }
}
