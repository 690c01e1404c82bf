using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MuSharp.Sweeps;

/// <summary>
/// Runs the pending trials of a stored sweep: creates or reopens its SQLite store, puts trials abandoned by dead
/// workers back to pending, runs the rest on a <see cref="WorkerPool"/> and prints a line per finished trial. Shared by
/// <c>musharp transfer</c> and <c>musharp batch-scaling</c>, which differ only in the summary they print afterwards.
/// Finished trials are never rerun; running it again continues an interrupted sweep.
/// </summary>
public static class SweepCoordinator
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    // A worker of a killed coordinator sees its stdin close and stops after its current training step.
    private static readonly TimeSpan OrphanWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs what is pending; 0 when the store is ready for its summary (also with failed trials, which the summary
    /// names), 130 when interrupted. <paramref name="rerun"/> is the command line that continues the sweep.
    /// </summary>
    public static int Run(SweepPlan plan, string db, int? workers, bool retryFailed, string rerun, WorkerLaunch launch)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var lockFile = Lock(db, rerun);
        using var store = SweepStore.Open(db, plan);
        ResetAbandoned(store, rerun);
        if (retryFailed && store.RetryFailed() is int retried and > 0) Console.WriteLine($"{retried} failed trial{S(retried)} put back to pending");

        var rows = store.Trials();
        int pending = rows.Count(r => r.Status == TrialStatus.Pending);
        Console.WriteLine($"sweep {plan.Name}: {rows.Count} trials, {rows.Count - pending} finished earlier; results in {db}");
        if (pending == 0) return 0;

        var (count, threads) = WorkerPool.Size(workers ?? plan.Axes.Workers, pending, Environment.ProcessorCount);
        Console.WriteLine($"running {pending} trial{S(pending)} on {count} worker{S(count)} × {threads} thread{S(threads)}");
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });
            var progress = new SweepProgress(rows, SweepWorker.TrialsDir(db), Console.Out);
            IReadOnlyList<string> failures;
            using (var pool = WorkerPool.Start(launch, db, count, threads))
            {
                while (!pool.AllExited && !cancel.IsCancellationRequested)
                {
                    cancel.Token.WaitHandle.WaitOne(Poll);
                    progress.Update(store.Trials());
                }
                if (cancel.IsCancellationRequested)
                {
                    Console.WriteLine("stopping: each worker finishes its current step and saves a checkpoint");
                    pool.Stop(StopGrace);
                }
                progress.Update(store.Trials());
                failures = pool.Failures();
            }
            if (cancel.IsCancellationRequested)
            {
                Console.WriteLine($"interrupted; finished trials are kept, rerun '{rerun}' to continue");
                return 130;
            }
            foreach (var f in failures) Console.Error.WriteLine($"musharp: {f}");
            ResetAbandoned(store, rerun); // trials a crashed worker left running
            return 0;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }

    // One coordinator per store: an exclusive lock on SWEEP.db.lock, which the kernel releases when the process dies.
    private static FileStream Lock(string db, string rerun)
    {
        string path = db + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new ArgumentException($"another '{rerun}' is running this sweep ({path} is locked); wait for it or stop it, then rerun.");
        }
    }

    // Trials marked running whose worker is gone go back to pending. A worker still alive (one of an interrupted
    // coordinator, finishing its step) is given time to stop; one that does not is named, never run twice.
    private static void ResetAbandoned(SweepStore store, string rerun)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var running = store.Trials().Where(r => r.Status == TrialStatus.Running).ToList();
            var dead = running.Where(r => !IsAlive(r.WorkerPid, r.Started)).ToList();
            if (store.ResetToPending(dead.Select(r => r.Id)) is int reset and > 0)
                Console.WriteLine($"{reset} trial{S(reset)} left running by a stopped worker put back to pending");
            var alive = running.Except(dead).ToList();
            if (alive.Count == 0) return;
            if (clock.Elapsed > OrphanWait)
                throw new ArgumentException($"trial {alive[0].Spec.Key} is still being run by process {alive[0].WorkerPid} (a worker of an earlier '{rerun}'?); stop it with 'kill {alive[0].WorkerPid}' and rerun.");
            Thread.Sleep(250);
        }
    }

    // Alive: the process exists, is not a zombie, and started before the trial did (else its pid was reused).
    private static bool IsAlive(int? pid, DateTime? started)
    {
        if (pid is not int id) return false;
        if (OperatingSystem.IsLinux())
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{id}/stat"); }
            catch (IOException) { return false; }
            int close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length || stat[close + 2] is 'Z' or 'X') return false;
        }
        try
        {
            using var p = Process.GetProcessById(id);
            return !p.HasExited && (started is null || p.StartTime.ToUniversalTime() <= started.Value.AddSeconds(1));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    private static string S(int n) => n == 1 ? "" : "s";
}
