using System.Diagnostics;
using System.Globalization;
using MuSharp.Distributed;
using MuSharp.Io;
using MuSharp.Nn;
using MuSharp.Optim;
using Xunit.Abstractions;

namespace MuSharp.Tests.Distributed;

/// <summary>
/// Data-parallel training under Open MPI's mpirun (two ranks on this machine, single-threaded each): bit-identical to one
/// process accumulating the same micro-batches, close to one full-batch process, and resumable after a killed rank with
/// the same and with a different number of ranks.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DataParallelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-dp-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("adamw")]
    [InlineData("muon")]
    public void TwoRanksEqualOneProcessAccumulatingTheTwoMicroBatchesBitForBit(string optimizer)
    {
        string config = Config(optimizer, steps: 50, checkpointEvery: 10);
        Run(Mpirun(2, ["train", "--config", config, "--name", "ranks", "--data-parallel"]), 0);
        Run(Cli(["train", "--config", config, "--name", "micro", "--micro-batches", "2"]), 0);
        Run(Cli(["train", "--config", config, "--name", "full"]), 0);

        var ranks = Metrics("ranks");
        Assert.Equal(50, ranks.Count);
        Assert.Equal(Metrics("micro"), ranks); // step, lr, train loss, validation: bit for bit ("R" formatting round-trips)
        var a = Checkpoint.Load(Path.Combine(dir, "runs", "ranks", Train.CheckpointFile)).Tensors;
        var b = Checkpoint.Load(Path.Combine(dir, "runs", "micro", Train.CheckpointFile)).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        Assert.All(a, kv => Assert.True(kv.Value.AsSpan().SequenceEqual(b[kv.Key]), $"{kv.Key} differs"));

        // Against one process on the whole batch only the order of the sums differs.
        var full = Metrics("full");
        double worst = ranks.Zip(full).Max(x => Math.Abs(x.First[2] - x.Second[2]) / Math.Abs(x.Second[2]));
        output.WriteLine($"{optimizer}: 2 ranks vs full batch, max relative train-loss difference over 50 steps {worst:E2}");
        Assert.True(worst < 1e-4, $"relative difference {worst}");
        Assert.NotEqual(0, ranks[^1][2] - ranks[0][2]); // it trained
    }

    [Fact]
    public void AKilledRankStopsTheJobAndTheRunResumesWithTheSameAndADifferentNumberOfRanks()
    {
        string config = Config("muon", steps: 1500, checkpointEvery: 50, logEvery: 50);
        string run = Path.Combine(dir, "runs", "killed"), checkpoint = Path.Combine(run, Train.CheckpointFile);
        using var job = Process.Start(Mpirun(2, ["train", "--config", config, "--name", "killed", "--data-parallel"]))!;
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        job.OutputDataReceived += (_, e) => { if (e.Data != null) lines.Enqueue(e.Data); };
        job.ErrorDataReceived += (_, e) => { if (e.Data != null) lines.Enqueue(e.Data); };
        job.BeginOutputReadLine();
        job.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(checkpoint) && !job.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(10);
        Assert.False(job.HasExited, $"the job ended before a checkpoint: {string.Join('\n', lines)}");
        int[] ranks = [.. Children(job.Id).Where(pid => File.ReadAllText($"/proc/{pid}/cmdline").Contains("MuSharp.Cli.dll", StringComparison.Ordinal))];
        Assert.True(ranks.Length == 2, $"rank processes under mpirun {job.Id}: {string.Join(", ", Children(job.Id).Select(pid => $"{pid} {File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ')}"))}");
        Process.GetProcessById(ranks[1]).Kill(); // kill -9 one rank
        Assert.True(job.WaitForExit(TimeSpan.FromMinutes(1)), "mpirun did not stop the job after a rank died");
        job.WaitForExit(); // drains the output events
        string message = string.Join('\n', lines);
        output.WriteLine(message.Split('\n').Where(l => l.Contains("signal", StringComparison.OrdinalIgnoreCase) || l.Contains("rank", StringComparison.Ordinal)).FirstOrDefault() ?? "");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("signal 9", message);
        long step = (long)Checkpoint.Load(checkpoint).Header["step"]!; // intact: loads, SHA-256 checked
        Assert.True(step is > 0 and < 1500, $"checkpoint at step {step}");

        CopyDir(run, Path.Combine(dir, "runs", "other"));
        Run(Mpirun(2, ["train", "--resume", run, "--data-parallel"]), 0);
        Run(Mpirun(1, ["train", "--resume", Path.Combine(dir, "runs", "other"), "--data-parallel"]), 0);
        foreach (var name in new[] { "killed", "other" })
        {
            var m = Metrics(name);
            Assert.Equal(1500, m[^1][0]);
            Assert.True(File.Exists(Path.Combine(dir, "runs", name, Train.FinalFile)));
        }
        // Same N continues exactly; a different N only reorders sums.
        var same = Metrics("killed")[^1][2];
        var other = Metrics("other")[^1][2];
        output.WriteLine($"killed at step {step}: final train loss, resumed on 2 ranks {same:R}, on 1 rank {other:R}");
        Assert.True(Math.Abs(same - other) / same < 1e-3);
    }

    [Fact]
    public void MatricesAreSharedOutToBalanceNewtonSchulzWork()
    {
        var jobs = new[] { (64, 256), (256, 64), (64, 64), (64, 64), (128, 128), (32, 32) }
            .Select((s, i) => new MsignJob($"m{i}", new MatrixView(1, s.Item1, s.Item2), new float[s.Item1 * s.Item2], new float[s.Item1 * s.Item2])).ToList();
        var owner = DistributedMsign.Assign(jobs, 2);
        double[] load = [0, 0];
        for (int j = 0; j < jobs.Count; j++) load[owner[j]] += jobs[j].Cost;
        Assert.Equal(owner, DistributedMsign.Assign(jobs, 2)); // the same on every rank
        Assert.True(Math.Max(load[0], load[1]) / jobs.Sum(j => j.Cost) < 0.6, $"loads {load[0]} / {load[1]}");
        Assert.NotEqual(owner[4], owner[0]); // the largest matrix (128²) and the next (64×256) go to different ranks
        Assert.All(DistributedMsign.Assign(jobs, 1), r => Assert.Equal(0, r));
    }

    [Fact]
    public void MuonWithAnExecutorEqualsMuonWithoutOne()
    {
        Parameter Make(string name, int seed)
        {
            var rng = new Rng((ulong)seed);
            var data = new float[48 * 32];
            for (int i = 0; i < data.Length; i++) data[i] = (float)rng.NextNormal();
            return new Parameter(name, Role.Hidden, 48, 32, data, [48, 32]);
        }
        var plain = new[] { Make("a", 1), Make("b", 2) };
        var viaExecutor = new[] { Make("a", 1), Make("b", 2) };
        var o1 = new Muon(plain, new MuonConfig { WeightDecay = 0.1f });
        var o2 = new Muon(viaExecutor, new MuonConfig { WeightDecay = 0.1f }) { Executor = new LocalExecutor() };
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < 2; i++)
            {
                var g = new float[48 * 32];
                var rng = new Rng((ulong)(10 * step + i));
                for (int k = 0; k < g.Length; k++) g[k] = (float)rng.NextNormal();
                plain[i].Grad = (float[])g.Clone();
                viaExecutor[i].Grad = g;
            }
            o1.Step(0.02f);
            o2.Step(0.02f);
        }
        for (int i = 0; i < 2; i++) Assert.True(plain[i].Data.AsSpan().SequenceEqual(viaExecutor[i].Data));
        Assert.NotEqual(Make("a", 1).Data, plain[0].Data);
    }

    private sealed class LocalExecutor : IMsignExecutor
    {
        public void Run(IReadOnlyList<MsignJob> jobs, MuonConfig config)
        {
            foreach (var j in jobs) Muon.Orthogonalize(j.Direction, j.View, config, new float[MuSharp.Spectral.Msign.ScratchLength(j.View.Rows, j.View.Cols)], j.Output);
        }
    }

    private string Config(string optimizer, int steps, int checkpointEvery, int logEvery = 1)
    {
        string path = Path.Combine(dir, optimizer + ".json");
        File.WriteAllText(path, $$"""
            { "task": "gpt", "name": "dp", "dataset": "synthetic", "contextLength": 16, "dModel": 32, "layers": 2, "heads": 2,
              "optimizer": "{{optimizer}}", "lr": 0.01, "auxLr": 0.003, "batchSize": 8, "steps": {{steps}}, "logEvery": {{logEvery}},
              "evalEvery": 25, "evalBatches": 2, "checkpointEvery": {{checkpointEvery}}, "finalEvalBatches": 2, "seed": 1,
              "runsDir": {{System.Text.Json.JsonSerializer.Serialize(Path.Combine(dir, "runs"))}} }
            """);
        return path;
    }

    // step, lr, train loss, validation loss, validation accuracy of every logged step.
    private List<double[]> Metrics(string run) => [.. File.ReadLines(Path.Combine(dir, "runs", run, Train.MetricsFile)).Skip(1)
        .Select(l => l.Split(',').Take(5).Select(x => x.Length == 0 ? double.NaN : double.Parse(x, CultureInfo.InvariantCulture)).ToArray())];

    private static ProcessStartInfo Mpirun(int ranks, string[] args)
    {
        var info = new ProcessStartInfo("mpirun") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(CultureInfo.InvariantCulture), "dotnet", Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll"), .. args])
            info.ArgumentList.Add(a);
        info.Environment["MUSHARP_THREADS"] = "1";
        return info;
    }

    private static ProcessStartInfo Cli(string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["MUSHARP_THREADS"] = "1";
        return info;
    }

    private static void Run(ProcessStartInfo info, int expected)
    {
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(3)), $"{info.FileName} did not finish");
        Assert.True(p.ExitCode == expected, $"{info.FileName} {string.Join(' ', info.ArgumentList)} exited {p.ExitCode}: {stderr} {stdout.Result}");
    }

    // The rank processes: children of mpirun (pgrep -P).
    private static int[] Children(int parent)
    {
        var info = new ProcessStartInfo("pgrep", ["-P", parent.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        string text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(x => int.Parse(x, CultureInfo.InvariantCulture)).Order()];
    }

    private static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
