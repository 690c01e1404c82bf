using System.Globalization;
using MuSharp.Experiments;
using MuSharp.Sweeps;

namespace MuSharp.Reports;

/// <summary>
/// The HTML report of a stored sweep: a μTransfer sweep with the coordinate check found beside it
/// (DIR/coord-check/, as <c>musharp coord-check --out</c> writes it), or a batch-scaling sweep.
/// </summary>
public static class SweepReport
{
    public const string CoordDir = "coord-check";

    /// <summary>Writes the report and returns its path (default: report.html beside the sweep's db).</summary>
    public static string Write(string sweep, string? coordDir = null, string? output = null, bool figures = false)
    {
        string db = Directory.Exists(sweep) ? Path.Combine(sweep, "sweep.db") : sweep;
        if (!File.Exists(db)) throw new FileNotFoundException($"report: {db} does not exist; run musharp transfer first or name the sweep's .db file.", db);
        string dir = Path.GetDirectoryName(Path.GetFullPath(db))!;
        coordDir ??= Path.Combine(dir, CoordDir);
        output ??= Path.Combine(dir, "report.html");

        using var store = SweepStore.OpenExisting(db);
        return Write(store, output, coordDir, figures);
    }

    /// <summary>Writes the report of any stored sweep (SQLite or PostgreSQL) to <paramref name="output"/> and returns its path.</summary>
    public static string Write(ISweepStore store, string output, string? coordDir = null, bool figures = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (store.SweepsBatchSize())
        {
            var results = BatchScalingSweep.Load(store);
            var lines = BatchSummaryText.Format(results.Groups, results.Target).Split('\n');
            HtmlReport.Write(output, BatchScalingReport.Data($"Learning rate vs batch size: {results.Name}", [results], [], [], lines), figures);
            return output;
        }
        var rows = store.Trials();
        var points = rows.Where(r => r.Status is TrialStatus.Done or TrialStatus.Diverged or TrialStatus.Failed)
            .Select(r => new TransferPoint(r.Spec.Task, r.Spec.Optimizer, r.Spec.Parametrization, r.Spec.Width, r.Spec.Lr, r.Spec.Seed,
                r.Status == TrialStatus.Done ? r.Result.FinalValLoss : null, SweepStore.StatusName(r.Status)))
            .ToList();
        var groups = TransferSummary.Summarize(rows, store.BaseWidth());
        List<string> summary = [.. SummaryTable.Format(groups).Split('\n')];
        var (coord, verdicts) = coordDir is null ? ([], []) : ReadCoordCheck(coordDir);
        var data = new ReportData($"μTransfer: {store.Name}", points, coord, verdicts, summary, TransferSummary: groups);
        HtmlReport.Write(output, data, figures);
        return output;
    }

    /// <summary>coord.csv averaged over seeds, and slopes.csv, when the folder holds them; empty lists otherwise.</summary>
    public static (List<CoordPoint> Points, List<CoordVerdict> Verdicts) ReadCoordCheck(string dir)
    {
        string stats = Path.Combine(dir, CoordCsv.StatsFile), slopes = Path.Combine(dir, CoordCsv.SlopesFile);
        if (!File.Exists(stats) || !File.Exists(slopes)) return ([], []);
        var inv = CultureInfo.InvariantCulture;
        try
        {
            var points = File.ReadLines(stats).Skip(1).Select(l => l.Split(','))
                .GroupBy(f => (P: f[0], O: f[1], W: int.Parse(f[2], inv), T: int.Parse(f[4], inv), M: f[5], K: f[6]))
                .Select(g => new CoordPoint(g.Key.P, g.Key.O, g.Key.M, g.Key.K, g.Key.T, g.Key.W, g.Average(f => double.Parse(f[7], inv))))
                .ToList();
            var verdicts = File.ReadLines(slopes).Skip(1).Select(l => l.Split(','))
                .Select(f => new CoordVerdict(f[0], f[1], f[2], f[3], int.Parse(f[4], inv), double.Parse(f[5], inv), f[6]))
                .ToList();
            return (points, verdicts);
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"report: {dir} holds a malformed {CoordCsv.StatsFile} or {CoordCsv.SlopesFile} ({e.Message}); rerun musharp coord-check --out {dir}.");
        }
    }
}
