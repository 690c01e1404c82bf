using System.Diagnostics;
using System.Globalization;

namespace MuSharp.Cli.Sweeps;

/// <summary>
/// The coordinator's progress lines: one per trial as it finishes (done/total, its result, diverged and failed counts,
/// ETA), read from the store, which the workers update. Plain lines, so a terminal, a log file and CI all read it.
/// </summary>
public sealed class SweepProgress
{
    private readonly HashSet<long> seen = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TextWriter output;
    private readonly int total;
    private int finishedHere;

    /// <summary>Starts counting from <paramref name="rows"/>: trials finished before this run are not announced again.</summary>
    public SweepProgress(IReadOnlyList<TrialRow> rows, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(rows);
        this.output = output;
        total = rows.Count;
        foreach (var r in rows.Where(r => r.IsFinished)) seen.Add(r.Id);
    }

    /// <summary>Prints a line for each trial that finished since the last call.</summary>
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
        }
    }

    /// <summary>"KEY (lr 0.004): val 0.3121 in 3.2 s", or why it diverged or failed.</summary>
    public static string Describe(TrialRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string lr = r.Lr.ToString("G3", CultureInfo.InvariantCulture);
        string time = r.Seconds is double s ? $" in {s.ToString("F1", CultureInfo.InvariantCulture)} s" : "";
        return r.Status switch
        {
            TrialStatus.Done => $"{r.Key} (lr {lr}): val {F(r.FinalValLoss)}{time}",
            TrialStatus.Diverged => $"{r.Key} (lr {lr}): diverged (val {F(r.FinalValLoss)}, initial {F(r.InitialValLoss)}){time}",
            _ => $"{r.Key} (lr {lr}): failed: {r.Error}",
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

    private static string F(double? v) => v is double d ? d.ToString("G4", CultureInfo.InvariantCulture) : "-";
}
