using System.Diagnostics;
using System.Globalization;
using MuSharp.Kernels;

namespace MuSharp.Sweeps;

/// <summary>
/// The worker processes of a sweep: N processes started by a <see cref="WorkerLaunch"/> with <c>--db PATH --watch-stdin</c>
/// appended (the musharp CLI's <c>transfer-worker</c> verb, or a user's program that calls <see cref="SweepWorker.RunProcess"/>),
/// each with MUSHARP_THREADS set so that workers × threads ≤ cores. The pool holds each worker's stdin; closing it
/// (or this process dying, which closes it too) tells the worker to stop after its current step.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private const int TailLines = 8;
    private readonly List<Worker> workers;

    private WorkerPool(List<Worker> workers, int threads) => (this.workers, Threads) = (workers, threads);

    public int Count => workers.Count;
    public int Threads { get; }
    public bool AllExited => workers.All(w => w.Process.HasExited);

    /// <summary>
    /// Workers and threads per worker: <paramref name="requested"/> workers (0 = one per core), never more than there
    /// are pending trials, and the cores shared out among them. One single-threaded process per core beat one process
    /// with all cores, from width 128 to 2048 (measured on 2 cores; figures in README.md, μTransfer sweeps).
    /// </summary>
    public static (int Workers, int Threads) Size(int requested, int pending, int cores)
    {
        int n = requested > 0 ? requested : cores;
        n = Math.Max(1, Math.Min(n, Math.Max(1, pending)));
        return (n, Math.Max(1, cores / n));
    }

    public static WorkerPool Start(WorkerLaunch launch, string dbPath, int count, int threads)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var (host, prefix) = (launch.Host, launch.Arguments);
        var list = new List<Worker>();
        for (int i = 0; i < count; i++)
        {
            var info = new ProcessStartInfo(host)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in prefix) info.ArgumentList.Add(a);
            foreach (var a in (string[])["--db", Path.GetFullPath(dbPath), "--watch-stdin"]) info.ArgumentList.Add(a);
            info.Environment[OpenBlas.ThreadsVariable] = threads.ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start a worker ({host}).");
            var worker = new Worker(process);
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, e) => worker.AddError(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            list.Add(worker);
        }
        return new WorkerPool(list, threads);
    }

    /// <summary>Asks every worker to stop (closes its stdin), waits up to <paramref name="grace"/>, then kills what is left.</summary>
    public void Stop(TimeSpan grace)
    {
        foreach (var w in workers)
        {
            try { w.Process.StandardInput.Close(); }
            catch (IOException) { } // it already exited and the pipe is broken
        }
        var deadline = Stopwatch.StartNew();
        foreach (var w in workers)
        {
            var left = grace - deadline.Elapsed;
            if (!w.Process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero)) w.Process.Kill(entireProcessTree: true);
            w.Process.WaitForExit();
        }
    }

    /// <summary>One line per worker that exited with an error (not 0, not 130 = stopped), with the end of its stderr.</summary>
    public IReadOnlyList<string> Failures() => [.. workers
        .Where(w => w.Process.HasExited && w.Process.ExitCode is not 0 and not 130)
        .Select(w => $"worker {w.Process.Id} exited with code {w.Process.ExitCode}: {w.ErrorTail()}")];

    public void Dispose()
    {
        if (!AllExited) Stop(TimeSpan.FromSeconds(30));
        foreach (var w in workers) w.Process.Dispose();
    }

    private sealed class Worker(Process process)
    {
        private readonly Queue<string> tail = new();

        public Process Process { get; } = process;

        public void AddError(string? line)
        {
            if (string.IsNullOrWhiteSpace(line)) return;
            lock (tail)
            {
                tail.Enqueue(line.Trim());
                if (tail.Count > TailLines) tail.Dequeue();
            }
        }

        public string ErrorTail()
        {
            lock (tail) return tail.Count == 0 ? "(no output)" : string.Join(" | ", tail);
        }
    }
}
