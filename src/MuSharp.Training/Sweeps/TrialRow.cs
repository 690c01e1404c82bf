namespace MuSharp.Sweeps;

/// <summary>
/// Where a trial stands. Done and Diverged are results; Failed is an error (kept, retried with --retry-failed);
/// Running belongs to a live worker or, after a crash, is reset to Pending by the next coordinator.
/// </summary>
public enum TrialStatus { Pending, Running, Done, Diverged, Failed }

/// <summary>
/// One row of the <c>trials</c> table: what the trial is (<see cref="Spec"/>), who ran it and when, and how its last
/// attempt ended (<see cref="Result"/>: Pending or Running, with no losses, until it finishes).
/// </summary>
public sealed record TrialRow(TrialSpec Spec, TrialResult Result, int? WorkerPid, DateTime? Started, DateTime? Finished, int Attempts)
{
    public long Id => Spec.Id;
    public TrialStatus Status => Result.Status;
    public bool IsFinished => Status is TrialStatus.Done or TrialStatus.Diverged or TrialStatus.Failed;
}

/// <summary>One logged step of a trial, as stored in the <c>metrics</c> table.</summary>
public sealed record MetricRow(long Step, double Lr, double TrainLoss, double? ValLoss, double? ValAccuracy, double Elapsed);

/// <summary>How a trial attempt ended, as a worker records it in one transaction; also a stored row's outcome.</summary>
public sealed record TrialResult
{
    public required TrialStatus Status { get; init; }

    /// <summary>Validation loss at initialization, on the same batches as <see cref="FinalValLoss"/>.</summary>
    public double? InitialValLoss { get; init; }

    /// <summary>Validation loss after the last step: the metric the learning rate is chosen by.</summary>
    public double? FinalValLoss { get; init; }
    public double? FinalValAccuracy { get; init; }

    /// <summary>Training loss on the last logged batch.</summary>
    public double? FinalTrainLoss { get; init; }

    /// <summary>The run's final evaluation: the MLP's whole test set, the GPT's longer validation pass.</summary>
    public string? FinalEvalSplit { get; init; }
    public double? FinalEvalLoss { get; init; }
    public double? FinalEvalAccuracy { get; init; }
    public string? Error { get; init; }
    public double? Seconds { get; init; }

    /// <summary>Every logged step; a stored row leaves it empty (the <c>metrics</c> table is read by trial).</summary>
    public IReadOnlyList<MetricRow> Metrics { get; init; } = [];

    /// <summary>The run's noise measurements (theory §7.2), when it measured the noise scale; empty in a stored row.</summary>
    public IReadOnlyList<Training.NoiseRow> Noise { get; init; } = [];
}
