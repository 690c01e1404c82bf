using System.Diagnostics;
using System.Globalization;

namespace MuSharp.Sweeps;

/// <summary>
/// The coordinator's progress lines: one per trial as it finishes (finished/total, its result, diverged and failed
/// counts, ETA), read from the store, which the workers update; and when no trial has finished for a while, the step
/// each running trial has reached (from its metrics.csv). Plain lines, so a terminal, a log file and CI all read it.
/// </summary>
public sealed class SweepProgress
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);
    private readonly HashSet<long> seen = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TextWriter output;
    private readonly string trialsDir;
    private readonly int total;
    private int finishedHere;
    private TimeSpan lastLine;

    /// <summary>Starts counting from <paramref name="rows"/>: trials finished before this run are not announced again.</summary>
    public SweepProgress(IReadOnlyList<TrialRow> rows, string trialsDir, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        (this.trialsDir, this.output) = (trialsDir, output);
        total = rows.Count;
        foreach (var r in rows.Where(r => r.IsFinished)) seen.Add(r.Id);
    }

    /// <summary>Prints a line for each trial that finished since the last call, or where the running ones are after a silence.</summary>
    public void Update(IReadOnlyList<TrialRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var r in rows.Where(r => r.IsFinished && !seen.Contains(r.Id)).OrderBy(r => r.Finished))
        {
            seen.Add(r.Id);
            finishedHere++;
            int done = seen.Count, diverged = rows.Count(x => x.Status == TrialStatus.Diverged), failed = rows.Count(x => x.Status == TrialStatus.Failed);
            string count = done.ToString(CultureInfo.InvariantCulture).PadLeft(total.ToString(CultureInfo.InvariantCulture).Length);
            output.WriteLine($"[{count}/{total}] {Describe(r)} · {diverged} diverged{(failed > 0 ? $", {failed} failed" : "")} · ETA {Eta(total - done)}");
            lastLine = clock.Elapsed;
        }
        if (clock.Elapsed - lastLine < Heartbeat) return;
        var running = rows.Where(r => r.Status == TrialStatus.Running).Select(r => $"{r.Spec.Key} at step {LastStep(r.Id)}").ToList();
        if (running.Count > 0) output.WriteLine($"... running {string.Join(", ", running)} · {seen.Count}/{total} finished · ETA {Eta(total - seen.Count)}");
        lastLine = clock.Elapsed;
    }

    /// <summary>"KEY (lr 0.004): val 0.3121 in 3.2 s", or why it diverged or failed.</summary>
    public static string Describe(TrialRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string lr = r.Spec.Lr.ToString("G3", CultureInfo.InvariantCulture);
        string time = r.Result.Seconds is double s ? $" in {s.ToString("F1", CultureInfo.InvariantCulture)} s" : "";
        return r.Status switch
        {
            TrialStatus.Done => $"{r.Spec.Key} (lr {lr}): val {F(r.Result.FinalValLoss)}{time}",
            TrialStatus.Diverged => $"{r.Spec.Key} (lr {lr}): diverged (val {F(r.Result.FinalValLoss)}, initial {F(r.Result.InitialValLoss)}){time}",
            _ => $"{r.Spec.Key} (lr {lr}): failed: {r.Result.Error}",
        };
    }

    // Wall time per trial finished in this run (the workers run side by side), times the trials left. Wider trials take
    // longer and run last, so this errs on the short side.
    private string Eta(int remaining)
    {
        if (remaining == 0) return "0s";
        if (finishedHere == 0) return "-";
        var eta = TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds / finishedHere * remaining);
        return eta.TotalHours >= 1 ? $"{(int)eta.TotalHours}h{eta.Minutes:D2}m" : eta.TotalMinutes >= 1 ? $"{eta.Minutes}m{eta.Seconds:D2}s" : $"{eta.Seconds}s";
    }

    // The first column of the last complete line of trials/ID/metrics.csv, which the worker is appending to.
    private long LastStep(long id)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(trialsDir, id.ToString(CultureInfo.InvariantCulture), Training.Train.MetricsFile),
                FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            string? last = null;
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line) if (line.Length > 0) last = line;
            return long.TryParse(last?.Split(',')[0], CultureInfo.InvariantCulture, out long step) ? step : 0;
        }
        catch (IOException) { return 0; }
    }

    private static string F(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "-";
}
