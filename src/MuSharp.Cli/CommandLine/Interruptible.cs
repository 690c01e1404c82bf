namespace MuSharp.Cli.CommandLine;

/// <summary>
/// The tool's one place that turns Ctrl+C and SIGTERM into cancellation (<see cref="StopSignals"/>): the work gets a
/// token, finishes its step, saves a checkpoint and returns. Verbs that cannot stop cleanly don't use it, so Ctrl+C
/// still ends them at once.
/// </summary>
internal static class Interruptible
{
    public static T Run<T>(Func<CancellationToken, T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var cancel = new CancellationTokenSource();
        using var signals = StopSignals.Register(cancel);
        return body(cancel.Token);
    }
}
