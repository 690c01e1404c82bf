using System.Text.Json.Nodes;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// Where a sweep lives: its resolved config, one row per trial (status, results, the worker holding it) and every
/// trial's logged metrics. Two implementations: <see cref="SweepStore"/> (one SQLite file per sweep, workers on the
/// machine that holds it; the default) and <see cref="PostgresSweepStore"/> (many sweeps in one PostgreSQL database,
/// workers on any machine, with leases renewed by a heartbeat and checkpoints kept in the database).
/// <see cref="SweepWorker.Work"/>, the summaries and the reports read and write a sweep through this interface only.
/// </summary>
public interface ISweepStore : IDisposable
{
    /// <summary>Where the store is, for messages: the SQLite file's path, or a PostgreSQL address without any password.</summary>
    string Location { get; }

    /// <summary>The sweep's name.</summary>
    string Name { get; }

    /// <summary>The resolved sweep config stored at creation.</summary>
    string ConfigJson { get; }

    /// <summary>Folder of the trials' run folders (trials/ID) on this machine.</summary>
    string TrialsDir { get; }

    /// <summary>
    /// How often a worker renews the lease on the trial it runs (<see cref="Renew"/>); null when the store has no
    /// leases (SQLite: the coordinator on the same machine checks whether each worker process is alive).
    /// </summary>
    TimeSpan? LeaseRenewal { get; }

    /// <summary>Throws, naming the changed keys, unless the store was created from this very sweep config.</summary>
    void Verify(SweepPlan plan);

    /// <summary>Takes the lowest pending trial (or, with leases, one whose lease expired) for worker <paramref name="pid"/>; null when none is left.</summary>
    TrialSpec? Claim(int pid);

    /// <summary>
    /// Stores a finished attempt — status, losses and all metric rows — in one transaction, exactly once: false (nothing
    /// written) when the trial is no longer held by this worker or already has a result.
    /// </summary>
    bool Record(long trialId, int pid, TrialResult outcome);

    /// <summary>Hands a claimed trial back (the worker was stopped mid-trial); it runs again, resuming its checkpoint.</summary>
    void Release(long trialId, int pid);

    /// <summary>Extends this worker's lease on a trial it runs; false when the lease is lost (another worker reclaimed the trial, or it has a result).</summary>
    bool Renew(long trialId, int pid);

    /// <summary>Makes the checkpoint at <paramref name="path"/> reachable by every worker (no-op where run folders are shared already).</summary>
    void SaveCheckpoint(long trialId, int pid, string path);

    /// <summary>
    /// Puts the trial's last saved checkpoint at <paramref name="path"/> before a worker resumes it; false when there is
    /// none (the trial starts afresh). A store whose run folders are shared leaves the file as it is and reports whether it exists.
    /// </summary>
    bool FetchCheckpoint(long trialId, string path);

    /// <summary>Puts the given running trials (their workers are gone) back to pending.</summary>
    int ResetToPending(IEnumerable<long> trialIds);

    /// <summary>Failed trials back to pending (--retry-failed).</summary>
    int RetryFailed();

    /// <summary>Every trial, in id order.</summary>
    IReadOnlyList<TrialRow> Trials();

    /// <summary>A trial's logged steps, in step order.</summary>
    IReadOnlyList<MetricRow> Metrics(long trialId);

    /// <summary>A trial's noise-scale rows (empty unless its config measured the noise scale).</summary>
    IReadOnlyList<NoiseRow> Noise(long trialId, int batchSize);
}

/// <summary>What every <see cref="ISweepStore"/> derives from its stored config.</summary>
public static class SweepStoreConfig
{
    /// <summary>The sweep's baseWidth (resolved: never 0), the reference width of <see cref="TransferSummary"/>.</summary>
    public static int BaseWidth(this ISweepStore store) => BaseWidthOf(Config(store).ConfigJson);

    /// <summary>The sweep's base training config (its "base" object), as every trial started from it.</summary>
    public static TrainConfig BaseConfig(this ISweepStore store) => BaseConfigOf(Config(store).ConfigJson);

    /// <summary>Whether batch size is an axis of the sweep (a learning-rate vs batch-size sweep).</summary>
    public static bool SweepsBatchSize(this ISweepStore store) => SweepsBatchSizeOf(Config(store).ConfigJson);

    /// <summary>The sweep's divergenceFactor, which workers apply to each finished trial.</summary>
    public static double DivergenceFactor(this ISweepStore store) => DivergenceFactorOf(Config(store).ConfigJson);

    internal static int BaseWidthOf(string json) => (int?)JsonNode.Parse(json)?["baseWidth"] ?? 0;

    internal static TrainConfig BaseConfigOf(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<TrainConfig>(JsonNode.Parse(json)?["base"]?.ToJsonString() ?? "{}", TrainConfig.Json)
        ?? new TrainConfig();

    internal static bool SweepsBatchSizeOf(string json) => JsonNode.Parse(json)?["batchSizes"] is not null;

    internal static double DivergenceFactorOf(string json) => (double?)JsonNode.Parse(json)?["divergenceFactor"] ?? SweepConfig.DefaultDivergenceFactor;

    private static ISweepStore Config(ISweepStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store;
    }
}
