using System.Runtime.InteropServices;

namespace MuSharp.Training;

/// <summary>
/// Ctrl+C (SIGINT) and a scheduler's SIGTERM both cancel the given token source instead of killing the process, so
/// the training loop finishes its step and saves a checkpoint. Dispose to restore the default handling.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource cancel;
    private readonly PosixSignalRegistration term;

    private StopSignals(CancellationTokenSource cancel)
    {
        this.cancel = cancel;
        Console.CancelKeyPress += OnCancel;
        term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; Cancel(); });
    }

    public static StopSignals Register(CancellationTokenSource cancel) => new(cancel ?? throw new ArgumentNullException(nameof(cancel)));

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        term.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        Cancel();
    }

    private void Cancel()
    {
        try { cancel.Cancel(); }
        catch (ObjectDisposedException) { } // the run already finished
    }
}
