using System.Diagnostics;
using MuSharp.Data;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Benchmarks;

/// <summary>
/// bf16-evidence: the char GPT of src/MuSharp.Cli/configs/gpt-brown.json (d128 L4 H4 T128, batch 16, AdamW lr 3e-3,
/// β₂ 0.99, wd 0.1, 100 warm-up steps, cosine to 0.1×) trained on Brown in fp32 and in bf16 for the same steps and
/// seeds, with the validation loss (first 20 batches of 16) every <c>evalEvery</c> steps. Prints a Markdown table.
/// Run: dotnet MuSharp.Benchmarks.dll bf16-evidence [--steps N] [--seeds 1,2] [--data DIR]
/// </summary>
public static class Bf16Evidence
{
    public static int Run(string[] args, TextWriter output)
    {
        int steps = 600, evalEvery = 150;
        ulong[] seeds = [1, 2];
        string? data = null;
        for (int i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--steps") steps = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            else if (args[i] == "--seeds") seeds = args[++i].Split(',').Select(ulong.Parse).ToArray();
            else if (args[i] == "--data") data = args[++i];
        }
        var corpus = TextCorpus.Brown(data);
        output.WriteLine($"Brown: {corpus.Length} tokens, vocabulary {corpus.Vocab.Size}; {steps} steps; GEMM {Gemm()}");
        var rows = new List<string>();
        var finals = new Dictionary<(ulong, Precision), double>();
        foreach (ulong seed in seeds)
            foreach (var precision in new[] { Precision.Fp32, Precision.Bf16 })
            {
                var sw = Stopwatch.StartNew();
                var curve = Train(corpus, precision, seed, steps, evalEvery);
                finals[(seed, precision)] = curve[^1].Loss;
                string points = string.Join(", ", curve.Select(c => $"{c.Step}: {c.Loss:F4}"));
                output.WriteLine($"seed {seed} {precision}: {points} ({sw.Elapsed.TotalSeconds:F0} s)");
                rows.Add($"| {seed} | {precision} | {points} |");
            }
        output.WriteLine();
        output.WriteLine("| seed | precision | validation loss (nats/char) at step |");
        output.WriteLine("|---|---|---|");
        foreach (var r in rows) output.WriteLine(r);
        output.WriteLine();
        foreach (ulong seed in seeds)
        {
            double f = finals[(seed, Precision.Fp32)], b = finals[(seed, Precision.Bf16)];
            output.WriteLine($"seed {seed}: final fp32 {f:F4}, bf16 {b:F4}, bf16/fp32 − 1 = {(b / f - 1) * 100:+0.00;-0.00} %");
        }
        return 0;

        static string Gemm() => $"{Kernels.Gemm.Backend}; bf16 {Kernels.Gemm.Bf16Backend}";
    }

    private static List<(int Step, double Loss)> Train(TextCorpus corpus, Precision precision, ulong seed, int steps, int evalEvery)
    {
        var config = new GptConfig
        {
            VocabSize = corpus.Vocab.Size, ContextLength = 128, DModel = 128, Layers = 4, Heads = 4,
            Positions = PositionEncoding.Learned, Norm = NormKind.LayerNorm,
        };
        const int batch = 16;
        var model = new Gpt(config, new Rng(seed));
        var opt = new AdamW(model.Parameters(), beta2: 0.99f, weightDecay: 0.1f);
        var schedule = new Schedule(3e-3f, WarmupSteps: 100, Decay: DecayKind.Cosine, MinLrRatio: 0.1f);
        var batcher = new SequenceBatcher(corpus.Train, batch, config.ContextLength, seed);
        var curve = new List<(int, double)>();
        for (int step = 0; step < steps; step++)
        {
            var b = batcher.Next();
            Tensor loss;
            using (MixedPrecision.Use(precision))
            using (Tape.ReuseActivations())
                loss = model.Loss(b.Inputs, b.Targets, b.Rows, b.SeqLen);
            loss.Backward();
            opt.Step(schedule.At(step, steps));
            opt.ZeroGrad();
            if ((step + 1) % evalEvery == 0 || step + 1 == steps) curve.Add((step + 1, Validate(model, corpus, precision)));
        }
        return curve;
    }

    // Mean loss over the first 20 evaluation batches of 16 windows, in the run's precision, without recording.
    private static double Validate(Gpt model, TextCorpus corpus, Precision precision)
    {
        double sum = 0;
        int count = 0;
        using var noGrad = Tape.NoGrad();
        using var scope = MixedPrecision.Use(precision);
        foreach (var b in SequenceBatcher.EvalBatches(corpus.Validation, 16, model.Config.ContextLength).Take(20))
        {
            sum += model.Loss(b.Inputs, b.Targets, b.Rows, b.SeqLen).Item() * b.Rows;
            count += b.Rows;
        }
        return sum / count;
    }
}
