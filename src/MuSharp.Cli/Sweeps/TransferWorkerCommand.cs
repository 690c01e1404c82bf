using MuSharp.Sweeps;

namespace MuSharp.Cli.Sweeps;

/// <summary>The hidden <c>musharp transfer-worker --db PATH [--watch-stdin]</c> verb: one sweep worker process (<see cref="SweepWorker"/>).</summary>
public static class TransferWorkerCommand
{
    public const string Verb = "transfer-worker";

    /// <summary>How the coordinator starts this verb in a new process.</summary>
    public static WorkerLaunch Launch => WorkerLaunch.Of(typeof(Cli).Assembly, Verb);

    public static int Run(string[] args)
    {
        string? db = null;
        bool watchStdin = false;
        for (int i = 0; i < args.Length; i++)
            switch (args[i])
            {
                case "--db" when i + 1 < args.Length: db = args[++i]; break;
                case "--watch-stdin": watchStdin = true; break;
                default: throw new ArgumentException($"{Verb}: unexpected argument '{args[i]}'; usage: musharp {Verb} --db SWEEP.db [--watch-stdin].");
            }
        if (db is null) throw new ArgumentException($"{Verb}: --db SWEEP.db is required.");
        return SweepWorker.RunProcess(db, watchStdin);
    }
}
