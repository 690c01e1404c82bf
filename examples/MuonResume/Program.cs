// Your own model trained by MuSharp's loop: Muon on the hidden and input matrices, AdamW on the readout and biases,
// checkpointed, interrupted halfway, resumed, and checked against an uninterrupted run step by step.
// Usage: dotnet run [-- --quick] [--dir DIR]
using Examples;
using MuSharp;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;
using MuSharp.Training;

bool quick = args.Contains("--quick");
int dirAt = Array.IndexOf(args, "--dir");
string dir = dirAt >= 0 ? args[dirAt + 1] : Path.Combine(Path.GetTempPath(), "musharp-example-muon");
int steps = quick ? 60 : 400;
Directory.CreateDirectory(dir);

// Muon's matrices (roles Input and Hidden) and everything else (readout, biases) go to two optimizers: routing reads roles.
(BlobsTask Task, Optimizer Optimizer) Build()
{
    var task = new BlobsTask(width: 128, baseWidth: 128, depth: 2, batchSize: 32, seed: 1,
        new Init(new Rng(1), ParametrizationKind.Spectral, OptimizerFamily.Muon, MuonScaling.Spectral));
    var (matrices, others) = GroupedOptimizer.SplitByRole(task.Model.Parameters());
    var optimizer = new GroupedOptimizer([
        new(new Muon(matrices, new MuonConfig { Momentum = 0.95f, Nesterov = true, Scaling = MuonScaling.Spectral })),
        new(new AdamW(others, weightDecay: 0.01f), LrMultiplier: 0.1f)]);
    return (task, optimizer);
}

var options = new LoopOptions { Steps = steps, Schedule = new Schedule(0.02f, WarmupSteps: 5, Decay: DecayKind.Cosine), LogEvery = 5, EvalEvery = 20, CheckpointEvery = 10 };
var reference = new Recorder();
var (t0, o0) = Build();
var whole = TrainingLoop.Run(t0, o0, options, Path.Combine(dir, "whole.bin"), resume: false, [reference]);

// Interrupted: cancel once half the steps are done (as Ctrl+C would); the loop saves a checkpoint and returns.
using var cancel = new CancellationTokenSource();
var first = new Recorder { CancelAt = steps / 2, Cancel = cancel };
var (t1, o1) = Build();
var stopped = TrainingLoop.Run(t1, o1, options, Path.Combine(dir, "run.bin"), resume: false, [first], cancel: cancel.Token);
var second = new Recorder();
var (t2, o2) = Build();
var resumed = TrainingLoop.Run(t2, o2, options, Path.Combine(dir, "run.bin"), resume: true, [second]);

var joined = first.Losses.Where(l => l.Step <= stopped.Steps).Concat(second.Losses).ToList();
bool same = joined.SequenceEqual(reference.Losses);
Console.WriteLine($"{t0.Description}: Muon + AdamW, {steps} steps");
Console.WriteLine($"uninterrupted: final {whole.Final!.Split} loss {whole.Final.Loss:F4}");
Console.WriteLine($"interrupted at step {stopped.Steps} (completed: {stopped.Completed}), resumed to step {resumed.Steps}: final {resumed.Final!.Split} loss {resumed.Final.Loss:F4}");
Console.WriteLine($"resumed run matches the uninterrupted one at all {joined.Count} logged steps: {same}");
return same && resumed.Final.Loss == whole.Final.Loss ? 0 : 1;

/// <summary>Keeps the logged training losses; optionally cancels the run at a step.</summary>
sealed class Recorder : ITrainingObserver
{
    public List<(long Step, double Loss)> Losses { get; } = [];
    public long CancelAt { get; init; } = -1;
    public CancellationTokenSource? Cancel { get; init; }

    public void OnStep(StepRecord record)
    {
        Losses.Add((record.Step, record.TrainLoss));
        if (record.Step == CancelAt) Cancel?.Cancel();
    }
}
