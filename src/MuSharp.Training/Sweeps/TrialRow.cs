namespace MuSharp.Sweeps;

/// <summary>
/// Where a trial stands. Done and Diverged are results; Failed is an error (kept, retried with --retry-failed);
/// Running belongs to a live worker or, after a crash, is reset to Pending by the next coordinator.
/// </summary>
public enum TrialStatus { Pending, Running, Done, Diverged, Failed }

/// <summary>One row of the <c>trials</c> table: what the trial is, and how it ended.</summary>
public sealed record TrialRow
{
    public required long Id { get; init; }
    public string Key { get; init; } = "";
    public required string Task { get; init; }
    public required string Optimizer { get; init; }
    public required string Parametrization { get; init; }
    public required int Width { get; init; }

    /// <summary>The trial's batch size (its config's batchSize, whether or not batch size is an axis of the sweep).</summary>
    public int BatchSize { get; init; }
    public required double Lr { get; init; }

    /// <summary>Position of <see cref="Lr"/> in the sweep's ascending grid, so drifts are counted in grid steps.</summary>
    public required int LrIndex { get; init; }
    public ulong Seed { get; init; } = 1;
    public required TrialStatus Status { get; init; }
    public int? WorkerPid { get; init; }
    public DateTime? Started { get; init; }
    public DateTime? Finished { get; init; }
    public int Attempts { get; init; }

    /// <summary>Validation loss at initialization, on the same batches as <see cref="FinalValLoss"/>.</summary>
    public double? InitialValLoss { get; init; }

    /// <summary>Validation loss after the last step: the metric the learning rate is chosen by.</summary>
    public double? FinalValLoss { get; init; }
    public double? FinalValAccuracy { get; init; }

    /// <summary>Training loss on the last logged batch.</summary>
    public double? FinalTrainLoss { get; init; }

    /// <summary>The run's final.json: the MLP's whole test set, the GPT's longer validation pass.</summary>
    public string? FinalEvalSplit { get; init; }
    public double? FinalEvalLoss { get; init; }
    public double? FinalEvalAccuracy { get; init; }
    public string? Error { get; init; }
    public double? Seconds { get; init; }

    public bool IsFinished => Status is TrialStatus.Done or TrialStatus.Diverged or TrialStatus.Failed;
}

/// <summary>One logged step of a trial (the rows of its metrics.csv), as stored in the <c>metrics</c> table.</summary>
public sealed record MetricRow(long Step, double Lr, double TrainLoss, double? ValLoss, double? ValAccuracy, double Elapsed);

/// <summary>How a trial attempt ended, as a worker records it in one transaction.</summary>
public sealed record TrialOutcome
{
    public required TrialStatus Status { get; init; }
    public double? InitialValLoss { get; init; }
    public double? FinalValLoss { get; init; }
    public double? FinalValAccuracy { get; init; }
    public double? FinalTrainLoss { get; init; }
    public string? FinalEvalSplit { get; init; }
    public double? FinalEvalLoss { get; init; }
    public double? FinalEvalAccuracy { get; init; }
    public string? Error { get; init; }
    public required double Seconds { get; init; }
    public IReadOnlyList<MetricRow> Metrics { get; init; } = [];

    /// <summary>The run's noise measurements (theory §7.2), when it measured the noise scale.</summary>
    public IReadOnlyList<Training.NoiseRow> Noise { get; init; } = [];
}

/// <summary>A trial a worker has claimed: the row is now Running under the worker's pid.</summary>
public sealed record ClaimedTrial(long Id, string Key, string ConfigJson, int Attempts);
