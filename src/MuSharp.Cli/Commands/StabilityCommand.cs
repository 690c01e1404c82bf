using System.CommandLine;
using MuSharp.Cli.CommandLine;
using MuSharp.Scaling;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp stability [--config FILE] [--widths …] [--parametrizations …] [--out FILE]</c>: the stability certificates of
/// theory §4.1 and §14 (<see cref="StabilityRun"/>): per block, the certified bound and the measured lower bound of the
/// forward, dependency and update metrics, and their slopes against width under each parametrization.
/// </summary>
internal sealed class StabilityCommand : IVerb
{
    public int Order => 35;

    public Command Build()
    {
        var config = Opt.Text("--config", "a training config naming the model (mlp or gpt); without it, the default MLP", "FILE");
        var widths = Opt.List<int>("--widths", "widths to certify [default: 64…1024 for the MLP, 64…256 for the GPT]", [], "comma-separated positive integers",
            s => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out int w) && w > 0 ? w : (int?)null);
        var kinds = Opt.List("--parametrizations", "parametrizations compared", [ParametrizationKind.Standard, ParametrizationKind.Mup, ParametrizationKind.Spectral],
            "standard, mup, spectral", Opt.EnumValue<ParametrizationKind>);
        var output = Opt.Text("--out", "the HTML report [default: runs/stability/report.html]", "FILE");
        var command = new Command("stability", """
            Stability certificates (theory §4.1, §14): for each block and the whole model, the forward, dependency and update
            metrics over inputs on the RMS sphere, as a certified upper bound composed from spectral norms and a lower bound
            measured by gradient ascent; then their log-log slopes against width under each parametrization, which shows which
            one keeps all three Θ(1). Writes an HTML report with bound and measurement against width.
            """) { config, widths, kinds, output };
        var keys = KeyOptions.AddTo(command);
        command.SetAction(p => Run(p.GetValue(config), p.GetValue(widths)!, p.GetValue(kinds)!, p.GetValue(output), keys.Given(p)));
        return command;
    }

    private static int Run(string? configPath, int[] widths, ParametrizationKind[] kinds, string? output, List<(string, string)> overrides)
    {
        if (configPath != null) Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/ for examples");
        var config = TrainConfig.Load(configPath, overrides);
        if (widths.Length == 1) throw new ArgumentException("option --widths: give at least two widths to fit a slope, e.g. 64,128,256.");
        output ??= Path.Combine("runs", "stability", "report.html");
        Paths.WritableFile(output, "option --out");
        var report = StabilityRun.Run(StabilitySpec.FromConfig(config, widths.Length == 0 ? null : widths, kinds), Console.WriteLine);
        foreach (string line in report.TextTable().Concat(report.Summary())) Console.WriteLine(line);
        try
        {
            StabilityRun.WriteHtml(output, [report]);
            Console.WriteLine($"report: {output}");
        }
        catch (FileNotFoundException e) { Console.Error.WriteLine($"musharp: no HTML report: {e.Message}"); }
        return report.BoundsHold ? Cli.Ok : Cli.Failed;
    }
}
