using Spectre.Console;

namespace MuSharp.Cli;

/// <summary>
/// Shows training progress: a live Spectre.Console bar on an interactive terminal, plain log lines
/// otherwise (CI, redirected output).
/// </summary>
public sealed class ProgressView : ITrainingObserver
{
    private readonly bool live;
    private ProgressTask? bar;
    private long total, lastPrinted;

    private ProgressView(bool live) => this.live = live;

    public static ProgressView ForConsole() => new(AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected);

    /// <summary>Runs <paramref name="body"/> (the training loop, with this view among its observers) with the bar shown if live.</summary>
    public T Run<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!live) return body();
        return AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                bar = ctx.AddTask("training", autoStart: false);
                var result = body();
                bar.StopTask();
                return result;
            });
    }

    public void OnStart(long step, long totalSteps)
    {
        total = totalSteps;
        if (bar == null) return;
        bar.MaxValue = totalSteps;
        bar.Value = step;
        bar.StartTask();
    }

    public void OnStep(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Advance(record.Step, $"loss {record.TrainLoss:F4} · {record.Throughput:N0} items/s · lr {record.Lr:G3}");
        if (record.Validation is { } eval)
            OnMessage($"step {record.Step}: {eval.Split} loss {eval.Loss:F4}{(eval.Accuracy is double a ? $", accuracy {a:P2}" : "")}");
    }

    public void OnMessage(string line) => Line(line);

    private void Advance(long step, string status)
    {
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

    private void Line(string text)
    {
        if (live) AnsiConsole.MarkupLine(Markup.Escape(text));
        else Console.WriteLine(text);
    }
}
