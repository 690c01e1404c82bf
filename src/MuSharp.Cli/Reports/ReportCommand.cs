using MuSharp.Reports;
using MuSharp.Sweeps;

namespace MuSharp.Cli.Reports;

/// <summary>
/// <c>musharp report SWEEP.db|RUN_DIR [--coord DIR] [--out FILE] [--figures]</c>: the HTML report of a stored μTransfer
/// sweep, with the coordinate check found beside it (RUN_DIR/coord-check/, written by <c>musharp coord-check --out</c>).
/// </summary>
public static class ReportCommand
{
    public const string Verb = "report";

    public static int Run(string[] args)
    {
        if (args.Contains("--store")) return StoreReportCommand.Run(args);
        string? sweep = null, coord = null, output = null;
        bool figures = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{Verb}: option {a} needs a value.");
            switch (a)
            {
                case "--coord": coord = Value(); break;
                case "--out": output = Value(); break;
                case "--figures": figures = true; break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal) || sweep != null)
                        throw new ArgumentException($"{Verb}: unexpected argument '{a}'; usage: musharp {Verb} SWEEP.db|RUN_DIR [--coord DIR] [--out FILE] [--figures].");
                    sweep = a;
                    break;
            }
        }
        if (sweep is null) throw new ArgumentException($"{Verb}: name the sweep, e.g. musharp {Verb} runs/mutransfer-fashion (its sweep.db).");
        string path = SweepReport.Write(sweep, coord, output, figures);
        Console.WriteLine($"report: {path}");
        return 0;
    }
}
