using System.CommandLine;
using MuSharp.Cli.CommandLine;
using MuSharp.Cli.Experiments;

namespace MuSharp.Cli.Commands;

/// <summary><c>musharp msign</c>: Newton–Schulz msign of a Gaussian matrix, step by step, against the exact msign (<see cref="MsignReport"/>).</summary>
internal sealed class MsignCommand : IVerb
{
    public int Order => 20;

    public Command Build()
    {
        var d = new MsignReport.Options();
        var rows = Opt.Int("--rows", "rows of the Gaussian matrix", d.Rows, 1, MsignReport.MaxDim);
        var cols = Opt.Int("--cols", "columns of the Gaussian matrix", d.Cols, 1, MsignReport.MaxDim);
        var schedule = Opt.Choice("--schedule", "the Newton–Schulz coefficient schedule", d.Schedule, "kj", "su", "sux3", "youjiacheng", "pe", "cubic", "taylor");
        var steps = Opt.Int("--steps", "iterations; 0 = the schedule's default", d.Steps, 0, MsignReport.MaxSteps);
        var seed = Opt.ULong("--seed", "seed of the Gaussian matrix", d.Seed);
        var bench = Opt.Flag("--bench", "also time the N-step iteration against an SVD with vectors");
        var command = new Command("msign", """
            Newton–Schulz msign of a Gaussian matrix, step by step: the singular-value range, the error against the exact
            msign (SVD) and the time.
            """) { rows, cols, schedule, steps, seed, bench };
        command.SetAction(p => MsignReport.Print(new MsignReport.Options(p.GetValue(rows), p.GetValue(cols), p.GetValue(schedule)!, p.GetValue(steps), p.GetValue(seed), p.GetValue(bench))));
        return command;
    }
}
