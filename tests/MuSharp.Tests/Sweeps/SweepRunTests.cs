using System.Diagnostics;
using System.Text.Json;
using MuSharp.Cli.Experiments;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Tests.Sweeps;

[Trait("Category", "Slow")]
public sealed class SweepRunTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-sweeprun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void WorkerRecordsDoneAndDivergedTrialsWithTheirMetrics()
    {
        var plan = SweepConfig.Load(SweepFiles.Write(dir, "d", "\"widths\": [8], \"lrs\": [0.05, 10000]", steps: 30));
        using var store = SweepStore.Open(plan.DefaultDbPath, plan);
        Assert.True(SweepWorker.Work(store, CancellationToken.None));

        var rows = store.Trials();
        var done = rows.Single(r => r.Spec.LrIndex == 0);
        Assert.Equal(TrialStatus.Done, done.Status);
        Assert.True(done.Result.FinalValLoss < 0.5 * done.Result.InitialValLoss, $"final {done.Result.FinalValLoss} vs initial {done.Result.InitialValLoss}");
        Assert.Equal("test", done.Result.FinalEvalSplit);
        Assert.True(done.Result.FinalEvalAccuracy > 0.9);
        Assert.Equal(1, done.Attempts);
        Assert.Equal([5L, 10, 15, 20, 25, 30], store.Metrics(done.Id).Select(m => m.Step));
        Assert.Equal(done.Result.FinalValLoss, store.Metrics(done.Id)[^1].ValLoss);

        var diverged = rows.Single(r => r.Spec.LrIndex == 1);
        Assert.Equal(TrialStatus.Diverged, diverged.Status); // recorded, not a crash of the worker
        Assert.True(diverged.Result.Error?.Contains("training loss", StringComparison.Ordinal) == true || diverged.Result.FinalValLoss > 2 * diverged.Result.InitialValLoss,
            $"diverged without a reason: {diverged.Result.Error}");

        // Run folders are trials/ID beside the database; a finished trial's checkpoint is removed.
        string trial = Path.Combine(dir, "d", "trials", done.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(File.Exists(Path.Combine(trial, Train.MetricsFile)));
        Assert.False(File.Exists(Path.Combine(trial, Train.CheckpointFile)));

        var summary = TransferSummary.Summarize(rows, plan.Axes.BaseWidth)[0];
        Assert.Equal(0, summary.Optima.Single().LrIndex);
    }

    [Theory]
    [InlineData(1.0, 2.5, true)]
    [InlineData(1.0, 1.5, false)]
    [InlineData(1.0, double.NaN, true)]
    [InlineData(1.0, double.PositiveInfinity, true)]
    public void DivergenceIsAFinalLossAboveFactorTimesTheInitialOne(double initial, double final, bool diverged) =>
        Assert.Equal(diverged, TrialRunner.IsDiverged(initial, final, factor: 2));

    [Fact]
    public void ATrialThatThrowsIsRecordedAsFailedAndTheWorkerGoesOn()
    {
        // A context longer than the synthetic corpus's validation text passes every config check and fails when the
        // task cuts its first validation batch (an unknown dataset, the old trigger, is now refused when the sweep loads).
        string baseJson = $$"""
            { "task": "gpt", "dataset": "synthetic", "contextLength": 60000, "layers": 1, "heads": 1, "batchSize": 1, "evalBatches": 1,
              "runsDir": {{JsonSerializer.Serialize(dir)}} }
            """;
        var plan = SweepConfig.Load(SweepFiles.Write(dir, "f", "\"widths\": [8], \"lrs\": [0.01, 0.1]", steps: 2, baseJson: baseJson));
        using var store = SweepStore.Open(plan.DefaultDbPath, plan);
        Assert.True(SweepWorker.Work(store, CancellationToken.None));
        Assert.All(store.Trials(), r =>
        {
            Assert.Equal(TrialStatus.Failed, r.Status);
            Assert.False(string.IsNullOrWhiteSpace(r.Result.Error));
        });
    }

    [Fact]
    public void AStoppedTrialResumesFromItsCheckpointToTheSameLosses()
    {
        var plan = SweepConfig.Load(SweepFiles.Write(dir, "r", "\"widths\": [8], \"lrs\": [0.05]", steps: 30,
            baseJson: SweepFiles.BaseJson(dir, logEvery: 1, checkpointEvery: 1000)));
        var config = JsonSerializer.Deserialize<TrainConfig>(plan.Trials[0].ConfigJson, TrainConfig.Json)!;
        string stopped = Path.Combine(dir, "stopped"), reference = Path.Combine(dir, "reference");

        Assert.Null(TrialRunner.Run(config, stopped, 2, new CancellationToken(canceled: true))); // one step, then a checkpoint
        Assert.True(File.Exists(Path.Combine(stopped, Train.CheckpointFile)));
        var resumed = TrialRunner.Run(config, stopped, 2, CancellationToken.None)!;
        var whole = TrialRunner.Run(config, reference, 2, CancellationToken.None)!;

        Assert.Equal(30, resumed.Metrics.Count);
        Assert.Equal(whole.Metrics.Select(m => (m.Step, m.Lr, m.TrainLoss, m.ValLoss)), resumed.Metrics.Select(m => (m.Step, m.Lr, m.TrainLoss, m.ValLoss)));
        Assert.Equal(whole.FinalValLoss, resumed.FinalValLoss);
    }

    [Fact]
    public void TransferRunsWorkerProcessesAndASecondRunRedoesNothing()
    {
        string config = SweepFiles.Write(dir, "e", "\"widths\": [8, 16], \"lrs\": [0.01, 0.1]");
        Assert.Equal(0, MuSharp.Cli.Cli.Run(["transfer", "--config", config, "--workers", "2"]));
        string db = Path.Combine(dir, "e", "sweep.db");
        IReadOnlyList<TrialRow> first;
        using (var store = SweepStore.OpenExisting(db)) first = store.Trials();
        Assert.Equal(4, first.Count);
        Assert.All(first, r => Assert.Equal(TrialStatus.Done, r.Status));
        Assert.All(first, r => Assert.NotEqual(Environment.ProcessId, r.WorkerPid)); // run by worker processes, not in here

        Assert.Equal(0, MuSharp.Cli.Cli.Run(["transfer", "--config", config]));
        Assert.Equal(0, MuSharp.Cli.Cli.Run(["transfer", "--summary", "--db", db]));
        using (var store = SweepStore.OpenExisting(db)) Assert.Equal(first, store.Trials());
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["transfer", "--config", config, "--workers", "-1"]));
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["transfer", "--summary"]));
    }

    [Fact]
    public void KilledSweepResumesWithoutRedoingFinishedTrials()
    {
        // 8 trials of 10,000 steps (about a second each), logged every 1,000 steps, checkpointed every 2,000.
        string config = SweepFiles.Write(dir, "k", "\"widths\": [8, 16], \"lrs\": [0.01, 0.02, 0.04, 0.08]", steps: 10_000,
            baseJson: SweepFiles.BaseJson(dir, logEvery: 1000, checkpointEvery: 2000, evalEvery: 1000));
        string db = Path.Combine(dir, "k", "sweep.db");

        List<int> workers;
        using (var coordinator = StartCli(["transfer", "--config", config, "--workers", "2"]))
        {
            var deadline = Stopwatch.StartNew();
            IReadOnlyList<TrialRow> rows = [];
            while (rows.Count(r => r.Status == TrialStatus.Done) < 2 && !coordinator.HasExited && deadline.Elapsed.TotalSeconds < 120)
            {
                Thread.Sleep(20);
                rows = TryRead(db);
            }
            if (coordinator.HasExited) Assert.Fail("the sweep finished before it could be killed: " + coordinator.StandardError.ReadToEnd());
            workers = [.. rows.Where(r => r.Status == TrialStatus.Running).Select(r => r.WorkerPid!.Value)];
            coordinator.Kill(); // SIGKILL to the coordinator alone: its workers must notice and stop by themselves
            coordinator.WaitForExit();
        }
        var stopwatch = Stopwatch.StartNew();
        while (workers.Any(IsRunning) && stopwatch.Elapsed.TotalSeconds < 60) Thread.Sleep(50);
        Assert.False(workers.Any(IsRunning), "workers kept running after their coordinator was killed");

        var before = TryRead(db).Where(r => r.IsFinished).ToDictionary(r => r.Id);
        Assert.InRange(before.Count, 2, 7);

        using (var rerun = StartCli(["transfer", "--config", config, "--workers", "2"]))
        {
            Assert.True(rerun.WaitForExit(180_000), "the resumed sweep did not finish");
            Assert.True(rerun.ExitCode == 0, rerun.StandardError.ReadToEnd());
        }
        using var store = SweepStore.OpenExisting(db);
        var after = store.Trials();
        Assert.Equal(8, after.Count);
        Assert.Equal(8, after.Select(r => r.Spec.Key).Distinct().Count());
        foreach (var r in after)
        {
            Assert.Equal(TrialStatus.Done, r.Status);
            Assert.NotNull(r.Result.FinalValLoss);
            Assert.Equal(Enumerable.Range(1, 10).Select(i => 1000L * i), store.Metrics(r.Id).Select(m => m.Step)); // one result, no duplicates
        }
        foreach (var (id, old) in before)
        {
            var now = after.Single(r => r.Id == id);
            Assert.Equal(old.Finished, now.Finished); // not rerun
            Assert.Equal(old.Attempts, now.Attempts);
            Assert.Equal(old.Result.FinalValLoss, now.Result.FinalValLoss);
        }
    }

    private static IReadOnlyList<TrialRow> TryRead(string db)
    {
        if (!File.Exists(db)) return [];
        try
        {
            using var store = SweepStore.OpenExisting(db);
            return store.Trials();
        }
        catch (InvalidDataException) { return []; } // the coordinator is still creating it
    }

    // Alive and not a zombie (a killed coordinator's orphans are reaped by whoever adopts them, perhaps later).
    private static bool IsRunning(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] is not ('Z' or 'X');
        }
        catch (IOException) { return false; }
    }

    private static Process StartCli(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }
}
