using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// How <see cref="Tune.Run"/> runs its stages. With <see cref="Launch"/> each stage runs on worker processes through
/// <see cref="SweepCoordinator"/> (the CLI); without it, in this process through <see cref="SweepWorker.Work"/> (tests,
/// a user's program), with <see cref="Tasks"/> as the task factory.
/// </summary>
public sealed record TuneOptions
{
    /// <summary>Also run stage 4: the learning-rate check at the target.</summary>
    public bool Verify { get; init; }

    /// <summary>Worker processes (null = the tune file's workers).</summary>
    public int? Workers { get; init; }
    public bool RetryFailed { get; init; }
    public WorkerLaunch? Launch { get; init; }

    /// <summary>
    /// Keep every stage in this PostgreSQL store instead of local SQLite files: each run enqueues the next stage whose
    /// inputs are ready and returns, <c>musharp worker</c> drains it on any machine, and the run after it has finished
    /// goes on to the next stage (docs/scaling-out.md).
    /// </summary>
    public StoreAddress? Shared { get; init; }

    /// <summary>The command line that continues the tune, printed when it is interrupted.</summary>
    public string Rerun { get; init; } = "musharp tune";
    public Func<TrainConfig, ITrainingTask>? Tasks { get; init; }
    public CancellationToken Cancel { get; init; }
    public Action<string> Log { get; init; } = _ => { };
}
