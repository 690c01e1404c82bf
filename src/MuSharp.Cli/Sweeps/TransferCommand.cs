using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace MuSharp.Cli.Sweeps;

/// <summary>
/// <c>musharp transfer --config SWEEP.json [--workers N] [--db PATH] [--retry-failed] [--summary]</c>: the coordinator
/// of a stored μTransfer sweep. It creates or reopens the sweep's SQLite store, puts trials abandoned by dead workers
/// back to pending, runs the rest on a <see cref="WorkerPool"/>, prints a line per finished trial, and ends with the
/// <see cref="SummaryTable"/>. Finished trials are never rerun; rerunning the command continues an interrupted sweep.
/// </summary>
public static class TransferCommand
{
    public const string Verb = "transfer";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    // A worker of a killed coordinator sees its stdin close and stops after its current training step.
    private static readonly TimeSpan OrphanWait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    public static int Run(string[] args)
    {
        string? configPath = null, db = null;
        int? workers = null;
        bool summary = false, retryFailed = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{Verb}: option {a} needs a value.");
            switch (a)
            {
                case "--config": configPath = Value(); break;
                case "--db": db = Value(); break;
                case "--workers":
                    string w = Value();
                    workers = int.TryParse(w, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n
                        : throw new ArgumentException($"{Verb}: --workers takes a count ≥ 0 (0 = one per core), got '{w}'.");
                    break;
                case "--summary": summary = true; break;
                case "--retry-failed": retryFailed = true; break;
                default: throw new ArgumentException($"{Verb}: unexpected argument '{a}'; usage: musharp {Verb} --config SWEEP.json [--workers N] [--db PATH] [--retry-failed] [--summary].");
            }
        }
        if (summary) return Summary(configPath, db);
        if (configPath is null) throw new ArgumentException($"{Verb}: --config SWEEP.json is required (see src/MuSharp.Cli/configs/transfer-blobs-smoke.json).");

        var plan = SweepConfig.Load(configPath);
        db ??= plan.DefaultDbPath;
        using var lockFile = Lock(db);
        using var store = SweepStore.Open(db, plan);
        ResetAbandoned(store);
        if (retryFailed && store.RetryFailed() is int retried and > 0) Console.WriteLine($"{retried} failed trial{S(retried)} put back to pending");

        var rows = store.Trials();
        int pending = rows.Count(r => r.Status == TrialStatus.Pending);
        Console.WriteLine($"sweep {plan.Name}: {rows.Count} trials, {rows.Count - pending} finished earlier; results in {db}");
        if (pending == 0) return Finish(store);

        var (count, threads) = WorkerPool.Size(workers ?? plan.Axes.Workers, pending, Environment.ProcessorCount);
        Console.WriteLine($"running {pending} trial{S(pending)} on {count} worker{S(count)} × {threads} thread{S(threads)}");
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; cancel.Cancel(); });

        var progress = new SweepProgress(rows, TransferWorker.TrialsDir(db), Console.Out);
        IReadOnlyList<string> failures;
        using (var pool = WorkerPool.Start(db, count, threads))
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
            Console.WriteLine($"interrupted; finished trials are kept, rerun 'musharp {Verb} --config {configPath}' to continue");
            return 130;
        }
        foreach (var f in failures) Console.Error.WriteLine($"musharp: {f}");
        ResetAbandoned(store); // trials a crashed worker left running
        return Finish(store);
    }

    /// <summary>Prints the summary table of a stored sweep without running anything (--summary).</summary>
    private static int Summary(string? configPath, string? db)
    {
        if (configPath is null && db is null) throw new ArgumentException($"{Verb} --summary needs --config SWEEP.json or --db SWEEP.db.");
        var plan = configPath is null ? null : SweepConfig.Load(configPath);
        using var store = SweepStore.OpenExisting(db ?? plan!.DefaultDbPath);
        if (plan != null) store.Verify(plan);
        Console.Write(Report(store, store.Trials()));
        return 0;
    }

    // The summary, then the exit code: 1 when trials are left unrun (a worker crashed) or failed, else 0.
    private static int Finish(SweepStore store)
    {
        var rows = store.Trials();
        Console.WriteLine();
        Console.Write(Report(store, rows));
        try { Console.WriteLine($"report: {Reports.ReportCommand.Write(store.Path)}"); }
        catch (FileNotFoundException e) { Console.Error.WriteLine($"musharp: no HTML report: {e.Message}"); }
        int left = rows.Count(r => !r.IsFinished), failed = rows.Count(r => r.Status == TrialStatus.Failed);
        if (left > 0)
        {
            Console.Error.WriteLine($"musharp: {left} trial{S(left)} did not run (a worker stopped early, see above); rerun the same command to continue.");
            return 1;
        }
        if (failed > 0)
        {
            var first = rows.First(r => r.Status == TrialStatus.Failed);
            Console.Error.WriteLine($"musharp: {failed} trial{S(failed)} failed, e.g. {first.Key}: {first.Error}; fix the cause and rerun with --retry-failed.");
            return 1;
        }
        return 0;
    }

    private static string Report(SweepStore store, IReadOnlyList<TrialRow> rows)
    {
        string counts = string.Join(", ", Enum.GetValues<TrialStatus>().Select(s => (s, n: rows.Count(r => r.Status == s)))
            .Where(x => x.n > 0).Select(x => $"{x.n} {SweepStore.StatusName(x.s)}"));
        return $"sweep {store.Name}: {rows.Count} trials ({counts})\n\n" + SummaryTable.Format(TransferSummary.Summarize(rows, store.BaseWidth));
    }

    // One coordinator per store: an exclusive lock on SWEEP.db.lock, which the kernel releases when the process dies.
    private static FileStream Lock(string db)
    {
        string path = db + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException)
        {
            throw new ArgumentException($"another 'musharp {Verb}' is running this sweep ({path} is locked); wait for it or stop it, then rerun.");
        }
    }

    // Trials marked running whose worker is gone go back to pending. A worker still alive (one of an interrupted
    // coordinator, finishing its step) is given time to stop; one that does not is named, never run twice.
    private static void ResetAbandoned(SweepStore store)
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
                throw new ArgumentException($"trial {alive[0].Key} is still being run by process {alive[0].WorkerPid} (a worker of an earlier '{Verb}'?); stop it with 'kill {alive[0].WorkerPid}' and rerun.");
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
