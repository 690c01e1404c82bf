using System.Diagnostics;
using MuSharp.Cli.Experiments;
using MuSharp.Io;
using MuSharp.Training;

namespace MuSharp.Tests.Cli;

[Trait("Category", "Slow")]
public sealed class TrainRunTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-train-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    internal static TrainConfig TinyGpt(int steps, params (string, string)[] extra) => TrainConfig.Load(null,
    [
        ("task", "gpt"), ("dataset", "synthetic"), ("context-length", "16"), ("d-model", "32"), ("layers", "2"),
        ("heads", "2"), ("batch-size", "4"), ("steps", steps.ToString()), ("lr", "0.003"), ("warmup-steps", "3"),
        ("decay", "cosine"), ("log-every", "1"), ("eval-every", "5"), ("eval-batches", "2"), ("checkpoint-every", "4"),
        .. extra, // last, so they override the defaults above
    ]);

    internal static TrainConfig TinyMlp(int steps, string lr = "0.1", params (string, string)[] extra) => TrainConfig.Load(null,
    [
        ("task", "mlp"), ("dataset", "blobs"), ("hidden", "[32,32]"), ("optimizer", "sgd"), ("lr", lr),
        ("nesterov", "true"), ("batch-size", "32"), ("steps", steps.ToString()), ("log-every", "1"),
        ("eval-every", "10"), ("checkpoint-every", "4"),
        .. extra, // last, so they override the defaults above
    ]);

    private static string[] Losses(string runDir) =>
        File.ReadLines(Path.Combine(runDir, Train.MetricsFile)).Skip(1).Select(l => string.Join(',', l.Split(',')[..3])).ToArray();

    [Theory]
    [InlineData("gpt")]
    [InlineData("mlp")]
    [InlineData("gpt-muon")]
    public void ResumeAfterCrashReproducesTheUninterruptedLosses(string kind)
    {
        var config = kind switch
        {
            "gpt" => TinyGpt(14),
            "gpt-muon" => TinyGpt(14, ("optimizer", "muon"), ("lr", "0.02"), ("momentum", "0.95"), ("nesterov", "true")),
            _ => TinyMlp(14),
        };
        string full = Path.Combine(root, "full"), crashed = Path.Combine(root, "crashed");
        var reference = Train.Run(config, full, resume: false);
        Assert.True(reference.Completed);

        var halted = Train.Run(config, crashed, resume: false, haltAfterStep: 10);
        Assert.False(halted.Completed);
        Assert.Equal(8, (long)Checkpoint.Load(Path.Combine(crashed, Train.CheckpointFile)).Header["step"]!);
        var resumed = Train.Run(config, crashed, resume: true);

        Assert.Equal(14, resumed.Steps);
        Assert.Equal(14, Losses(full).Length);
        Assert.Equal(Losses(full), Losses(crashed)); // step, lr and loss, bit for bit
        Assert.Equal(reference.Final!.Loss, resumed.Final!.Loss);
    }

    [Fact]
    public void MuonRoutesMatricesToMuonAndTheRestToAdamWAndTrains()
    {
        var config = TinyGpt(60, ("optimizer", "muon"), ("lr", "0.02"), ("aux-lr", "0.003"), ("momentum", "0.95"), ("nesterov", "true"), ("eval-every", "60"));
        var task = TrainingTasks.Create(config);
        var optimizer = Assert.IsType<MuSharp.Optim.GroupedOptimizer>(config.MakeOptimizer(task.Model.Parameters()));
        Assert.IsType<MuSharp.Optim.Muon>(optimizer.Groups[0].Optimizer);
        Assert.All(optimizer.Groups[0].Optimizer.Parameters, p => Assert.Equal(MuSharp.Nn.Role.Hidden, p.Role));
        Assert.Equal(0.15f, optimizer.Groups[1].LrMultiplier, 5);
        Assert.Contains(optimizer.Groups[1].Optimizer.Parameters, p => p.Role == MuSharp.Nn.Role.Embedding);

        string dir = Path.Combine(root, "muon");
        Train.Run(config, dir, false);
        var losses = File.ReadLines(Path.Combine(dir, Train.MetricsFile)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(losses[^5..].Average() < losses[..5].Average() - 0.5, $"Muon did not train: {losses[0]} → {losses[^1]}");
    }

    [Fact]
    public void UnknownScheduleNameIsAConfigError()
    {
        var ex = Assert.Throws<ArgumentException>(() => TinyGpt(5, ("optimizer", "muon"), ("ns-schedule", "fast")));
        Assert.Contains("--ns-schedule", ex.Message);
        Assert.Contains("fast", ex.Message);
    }

    [Fact]
    public void TrainingReducesTheLoss()
    {
        var result = Train.Run(TinyMlp(60), Path.Combine(root, "mlp"), false);
        var losses = File.ReadLines(Path.Combine(root, "mlp", Train.MetricsFile)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(losses[^5..].Average() < 0.5 * losses[..5].Average(), $"loss did not halve: {losses[0]} → {losses[^1]}");
        Assert.True(result.Final!.Accuracy > 0.9, $"blobs test accuracy {result.Final.Accuracy}");
    }

    [Fact]
    public void DivergenceStopsWithTheStepAndKeepsTheLastGoodCheckpoint()
    {
        string dir = Path.Combine(root, "nan");
        var ex = Assert.Throws<TrainingDivergedException>(() => Train.Run(TinyMlp(200, lr: "1e4"), dir, false));
        Assert.Matches(@"step \d+", ex.Message);
        string path = Path.Combine(dir, Train.CheckpointFile);
        // The message names the checkpoint exactly when there is one to go back to.
        Assert.Equal(File.Exists(path), ex.Message.Contains(Train.CheckpointFile, StringComparison.Ordinal));
        if (File.Exists(path))
            foreach (var (name, values) in Checkpoint.Load(path).Tensors)
                Assert.True(values.All(float.IsFinite), $"checkpoint tensor {name} holds non-finite values");
    }

    [Fact]
    public void KilledProcessResumesToTheSameLosses()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll");
        string[] args = ["train", "--task", "gpt", "--dataset", "synthetic", "--context-length", "16", "--d-model", "32",
            "--layers", "2", "--heads", "2", "--batch-size", "4", "--steps", "400", "--lr", "0.003", "--log-every", "1",
            "--eval-every", "1000", "--checkpoint-every", "20", "--runs-dir", root];
        string runDir = Path.Combine(root, "killed");
        using (var p = Start(dll, [.. args, "--name", "killed"]))
        {
            // Kill once a checkpoint exists and more steps have been logged after it.
            var csv = Path.Combine(runDir, Train.MetricsFile);
            var deadline = Stopwatch.StartNew();
            while (!(File.Exists(Path.Combine(runDir, Train.CheckpointFile)) && LineCount(csv) > 45) && !p.HasExited && deadline.Elapsed.TotalSeconds < 120)
                Thread.Sleep(20);
            Assert.False(p.HasExited, "the run finished before it could be killed: " + p.StandardError.ReadToEnd());
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        using (var p = Start(dll, ["train", "--resume", runDir]))
        {
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, p.StandardError.ReadToEnd());
        }
        var config = TrainConfig.Load(Path.Combine(runDir, Train.ConfigFile), []);
        Train.Run(config, Path.Combine(root, "reference"), false);
        Assert.Equal(Losses(Path.Combine(root, "reference")), Losses(runDir));
    }

    [Fact]
    public void TerminatedProcessSavesACheckpointAndResumes()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll");
        string runDir = Path.Combine(root, "terminated");
        using (var p = Start(dll, ["train", "--task", "mlp", "--dataset", "blobs", "--hidden", "[32,32]", "--optimizer", "sgd",
            "--lr", "0.1", "--batch-size", "32", "--steps", "100000", "--log-every", "1", "--eval-every", "100000",
            "--checkpoint-every", "100000", "--runs-dir", root, "--name", "terminated"]))
        {
            var csv = Path.Combine(runDir, Train.MetricsFile);
            var deadline = Stopwatch.StartNew();
            while (LineCount(csv) < 30 && !p.HasExited && deadline.Elapsed.TotalSeconds < 120) Thread.Sleep(20);
            Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExit();
            Assert.True(p.WaitForExit(60_000), "the run did not stop after SIGTERM");
            Assert.True(p.ExitCode == 130, $"exit code {p.ExitCode}: {p.StandardError.ReadToEnd()}");
        }
        // No scheduled checkpoint was due: the one on disk was written on SIGTERM, at the last completed step.
        long saved = (long)Checkpoint.Load(Path.Combine(runDir, Train.CheckpointFile)).Header["step"]!;
        Assert.True(saved >= 29, $"checkpoint at step {saved}");
        Assert.Equal(saved, Losses(runDir).Length);
    }

    private static int LineCount(string path)
    {
        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(s).ReadToEnd().Count(c => c == '\n');
        }
        catch (IOException) { return 0; }
    }

    private static Process Start(string dll, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }
}
