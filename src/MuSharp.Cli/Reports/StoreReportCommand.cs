using MuSharp.Reports;
using MuSharp.Sweeps;

namespace MuSharp.Cli.Reports;

/// <summary><c>musharp report --store URL [--sweep NAME] --out FILE [--figures]</c>: the HTML report of a sweep in PostgreSQL (also while it runs).</summary>
public static class StoreReportCommand
{
    public static int Run(string[] args)
    {
        string? store = null, sweep = null, output = null;
        bool figures = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"report: option {a} needs a value.");
            switch (a)
            {
                case "--store": store = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? Value() : null; break;
                case "--sweep": sweep = Value(); break;
                case "--out": output = Value(); break;
                case "--figures": figures = true; break;
                default: throw new ArgumentException($"report: unexpected argument '{a}'; usage: musharp report --store URL [--sweep NAME] [--out FILE] [--figures].");
            }
        }
        using var opened = PostgresSweepStore.OpenExisting(StoreAddress.Resolve(store), sweep);
        Console.WriteLine($"report: {SweepReport.Write(opened, output ?? "report.html", figures: figures)}");
        return 0;
    }
}
