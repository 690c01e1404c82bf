using Microsoft.Data.Sqlite;
using MuSharp.Sweeps;

namespace MuSharp.Tests.Sweeps;

public sealed class SweepStoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-sweepstore-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private SweepPlan Plan(string lrs = "[0.01, 0.1]") => SweepConfig.Load(SweepFiles.Write(dir, "s", $"\"widths\": [8, 16], \"lrs\": {lrs}, \"seeds\": [1, 2]"));

    private string Db => Path.Combine(dir, "s", "sweep.db");

    [Fact]
    public void TrialsOutcomesAndMetricsRoundTrip()
    {
        var plan = Plan();
        using (var store = SweepStore.Open(Db, plan))
        {
            var rows = store.Trials();
            Assert.Equal(plan.Trials.Select(t => (t.Id, t.Key, t.Width, t.Lr, t.LrIndex, t.Seed)), rows.Select(r => (r.Id, r.Spec.Key, r.Spec.Width, r.Spec.Lr, r.Spec.LrIndex, r.Spec.Seed)));
            Assert.All(rows, r => Assert.Equal(TrialStatus.Pending, r.Status));
            Assert.Equal((8, 2.0, "s"), (store.BaseWidth, store.DivergenceFactor, store.Name));

            var claimed = store.Claim(pid: 4242)!;
            Assert.Equal(1, claimed.Id);
            Assert.Equal(plan.Trials[0].ConfigJson, claimed.ConfigJson);
            Assert.Equal(2, store.Claim(pid: 4243)!.Id);
            var running = store.Trials()[0];
            Assert.Equal((TrialStatus.Running, 4242, 1), (running.Status, running.WorkerPid!.Value, running.Attempts));

            var outcome = new TrialResult
            {
                Status = TrialStatus.Done, InitialValLoss = 1.4, FinalValLoss = 0.25, FinalValAccuracy = 0.9, FinalTrainLoss = 0.3,
                FinalEvalSplit = "test", FinalEvalLoss = 0.27, FinalEvalAccuracy = 0.88, Seconds = 1.5,
                Metrics = [new MetricRow(5, 0.01, 1.1, null, null, 0.1), new MetricRow(10, 0.01, 0.3, 0.25, 0.9, 0.2)],
            };
            Assert.False(store.Record(1, pid: 9999, outcome)); // not this worker's trial: nothing written
            Assert.True(store.Record(1, pid: 4242, outcome));
            Assert.False(store.Record(1, pid: 4242, outcome)); // already finished
            store.Release(2, pid: 4243);
        }

        using (var reopened = SweepStore.Open(Db, plan))
        {
            var done = reopened.Trials()[0];
            Assert.Equal(TrialStatus.Done, done.Status);
            Assert.Equal((1.4, 0.25, 0.9, 0.3, "test", 0.27, 0.88, 1.5), (done.Result.InitialValLoss!.Value, done.Result.FinalValLoss!.Value,
                done.Result.FinalValAccuracy!.Value, done.Result.FinalTrainLoss!.Value, done.Result.FinalEvalSplit, done.Result.FinalEvalLoss!.Value, done.Result.FinalEvalAccuracy!.Value, done.Result.Seconds!.Value));
            Assert.NotNull(done.Finished);
            Assert.True(done.Finished >= done.Started);
            Assert.Equal([new MetricRow(5, 0.01, 1.1, null, null, 0.1), new MetricRow(10, 0.01, 0.3, 0.25, 0.9, 0.2)], reopened.Metrics(1));
            Assert.Equal(TrialStatus.Pending, reopened.Trials()[1].Status); // released
            Assert.Equal(2, reopened.Claim(pid: 1)!.Id); // the lowest pending trial again
        }
    }

    [Fact]
    public void ConcurrentClaimsNeverHandOutATrialTwice()
    {
        var plan = SweepConfig.Load(SweepFiles.Write(dir, "s", "\"widths\": [8, 16, 32, 64], \"lrs\": [0.01, 0.02, 0.04, 0.08], \"seeds\": [1, 2, 3]"));
        SweepStore.Open(Db, plan).Dispose();
        var claims = new System.Collections.Concurrent.ConcurrentBag<long>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            using var store = SweepStore.OpenExisting(Db); // a connection each, as separate processes have
            while (store.Claim(pid: 100 + worker) is { } t) claims.Add(t.Id);
        });
        Assert.Equal(plan.Trials.Select(t => t.Id).Order(), claims.Order());
    }

    [Fact]
    public void ReopeningWithAChangedSweepFileIsAnErrorNamingTheChange()
    {
        using (SweepStore.Open(Db, Plan())) { }
        var changed = Plan("[0.01, 0.2]");
        var e = Assert.Throws<ArgumentException>(() => SweepStore.Open(Db, changed));
        Assert.Contains("changed", e.Message);
        Assert.Contains("lrs", e.Message);
        Assert.Contains(Db, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        using var store = SweepStore.Open(Db, Plan()); // the original still opens, untouched
        Assert.Equal(8, store.Trials().Count);
    }

    [Fact]
    public void CorruptFileIsReportedAndLeftUntouched()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Db)!);
        var garbage = new byte[8192];
        new Random(5).NextBytes(garbage);
        File.WriteAllBytes(Db, garbage);

        var e = Assert.Throws<InvalidDataException>(() => SweepStore.Open(Db, Plan()));
        Assert.Contains(Db, e.Message);
        Assert.Contains("not a usable sweep database", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(garbage, File.ReadAllBytes(Db));
        Assert.IsType<InvalidDataException>(Assert.ThrowsAny<Exception>(() => SweepStore.OpenExisting(Db)));
        Assert.Equal(garbage, File.ReadAllBytes(Db));

        // Through the CLI: one line on stderr, exit code 2.
        string config = SweepFiles.Write(dir, "s", "\"widths\": [8, 16], \"lrs\": [0.01, 0.1], \"seeds\": [1, 2]");
        Assert.Equal(2, MuSharp.Cli.Cli.Run(["transfer", "--config", config, "--workers", "1"]));
        Assert.Equal(garbage, File.ReadAllBytes(Db));
    }

    [Fact]
    public void AnotherSqliteDatabaseIsNotTakenOver()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Db)!);
        using (var c = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE notes (text TEXT)";
            cmd.ExecuteNonQuery();
        }
        var e = Assert.Throws<InvalidDataException>(() => SweepStore.Open(Db, Plan()));
        Assert.Contains("not a sweep store", e.Message);
        Assert.Contains(Db, e.Message);
    }
}
