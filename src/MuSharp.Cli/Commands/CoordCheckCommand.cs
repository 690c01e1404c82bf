using System.CommandLine;
using System.Globalization;
using MuSharp.Cli.CommandLine;
using MuSharp.Experiments;
using MuSharp.Scaling;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp coord-check</c>: for every parametrization × optimizer, trains the configured model at each width for a
/// few steps (<see cref="CoordCheckRun"/>), prints a verdict table of log-log slopes and writes coord.csv and slopes.csv.
/// </summary>
internal sealed class CoordCheckCommand : IVerb
{
    public int Order => 30;

    public Command Build()
    {
        var d = new CoordCheckOptions();
        var config = Opt.Text("--config", "a training config for the model (default: the MLP on Fashion-MNIST)", "FILE");
        var widths = Opt.List("--widths", "the widths (MLP: every hidden layer; GPT: dModel), at least two", d.Widths,
            "at least two integers from 1 to 16777216, comma-separated", s => int.TryParse(s, CultureInfo.InvariantCulture, out int w) && w is >= 1 and <= 1 << 24 ? w : null);
        var seeds = Opt.Int("--seeds", "seeds per width", d.Seeds, 1, 1000);
        var steps = Opt.Int("--steps", "training steps per width (the slopes are fitted at every step)", d.Steps, 1, 10_000);
        var parametrizations = Opt.List("--parametrizations", "parametrizations to check", d.Parametrizations,
            "standard, mup or spectral, comma-separated", Opt.EnumValue<ParametrizationKind>);
        var optimizers = Opt.List("--optimizers", "optimizers to check", d.Optimizers,
            "optimizer names (sgd, adamw, muon, ...), comma-separated", Opt.EnumValue<OptimizerKind>);
        var tolerance = Opt.Double("--tolerance", "a slope within ±tolerance counts as flat, and a measured slope within it of the predicted one matches", d.Tolerance, 0, 10);
        var noSpectral = Opt.Flag("--no-spectral", "skip the spectral norms ‖W‖₂ and ‖ΔW‖₂ (one SVD per matrix per step)");
        var output = Opt.Text("--out", $"where coord.csv and slopes.csv go [default: {d.Out}]", "DIR");
        var command = new Command("coord-check", """
            Coordinate check: trains each width a few steps and fits the log-log slope against width of every module's
            ‖x‖_RMS, ‖x_t − x_0‖_RMS, ‖W‖₂·sqrt(d_in/d_out) and ‖ΔW‖₂·sqrt(d_in/d_out), beside the slope the
            parametrization predicts. Training-config keys are options too (--batch-size 64; musharp train --list-keys).
            """) { config, widths, seeds, steps, parametrizations, optimizers, tolerance, noSpectral, output };
        var keys = KeyOptions.AddTo(command, "steps");
        command.SetAction(p =>
        {
            if (p.GetValue(widths)!.Length < 2) throw new ArgumentException($"option --widths: needs at least two widths, got {p.GetValue(widths)!.Length}.");
            string? path = p.GetValue(config);
            if (path != null) Paths.InputFile(path, "option --config", "; see src/MuSharp.Cli/configs/ for examples");
            var o = d with
            {
                ConfigPath = path,
                Overrides = keys.Given(p),
                Widths = p.GetValue(widths)!,
                Seeds = p.GetValue(seeds),
                Steps = p.GetValue(steps),
                Parametrizations = p.GetValue(parametrizations)!,
                Optimizers = p.GetValue(optimizers)!,
                Tolerance = p.GetValue(tolerance),
                Spectral = !p.GetValue(noSpectral),
                Out = p.GetValue(output) ?? d.Out,
            };
            Check(o);
            CoordCheckRun.Run(o, Console.WriteLine);
            return Cli.Ok;
        });
        return command;
    }

    // Every case's config at the widest width loads, fits in memory, and the output folder takes files, before any training.
    private static void Check(CoordCheckOptions o)
    {
        foreach (var kind in o.Parametrizations)
            foreach (var optimizer in o.Optimizers)
                MemoryEstimate.For(CoordCheckRun.Config(o, kind, optimizer, o.Widths.Max(), 1)).EnsureFits();
        Paths.WritableFolder(o.Out, "option --out");
    }
}
