using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp reproduce [--quick] [--only ID,…] [--out FILE]</c>: every checkable claim of the seed posts in one table
/// (<see cref="ReproduceRun"/>): claim, source post, prediction, measurement and verdict, with the cause of each honest miss.
/// </summary>
internal sealed class ReproduceCommand : IVerb
{
    public int Order => 70;

    public Command Build()
    {
        var quick = Opt.Flag("--quick", "small widths, one seed, short runs (about a minute on 2 cores); without it, the docs' sizes");
        var only = Opt.Text("--only", "comma-separated claim ids to run (see the table's first column)", "ID,…");
        var seed = Opt.ULong("--seed", "seed of the Monte-Carlo draws and training runs", 1);
        var output = Opt.Text("--out", "the HTML report [default: runs/reproduce/report.html]", "FILE");
        var command = new Command("reproduce", """
            Reproduces the seed posts' checkable claims: Adam's update RMS, the Gaussian spectral norm, Newton–Schulz and Polar
            Express, the spectral condition, coordinate checks, μTransfer drift, the η*(B) laws of SGD, SignSGD, SoftSignSGD,
            Adam and Muon, momentum amplification, the surge, AdamW's weight RMS and the stability certificates. Prints one
            table (claim, source, prediction, measurement, verdict) and writes a report page with a figure per claim.
            """) { quick, only, seed, output };
        command.SetAction(p => Run(p.GetValue(quick), p.GetValue(only), p.GetValue(seed), p.GetValue(output)));
        return command;
    }

    private static int Run(bool quick, string? only, ulong seed, string? output)
    {
        var ids = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = ids?.Where(id => !ReproduceRun.Ids.Contains(id)).ToList();
        if (unknown is { Count: > 0 })
            throw new ArgumentException($"option --only: unknown claim '{unknown[0]}'; the claims are {string.Join(", ", ReproduceRun.Ids)}.");
        output ??= Path.Combine("runs", "reproduce", "report.html");
        Paths.WritableFile(output, "option --out");
        var report = ReproduceRun.Run(new ReproduceOptions { Quick = quick, Only = ids, Seed = seed }, Console.WriteLine);
        foreach (string line in report.TextTable()) Console.WriteLine(line);
        try
        {
            ReproduceRun.WriteHtml(output, report);
            Console.WriteLine($"report: {output}");
        }
        catch (FileNotFoundException e) { Console.Error.WriteLine($"musharp: no HTML report: {e.Message}"); }
        return Cli.Ok;
    }
}
