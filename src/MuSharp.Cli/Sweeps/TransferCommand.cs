using System.Globalization;

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

    public static int Run(string[] args)
    {
        if (StoreTransferCommand.Handles(args)) return StoreTransferCommand.Run(args);
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
        int status = SweepCoordinator.Run(plan, db, workers, retryFailed, $"musharp {Verb} --config {configPath}", TransferWorkerCommand.Launch);
        if (status != 0) return status;
        using var store = SweepStore.OpenExisting(db);
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
        try { Console.WriteLine($"report: {SweepReport.Write(store.Path)}"); }
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
            Console.Error.WriteLine($"musharp: {failed} trial{S(failed)} failed, e.g. {first.Spec.Key}: {first.Result.Error}; fix the cause and rerun with --retry-failed.");
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

    private static string S(int n) => n == 1 ? "" : "s";
}
