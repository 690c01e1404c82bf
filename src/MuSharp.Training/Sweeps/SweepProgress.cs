using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// The coordinator's progress lines: one per trial as it finishes (finished/total, its result, diverged and failed
/// counts, ETA), read from the store, which the workers update; and when no trial has finished for a while, the step
/// each running trial has reached (from its metrics.csv). Plain lines, so a terminal, a log file and CI all read it.
/// <para>
/// The ETA weighs each trial by its size (<see cref="Cost"/>: parameters × batch × steps, so ∝ width² × steps for the
/// MLP and the GPT) and calibrates seconds per unit of cost on the trials finished so far, from their own timings; the
/// remaining cost is shared by as many workers as have been seen running at once. So the wide trials that run last
/// are already counted at their size when only narrow ones have finished.
/// </para>
/// </summary>
public sealed class SweepProgress
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);
    private readonly HashSet<long> seen = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly TextWriter output;
    private readonly string trialsDir;
    private readonly int total;
    private readonly Dictionary<long, double> costs = [];
    private int concurrency = 1;
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
        concurrency = Math.Max(concurrency, rows.Count(r => r.Status == TrialStatus.Running));
        foreach (var r in rows.Where(r => r.IsFinished && !seen.Contains(r.Id)).OrderBy(r => r.Finished))
        {
            seen.Add(r.Id);
            int done = seen.Count, diverged = rows.Count(x => x.Status == TrialStatus.Diverged), failed = rows.Count(x => x.Status == TrialStatus.Failed);
            string count = done.ToString(CultureInfo.InvariantCulture).PadLeft(total.ToString(CultureInfo.InvariantCulture).Length);
            output.WriteLine($"[{count}/{total}] {Describe(r)} · {diverged} diverged{(failed > 0 ? $", {failed} failed" : "")} · ETA {Eta(rows)}");
            lastLine = clock.Elapsed;
        }
        if (clock.Elapsed - lastLine < Heartbeat) return;
        var running = rows.Where(r => r.Status == TrialStatus.Running).Select(r => $"{r.Spec.Key} at step {LastStep(r.Id)}").ToList();
        if (running.Count > 0) output.WriteLine($"... running {string.Join(", ", running)} · {seen.Count}/{total} finished · ETA {Eta(rows)}");
        lastLine = clock.Elapsed;
    }

    /// <summary>"KEY (lr 0.004): val 0.3121 in 3.2 s", or why it diverged or failed.</summary>
    public static string Describe(TrialRow r)
    {
        ArgumentNullException.ThrowIfNull(r);
        string lr = SummaryTable.Lr(r.Spec.Lr);
        string time = r.Result.Seconds is double s ? $" in {s.ToString("F1", CultureInfo.InvariantCulture)} s" : "";
        return r.Status switch
        {
            TrialStatus.Done => $"{r.Spec.Key} (lr {lr}): val {F(r.Result.FinalValLoss)}{time}",
            TrialStatus.Diverged => $"{r.Spec.Key} (lr {lr}): diverged (val {F(r.Result.FinalValLoss)}, initial {F(r.Result.InitialValLoss)}){time}",
            _ => $"{r.Spec.Key} (lr {lr}): failed: {r.Result.Error}",
        };
    }

    /// <summary>
    /// The time the trials not finished in <paramref name="rows"/> still need, or null before any finished trial has a
    /// timing: seconds per unit of <see cref="Cost"/> over the finished trials, times the unfinished trials' cost,
    /// divided by the workers seen running at once (<paramref name="workers"/>). A running trial counts whole, so the
    /// estimate errs long by at most one trial per worker.
    /// </summary>
    public static TimeSpan? Remaining(IReadOnlyList<TrialRow> rows, int workers, Func<TrialSpec, double> cost)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cost);
        var timed = rows.Where(r => r.Status is TrialStatus.Done or TrialStatus.Diverged && r.Result.Seconds is > 0).ToList();
        if (timed.Count == 0) return null;
        double perUnit = timed.Sum(r => r.Result.Seconds!.Value) / timed.Sum(r => cost(r.Spec));
        double left = rows.Where(r => !r.IsFinished).Sum(r => cost(r.Spec));
        return TimeSpan.FromSeconds(perUnit * left / Math.Max(1, workers));
    }

    /// <summary>
    /// A trial's relative cost: the model's parameters (<see cref="MemoryEstimate"/>; the GPT's attention adds
    /// layers × context × d_model per token) × batch size × steps, i.e. its training FLOPs up to a constant. A spec
    /// whose config cannot be read costs width².
    /// </summary>
    public static double Cost(TrialSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        try
        {
            var config = JsonSerializer.Deserialize<TrainConfig>(spec.ConfigJson, TrainConfig.Json);
            if (config is null) return (double)spec.Width * spec.Width;
            double perItem = MemoryEstimate.For(config).Parameters;
            if (config.Task == TaskKind.Gpt) perItem += (double)config.Layers * config.ContextLength * config.DModel;
            return perItem * Math.Max(1, config.BatchSize) * Math.Max(1, config.Steps);
        }
        catch (JsonException) { return (double)spec.Width * spec.Width; }
    }

    private string Eta(IReadOnlyList<TrialRow> rows)
    {
        if (rows.All(r => r.IsFinished)) return "0s";
        var remaining = Remaining(rows, concurrency, s => costs.TryGetValue(s.Id, out double c) ? c : costs[s.Id] = Cost(s));
        if (remaining is not { } eta) return "-";
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

    private static string F(double? v) => SummaryTable.Loss(v);
}
