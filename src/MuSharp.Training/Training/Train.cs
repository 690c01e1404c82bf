using System.Text.Json;
using System.Text.Json.Nodes;

namespace MuSharp.Training;

/// <summary>
/// A config-driven run in a run folder: builds the task and optimizer from a <see cref="TrainConfig"/>, writes
/// config.json, attaches the file sinks (metrics.csv, monitors.csv, noise.csv) and runs <see cref="TrainingLoop.Run"/>;
/// final.json holds the final evaluation. This is what <c>musharp train</c> calls.
/// </summary>
public static class Train
{
    public const string CheckpointFile = "checkpoint.bin";
    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.csv";
    public const string FinalFile = "final.json";

    /// <summary>
    /// Trains <paramref name="config"/> in <paramref name="runDir"/>; <paramref name="observers"/> see every record beside
    /// the file sinks. <paramref name="tasks"/> builds the model and data (default: <see cref="TrainingTasks.Create"/>).
    /// With <paramref name="parallel"/> this is one rank of a data-parallel job: a slice of each batch, reduced
    /// gradients, and files (config, metrics, checkpoints, final.json) from rank 0 only.
    /// </summary>
    public static TrainResult Run(TrainConfig config, string runDir, bool resume, IReadOnlyList<ITrainingObserver>? observers = null,
        long haltAfterStep = -1, Func<TrainConfig, ITrainingTask>? tasks = null, bool evaluateAtStart = false,
        IDataParallel? parallel = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(runDir);
        var task = (tasks ?? TrainingTasks.Create)(config);
        var optimizer = config.MakeOptimizer(task.Model.Parameters());
        bool root = parallel is null || parallel.Rank == 0; // with data parallelism only rank 0 writes files
        parallel?.Prepare(task, optimizer);
        if (!resume && root) File.WriteAllText(Path.Combine(runDir, ConfigFile), config.ToJson());
        var extra = observers ?? [];
        foreach (var o in extra)
        {
            o.OnMessage(task.Description);
            o.OnMessage($"{config.Optimizer} lr {config.Lr} ({config.Decay}, warmup {config.WarmupSteps}), batch {config.BatchSize}, {(config.Steps > 0 ? config.Steps : task.StepsPerEpoch)} steps, GEMM: {(config.Precision == Precision.Bf16 ? $"{Kernels.Gemm.Bf16Backend} (bf16)" : Kernels.Gemm.Backend)}");
        }
        var sinks = new List<IDisposable>();
        try
        {
            var all = new List<ITrainingObserver>();
            if (root)
            {
                sinks.Add(Sink(all, new MetricsCsv(Path.Combine(runDir, MetricsFile), resume)));
                if (config.MonitorEvery > 0) sinks.Add(Sink(all, new MonitorsCsv(Path.Combine(runDir, MonitorsCsv.FileName), resume)));
                if (config.NoiseEvery > 0) sinks.Add(Sink(all, new NoiseCsv(Path.Combine(runDir, NoiseCsv.FileName), resume)));
            }
            all.AddRange(extra);
            var header = new JsonObject { ["config"] = JsonNode.Parse(config.ToJson()) };
            string checkpoint = Path.Combine(runDir, CheckpointFile);
            var loop = config.Loop(evaluateAtStart);
            if (parallel != null)
            {
                loop = loop with { Shards = parallel.Size, Shard = parallel.Rank, ReduceGradients = parallel.Reduce, WriteCheckpoints = root };
                if (resume) checkpoint = parallel.ShareCheckpoint(checkpoint);
            }
            var result = TrainingLoop.Run(task, optimizer, loop, checkpoint, resume, all, header, haltAfterStep, cancel);
            if (result.Completed && root) File.WriteAllText(Path.Combine(runDir, FinalFile), JsonSerializer.Serialize(result.Final, TrainConfig.Json));
            return result;
        }
        finally
        {
            foreach (var s in sinks) s.Dispose();
        }
    }

    private static T Sink<T>(List<ITrainingObserver> observers, T sink) where T : ITrainingObserver, IDisposable
    {
        observers.Add(sink);
        return sink;
    }
}
