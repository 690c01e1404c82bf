using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp profile --config CONFIG [--steps N]</c>: the step ledger of a configured run (<see cref="StepProfile"/>):
/// time per op class and GEMM shape, FLOPs, GFLOP/s, share of the step, allocation and GC, and the GEMM floor.
/// </summary>
internal sealed class ProfileCommand : IVerb
{
    public int Order => 25;

    public Command Build()
    {
        var config = Opt.Text("--config", "a JSON training config (src/MuSharp.Cli/configs/); without it, the defaults", "FILE");
        var steps = Opt.Int("--steps", "training steps measured (after 3 unmeasured warm-up steps)", 10, 1, 10_000);
        var command = new Command("profile", """
            Where a training step's time goes: per op class and GEMM shape the time, FLOPs, GFLOP/s and share of the step,
            allocation and GC, and the step's GEMM floor (its GEMM FLOPs at the rate the backend reaches on the same shapes
            in the same run). Every config key is also an option (--precision bf16, --batch-size 64).
            """) { config, steps };
        var keys = KeyOptions.AddTo(command);
        command.SetAction(parse => Run(parse.GetValue(config), parse.GetValue(steps), keys.Given(parse)));
        return command;
    }

    private static int Run(string? configPath, int steps, List<(string, string)> overrides)
    {
        if (configPath != null) Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/ for examples");
        var config = TrainConfig.Load(configPath, overrides);
        MemoryEstimate.For(config).EnsureFits();
        Console.Write(StepProfile.Measure(config, steps).Render());
        return Cli.Ok;
    }
}
