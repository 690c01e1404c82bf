using MuSharp.Experiments;
using MuSharp.Optim;
using MuSharp.Training;

namespace MuSharp.Benchmarks;

/// <summary>
/// docs/muon-vs-adamw.md, "Muon variants": the char GPT (d128, 2 layers, context 64, Brown) trained 300 steps by AdamW, Muon,
/// NorMuon, Muon + cautious weight decay, Muon + Gram Newton–Schulz and Muon + AOL, each over a factor-2 lr grid (AdamW 1e-3…1.6e-2, whose optimum kept moving up; the Muon family 0.01…0.08)
/// (<see cref="OptimizerComparison"/>), then the per-matrix weight-RMS table of the best AdamW run and of an AdamW run with
/// λ = 1 (<see cref="WeightRmsTable"/>). `dotnet run -c Release --project benchmarks/MuSharp.Benchmarks -- muon-variants [DIR]`;
/// finished runs in DIR are read back, not retrained.
/// </summary>
public static class MuonVariantsRun
{
    public static TrainConfig Base(string name = "muon-variants") => new()
    {
        Task = TaskKind.Gpt, Name = name, Dataset = "brown", ContextLength = 64, DModel = 128, Layers = 2, Heads = 4,
        Optimizer = OptimizerKind.AdamW, Beta2 = 0.99f, WeightDecay = 0.1f, WarmupSteps = 30, Decay = DecayKind.Cosine, MinLrRatio = 0.1f,
        BatchSize = 16, Steps = 300, LogEvery = 50, EvalEvery = 50, EvalBatches = 20, FinalEvalBatches = 50, CheckpointEvery = 300,
        MonitorEvery = 50, AuxLr = 3e-3f, Seed = 1,
    };

    public static void Run(TextWriter output, string dir)
    {
        var variants = OptimizerComparison.MuonVariants([1e-3f, 2e-3f, 4e-3f, 8e-3f, 16e-3f], [0.01f, 0.02f, 0.04f, 0.08f]);
        var runs = OptimizerComparison.Run(Base(), variants, dir, output.WriteLine);
        output.WriteLine();
        foreach (var line in OptimizerComparison.MarkdownTables(runs)) output.WriteLine(line);

        var bestAdam = runs.Where(r => r.Variant == "adamw").MinBy(r => r.FinalLoss)!;
        output.WriteLine();
        output.WriteLine($"Weight RMS, AdamW lr {bestAdam.Lr}, λ = 0.1, step 300:");
        foreach (var line in WeightRmsTable.Markdown(WeightRmsTable.Read(Path.Combine(bestAdam.RunDir, MonitorsCsv.FileName)))) output.WriteLine(line);

        var decay1 = new ComparisonVariant("adamw-wd1", [bestAdam.Lr], [("optimizer", "adamw"), ("weight-decay", "1"), ("steps", "600"), ("eval-every", "100")]);
        var strong = OptimizerComparison.Run(Base(), [decay1], dir, output.WriteLine)[0];
        output.WriteLine();
        output.WriteLine($"Weight RMS, AdamW lr {strong.Lr}, λ = 1, step 600 (final validation loss {strong.FinalLoss:F4}):");
        foreach (var line in WeightRmsTable.Markdown(WeightRmsTable.Read(Path.Combine(strong.RunDir, MonitorsCsv.FileName)))) output.WriteLine(line);
    }
}
