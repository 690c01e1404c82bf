using System.Globalization;
using System.Text.Json;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>One optimizer setting of a comparison: config overrides (kebab-case keys, as on the command line) and its lr grid.</summary>
public sealed record ComparisonVariant(string Name, IReadOnlyList<float> Lrs, IReadOnlyList<(string Key, string Value)> Overrides);

/// <summary>One run of a comparison: its final validation loss, the validations on the way and its wall time.</summary>
public sealed record ComparisonRun(string Variant, float Lr, double FinalLoss, IReadOnlyList<(long Step, double Loss)> Validation, double Seconds, string RunDir);

/// <summary>
/// Optimizers compared at equal steps on one model and data (docs/muon-vs-adamw.md): every variant is trained at each lr of
/// its grid from the same base config, seed and batches, in this process, one run folder each. A folder that already holds
/// final.json is read back instead of trained again, so an interrupted comparison continues.
/// </summary>
public static class OptimizerComparison
{
    /// <summary>
    /// The variants of docs/muon-vs-adamw.md: AdamW over <paramref name="adamLrs"/>; Muon, NorMuon (theory §12.1), Muon with
    /// cautious weight decay (§12.3), with Gram Newton–Schulz (§12.5) and with AOL pre-scaling (§12.4) over
    /// <paramref name="muonLrs"/>, each beside AdamW at the base config's auxLr on embeddings, head and vectors.
    /// </summary>
    public static IReadOnlyList<ComparisonVariant> MuonVariants(IReadOnlyList<float> adamLrs, IReadOnlyList<float> muonLrs)
    {
        (string, string)[] muon = [("optimizer", "muon"), ("momentum", "0.95"), ("nesterov", "true")];
        return
        [
            new("adamw", adamLrs, [("optimizer", "adamw")]),
            new("muon", muonLrs, muon),
            new("normuon", muonLrs, [("optimizer", "normuon"), ("momentum", "0.95"), ("nesterov", "true")]),
            new("muon-cwd", muonLrs, [.. muon, ("cautious-weight-decay", "true")]),
            new("muon-gram", muonLrs, [.. muon, ("gram-newton-schulz", "true")]),
            new("muon-aol", muonLrs, [.. muon, ("ns-prescaling", "aol")]),
        ];
    }

    /// <summary>Trains (or reads back) every variant × lr under <paramref name="outDir"/>/VARIANT-LR; <paramref name="print"/> gets one line per run.</summary>
    public static IReadOnlyList<ComparisonRun> Run(TrainConfig baseConfig, IReadOnlyList<ComparisonVariant> variants, string outDir,
        Action<string>? print = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(baseConfig);
        ArgumentNullException.ThrowIfNull(variants);
        var runs = new List<ComparisonRun>();
        string baseJson = baseConfig.ToJson();
        foreach (var variant in variants)
            foreach (float lr in variant.Lrs)
            {
                cancel.ThrowIfCancellationRequested();
                string name = $"{variant.Name}-{lr.ToString("R", CultureInfo.InvariantCulture)}";
                string dir = Path.Combine(outDir, name);
                var run = ReadBack(variant.Name, lr, dir) ?? Train1(baseJson, variant, lr, name, dir, cancel);
                runs.Add(run);
                print?.Invoke($"{name}: final validation loss {run.FinalLoss:F4} ({run.Seconds:F0} s)");
            }
        return runs;
    }

    private static ComparisonRun Train1(string baseJson, ComparisonVariant variant, float lr, string name, string dir, CancellationToken cancel)
    {
        string basePath = Path.Combine(Path.GetTempPath(), $"musharp-compare-{Environment.ProcessId}.json");
        File.WriteAllText(basePath, baseJson);
        TrainConfig config;
        try { config = TrainConfig.Load(basePath, [.. variant.Overrides, ("lr", lr.ToString("R", CultureInfo.InvariantCulture)), ("name", name)]); }
        finally { File.Delete(basePath); }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var result = Train.Run(config, dir, resume: false, cancel: cancel);
        if (!result.Completed) throw new OperationCanceledException($"comparison run {name} stopped: {result.StopReason}");
        return ReadBack(variant.Name, lr, dir) ?? throw new InvalidDataException($"{dir}: no final.json after a completed run.");
    }

    /// <summary>A finished run from its folder (final.json and metrics.csv), or null when it has not finished.</summary>
    public static ComparisonRun? ReadBack(string variant, float lr, string dir)
    {
        string final = Path.Combine(dir, Train.FinalFile), metrics = Path.Combine(dir, Train.MetricsFile);
        if (!File.Exists(final) || !File.Exists(metrics)) return null;
        var evaluation = JsonSerializer.Deserialize<Evaluation>(File.ReadAllText(final), TrainConfig.Json)
            ?? throw new InvalidDataException($"{final}: empty.");
        var validation = new List<(long, double)>();
        double seconds = 0;
        foreach (var line in File.ReadLines(metrics).Skip(1))
        {
            var cells = line.Split(',');                    // step,lr,train_loss,val_loss,val_accuracy,throughput,elapsed_s
            if (cells[3].Length > 0) validation.Add((long.Parse(cells[0], CultureInfo.InvariantCulture), double.Parse(cells[3], CultureInfo.InvariantCulture)));
            seconds = double.Parse(cells[6], CultureInfo.InvariantCulture);
        }
        return new ComparisonRun(variant, lr, evaluation.Loss, validation, seconds, dir);
    }

    /// <summary>
    /// Markdown: one row per variant with the final loss at every lr of its grid (columns by grid position) and the best
    /// in bold, then the validation curve of each variant's best lr by step.
    /// </summary>
    public static IReadOnlyList<string> MarkdownTables(IReadOnlyList<ComparisonRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var lines = new List<string>();
        var byVariant = runs.GroupBy(r => r.Variant).ToList();
        int grid = byVariant.Max(g => g.Count());
        lines.Add("| variant | " + string.Join(" | ", Enumerable.Range(1, grid).Select(i => $"lr {i}: final loss")) + " | best lr | best final |");
        lines.Add("|---|" + string.Concat(Enumerable.Repeat("---:|", grid)) + "---:|---:|");
        foreach (var g in byVariant)
        {
            var best = g.MinBy(r => r.FinalLoss)!;
            var cells = g.Select(r => $"{Lr(r.Lr)} → {(r == best ? $"**{r.FinalLoss:F4}**" : r.FinalLoss.ToString("F4", CultureInfo.InvariantCulture))}");
            lines.Add($"| {g.Key} | {string.Join(" | ", cells)} | {Lr(best.Lr)} | {best.FinalLoss:F4} |");
        }
        lines.Add("");
        var bests = byVariant.Select(g => g.MinBy(r => r.FinalLoss)!).ToList();
        var steps = bests.SelectMany(r => r.Validation.Select(v => v.Step)).Distinct().Order().ToList();
        lines.Add("| step | " + string.Join(" | ", bests.Select(r => $"{r.Variant} ({Lr(r.Lr)})")) + " |");
        lines.Add("|---:|" + string.Concat(Enumerable.Repeat("---:|", bests.Count)));
        foreach (long step in steps)
            lines.Add($"| {step} | " + string.Join(" | ", bests.Select(r => r.Validation.Where(v => v.Step == step).Select(v => v.Loss.ToString("F4", CultureInfo.InvariantCulture)).FirstOrDefault() ?? "")) + " |");
        lines.Add($"| final | " + string.Join(" | ", bests.Select(r => $"**{r.FinalLoss:F4}**")) + " |");
        return lines;
    }

    private static string Lr(float lr) => lr.ToString("G3", CultureInfo.InvariantCulture);
}
