using MuSharp.Diagnostics;
using MuSharp.Experiments;
using MuSharp.Training;

namespace MuSharp.Benchmarks;

/// <summary>
/// Prints the width-slope tables of docs/stability.md: the stability certificates (bound and measured) of the MLP and the
/// GPT under SP, μP and spectral, each unit's log-log slope against width (`dotnet run -c Release -- stability`), through
/// the library's <see cref="StabilityRun"/> (what `musharp stability` calls).
/// </summary>
public static class StabilityTable
{
    public static void Run(TextWriter output)
    {
        var options = new StabilitySweepOptions { Measure = new StabilityOptions { Restarts = 4, Iterations = 40 } };
        var start = DateTime.UtcNow;
        Print(output, StabilityRun.Run(new StabilitySpec { Task = TaskKind.Mlp, Widths = [64, 128, 256, 512, 1024], Options = options }));
        Print(output, StabilityRun.Run(new StabilitySpec { Task = TaskKind.Gpt, Widths = [64, 128, 256], Options = options }));
        output.WriteLine($"({(DateTime.UtcNow - start).TotalSeconds:F0} s)");
    }

    private static void Print(TextWriter output, StabilityReport report)
    {
        output.WriteLine($"#### {report.Describe()}");
        output.WriteLine();
        output.WriteLine("Slope of log(value) against log(width), bound / measured; last columns: values at the widest model (bound / measured).");
        output.WriteLine();
        foreach (var line in report.MarkdownTable()) output.WriteLine(line);
        output.WriteLine();
        foreach (var line in report.Summary()) output.WriteLine("- " + line);
        output.WriteLine();
    }
}
