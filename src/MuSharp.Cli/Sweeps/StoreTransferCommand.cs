using MuSharp.Sweeps;

namespace MuSharp.Cli.Sweeps;

/// <summary>
/// <c>musharp transfer --config SWEEP.json --store URL --enqueue [--retry-failed]</c> fills a PostgreSQL store's queue;
/// <c>musharp transfer --store URL [--sweep NAME | --config SWEEP.json] --summary</c> prints its summary, also while
/// workers drain it. Without --store's value the address comes from MUSHARP_STORE (<see cref="StoreAddress"/>).
/// </summary>
public static class StoreTransferCommand
{
    /// <summary>Whether a transfer command line names a store (--store, --enqueue) and belongs here.</summary>
    public static bool Handles(string[] args) => args.Contains("--store") || args.Contains("--enqueue");

    public static int Run(string[] args)
    {
        string? store = null, config = null, sweep = null;
        bool enqueue = false, summary = false, retryFailed = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"transfer: option {a} needs a value.");
            switch (a)
            {
                case "--store": store = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? Value() : null; break;
                case "--config": config = Value(); break;
                case "--sweep": sweep = Value(); break;
                case "--enqueue": enqueue = true; break;
                case "--summary": summary = true; break;
                case "--retry-failed": retryFailed = true; break;
                default: throw new ArgumentException($"transfer: unexpected argument '{a}' with --store; usage: musharp transfer --config SWEEP.json --store URL --enqueue, or --store URL [--sweep NAME] --summary.");
            }
        }
        var address = StoreAddress.Resolve(store);
        var plan = config is null ? null : SweepConfig.Load(config);
        if (enqueue == summary) throw new ArgumentException("transfer --store: give exactly one of --enqueue (fill the queue; workers run it) and --summary.");
        if (enqueue)
        {
            Console.WriteLine(SweepQueue.Enqueue(plan ?? throw new ArgumentException("transfer --enqueue needs --config SWEEP.json."), address, retryFailed));
            return 0;
        }
        using var opened = PostgresSweepStore.OpenExisting(address, sweep ?? plan?.Name);
        if (plan != null) opened.Verify(plan);
        Console.Write(SweepQueue.Summary(opened));
        return 0;
    }
}
