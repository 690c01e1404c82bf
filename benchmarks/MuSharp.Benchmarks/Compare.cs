using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Benchmarks;

/// <summary>
/// MuSharp side of the PyTorch comparison (scripts/compare.sh; the PyTorch side is scripts/compare_torch.py).
/// Times one train step (forward + backward + optimizer step + zero grad) and prints one JSON line per case
/// in the schema the Python side uses. Run each case in its own process so peak RSS belongs to that case.
/// </summary>
public static class Compare
{
    public const string Usage =
        "usage: compare <mlp-sgd|mlp-adamw|gpt|gpt512|gpt-muon|gpt-muon-bf16ns|gpt-muon-gram> [--precision fp32|bf16] [--no-reuse] [--warmup N] [--steps N] [--batch N]  (threads: MUSHARP_THREADS; GEMM: MUSHARP_GEMM)";

    // A diverged loss prints as NaN, as Python's json.dumps does, rather than throwing.
    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>Shapes shared with compare_torch.py; change both sides together.</summary>
    public static readonly int[] MlpSizes = [784, 1024, 1024, 10];
    public const int MlpBatch = 256;
    public const int GptBatch = 16;

    /// <summary>The "gpt" case: d256 L4 H4 T128, batch <see cref="GptBatch"/>.</summary>
    public static GptConfig GptShape => new()
    {
        VocabSize = 96,
        ContextLength = 128,
        DModel = 256,
        Layers = 4,
        Heads = 4,
        MlpRatio = 4,
        Positions = PositionEncoding.Learned,
        Norm = NormKind.LayerNorm,
        TiedHead = false,
    };

    /// <summary>The "gpt512" case, where GEMMs dominate: d512 L4 H8 T256, batch 8 (2048 tokens, like "gpt").</summary>
    public static GptConfig Gpt512Shape => GptShape with { DModel = 512, Heads = 8, ContextLength = 256 };
    public const int Gpt512Batch = 8;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        string name = args[0];
        int warmup = 5, steps = 0, batch = 0;
        var precision = Precision.Fp32;
        for (int i = 1; i < args.Length; i++)
        {
            if (i + 1 < args.Length && args[i] == "--warmup") warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (i + 1 < args.Length && args[i] == "--steps") steps = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (i + 1 < args.Length && args[i] == "--precision") precision = Enum.Parse<Precision>(args[++i], ignoreCase: true);
            else if (i + 1 < args.Length && args[i] == "--batch") batch = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else if (args[i] == "--no-reuse") ReuseActivations = false;
            else
            {
                Console.Error.WriteLine($"compare: unknown argument '{args[i]}'. {Usage}");
                return 2;
            }
        }

        var trainCase = Case(name, batch);
        if (trainCase is null)
        {
            Console.Error.WriteLine($"compare: unknown case '{name}'. {Usage}");
            return 2;
        }
        if (steps <= 0) steps = name.StartsWith("gpt", StringComparison.Ordinal) ? 10 : 30;
        // The process-wide precision: the forward's GEMMs (and so their backward) run in it.
        MixedPrecision.Default = precision;

        double rssBefore = ProcStatusMib("VmRSS");
        for (int i = 0; i < warmup; i++) trainCase.Step();
        var times = new double[steps];
        float loss = float.NaN;
        for (int i = 0; i < steps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            loss = trainCase.Step();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var result = new CompareResult(
            Side: "musharp",
            Case: name,
            Reuse: ReuseActivations,
            Precision: precision == Precision.Bf16 ? "bf16" : "fp32",
            MedianMs: Math.Round(Median(times), 3),
            MinMs: Math.Round(times.Min(), 3),
            Warmup: warmup,
            Steps: steps,
            Threads: OpenBlas.ConfiguredThreads,
            BlasThreads: OpenBlas.Threads,
            Core: OpenBlas.CoreName ?? "none",
            Backend: precision == Precision.Bf16 ? Gemm.Bf16Backend : Gemm.Backend,
            RssBeforeMib: Math.Round(rssBefore, 1),
            PeakRssMib: Math.Round(ProcStatusMib("VmHWM"), 1),
            Params: trainCase.Parameters,
            Loss: Math.Round(loss, 4),
            Version: ".NET " + Environment.Version);
        Console.WriteLine(JsonSerializer.Serialize(result, JsonOptions));
        return 0;
    }

    /// <summary>One model with its optimizer and fixed data: <see cref="Forward"/> gives the loss, <see cref="Update"/>
    /// steps the optimizer and zeroes the gradients, <see cref="Step"/> does both around the backward.</summary>
    public sealed record TrainCase(Func<Tensor> Forward, Action Update, long Parameters)
    {
        public float Step()
        {
            var loss = Forward();
            loss.Backward();
            Update();
            return loss.Item();
        }
    }

    /// <summary>Whether a case's forward runs in <see cref="Tape.ReuseActivations"/> (default; <c>--no-reuse</c> turns it off).</summary>
    public static bool ReuseActivations { get; set; } = true;

    private static Tensor Reusing(Func<Tensor> forward)
    {
        if (!ReuseActivations) return forward();
        using (Tape.ReuseActivations()) return forward();
    }

    /// <summary>
    /// The named case (mlp-sgd, mlp-adamw, gpt, gpt512, gpt-muon, gpt-muon-bf16ns, gpt-muon-gram), or null.
    /// <paramref name="batch"/> &gt; 0 replaces a GPT case's batch (sequences per step); the MLP cases ignore it.
    /// </summary>
    public static TrainCase? Case(string name, int batch = 0) => name switch
    {
        "mlp-sgd" or "mlp-adamw" => MlpCase(name == "mlp-sgd"),
        "gpt" => GptCase(GptShape, batch > 0 ? batch : GptBatch),
        "gpt512" => GptCase(Gpt512Shape, batch > 0 ? batch : Gpt512Batch),
        "gpt-muon" => GptMuonCase(Precision.Fp32, gram: false, batch > 0 ? batch : GptBatch),
        "gpt-muon-bf16ns" => GptMuonCase(Precision.Bf16, gram: false, batch > 0 ? batch : GptBatch),
        "gpt-muon-gram" => GptMuonCase(Precision.Fp32, gram: true, batch > 0 ? batch : GptBatch),
        _ => null,
    };

    // MuSharp only (torch 1.13 has no Muon): the "gpt" case with Muon (5 Keller Jordan NS steps, in the given precision)
    // on the Hidden matrices and AdamW on the rest, as MuonStepBenchmarks; `gram` runs Newton–Schulz on the Gram matrix.
    // Newton–Schulz costs the same at any batch while the rest of the step grows with it (docs/benchmarks.md).
    private static TrainCase GptMuonCase(Precision nsPrecision, bool gram, int batch)
    {
        var config = GptShape;
        var rng = new Rng(0);
        var model = new Gpt(config, rng);
        int t = config.ContextLength, tokens = batch * t;
        var ids = RandomInts(rng, tokens, config.VocabSize);
        var targets = RandomInts(rng, tokens, config.VocabSize);
        var all = model.Parameters().ToList();
        var muon = new Muon(all.Where(p => p.Role == Role.Hidden), new MuonConfig { WeightDecay = 0.01f, NsPrecision = nsPrecision, GramNewtonSchulz = gram });
        var adam = new AdamW(all.Where(p => p.Role != Role.Hidden), weightDecay: 0.01f);
        return new TrainCase(() => Reusing(() => model.Loss(ids, targets, batch, t)), () =>
        {
            muon.Step(0.02f);
            adam.Step(3e-4f);
            muon.ZeroGrad();
            adam.ZeroGrad();
        }, model.ParameterCount());
    }

    private static TrainCase MlpCase(bool sgd)
    {
        var rng = new Rng(0);
        var model = new MlpClassifier(MlpSizes, rng);
        var x = Tensor.Randn(rng, 1f, MlpBatch, MlpSizes[0]); // [256, 784]
        var labels = RandomInts(rng, MlpBatch, MlpSizes[^1]);
        Optimizer opt = sgd
            ? new Sgd(model.Parameters(), momentum: 0.9f)
            : new AdamW(model.Parameters(), weightDecay: 0.01f);
        float lr = sgd ? 0.01f : 1e-3f;
        return new TrainCase(() => Reusing(() => model.Loss(x, labels)), () => Update(opt, lr), model.ParameterCount());
    }

    private static TrainCase GptCase(GptConfig config, int batch)
    {
        var rng = new Rng(0);
        var model = new Gpt(config, rng);
        int t = config.ContextLength, tokens = batch * t;
        var ids = RandomInts(rng, tokens, config.VocabSize); // [B·T], batch-major
        var targets = RandomInts(rng, tokens, config.VocabSize);
        var opt = new AdamW(model.Parameters(), weightDecay: 0.01f);
        return new TrainCase(() => Reusing(() => model.Loss(ids, targets, batch, t)), () => Update(opt, 3e-4f), model.ParameterCount());
    }

    private static void Update(Optimizer opt, float lr)
    {
        opt.Step(lr);
        opt.ZeroGrad();
    }

    /// <summary>Forward + backward + optimizer step + zero grad; the unit both sides time.</summary>
    public static float TrainStep(Func<Tensor> loss, Optimizer opt, float lr)
    {
        var l = loss();
        l.Backward();
        opt.Step(lr);
        opt.ZeroGrad();
        return l.Item();
    }

    public static int[] RandomInts(Rng rng, int count, int bound)
    {
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = rng.NextInt(bound);
        return values;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>VmRSS / VmHWM (peak RSS) in MiB from /proc/self/status, as the Python side reads them.</summary>
    private static double ProcStatusMib(string field)
    {
        const string path = "/proc/self/status";
        if (File.Exists(path))
        {
            foreach (var line in File.ReadLines(path))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var kib = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return double.Parse(kib, CultureInfo.InvariantCulture) / 1024.0;
            }
        }
        using var self = Process.GetCurrentProcess();
        return (field == "VmHWM" ? self.PeakWorkingSet64 : self.WorkingSet64) / (1024.0 * 1024.0);
    }

    private sealed record CompareResult(
        [property: JsonPropertyName("side")] string Side,
        [property: JsonPropertyName("case")] string Case,
        [property: JsonPropertyName("reuse_activations")] bool Reuse,
        [property: JsonPropertyName("precision")] string Precision,
        [property: JsonPropertyName("median_ms")] double MedianMs,
        [property: JsonPropertyName("min_ms")] double MinMs,
        [property: JsonPropertyName("warmup")] int Warmup,
        [property: JsonPropertyName("steps")] int Steps,
        [property: JsonPropertyName("threads")] int Threads,
        [property: JsonPropertyName("blas_threads")] int BlasThreads,
        [property: JsonPropertyName("core")] string Core,
        [property: JsonPropertyName("backend")] string Backend,
        [property: JsonPropertyName("rss_before_mib")] double RssBeforeMib,
        [property: JsonPropertyName("peak_rss_mib")] double PeakRssMib,
        [property: JsonPropertyName("params")] long Params,
        [property: JsonPropertyName("loss")] double Loss,
        [property: JsonPropertyName("version")] string Version);
}
