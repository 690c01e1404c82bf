using MuSharp.Diagnostics;
using MuSharp.Scaling;

namespace MuSharp.Benchmarks;

/// <summary>
/// Prints the width-slope tables of docs/stability.md: the stability certificates (bound and measured) of the MLP and the
/// GPT under SP, μP and spectral, each unit's log-log slope against width (`dotnet run -c Release -- stability`).
/// </summary>
public static class StabilityTable
{
    private static readonly ParametrizationKind[] Kinds = [ParametrizationKind.Standard, ParametrizationKind.Mup, ParametrizationKind.Spectral];

    public static void Run(TextWriter output)
    {
        var options = new StabilitySweepOptions { Measure = new StabilityOptions { Restarts = 4, Iterations = 40 } };
        var start = DateTime.UtcNow;
        int[] mlpWidths = [64, 128, 256, 512, 1024];
        Print(output, $"MLP 784-w-w-10, widths {string.Join(", ", mlpWidths)}", StabilitySweep.Mlp(mlpWidths, Kinds, options), mlpWidths[^1]);
        int[] gptWidths = [64, 128, 256];
        Print(output, $"GPT 2 layers, 4 heads, vocab 32, 8 tokens, d_model {string.Join(", ", gptWidths)}", StabilitySweep.Gpt(gptWidths, Kinds, options), gptWidths[^1]);
        output.WriteLine($"({(DateTime.UtcNow - start).TotalSeconds:F0} s)");
    }

    private static void Print(TextWriter output, string title, IReadOnlyList<StabilityPoint> points, int widest)
    {
        var slopes = StabilitySweep.Slopes(points);
        output.WriteLine($"### {title}");
        output.WriteLine();
        output.WriteLine("Slope of log(value) against log(width), bound / measured; last columns: values at the widest model (bound / measured).");
        output.WriteLine();
        output.WriteLine("| unit | metric | SP | μP | spectral | SP at w=" + widest + " | μP | spectral |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var unit in points.Select(p => p.Result.Unit).Distinct())
            foreach (var metric in Enum.GetValues<StabilityMetric>())
            {
                var cells = Kinds.Select(k => slopes.Single(s => s.Kind == k && s.Unit == unit && s.Metric == metric))
                    .Select(s => $"{Signed(s.BoundSlope)} / {Signed(s.MeasuredSlope)}");
                var values = Kinds.Select(k => points.Single(p => p.Kind == k && p.Width == widest && p.Result.Unit == unit).Result)
                    .Select(r => $"{r.Bound[metric]:G3} / {r.Measured[metric]:G3}");
                output.WriteLine($"| {unit} | {metric.ToString().ToLowerInvariant()} | {string.Join(" | ", cells)} | {string.Join(" | ", values)} |");
            }
        output.WriteLine();
    }

    /// <summary>"+0.12" / "−0.12" / "+0.00" (never "-0.00").</summary>
    private static string Signed(double v)
    {
        double r = Math.Round(v, 2);
        return (r < 0 ? "−" : "+") + Math.Abs(r).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
    }
}
