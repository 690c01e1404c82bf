using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace MuSharp.Tests.Distributed;

/// <summary>
/// Sweeps in a real PostgreSQL (<see cref="PostgresServer"/>) drained by worker processes: killed workers, a restarted
/// server, refused connections, two sweeps in one database. Everything on 127.0.0.1.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PostgresSweepTests(PostgresServer server, ITestOutputHelper output) : IClassFixture<PostgresServer>, IDisposable
{
    private const int MaxKills = 10; // bounds the chaos test's time: after these, the sweep finishes undisturbed
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-pgsweep-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ChaosKilledWorkersLoseNoTrialAndEveryResultEqualsASingleWorkersRun()
    {
        const string db = "chaos";
        server.CreateDatabase(db);
        var address = StoreAddress.FromConnectionString(server.ConnectionString(db));
        const string axes = "\"widths\": [32, 64, 128], \"lrs\": [0.003, 0.01, 0.03, 0.1, 0.3], \"seeds\": [1, 2]";
        var plan = Plan("chaos", axes, steps: 900);
        var reference = Plan("chaos-reference", axes, steps: 900);
        Assert.Equal(30, plan.Trials.Count);
        SharedSweep.Enqueue(plan, address);
        SharedSweep.Enqueue(reference, address);

        var clock = Stopwatch.StartNew();
        var single = StartWorker(db, reference.Name);
        Assert.True(single.Process.WaitForExit(TimeSpan.FromMinutes(3)), "the single reference worker did not finish");
        Assert.True(single.Process.ExitCode == 0, $"reference worker exited {single.Process.ExitCode}: {single.Errors}");
        output.WriteLine($"single worker: {clock.Elapsed.TotalSeconds:F1} s");

        clock.Restart();
        var rng = new Random(14);
        var workers = Enumerable.Range(0, 4).Select(_ => StartWorker(db, plan.Name)).ToList();
        int kills = 0, started = 4;
        using (var store = PostgresSweepStore.OpenExisting(address, plan.Name, log: TextWriter.Null))
        {
            while (clock.Elapsed < TimeSpan.FromMinutes(3))
            {
                Thread.Sleep(TimeSpan.FromMilliseconds(rng.Next(1000, 2000)));
                var rows = store.Trials();
                if (rows.All(r => r.IsFinished)) break;
                // The victim: a live worker that holds a trial, killed -9 mid-training; a fresh worker takes its place.
                var holders = rows.Where(r => r.Status == TrialStatus.Running).Select(r => r.WorkerPid).ToHashSet();
                var victims = workers.Where(w => !w.Process.HasExited && holders.Contains(w.Process.Id)).ToList();
                if (victims.Count > 0 && kills < MaxKills)
                {
                    var victim = victims[rng.Next(victims.Count)];
                    victim.Process.Kill();
                    victim.Process.WaitForExit();
                    workers.Remove(victim);
                    kills++;
                }
                workers.RemoveAll(w => w.Process.HasExited);
                while (workers.Count < 4 && rows.Any(r => !r.IsFinished))
                {
                    workers.Add(StartWorker(db, plan.Name));
                    started++;
                }
            }
            foreach (var w in workers) Assert.True(w.Process.WaitForExit(TimeSpan.FromMinutes(1)), "a worker did not exit after the sweep finished");
            Assert.All(workers, w => Assert.True(w.Process.ExitCode == 0, $"worker exited {w.Process.ExitCode}: {w.Errors}"));

            var results = store.Trials();
            using var refStore = PostgresSweepStore.OpenExisting(address, reference.Name, log: TextWriter.Null);
            var expected = refStore.Trials().ToDictionary(r => r.Spec.Key);
            Assert.All(expected.Values, r => Assert.Equal(1, r.Attempts)); // the undisturbed single worker claims each trial once
            Assert.Equal(30, results.Count);
            Assert.Equal(30, store.ResultCount()); // one results row per trial: recorded exactly once
            Assert.All(results, r => Assert.True(r.Status is TrialStatus.Done or TrialStatus.Diverged, $"{r.Spec.Key}: {r.Status} {r.Result.Error}"));
            int reclaimed = results.Count(r => r.Attempts > 1);
            foreach (var r in results)
            {
                var e = expected[r.Spec.Key];
                Assert.Equal(e.Status, r.Status);
                Assert.Equal(Losses(e.Result), Losses(r.Result)); // bit for bit (doubles compare exactly)
                Assert.Equal(refStore.Metrics(e.Id).Select(m => (m.Step, m.Lr, m.TrainLoss, m.ValLoss, m.ValAccuracy)),
                    store.Metrics(r.Id).Select(m => (m.Step, m.Lr, m.TrainLoss, m.ValLoss, m.ValAccuracy)));
            }
            output.WriteLine($"chaos: {kills} kills -9, {started} workers started, {reclaimed} trials reclaimed after an expired lease, " +
                $"{results.Count} results, {results.Sum(r => r.Attempts)} attempts, {clock.Elapsed.TotalSeconds:F1} s");
            Assert.True(kills >= 3, $"only {kills} kills happened");
            Assert.True(reclaimed >= 1, "no trial was reclaimed");
        }
    }

    [Fact]
    public void WorkersRideOutARestartedServerWithOneLogLineAndFinish()
    {
        const string db = "restart";
        server.CreateDatabase(db);
        var address = StoreAddress.FromConnectionString(server.ConnectionString(db));
        var plan = Plan("restart", "\"widths\": [32, 64], \"lrs\": [0.01, 0.03, 0.1, 0.3]", steps: 600);
        SharedSweep.Enqueue(plan, address);
        var workers = Enumerable.Range(0, 2).Select(_ => StartWorker(db, plan.Name)).ToList();
        using (var store = PostgresSweepStore.OpenExisting(address, plan.Name, log: TextWriter.Null))
        {
            var clock = Stopwatch.StartNew();
            while (store.ResultCount() < 2 && clock.Elapsed < TimeSpan.FromMinutes(1)) Thread.Sleep(200);
            Assert.True(store.ResultCount() < 8, "the sweep finished before the restart; make its trials longer");
        }
        server.Restart(TimeSpan.FromSeconds(1.5));
        foreach (var w in workers) Assert.True(w.Process.WaitForExit(TimeSpan.FromMinutes(2)), "a worker did not finish after the restart");
        Assert.All(workers, w => Assert.True(w.Process.ExitCode == 0, $"worker exited {w.Process.ExitCode}: {w.Errors}"));
        var lines = workers.Select(w => w.Lines.Count(l => l.Contains("unavailable", StringComparison.Ordinal))).ToList();
        output.WriteLine($"'unavailable' lines per worker: {string.Join(", ", lines)}");
        Assert.True(lines.Sum() >= 1, "no worker noticed the restart");
        Assert.All(lines, n => Assert.True(n <= 1, "a worker logged the outage more than once"));
        using var after = PostgresSweepStore.OpenExisting(address, plan.Name, log: TextWriter.Null);
        Assert.All(after.Trials(), r => Assert.True(r.Status is TrialStatus.Done or TrialStatus.Diverged, $"{r.Spec.Key}: {r.Status}"));
        Assert.Equal(8, after.ResultCount());
        Assert.True(after.Trials().Count(r => r.Attempts > 1) <= 2, "trials were stranded and reclaimed without a kill");
    }

    [Fact]
    public void AWrongPasswordIsOneLineAndExit2()
    {
        var (code, stderr) = RunCli(["worker", "--store", server.Url("postgres")], ("PGPASSWORD", "not-the-password"));
        Assert.Equal(2, code);
        Assert.Contains("authentication failed", OneLine(stderr));
        Assert.DoesNotContain("not-the-password", stderr);
    }

    [Fact]
    public void AnUnreachableHostIsOneLineAndExit2()
    {
        int closed = PostgresServer.FreePort(); // nothing listens there
        var (code, stderr) = RunCli(["worker", "--store", $"postgres://{PostgresServer.User}@127.0.0.1:{closed}/x"], ("PGPASSWORD", PostgresServer.Password));
        Assert.Equal(2, code);
        Assert.Contains("unreachable", OneLine(stderr));
    }

    [Fact]
    public void ADatabaseWithoutTheSchemaIsOneLineAndExit2()
    {
        server.CreateDatabase("empty");
        var (code, stderr) = RunCli(["worker", "--store", server.Url("empty")], ("PGPASSWORD", PostgresServer.Password));
        Assert.Equal(2, code);
        Assert.Contains("holds no MuSharp sweep tables", OneLine(stderr));
        var (summaryCode, summaryErr) = RunCli(["transfer", "--store", server.Url("empty"), "--summary"], ("PGPASSWORD", PostgresServer.Password));
        Assert.Equal(2, summaryCode);
        Assert.Contains("holds no MuSharp sweep tables", OneLine(summaryErr));
    }

    [Fact]
    public void APasswordOnTheCommandLineIsRefusedWithoutEchoingIt()
    {
        var (code, stderr) = RunCli(["worker", "--store", $"postgres://{PostgresServer.User}:hunter2@127.0.0.1:{server.Port}/postgres"]);
        Assert.Equal(2, code);
        Assert.Contains("must not carry a password", OneLine(stderr));
        Assert.DoesNotContain("hunter2", stderr);
    }

    [Fact]
    public void TwoSweepsInOneDatabaseStayApartAndNamesWithQuotesAndSemicolonsAreParameters()
    {
        const string db = "apart";
        server.CreateDatabase(db);
        var address = StoreAddress.FromConnectionString(server.ConnectionString(db));
        var first = Plan("it's; DROP TABLE trials; --", "\"widths\": [8], \"lrs\": [0.01, 0.1]", steps: 20);
        var second = Plan("other \"sweep\"'); DELETE FROM sweeps; --", "\"widths\": [8, 16], \"lrs\": [0.01]", steps: 20);
        SharedSweep.Enqueue(first, address);
        SharedSweep.Enqueue(second, address);
        SharedSweep.Enqueue(first, address); // enqueuing again adds nothing

        using (var store = PostgresSweepStore.OpenExisting(address, first.Name, Path.Combine(dir, "work"), log: TextWriter.Null))
        {
            Assert.Equal(first.Name, store.Name);
            Assert.True(SweepWorker.Work(store, CancellationToken.None));
            Assert.All(store.Trials(), r => Assert.Equal(TrialStatus.Done, r.Status));
            Assert.All(store.Trials(), r => Assert.Equal(1, r.Attempts)); // each claimed once: none stranded until its lease expired
            Assert.Equal(2, store.Trials().Count);
            Assert.Contains(first.Name, SharedSweep.Summary(store));
            Assert.True(store.Metrics(store.Trials()[0].Id).Count > 0);
        }
        using (var other = PostgresSweepStore.OpenExisting(address, second.Name, log: TextWriter.Null))
        {
            Assert.Equal(2, other.Trials().Count);
            Assert.All(other.Trials(), r => Assert.Equal(TrialStatus.Pending, r.Status));
            Assert.Empty(other.Metrics(other.Trials()[0].Id));
        }
        // Without --sweep a database of two sweeps is ambiguous; the message names both.
        var e = Assert.Throws<ArgumentException>(() => PostgresSweepStore.OpenExisting(address, null, log: TextWriter.Null));
        Assert.Contains(first.Name, e.Message);
        using var c = new NpgsqlConnection(server.ConnectionString(db));
        c.Open();
        using var count = new NpgsqlCommand("SELECT count(*) FROM sweeps", c);
        Assert.Equal(2L, count.ExecuteScalar());
    }

    private SweepPlan Plan(string name, string axes, int steps)
    {
        string baseJson = $$"""
            { "task": "mlp", "dataset": "blobs", "hidden": [8, 8], "optimizer": "sgd", "momentum": 0.9, "batchSize": 64,
              "logEvery": 20, "evalEvery": 100, "evalBatches": 2, "checkpointEvery": 30, "runsDir": {{JsonSerializer.Serialize(dir)}} }
            """;
        string path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, $$"""{ "name": {{JsonSerializer.Serialize(name)}}, "base": {{baseJson}}, "steps": {{steps}}, {{axes}} }""");
        return SweepConfig.Load(path);
    }

    private sealed record Worker(Process Process, ConcurrentQueue<string> Lines)
    {
        public string Errors => string.Join(" | ", Lines.TakeLast(8));
    }

    // A worker process (single-threaded OpenBLAS, as the reference) with a 3 s lease; its stderr lines are collected.
    [Fact]
    public void TuneStagesGoThroughASharedStoreAndEqualALocalTune()
    {
        const string db = "tune";
        server.CreateDatabase(db);
        var address = StoreAddress.FromConnectionString(server.ConnectionString(db));
        Directory.CreateDirectory(Path.Combine(dir, "local"));
        Directory.CreateDirectory(Path.Combine(dir, "shared"));
        var local = Tune.Run(TuneConfig.Load(Tuning.TuneFiles.Write(Path.Combine(dir, "local"), "t", Tuning.TuneFiles.LrGrid)), new TuneOptions())!;

        // Each run enqueues the next stage whose inputs are ready and stops; workers (here in this process) drain it.
        var plan = TuneConfig.Load(Tuning.TuneFiles.Write(Path.Combine(dir, "shared"), "t", Tuning.TuneFiles.LrGrid));
        var options = new TuneOptions { Shared = address };
        var drained = new List<string>();
        TuneResult? result;
        while ((result = Tune.Run(plan, options)) is null)
        {
            Assert.True(drained.Count < 2, "more than the proxy and target stages were enqueued");
            string stage = drained.Count == 0 ? Tune.ProxyStage : Tune.TargetStage;
            using var store = PostgresSweepStore.OpenExisting(address, $"{plan.Name}-{stage}", trialsDir: Path.Combine(dir, "work-" + stage));
            Assert.True(SweepWorker.Work(store, CancellationToken.None));
            drained.Add(stage);
        }
        Assert.Equal([Tune.ProxyStage, Tune.TargetStage], drained);
        Assert.Equal(local.Choices.Select(c => (c.Parametrization, c.Point)), result.Choices.Select(c => (c.Parametrization, c.Point)));
        Assert.Equal(local.Target.Select(t => t.Loss), result.Target.Select(t => t.Loss));   // the same runs, bit for bit
    }

    [Fact]
    public void ABatchScalingSweepInTheSharedStoreSummarizesLikeALocalOne()
    {
        const string db = "batch";
        server.CreateDatabase(db);
        var address = StoreAddress.FromConnectionString(server.ConnectionString(db));
        string baseJson = Sweeps.SweepFiles.BaseJson(dir, evalEvery: 1000).Replace("\"momentum\": 0.9, \"batchSize\": 32,",
            "\"momentum\": 0, \"batchSize\": 32, \"targetLoss\": 0.7, \"evalGrowth\": 1.1, \"noiseEvery\": 2, \"noiseChunks\": 2, \"patience\": 8,",
            StringComparison.Ordinal);
        var plan = SweepConfig.Load(Sweeps.SweepFiles.Write(dir, "bs", """
            "widths": [16], "batchSizes": [8, 64], "optimizers": ["sgd"], "lrGrids": { "sgd": { "min": 0.05, "max": 0.4 } }
            """, 300, baseJson));
        using (var local = SweepStore.Open(plan.DefaultDbPath, plan)) Assert.True(SweepWorker.Work(local, CancellationToken.None));
        SharedSweep.Enqueue(plan, address);
        using var shared = PostgresSweepStore.OpenExisting(address, plan.Name, trialsDir: Path.Combine(dir, "work-bs"));
        Assert.True(SweepWorker.Work(shared, CancellationToken.None));

        var a = BatchScalingSweep.Load(plan);
        var b = BatchScalingSweep.Load(shared);
        Assert.Equal(a.Trials.Select(t => (t.Row.Spec.Key, t.StepsToTarget)), b.Trials.Select(t => (t.Row.Spec.Key, t.StepsToTarget)));
        Assert.Equal(a.Groups.Single().Optima.Select(o => (o.Batch, o.Lr)), b.Groups.Single().Optima.Select(o => (o.Batch, o.Lr)));
    }

    private Worker StartWorker(string db, string sweep)
    {
        var info = Cli(["worker", "--store", server.Url(db), "--sweep", sweep, "--lease", "3", "--threads", "1"]);
        info.Environment["PGPASSWORD"] = PostgresServer.Password;
        info.Environment["MUSHARP_THREADS"] = "1";
        var p = Process.Start(info)!;
        var lines = new ConcurrentQueue<string>();
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } l) lines.Enqueue(l); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return new Worker(p, lines);
    }

    private static (int Code, string Stderr) RunCli(string[] args, params (string Key, string Value)[] env)
    {
        var info = Cli(args);
        info.Environment.Remove("PGPASSWORD");
        info.Environment.Remove(StoreAddress.EnvironmentVariable);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(60)), "the command did not exit");
        _ = stdout.Result;
        return (p.ExitCode, stderr);
    }

    private static ProcessStartInfo Cli(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    // The whole of stderr must be one line.
    private static string OneLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line, got {lines.Length}: {stderr}");
        Assert.StartsWith("musharp: ", lines[0]);
        return lines[0];
    }

    private static (double?, double?, double?, double?, string?, double?, double?) Losses(TrialResult r) =>
        (r.InitialValLoss, r.FinalValLoss, r.FinalValAccuracy, r.FinalTrainLoss, r.FinalEvalSplit, r.FinalEvalLoss, r.FinalEvalAccuracy);
}
