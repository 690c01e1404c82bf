using MuCli = MuSharp.Cli.Cli;

namespace MuSharp.Tests.Cli;

/// <summary>Runs the musharp CLI in-process with the console captured; callers belong to the <see cref="ConsoleCapture"/> collection.</summary>
internal static class ConsoleRun
{
    public static (int Code, string Out, string Err) Capture(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try { return (MuCli.Run(args), stdout.ToString(), stderr.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
