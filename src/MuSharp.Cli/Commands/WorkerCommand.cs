using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp worker [--store URL] [--sweep NAME] [--threads N] [--work DIR] [--lease SECONDS]</c>: drains a sweep stored
/// in PostgreSQL from any machine (<see cref="SweepWorker.RunRemote"/>).
/// </summary>
internal sealed class WorkerCommand : IVerb
{
    public int Order => 42;

    public Command Build()
    {
        var store = Opt.Text("--store", "the PostgreSQL store, postgres://USER@HOST:PORT/DB [default: MUSHARP_STORE]; the password " +
            "comes from PGPASSWORD, ~/.pgpass or MUSHARP_STORE, never the command line", "URL");
        var sweep = Opt.Text("--sweep", "the sweep to drain [default: any sweep in the store with pending trials]", "NAME");
        var threads = Opt.Int("--threads", "OpenBLAS and kernel threads of this worker", 1, 1, 1024);
        var work = Opt.Text("--work", "a local folder for the running trial's files [default: a temp folder]", "DIR");
        var lease = Opt.Int("--lease", "seconds a claimed trial stays this worker's without a heartbeat before others may reclaim it", 30, 1, 86_400);
        var command = new Command("worker", """
            A sweep worker for a store in PostgreSQL: claims pending trials (SELECT … FOR UPDATE SKIP LOCKED) under a lease its
            heartbeat renews, runs them, records each result once, and resumes trials whose worker died from their checkpoint
            in the database. Start any number on any machine; they stop when the queue is empty (docs/scaling-out.md).
            """) { store, sweep, threads, work, lease };
        command.SetAction(p =>
        {
            if (p.GetValue(work) is string dir) Paths.WritableFolder(dir, "option --work");
            Environment.SetEnvironmentVariable(Kernels.OpenBlas.ThreadsVariable, p.GetValue(threads).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return SweepWorker.RunRemote(p.GetValue(store), p.GetValue(sweep), p.GetValue(work), TimeSpan.FromSeconds(p.GetValue(lease)));
        });
        return command;
    }
}
