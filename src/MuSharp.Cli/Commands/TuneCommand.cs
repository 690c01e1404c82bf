using System.Globalization;
using MuSharp.Experiments;
using MuSharp.Reports;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp tune (--config TUNE.json | --quick) [--verify] [--workers N] [--retry-failed] [--figures]</c>: the μTransfer
/// workflow (<see cref="Tune"/>): search on the proxy, transfer, train the target, optionally check the lr at the target;
/// prints the chosen values, the target result and the compute ledger, and writes runs/NAME/report.html.
/// </summary>
public static class TuneCommand
{
    public const string Verb = "tune";
    private const string QuickConfig = "tune-mlp-quick.json";
    private const string Usage = "usage: musharp tune (--config TUNE.json | --quick) [--verify] [--workers N] [--retry-failed] [--figures]";

    public static int Run(string[] args)
    {
        string? configPath = null;
        int? workers = null;
        bool quick = false, verify = false, retryFailed = false, figures = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{Verb}: option {a} needs a value.");
            switch (a)
            {
                case "--config": configPath = Value(); break;
                case "--quick": quick = true; break;
                case "--verify": verify = true; break;
                case "--retry-failed": retryFailed = true; break;
                case "--figures": figures = true; break;
                case "--workers":
                    string w = Value();
                    workers = int.TryParse(w, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n
                        : throw new ArgumentException($"{Verb}: --workers takes a count ≥ 0 (0 = one per core), got '{w}'.");
                    break;
                default: throw new ArgumentException($"{Verb}: unexpected argument '{a}'; {Usage}.");
            }
        }
        if (quick == (configPath != null)) throw new ArgumentException($"{Verb}: give --config TUNE.json or --quick (the bundled {QuickConfig}); {Usage}.");
        configPath ??= BundledConfig(QuickConfig);

        var plan = TuneConfig.Load(configPath);
        using var cancel = new CancellationTokenSource();
        var result = Tune.Run(plan, new TuneOptions
        {
            Verify = verify, Workers = workers, RetryFailed = retryFailed, Launch = Sweeps.TransferWorkerCommand.Launch,
            Rerun = $"musharp {Verb} {string.Join(' ', args)}", Cancel = cancel.Token, Log = Console.WriteLine,
        });
        if (result is null) return 130;
        Console.WriteLine();
        foreach (string line in TuneText.Lines(result)) Console.WriteLine(line);
        try { Console.WriteLine($"report: {TuneReport.Write(result, Path.Combine(plan.Directory, "report.html"), figures)}"); }
        catch (FileNotFoundException e) { Console.Error.WriteLine($"musharp: no HTML report: {e.Message}"); }
        return 0;
    }

    private static string BundledConfig(string file) => RepoFiles.FindFile(Path.Combine("src", "MuSharp.Cli", "configs", file))
        ?? (File.Exists(Path.Combine(AppContext.BaseDirectory, "configs", file)) ? Path.Combine(AppContext.BaseDirectory, "configs", file) : null)
        ?? throw new FileNotFoundException($"{Verb}: the bundled config src/MuSharp.Cli/configs/{file} was not found; run from the repository or pass --config.", file);
}
