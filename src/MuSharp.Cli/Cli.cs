using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MuSharp.Cli.CommandLine;
using MuSharp.Data;

namespace MuSharp.Cli;

/// <summary>
/// The <c>musharp</c> tool on System.CommandLine: the verbs found under Commands/, one error policy and the exit codes
/// (docs/cli.md). Bad input prints exactly one line on stderr and exits 2; an unexpected exception prints one line that
/// points at a log file with the details and exits 70.
/// </summary>
public static class Cli
{
    public const int Ok = 0, Failed = 1, BadInput = 2, Diverged = 3, InternalError = 70, Interrupted = 130;

    /// <summary>Runs the tool with <paramref name="args"/>, writing to the current <see cref="Console.Out"/> and <see cref="Console.Error"/>.</summary>
    public static int Run(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = Root();
        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction) return Fail(ParseError(parse));
        var invocation = new InvocationConfiguration
        {
            Output = Console.Out, Error = Console.Error, EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null, // Ctrl+C and SIGTERM belong to Interruptible: finish the step, save, exit 130
        };
        try
        {
            if (parse.Action is not (HelpAction or VersionAction)) CheckEnvironment();
            return parse.Invoke(invocation);
        }
        catch (Exception e) when (IsBadInput(e)) { return Fail(e.Message); }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"musharp: {Paths.OneLine(e.Message)}");
            return Diverged;
        }
        catch (Exception e) { return Unexpected(e); }
    }

    /// <summary>
    /// The command tree: every <see cref="IVerb"/> in this assembly, in <see cref="IVerb.Order"/>. A plain command named
    /// musharp with the root's help and version options, because a RootCommand takes its name from the executable
    /// (MuSharp.Cli under dotnet), which the help's usage lines would show.
    /// </summary>
    internal static Command Root()
    {
        var root = new Command("musharp", """
            MuSharp: scale-invariant neural-network training on a CPU engine. Train MLPs and GPTs, check coordinates across
            widths, sweep learning rates for μTransfer and batch-size laws, and write HTML reports.
            Exit codes: 0 done, 1 some trials failed, 2 bad input, 3 training diverged, 70 internal error (see the log
            file named), 130 interrupted (a checkpoint was saved).
            """) { new HelpOption(), new VersionOption { Action = new VersionAction() } };
        var verbs = typeof(Cli).Assembly.GetTypes()
            .Where(t => typeof(IVerb).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IVerb)Activator.CreateInstance(t)!)
            .OrderBy(v => v.Order).ThenBy(v => v.GetType().Name, StringComparer.Ordinal);
        foreach (var verb in verbs) root.Subcommands.Add(verb.Build());
        root.SetAction(r =>
        {
            new HelpAction().Invoke(r);
            Console.Error.WriteLine("musharp: name a command, e.g. 'musharp train --help'.");
            return BadInput;
        });
        return root;
    }

    // The first parse error as one line, with the verb whose help would answer it.
    private static string ParseError(ParseResult parse)
    {
        string message = Paths.OneLine(parse.Errors[0].Message).TrimEnd('.');
        var command = parse.CommandResult.Command;
        string verb = command.Parents.FirstOrDefault() is null ? "musharp" : $"musharp {command.Name}";
        // System.CommandLine names the command, not the missing argument: say which and what it is.
        if (message.StartsWith("Required argument missing for command", StringComparison.Ordinal) && command.Arguments.Count > 0)
            message = $"{verb}: {command.Arguments[0].Name} is missing ({command.Arguments[0].Description})";
        return $"{message}; '{verb} --help' lists the options.";
    }

    // MUSHARP_THREADS sizes every process's thread pools (OpenBLAS, the managed kernels); a bad value silently meant "all cores".
    private static void CheckEnvironment()
    {
        string? threads = Environment.GetEnvironmentVariable(Kernels.OpenBlas.ThreadsVariable);
        if (threads is not null && !(int.TryParse(threads, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 4096))
            throw new ArgumentException($"environment variable {Kernels.OpenBlas.ThreadsVariable}: must be an integer from 1 to 4096 (threads per process), got '{threads}'; fix it or unset it to use every core.");
    }

    // Errors in what the user gave: files, folders, values, permissions. Each message names the path, key or option.
    private static bool IsBadInput(Exception e) => e is ArgumentException or FileNotFoundException or DirectoryNotFoundException
        or InvalidDataException or DatasetNotFoundException or JsonException or UnauthorizedAccessException or SqliteException
        or OutOfMemoryException or SweepStoreUnavailableException || (e is IOException && e.GetType() == typeof(IOException));

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"musharp: {Paths.OneLine(message)}");
        return BadInput;
    }

    /// <summary>Writes the full exception to a log file and prints one line pointing at it; exit code 70 (EX_SOFTWARE).</summary>
    internal static int Unexpected(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string log = Path.Combine(Path.GetTempPath(), $"musharp-error-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
        string where;
        try
        {
            File.WriteAllText(log, $"musharp {ToolVersion.Informational}\nargs: {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}\n\n{e}\n");
            where = $"details in {log}";
        }
        catch (Exception write) when (write is IOException or UnauthorizedAccessException) { where = $"the log {log} could not be written either"; }
        Console.Error.WriteLine($"musharp: internal error ({e.GetType().Name}: {Paths.OneLine(e.Message)}); {where}. Please report it with that file.");
        return InternalError;
    }

    // --version prints the build's informational version (0.9.0+COMMIT), not the entry assembly's: under a test host
    // or `dotnet musharp.dll` the entry assembly is not this tool.
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(ToolVersion.Informational);
            return Ok;
        }
    }
}
