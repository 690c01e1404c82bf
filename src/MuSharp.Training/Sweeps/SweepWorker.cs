using System.Text.Json;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// The worker end of a sweep: claims pending trials one at a time and runs them until none is left. Started by
/// <see cref="WorkerPool"/>, which holds the write end of the worker's stdin: with watchStdin, end of input (the
/// coordinator exited, was killed, or is stopping the pool) stops the worker just like SIGINT/SIGTERM — the current
/// step finishes, a checkpoint is saved, the trial goes back to pending.
/// </summary>
public static class SweepWorker
{
    /// <summary>A worker process's whole life: signals, the stdin watch, then <see cref="Work"/>; 0 when done, 130 when stopped.</summary>
    public static int RunProcess(string db, bool watchStdin)
    {
        using var cancel = new CancellationTokenSource();
        using var signals = StopSignals.Register(cancel);
        if (watchStdin) WatchStdin(cancel);
        using var store = SweepStore.OpenExisting(db);
        return Work(store, cancel.Token) ? 0 : 130;
    }

    /// <summary>
    /// A worker on any machine (<c>musharp worker --store URL</c>): opens the PostgreSQL store at
    /// <paramref name="address"/> (see <see cref="StoreAddress"/>), picks the sweep named <paramref name="sweep"/> (or the
    /// database's only one) and drains it; run folders go under <paramref name="workDir"/> (default: a temporary
    /// folder, removed at the end). 0 when no trial is left, 130 when stopped by SIGINT/SIGTERM.
    /// </summary>
    public static int RunRemote(string? address, string? sweep, string? workDir = null, TimeSpan? lease = null, TextWriter? log = null)
    {
        using var cancel = new CancellationTokenSource();
        using var signals = StopSignals.Register(cancel);
        bool temporary = workDir is null;
        workDir ??= Directory.CreateTempSubdirectory("musharp-worker-").FullName;
        try
        {
            using var store = PostgresSweepStore.OpenExisting(StoreAddress.Resolve(address), sweep, workDir, lease, log ?? Console.Error);
            (log ?? Console.Error).WriteLine($"worker {Environment.MachineName}:{Environment.ProcessId} on sweep {store.Name} at {store.Location}");
            return Work(store, cancel.Token) ? 0 : 130;
        }
        finally
        {
            if (temporary) try { Directory.Delete(workDir, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// Claims and runs trials under this process's pid until none is pending (true) or <paramref name="cancel"/>
    /// fires (false). Run folders are <see cref="ISweepStore.TrialsDir"/>/ID. With a store that has leases
    /// (<see cref="ISweepStore.LeaseRenewal"/>) a heartbeat renews the lease while the trial runs, every checkpoint is
    /// handed to the store (so that another worker can resume it), and a lost lease stops the trial after its
    /// current step without recording it.
    /// </summary>
    public static bool Work(ISweepStore store, CancellationToken cancel, Func<TrainConfig, ITrainingTask>? tasks = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        int pid = Environment.ProcessId;
        double factor = store.DivergenceFactor();
        string trialsDir = store.TrialsDir;
        while (!cancel.IsCancellationRequested && NextTrial(store, pid, cancel) is { } trial)
        {
            string runDir = Path.Combine(trialsDir, trial.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string checkpoint = Path.Combine(runDir, Train.CheckpointFile);
            var started = DateTime.UtcNow;
            TrialResult? outcome;
            var recorder = new TrialRecorder();
            using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            using var heartbeat = Heartbeat.Start(store, trial.Id, pid, lost);
            try
            {
                var config = JsonSerializer.Deserialize<TrainConfig>(trial.ConfigJson, TrainConfig.Json)
                    ?? throw new InvalidDataException($"trial {trial.Key}: empty config");
                config.Validate();
                Directory.CreateDirectory(runDir);
                // A checkpoint kept by the store (another worker's, before its lease expired) is resumed from here.
                if (store.FetchCheckpoint(trial.Id, checkpoint)) File.WriteAllText(Path.Combine(runDir, Train.ConfigFile), config.ToJson());
                outcome = TrialRunner.Run(config, runDir, factor, lost.Token, recorder, tasks, [new CheckpointSync(store, trial.Id, pid, checkpoint)]);
            }
            catch (Exception e) when (e is not OutOfMemoryException && e is not SweepStoreUnavailableException)
            {
                // Anything but divergence (handled by TrialRunner) is this trial's failure, not the worker's: record, go on.
                outcome = new TrialResult
                {
                    Status = TrialStatus.Failed, Error = $"{e.GetType().Name}: {e.Message}",
                    Seconds = (DateTime.UtcNow - started).TotalSeconds, Metrics = recorder.Metrics, Noise = recorder.Noise,
                };
            }
            heartbeat?.Dispose();
            if (outcome is null)
            {
                if (cancel.IsCancellationRequested)
                {
                    store.Release(trial.Id, pid);
                    return false;
                }
                continue; // the lease was lost: another worker holds the trial now
            }
            // A finished trial is never rerun, so its checkpoint (the largest file) is no longer needed.
            if (store.Record(trial.Id, pid, outcome) && File.Exists(checkpoint)) File.Delete(checkpoint);
        }
        return !cancel.IsCancellationRequested;
    }

    // The next claim. With leases, a worker finding nothing pending waits while other workers' trials run: one of them
    // may die, and its trial is reclaimed here once its lease expires, so that no trial is left behind.
    private static TrialSpec? NextTrial(ISweepStore store, int pid, CancellationToken cancel)
    {
        while (true)
        {
            if (store.Claim(pid) is { } trial) return trial;
            if (store.LeaseRenewal is not TimeSpan every || cancel.IsCancellationRequested) return null;
            if (!store.Trials().Any(r => r.Status is TrialStatus.Running or TrialStatus.Pending)) return null;
            cancel.WaitHandle.WaitOne(every);
        }
    }

    // Renews a trial's lease every LeaseRenewal on a background thread; a lost lease cancels the trial.
    private sealed class Heartbeat : IDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly Thread thread;

        private Heartbeat(ISweepStore store, long trialId, int pid, TimeSpan every, CancellationTokenSource lost)
        {
            thread = new Thread(() =>
            {
                while (!stop.Token.WaitHandle.WaitOne(every))
                {
                    bool held;
                    try { held = store.Renew(trialId, pid); }
                    catch (SweepStoreUnavailableException) { held = true; } // the store retries; its lease may lapse meanwhile
                    if (held) continue;
                    try { lost.Cancel(); }
                    catch (ObjectDisposedException) { }
                    return;
                }
            })
            { IsBackground = true, Name = $"lease heartbeat {trialId}" };
            thread.Start();
        }

        public static Heartbeat? Start(ISweepStore store, long trialId, int pid, CancellationTokenSource lost) =>
            store.LeaseRenewal is TimeSpan every ? new Heartbeat(store, trialId, pid, every, lost) : null;

        public void Dispose()
        {
            if (stop.IsCancellationRequested) return;
            stop.Cancel();
            thread.Join();
            stop.Dispose();
        }
    }

    // Hands every checkpoint the loop saves to the store, so that a worker elsewhere can resume the trial.
    private sealed class CheckpointSync(ISweepStore store, long trialId, int pid, string path) : ITrainingObserver
    {
        public void OnCheckpoint(long step) => store.SaveCheckpoint(trialId, pid, path);
    }

    /// <summary>trials/ beside the database: runs/NAME/trials/ID for the default runs/NAME/sweep.db.</summary>
    public static string TrialsDir(string dbPath) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dbPath))!, "trials");

    // EOF on stdin means the coordinator is gone or wants the pool to stop; a background thread so it never blocks exit.
    private static void WatchStdin(CancellationTokenSource cancel)
    {
        var thread = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            try { while (stdin.Read(buffer) > 0) { } }
            catch (IOException) { }
            try { cancel.Cancel(); }
            catch (ObjectDisposedException) { } // the worker already finished

        })
        { IsBackground = true, Name = "stdin watch" };
        thread.Start();
    }
}
