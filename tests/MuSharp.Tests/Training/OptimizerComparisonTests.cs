using MuSharp.Experiments;
using MuSharp.Tests.Cli;
using MuSharp.Training;

namespace MuSharp.Tests.Training;

/// <summary>The docs' optimizer comparison driver and the weight-RMS table, on the tiny synthetic GPT.</summary>
public sealed class OptimizerComparisonTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-compare-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void RunsEveryVariantAndLrReadsFinishedRunsBackAndTabulates()
    {
        var baseConfig = TrainRunTests.TinyGpt(4, ("weight-decay", "0.1"), ("monitor-every", "2"), ("eval-every", "2"));
        var variants = OptimizerComparison.MuonVariants([1e-3f, 3e-3f], [0.02f]);
        Assert.Equal(["adamw", "muon", "normuon", "muon-cwd", "muon-gram", "muon-aol"], variants.Select(v => v.Name));
        var chosen = variants.Where(v => v.Name is "adamw" or "normuon").ToList();
        var runs = OptimizerComparison.Run(baseConfig, chosen, root);
        Assert.Equal([("adamw", 1e-3f), ("adamw", 3e-3f), ("normuon", 0.02f)], runs.Select(r => (r.Variant, r.Lr)));
        Assert.All(runs, r => Assert.Equal([2L, 4L], r.Validation.Select(v => v.Step)));
        Assert.All(runs, r => Assert.True(double.IsFinite(r.FinalLoss)));

        // A second call trains nothing: the checkpoints stay as they were.
        var stamps = runs.Select(r => File.GetLastWriteTimeUtc(Path.Combine(r.RunDir, Train.CheckpointFile))).ToList();
        var again = OptimizerComparison.Run(baseConfig, chosen, root);
        Assert.Equal(runs.Select(r => r.FinalLoss), again.Select(r => r.FinalLoss));
        Assert.Equal(stamps, again.Select(r => File.GetLastWriteTimeUtc(Path.Combine(r.RunDir, Train.CheckpointFile))));

        var table = OptimizerComparison.MarkdownTables(runs);
        Assert.StartsWith("| variant | lr 1: final loss | lr 2: final loss |", table[0], StringComparison.Ordinal);
        Assert.Contains(table, l => l.StartsWith("| normuon | 0.02 → **", StringComparison.Ordinal));
        Assert.Contains(table, l => l.StartsWith("| final | ", StringComparison.Ordinal));

        var weights = WeightRmsTable.Read(Path.Combine(runs[0].RunDir, MonitorsCsv.FileName));
        Assert.All(weights, w => Assert.Equal(4, w.Step));
        Assert.DoesNotContain(weights, w => w.Role == "vector");
        Assert.Contains(weights, w => w.Name == "block0.attn.q.weight");
        Assert.All(weights, w => Assert.InRange(w.Ratio, 0.8, 1.25));
        Assert.Equal(weights.Count + 3, WeightRmsTable.Markdown(weights).Count);
        Assert.Throws<InvalidDataException>(() => WeightRmsTable.Read(Path.Combine(runs[2].RunDir, MonitorsCsv.FileName)));   // NorMuon: no law
    }
}
