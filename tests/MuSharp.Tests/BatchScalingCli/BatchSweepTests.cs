using System.Text.Json;
using Microsoft.Data.Sqlite;
using MuSharp.Reports;
using MuSharp.Sweeps;
using MuSharp.Tests.Reports;
using MuSharp.Tests.Sweeps;
using MuSharp.Training;

namespace MuSharp.Tests.BatchScalingCli;

/// <summary>Batch size as a sweep axis, per-optimizer lr grids, the store's noise table and v1 migration, and the whole batch-scaling pipeline on blobs.</summary>
[Collection(nameof(MuSharp.Tests.Cli.ConsoleCapture))]
public sealed class BatchSweepTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-batchsweep-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    // Blobs MLP trained to a target with the noise scale measured; steps capped by samples.
    private string BaseJson() => SweepFiles.BaseJson(dir, evalEvery: 1000).Replace("\"momentum\": 0.9, \"batchSize\": 32,", """
        "momentum": 0, "batchSize": 32, "targetLoss": 0.7, "evalGrowth": 1.1, "noiseEvery": 2, "noiseChunks": 2, "patience": 8,
        """, StringComparison.Ordinal);

    private SweepPlan Plan(string axes, string name = "b", int steps = 300) => SweepConfig.Load(SweepFiles.Write(dir, name, axes, steps, BaseJson()));

    [Fact]
    public void BatchSizesAreAnAxisWithPerOptimizerGridsAndASampleCap()
    {
        var plan = Plan("""
            "widths": [8], "batchSizes": [64, 8], "optimizers": ["sgd", "AdamW"], "maxSamples": 1000,
            "lrGrids": { "sgd": { "min": 0.05, "max": 0.2 }, "adamw": { "min": 0.001, "max": 0.002 } }
            """);
        Assert.Equal([8, 64], plan.Axes.BatchSizes);
        Assert.Equal(2 * 3 + 2 * 2, plan.Trials.Count);
        var t = plan.Trials.Single(t => t is { Optimizer: "adamw", BatchSize: 64, LrIndex: 1 });
        Assert.Equal("adamw/standard/w8/b64/lr1/s1", t.Key);
        Assert.Equal(0.002, t.Lr);
        var c = JsonSerializer.Deserialize<TrainConfig>(t.ConfigJson, TrainConfig.Json)!;
        Assert.Equal(64, c.BatchSize);
        Assert.Equal(16, c.Steps); // ⌈1000/64⌉, below the sweep's 300
        Assert.Equal(125, JsonSerializer.Deserialize<TrainConfig>(plan.Trials.First(x => x.BatchSize == 8).ConfigJson, TrainConfig.Json)!.Steps);
        Assert.Contains("\"batchSizes\":[8,64]", plan.ResolvedJson, StringComparison.Ordinal);
        Assert.Contains("\"lrGrids\":{\"sgd\":[0.05,0.1,0.2],\"adamw\":[0.001,0.002]}", plan.ResolvedJson, StringComparison.Ordinal);

        // A width-only sweep keeps its identity: no batch keys in the resolved config, none in trial keys.
        var widthOnly = Plan("\"widths\": [8], \"lrs\": [0.1]", name: "w");
        Assert.DoesNotContain("batchSizes", widthOnly.ResolvedJson, StringComparison.Ordinal);
        Assert.Equal("sgd/standard/w8/lr0/s1", widthOnly.Trials[0].Key);
        Assert.Equal(32, widthOnly.Trials[0].BatchSize);
    }

    [Theory]
    [InlineData("\"widths\": [8], \"batchSizes\": [], \"lrs\": [0.1]", "batchSizes is empty")]
    [InlineData("\"widths\": [8], \"batchSizes\": [0], \"lrs\": [0.1]", "not a positive batch size")]
    [InlineData("\"widths\": [8], \"lrGrids\": { \"lion\": { \"min\": 0.1, \"max\": 0.2 } }", "not among the optimizers")]
    [InlineData("\"widths\": [8], \"optimizers\": [\"sgd\", \"adamw\"], \"lrGrids\": { \"sgd\": { \"min\": 0.1, \"max\": 0.2 } }", "no learning rates for optimizer adamw")]
    [InlineData("\"widths\": [8], \"lrs\": [0.1], \"maxSamples\": -1", "maxSamples must be")]
    public void BadBatchAxesAreOneLineErrors(string axes, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => Plan(axes));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AVersion1StoreIsMigratedWithBatchSizesFromTheTrialConfigs()
    {
        var plan = Plan("\"widths\": [8], \"lrs\": [0.1, 0.2]", name: "old");
        SweepStore.Open(plan.DefaultDbPath, plan).Dispose();
        using (var c = new SqliteConnection($"Data Source={plan.DefaultDbPath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // What a version-1 store looked like: no batch_size column and no noise table.
            cmd.CommandText = "ALTER TABLE trials DROP COLUMN batch_size; DROP TABLE noise; PRAGMA user_version = 1;";
            cmd.ExecuteNonQuery();
        }
        using var store = SweepStore.Open(plan.DefaultDbPath, plan);
        Assert.All(store.Trials(), r => Assert.Equal(32, r.Spec.BatchSize));
        Assert.Empty(store.Noise(1, 32));
    }

    [Fact]
    public void BatchScalingPipelineMeasuresOptimaNoiseAndRendersTheReport()
    {
        var plan = Plan("""
            "widths": [16], "batchSizes": [8, 64], "optimizers": ["sgd"], "lrGrids": { "sgd": { "min": 0.025, "max": 0.4 } }
            """, steps: 400);
        using (var store = SweepStore.Open(plan.DefaultDbPath, plan))
            Assert.True(SweepWorker.Work(store, CancellationToken.None));

        var results = BatchScalingSweep.Load(plan);
        Assert.Equal(0.7, results.Target);
        var group = Assert.Single(results.Groups);
        Assert.Equal([8, 64], group.Batches);
        Assert.Equal(2, group.Optima.Count);
        foreach (var o in group.Optima)
        {
            Assert.InRange(o.Lr, 0.025, 0.4);
            Assert.Equal(o.Batch * o.Steps, o.Samples, 6);
            Assert.True(o.BSimple > 0, $"no B_simple at batch {o.Batch}");
        }
        // Noise was stored per measured step (every 2nd) for the trials shown; every trial that reached the target has steps.
        Assert.NotEmpty(results.Noise);
        Assert.All(results.Noise, n => Assert.Equal(0, n.Step % 2));
        Assert.Contains(results.Trials, t => t.StepsToTarget is not null);
        Assert.NotNull(group.StepsFit);
        Assert.NotNull(group.Prediction);

        string text = BatchSummaryText.Format(results.Groups, results.Target);
        Assert.Contains("blobs", plan.Axes.BaseConfig.Dataset, StringComparison.Ordinal);
        Assert.Contains("B_simple measured in training", text, StringComparison.Ordinal);

        // The report of the real stored sweep renders every chart in headless Chromium with no script error.
        string html = Path.Combine(dir, "report.html");
        var data = BatchScalingReport.Data("blobs", [results], [], [], text.Split('\n'));
        HtmlReport.Write(html, data);
        int charts = HtmlReport.Sections(data).SelectMany(s => s.Figures).Count();
        Assert.True(charts >= 3, $"only {charts} charts");
        var status = BrowserRenderTests.Status(HeadlessChromium.DumpDom(html));
        Assert.Equal($"rendered {charts} of {charts} charts, 0 errors", status.Text);

        // musharp report on the stored sweep takes the batch-scaling path.
        string viaReport = SweepReport.Write(plan.DefaultDbPath, output: Path.Combine(dir, "r2.html"));
        Assert.Contains("batch-optimal-lr", File.ReadAllText(viaReport), StringComparison.Ordinal);
    }

    [Fact]
    public void SummaryBeforeAnyRunNamesTheMissingResults()
    {
        string path = SweepFiles.Write(dir, "early", "\"widths\": [8], \"batchSizes\": [8], \"lrs\": [0.1]", baseJson: BaseJson());
        var (code, _, error) = MuSharp.Tests.Cli.CliProcess.Run("batch-scaling", "--config", path, "--summary", "--out", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("sweep.db", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void ASweepWithoutATargetIsRefusedByBatchScaling()
    {
        string path = SweepFiles.Write(dir, "nt", "\"widths\": [8], \"batchSizes\": [8], \"lrs\": [0.1]");
        var (code, _, error) = MuSharp.Tests.Cli.CliProcess.Run("batch-scaling", "--config", path, "--out", Path.Combine(dir, "out"));
        Assert.Equal(2, code);
        Assert.Contains("no targetLoss", error, StringComparison.Ordinal);
    }
}
