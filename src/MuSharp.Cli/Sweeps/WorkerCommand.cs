using System.Globalization;
using MuSharp.Sweeps;

namespace MuSharp.Cli.Sweeps;

/// <summary>
/// <c>musharp worker [--store postgres://USER@HOST:PORT/DB] [--sweep NAME] [--threads N] [--work DIR] [--lease SECONDS]</c>:
/// drains a sweep stored in PostgreSQL from any machine (<see cref="SweepWorker.RunRemote"/>). Without --store the
/// address comes from MUSHARP_STORE; the password from PGPASSWORD, ~/.pgpass or MUSHARP_STORE, never the command line.
/// </summary>
public static class WorkerCommand
{
    public const string Verb = "worker";

    public static int Run(string[] args)
    {
        string? store = null, sweep = null, work = null;
        TimeSpan? lease = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{Verb}: option {a} needs a value.");
            switch (a)
            {
                case "--store": store = Value(); break;
                case "--sweep": sweep = Value(); break;
                case "--work": work = Value(); break;
                case "--threads": Environment.SetEnvironmentVariable(Kernels.OpenBlas.ThreadsVariable, Positive(a, Value()).ToString(CultureInfo.InvariantCulture)); break;
                case "--lease": lease = TimeSpan.FromSeconds(Positive(a, Value())); break;
                default: throw new ArgumentException($"{Verb}: unexpected argument '{a}'; usage: musharp {Verb} [--store URL] [--sweep NAME] [--threads N] [--work DIR] [--lease SECONDS].");
            }
        }
        return SweepWorker.RunRemote(store, sweep, work, lease);
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{Verb}: {option} takes a positive integer, got '{value}'.");
}
