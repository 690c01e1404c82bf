using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>The hidden <c>musharp transfer-worker --db PATH [--watch-stdin]</c> verb: one sweep worker process (<see cref="SweepWorker"/>).</summary>
internal sealed class TransferWorkerCommand : IVerb
{
    public const string Verb = "transfer-worker";

    /// <summary>How the coordinator starts this verb in a new process.</summary>
    public static WorkerLaunch Launch => WorkerLaunch.Of(typeof(Cli).Assembly, Verb);

    public int Order => 1000;

    public Command Build()
    {
        var db = Opt.Text("--db", "the sweep's store", "SWEEP.db");
        db.Required = true;
        var watchStdin = Opt.Flag("--watch-stdin", "stop after the current step when stdin closes (the coordinator died)");
        var command = new Command(Verb, "One sweep worker process, started by transfer and batch-scaling.") { db, watchStdin };
        command.Hidden = true;
        command.SetAction(p => SweepWorker.RunProcess(p.GetValue(db)!, p.GetValue(watchStdin)));
        return command;
    }
}
