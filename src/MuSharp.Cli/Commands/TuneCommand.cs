using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp tune (--config TUNE.json | --quick) [--verify] [--workers N] [--retry-failed] [--figures]</c>: the μTransfer
/// workflow (<see cref="Tune"/>): search on the proxy, transfer, train the target, optionally check the lr at the target;
/// prints the chosen values, the target result and the compute ledger, and writes runs/NAME/report.html.
/// </summary>
internal sealed class TuneCommand : IVerb
{
    public const string Verb = "tune";
    private const string QuickConfig = "tune-mlp-quick.json";

    public int Order => 45;

    public Command Build()
    {
        var config = Opt.Text("--config", "the tune file (src/MuSharp.Cli/configs/tune-*.json)", "TUNE.json");
        var quick = Opt.Flag("--quick", $"the bundled {QuickConfig}: MLP on Fashion-MNIST, width 128 → 1024, a few minutes");
        var verify = Opt.Flag("--verify", "also sweep the learning rate at the target (×1/4 … ×4) to show where the transferred choice lands");
        var workers = Opt.Int("--workers", "worker processes; 0 = one per core (or the tune file's workers)", 0, 0, 1024);
        var retryFailed = Opt.Flag("--retry-failed", "run trials that threw again");
        var figures = Opt.Flag("--figures", "also write the report's figures as SVG and PNG");
        var store = Opt.Store("keep the stages in PostgreSQL, postgres://USER@HOST:PORT/DB (no value: MUSHARP_STORE): each run enqueues the next " +
                "stage whose inputs are ready for musharp worker on any machine; rerun when they finish");
        var command = new Command(Verb, """
            The μTransfer workflow (theory §11): search hyperparameters on a small proxy, map the best to the target shape
            through the parametrization, train the target once per seed (SP beside μP), and with --verify check the lr at the
            target. Prints the chosen values, the target result and a FLOP/wall-time ledger; writes runs/NAME/report.html.
            Every stage is a stored sweep: rerun to continue.
            With --store the stages live in PostgreSQL and musharp worker runs them on any machine.
            """) { config, quick, verify, workers, retryFailed, figures, store };
        command.SetAction(p => Run(p.GetValue(config), p.GetValue(quick), p.GetValue(verify),
            p.GetResult(workers) is { Implicit: false } ? p.GetValue(workers) : null, p.GetValue(retryFailed), p.GetValue(figures),
            p.GetResult(store) != null ? StoreAddress.Resolve(p.GetValue(store)) : null));
        return command;
    }

    private static int Run(string? configPath, bool quick, bool verify, int? workers, bool retryFailed, bool figures, StoreAddress? shared)
    {
        if (quick == (configPath != null)) throw new ArgumentException($"{Verb}: give --config TUNE.json or --quick (the bundled {QuickConfig}).");
        configPath = configPath is null ? Paths.BundledConfig(QuickConfig, Verb) : Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/tune-mlp-quick.json");
        var plan = TuneConfig.Load(configPath);
        Paths.WritableFolder(plan.Directory, "the tune's folder");
        string rerun = $"musharp {Verb} " + (quick ? "--quick" : $"--config {configPath}") + (verify ? " --verify" : "") + (shared != null ? " --store …" : "");
        var result = Interruptible.Run(cancel => Tune.Run(plan, new TuneOptions
        {
            Verify = verify, Workers = workers, RetryFailed = retryFailed, Launch = TransferWorkerCommand.Launch, Shared = shared,
            Rerun = rerun, Cancel = cancel, Log = Console.WriteLine,
        }));
        if (result is null) return shared != null ? Cli.Ok : Cli.Interrupted; // with a store: a stage is queued for the workers
        Console.WriteLine();
        foreach (string line in TuneText.Lines(result)) Console.WriteLine(line);
        try { Console.WriteLine($"report: {TuneReport.Write(result, Path.Combine(plan.Directory, "report.html"), figures)}"); }
        catch (FileNotFoundException e) { Console.Error.WriteLine($"musharp: no HTML report: {e.Message}"); }
        return Cli.Ok;
    }
}
