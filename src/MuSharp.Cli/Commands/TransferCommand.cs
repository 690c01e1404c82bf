using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp transfer --config SWEEP.json [--workers N] [--db PATH] [--retry-failed] [--summary]</c>: the coordinator
/// of a stored μTransfer sweep. It creates or reopens the sweep's SQLite store, puts trials abandoned by dead workers
/// back to pending, runs the rest on a <see cref="WorkerPool"/>, prints a line per finished trial, and ends with the
/// <see cref="SummaryTable"/>. Finished trials are never rerun; rerunning the command continues an interrupted sweep.
/// </summary>
internal sealed class TransferCommand : IVerb
{
    public const string Verb = "transfer";

    public int Order => 40;

    public Command Build()
    {
        var config = Opt.Text("--config", "the sweep file (src/MuSharp.Cli/configs/transfer-*.json)", "SWEEP.json");
        var db = Opt.Text("--db", "the sweep's store [default: runs/NAME/sweep.db]", "PATH");
        var workers = Opt.Int("--workers", "worker processes; 0 = one per core (or the sweep file's workers)", 0, 0, 1024);
        var retryFailed = Opt.Flag("--retry-failed", "run trials that threw again");
        var summary = Opt.Flag("--summary", "print the stored sweep's summary without running anything");
        var store = Opt.Store("a PostgreSQL store, postgres://USER@HOST:PORT/DB (no password: PGPASSWORD, ~/.pgpass or MUSHARP_STORE); " +
                "with no value, MUSHARP_STORE. With --enqueue the trials go to its queue for musharp worker on any machine");
        var sweep = Opt.Text("--sweep", "with --store --summary: the sweep's name [default: the sweep file's]", "NAME");
        var enqueue = Opt.Flag("--enqueue", "with --store: fill the store's queue and return; workers run the trials");
        var command = new Command(Verb, """
            A μTransfer sweep (widths × lrs × seeds × parametrizations × optimizers over a base config), stored in
            runs/NAME/sweep.db and run on worker processes; rerun to continue after an interruption. Ends with each
            width's optimal lr, the drift of the optimum and whether wider is better.
            With --store the sweep lives in PostgreSQL: --enqueue fills its queue, musharp worker drains it from any machine,
            --summary reads it while it runs (docs/scaling-out.md).
            """) { config, db, workers, retryFailed, summary, store, sweep, enqueue };
        command.SetAction(p => p.GetResult(store) != null || p.GetValue(enqueue)
            ? RunStored(p.GetValue(store), p.GetValue(config), p.GetValue(sweep), p.GetValue(enqueue), p.GetValue(summary), p.GetValue(retryFailed))
            : Run(p.GetValue(config), p.GetValue(db), p.GetResult(workers) is { Implicit: false } ? p.GetValue(workers) : null,
                p.GetValue(retryFailed), p.GetValue(summary)));
        return command;
    }

    private static int Run(string? configPath, string? db, int? workers, bool retryFailed, bool summary)
    {
        if (configPath != null) Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/transfer-blobs-smoke.json");
        if (summary) return Summary(configPath, db);
        if (configPath is null) throw new ArgumentException($"{Verb}: --config SWEEP.json is required (see src/MuSharp.Cli/configs/transfer-blobs-smoke.json).");

        var plan = SweepConfig.Load(configPath);
        db ??= plan.DefaultDbPath;
        Stores.CheckWritable(db);
        int status = SweepCoordinator.Run(plan, db, workers, retryFailed, $"musharp {Verb} --config {configPath}", TransferWorkerCommand.Launch);
        if (status != 0) return status;
        using var store = Stores.Open(db);
        return Finish(store);
    }

    // A sweep in PostgreSQL: fill its queue (--enqueue) or print its summary (--summary), also while workers drain it.
    private static int RunStored(string? store, string? configPath, string? sweep, bool enqueue, bool summary, bool retryFailed)
    {
        if (enqueue == summary) throw new ArgumentException("option --store: give exactly one of --enqueue (fill the queue; workers run it) and --summary.");
        if (configPath != null) Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/transfer-blobs-smoke.json");
        var address = StoreAddress.Resolve(store);
        var plan = configPath is null ? null : SweepConfig.Load(configPath);
        if (enqueue)
        {
            Console.WriteLine(SharedSweep.Enqueue(plan ?? throw new ArgumentException("option --enqueue needs --config SWEEP.json."), address, retryFailed));
            return Cli.Ok;
        }
        using var opened = PostgresSweepStore.OpenExisting(address, sweep ?? plan?.Name);
        if (plan != null) opened.Verify(plan);
        Console.Write(SharedSweep.Summary(opened));
        return Cli.Ok;
    }

    /// <summary>Prints the summary table of a stored sweep without running anything (--summary).</summary>
    private static int Summary(string? configPath, string? db)
    {
        if (configPath is null && db is null) throw new ArgumentException($"{Verb} --summary needs --config SWEEP.json or --db SWEEP.db.");
        var plan = configPath is null ? null : SweepConfig.Load(configPath);
        using var store = Stores.Open(db ?? plan!.DefaultDbPath);
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
