using MuSharp.Distributed;
using MuSharp.Training;

namespace MuSharp.Cli.Distributed;

/// <summary>
/// <c>mpirun -np N musharp train (--config FILE [--KEY VALUE ...] | --resume RUN_DIR) --data-parallel</c>: one rank of a
/// data-parallel run (<see cref="DataParallel.Run"/>); rank 0 prints progress and writes the run folder.
/// </summary>
public static class DataParallelTrainCommand
{
    public const string Flag = "--data-parallel";

    public static int Run(string[] args)
    {
        string? configPath = null, resumeDir = null;
        var overrides = new List<(string, string)>();
        var rest = args.Where(a => a != Flag).ToArray();
        for (int i = 0; i < rest.Length; i++)
        {
            string a = rest[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || i + 1 >= rest.Length) throw new ArgumentException($"unexpected argument '{a}'; options look like --key value.");
            string value = rest[++i];
            switch (a)
            {
                case "--config": configPath = value; break;
                case "--resume": resumeDir = value; break;
                default: overrides.Add((a[2..], value)); break;
            }
        }
        if (resumeDir != null) configPath = Path.Combine(resumeDir, Train.ConfigFile);
        var config = TrainConfig.Load(configPath, overrides);
        string runDir = resumeDir ?? Path.Combine(config.RunsDir, config.Name);
        using var cancel = new CancellationTokenSource();
        using var signals = StopSignals.Register(cancel);
        var result = DataParallel.Run(config, runDir, resumeDir != null, [new ConsoleLines()], cancel.Token);
        return result.Completed ? 0 : 130;
    }

    // Plain lines (rank 0 only): mpirun's output is not a terminal.
    private sealed class ConsoleLines : ITrainingObserver
    {
        public void OnMessage(string line) => Console.WriteLine(line);

        public void OnStep(StepRecord r) => Console.WriteLine($"step {r.Step}: loss {r.TrainLoss:F4}{(r.Validation is { } v ? $", validation {v.Loss:F4}" : "")}");
    }
}
