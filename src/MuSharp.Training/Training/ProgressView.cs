using Spectre.Console;

namespace MuSharp.Training;

/// <summary>
/// Shows training progress: a live Spectre.Console bar on an interactive terminal, plain log lines
/// otherwise (CI, redirected output), or nothing (tests).
/// </summary>
public sealed class ProgressView
{
    private readonly bool live, quiet;
    private ProgressTask? bar;
    private long total, lastPrinted;

    private ProgressView(bool live, bool quiet) => (this.live, this.quiet) = (live, quiet);

    public static ProgressView ForConsole() => new(AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected, false);
    public static ProgressView Silent() => new(false, true);

    /// <summary>Runs <paramref name="body"/> with the bar shown (if live) from <paramref name="start"/> of <paramref name="steps"/>.</summary>
    public void Run(long steps, long start, Action body)
    {
        total = steps;
        if (!live) { body(); return; }
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                bar = ctx.AddTask("training", maxValue: steps);
                bar.Value = start;
                body();
                bar.StopTask();
            });
    }

    public void Advance(long step, string status)
    {
        if (quiet) return;
        if (bar != null)
        {
            bar.Value = step;
            bar.Description = Markup.Escape(status);
        }
        else if (step - lastPrinted >= Math.Max(1, total / 20) || step == total)
        {
            Console.WriteLine($"step {step}/{total}: {status}");
            lastPrinted = step;
        }
    }

    public void Line(string text)
    {
        if (quiet) return;
        if (live) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }
}
