using System.Diagnostics;
using MuSharp.Io;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// Runs one trial through the one training loop in its own run folder and turns the records a
/// <see cref="TrialRecorder"/> collected into a <see cref="TrialResult"/>. The model is built once; the loop's step-0
/// validation is the reference for divergence. A run stopped midway resumes from its checkpoint the next time.
/// </summary>
public static class TrialRunner
{
    /// <summary>The outcome, or null when <paramref name="cancel"/> stopped the run before it finished; <paramref name="observers"/> see every record beside the recorder.</summary>
    public static TrialResult? Run(TrainConfig config, string runDir, double divergenceFactor, CancellationToken cancel,
        TrialRecorder? recorder = null, Func<TrainConfig, ITrainingTask>? tasks = null, IReadOnlyList<ITrainingObserver>? observers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        recorder ??= new TrialRecorder();
        var clock = Stopwatch.StartNew();
        TrainResult result;
        // A sweep judges divergence once, at the end, by its own factor against the initial validation loss (IsDiverged);
        // the loop's early stop on a training-loss blow-up would turn a trial that spikes and recovers into a diverged one.
        var run = config with { DivergenceFactor = 0 };
        try { result = Train.Run(run, runDir, CanResume(runDir), [recorder, .. observers ?? []], cancel: cancel, tasks: tasks, evaluateAtStart: true); }
        catch (TrainingDivergedException e)
        {
            return new TrialResult
            {
                Status = TrialStatus.Diverged, InitialValLoss = recorder.InitialLoss, Error = e.Message, Seconds = clock.Elapsed.TotalSeconds,
                Metrics = recorder.Metrics, Noise = recorder.Noise,
            };
        }
        if (!result.Completed) return null;

        var lastEval = recorder.Metrics.LastOrDefault(m => m.ValLoss is not null);
        double? finalVal = lastEval?.ValLoss ?? (result.Final?.Split == "validation" ? result.Final.Loss : null);
        double? initial = recorder.InitialLoss;
        return new TrialResult
        {
            Status = IsDiverged(initial ?? double.NaN, finalVal, divergenceFactor) ? TrialStatus.Diverged : TrialStatus.Done,
            InitialValLoss = initial, FinalValLoss = finalVal, FinalValAccuracy = lastEval?.ValAccuracy,
            FinalTrainLoss = recorder.Metrics.Count > 0 ? recorder.Metrics[^1].TrainLoss : null,
            FinalEvalSplit = result.Final?.Split, FinalEvalLoss = result.Final?.Loss, FinalEvalAccuracy = result.Final?.Accuracy,
            Seconds = clock.Elapsed.TotalSeconds, Metrics = recorder.Metrics, Noise = recorder.Noise,
        };
    }

    /// <summary>A finished run diverged when its final validation loss is missing, non-finite or above factor × the initial loss.</summary>
    public static bool IsDiverged(double initialLoss, double? finalLoss, double factor) =>
        finalLoss is not double f || !double.IsFinite(f) || f > factor * initialLoss;

    // A checkpoint left by an interrupted attempt is resumed (bit-identical to an uninterrupted run); one that cannot
    // be read (killed mid-write is prevented by the atomic save, but a disk may still fail) means starting afresh.
    private static bool CanResume(string runDir)
    {
        string checkpoint = Path.Combine(runDir, Train.CheckpointFile);
        if (!File.Exists(checkpoint) || !File.Exists(Path.Combine(runDir, Train.ConfigFile))) return false;
        try { Checkpoint.Load(checkpoint); }
        catch (InvalidDataException) { return false; }
        return true;
    }
}
