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
    /// Claims and runs trials under this process's pid until none is pending (true) or <paramref name="cancel"/>
    /// fires (false). Run folders are trials/ID beside the database.
    /// </summary>
    public static bool Work(SweepStore store, CancellationToken cancel, Func<TrainConfig, ITrainingTask>? tasks = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        int pid = Environment.ProcessId;
        double factor = store.DivergenceFactor;
        string trialsDir = TrialsDir(store.Path);
        while (!cancel.IsCancellationRequested && store.Claim(pid) is { } trial)
        {
            string runDir = Path.Combine(trialsDir, trial.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var started = DateTime.UtcNow;
            TrialResult? outcome;
            var recorder = new TrialRecorder();
            try
            {
                var config = JsonSerializer.Deserialize<TrainConfig>(trial.ConfigJson, TrainConfig.Json)
                    ?? throw new InvalidDataException($"trial {trial.Key}: empty config");
                config.Validate();
                outcome = TrialRunner.Run(config, runDir, factor, cancel, recorder, tasks);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Anything but divergence (handled by TrialRunner) is this trial's failure, not the worker's: record, go on.
                outcome = new TrialResult
                {
                    Status = TrialStatus.Failed, Error = $"{e.GetType().Name}: {e.Message}",
                    Seconds = (DateTime.UtcNow - started).TotalSeconds, Metrics = recorder.Metrics, Noise = recorder.Noise,
                };
            }
            if (outcome is null)
            {
                store.Release(trial.Id, pid);
                return false;
            }
            // A finished trial is never rerun, so its checkpoint (the largest file) is no longer needed.
            string checkpoint = Path.Combine(runDir, Train.CheckpointFile);
            if (store.Record(trial.Id, pid, outcome) && File.Exists(checkpoint)) File.Delete(checkpoint);
        }
        return !cancel.IsCancellationRequested;
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

        }) { IsBackground = true, Name = "stdin watch" };
        thread.Start();
    }
}
