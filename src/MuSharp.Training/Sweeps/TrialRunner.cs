using System.Diagnostics;
using System.Globalization;
using MuSharp.Training;
using MuSharp.Io;

namespace MuSharp.Sweeps;

/// <summary>
/// Runs one trial through the one training loop, <see cref="Train.Run"/>, in its own run folder, and turns what it
/// wrote (metrics.csv, the final evaluation) into a <see cref="TrialOutcome"/>. A run stopped midway by the worker
/// resumes from its checkpoint the next time the trial is claimed.
/// </summary>
public static class TrialRunner
{
    /// <summary>The outcome, or null when <paramref name="cancel"/> stopped the run before it finished.</summary>
    public static TrialOutcome? Run(TrainConfig config, string runDir, double divergenceFactor, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(config);
        var clock = Stopwatch.StartNew();
        // The loss at initialization, on the same validation batches as the final one: the reference for divergence.
        // The task is built again inside Train.Run from the same seed, so this is exactly the model that trains.
        double initial = TrainingTask.Create(config).Validate(config.EvalBatches).Loss;

        TrainResult result;
        try { result = TrainFromCheckpointIfAny(config, runDir, cancel); }
        catch (TrainingDivergedException e)
        {
            return new TrialOutcome
            {
                Status = TrialStatus.Diverged, InitialValLoss = initial, Error = e.Message, Seconds = clock.Elapsed.TotalSeconds,
                Metrics = ReadMetrics(Path.Combine(runDir, Train.MetricsFile)), Noise = NoiseCsv.Read(Path.Combine(runDir, NoiseCsv.FileName)),
            };
        }
        if (!result.Completed) return null;

        var metrics = ReadMetrics(Path.Combine(runDir, Train.MetricsFile));
        var lastEval = metrics.LastOrDefault(m => m.ValLoss is not null);
        double? finalVal = lastEval?.ValLoss ?? (result.Final?.Split == "validation" ? result.Final.Loss : null);
        return new TrialOutcome
        {
            Status = IsDiverged(initial, finalVal, divergenceFactor) ? TrialStatus.Diverged : TrialStatus.Done,
            InitialValLoss = initial, FinalValLoss = finalVal, FinalValAccuracy = lastEval?.ValAccuracy,
            FinalTrainLoss = metrics.Count > 0 ? metrics[^1].TrainLoss : null,
            FinalEvalSplit = result.Final?.Split, FinalEvalLoss = result.Final?.Loss, FinalEvalAccuracy = result.Final?.Accuracy,
            Seconds = clock.Elapsed.TotalSeconds, Metrics = metrics, Noise = NoiseCsv.Read(Path.Combine(runDir, NoiseCsv.FileName)),
        };
    }

    /// <summary>A finished run diverged when its final validation loss is missing, non-finite or above factor × the initial loss.</summary>
    public static bool IsDiverged(double initialLoss, double? finalLoss, double factor) =>
        finalLoss is not double f || !double.IsFinite(f) || f > factor * initialLoss;

    // A checkpoint left by an interrupted attempt is resumed (bit-identical to an uninterrupted run); one that cannot
    // be read (killed mid-write is prevented by the atomic save, but a disk may still fail) means starting afresh,
    // which rewrites config.json and metrics.csv and, at its first save, the checkpoint.
    private static TrainResult TrainFromCheckpointIfAny(TrainConfig config, string runDir, CancellationToken cancel)
    {
        string checkpoint = Path.Combine(runDir, Train.CheckpointFile);
        bool resume = File.Exists(checkpoint) && File.Exists(Path.Combine(runDir, Train.ConfigFile));
        if (resume)
        {
            try { Checkpoint.Load(checkpoint); }
            catch (InvalidDataException) { resume = false; }
        }
        return Train.Run(config, runDir, resume, ProgressView.Silent(), cancel);
    }

    /// <summary>Parses a run's metrics.csv (<see cref="MetricsCsv.HeaderLine"/>); a missing file gives no rows.</summary>
    public static IReadOnlyList<MetricRow> ReadMetrics(string path)
    {
        if (!File.Exists(path)) return [];
        static double? Cell(string s) => s.Length == 0 ? null : double.Parse(s, CultureInfo.InvariantCulture);
        var rows = new List<MetricRow>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var c = line.Split(',');
            if (c.Length < 7) continue; // a line cut short by a kill
            rows.Add(new MetricRow(long.Parse(c[0], CultureInfo.InvariantCulture), Cell(c[1]) ?? double.NaN, Cell(c[2]) ?? double.NaN,
                Cell(c[3]), Cell(c[4]), Cell(c[6]) ?? 0));
        }
        return rows;
    }
}
