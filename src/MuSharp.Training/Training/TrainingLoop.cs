using System.Diagnostics;
using System.Numerics.Tensors;
using System.Text.Json.Nodes;
using MuSharp.BatchScaling;
using MuSharp.Diagnostics;
using MuSharp.Io;
using MuSharp.Optim;

namespace MuSharp.Training;

/// <summary>
/// Raised when the loss stops being finite or exceeds <see cref="LoopOptions.DivergenceFactor"/> × the first loss; the
/// message names the step, and the last good checkpoint only when one exists.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message)
{
    /// <summary>The step whose loss was non-finite or too large.</summary>
    public long Step { get; init; }
}

/// <summary>The one training loop, for the built-in models and a user's own <see cref="ITrainingTask"/> alike.</summary>
public static class TrainingLoop
{
    /// <summary>
    /// lr from the schedule → loss on the next batch → backward → optimizer step → zero grads → log / validate /
    /// checkpoint, emitting typed records to <paramref name="observers"/>. With <paramref name="resume"/> the model,
    /// optimizer, data order and step come from <paramref name="checkpointPath"/>, so the run continues exactly as an
    /// uninterrupted one; <paramref name="header"/> is stored in every checkpoint beside the loop's own state.
    /// <paramref name="haltAfterStep"/> stops abruptly after that step without a final checkpoint (tests use it to
    /// simulate a crash). Cancelling finishes the current step, saves a checkpoint and returns an incomplete result.
    /// </summary>
    public static TrainResult Run(ITrainingTask task, Optimizer optimizer, LoopOptions options, string checkpointPath, bool resume,
        IReadOnlyList<ITrainingObserver> observers, JsonObject? header = null, long haltAfterStep = -1, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(observers);
        var o = options;
        long totalSteps = o.Steps > 0 ? o.Steps : task.StepsPerEpoch;
        long step = 0, lastCheckpoint = 0;
        double elapsedBefore = 0;
        double? firstLoss = null; // the reference of the divergence stop, kept across a resume
        bool haveCheckpoint = false;
        Evaluation? initial = null;
        void Emit(Action<ITrainingObserver> record) { foreach (var observer in observers) record(observer); }
        var monitor = new UpdateMonitor(entropy: true);

        if (resume)
        {
            var checkpoint = Checkpoint.Load(checkpointPath);
            checkpoint.Restore(task.Model, optimizer, checkpointPath);
            task.RestoreDataState(checkpoint.Header["data"] ?? throw new InvalidDataException($"{checkpointPath}: no data state."));
            step = lastCheckpoint = (long?)checkpoint.Header["step"] ?? 0;
            elapsedBefore = (double?)checkpoint.Header["elapsed"] ?? 0;
            if (checkpoint.Header["initialLoss"] is JsonNode loss) initial = new Evaluation("validation", (double)loss, null, 0);
            firstLoss = (double?)checkpoint.Header["firstLoss"];
            haveCheckpoint = true;
            if (checkpoint.Header["weightRmsLaw"] is JsonObject law)
                monitor.RestoreWeightRmsLaw(law.Select(kv => KeyValuePair.Create(kv.Key, (double)kv.Value!)));
            var saved = checkpoint.Header["observers"] as JsonObject ?? [];
            Emit(x => x.OnRestore(saved));
        }
        Emit(x => x.OnStart(step, totalSteps));
        if (resume) Emit(x => x.OnMessage($"resumed from {checkpointPath} at step {step}"));
        else if (o.EvaluateAtStart)
        {
            var init = task.Validate(o.EvalBatches);
            initial = init;
            Emit(x => x.OnInitial(new InitialRecord(init)));
        }

        var clock = Stopwatch.StartNew();
        double Elapsed() => elapsedBefore + clock.Elapsed.TotalSeconds;
        // What to do after a stop: resume from the last checkpoint if there is one, else start again.
        string Next() => haveCheckpoint
            ? $"the last good checkpoint is {checkpointPath} (step {lastCheckpoint}), kept as it was"
            : "no checkpoint was written yet, so start the run again";
        TrainingDivergedException Diverged(string what, long at) =>
            new($"{what} at step {at}; training stopped and {Next()}.") { Step = at };
        void SaveCheckpoint()
        {
            foreach (var p in task.Model.Parameters())
                if (!float.IsFinite(TensorPrimitives.Sum(p.Data)))
                    throw Diverged($"parameter '{p.Name}' holds NaN/Inf", step);
            var state = new JsonObject { ["step"] = step, ["elapsed"] = Elapsed(), ["data"] = task.DataState() };
            if (initial != null) state["initialLoss"] = initial.Loss;
            if (firstLoss is double first) state["firstLoss"] = first;
            if (o.WeightRmsLawDecay != null) state["weightRmsLaw"] = new JsonObject(monitor.WeightRmsLawState.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
            foreach (var (key, value) in header ?? []) state[key] = value?.DeepClone();
            var kept = new JsonObject();
            Emit(x => x.OnSave(kept));
            state["observers"] = kept;
            if (o.WriteCheckpoints) Checkpoint.Capture(task.Model, optimizer, state).Save(checkpointPath);
            lastCheckpoint = step;
            haveCheckpoint = true;
            Emit(x => x.OnCheckpoint(step));
        }

        var parameters = task.Model.Parameters().ToList();
        if ((o.ReduceGradients != null || o.Shards > 1) && o.NoiseEvery > 0)
            throw new ArgumentException("the noise-scale measurement (noiseEvery) does not combine with data-parallel training yet; set noiseEvery 0.");
        var noise = new NoiseScaleMonitor();
        // The same bias-corrected EMA of a (numerator, denominator) pair: here (tr(ΣH), gᵀHg), so its ratio is B_noise.
        var curvature = new NoiseScaleMonitor();
        long nextEval = step + 1; // the geometric schedule of evalGrowth
        double bestEval = double.PositiveInfinity;
        int sinceBest = 0;
        var window = Stopwatch.StartNew();
        long windowStart = step;
        string? stop = null;

        while (step < totalSteps)
        {
            float lr = o.Schedule.At(step, totalSteps);
            bool measureNoise = o.NoiseEvery > 0 && (step + 1) % o.NoiseEvery == 0;
            float value;
            NoiseEstimate estimate = default;
            HessianNoiseEstimate? hessian = null;
            using (MixedPrecision.Use(o.Precision))
            {
                if (measureNoise) (value, estimate, hessian) = ChunkedBackward.Run(task, o.NoiseChunks, o.BatchSize, o.NoiseHessian);
                else if (o.MicroBatches > 1) value = MicroBatches.Backward(Shardable(task), o.MicroBatches, parameters);
                else
                {
                    // The step's activations come from a pool and go back to it in Backward: nothing reads them afterwards.
                    using var reuse = Tape.ReuseActivations();
                    var loss = o.Shards > 1 ? Shardable(task).NextLossShard(o.Shard, o.Shards) : task.NextLoss();
                    value = loss.Item();
                    if (float.IsFinite(value)) loss.Backward();
                }
            }
            if (o.ReduceGradients is { } reduce) value = reduce(parameters, value); // data parallel: the global gradient and loss
            // Before any update the optimizer cannot be the cause, so say where to look instead.
            if (!float.IsFinite(value) && firstLoss is null && !resume)
                throw Diverged($"the loss of the untrained model is {value} (the model or the data give non-finite values, not the optimizer)", step + 1);
            if (!float.IsFinite(value)) throw Diverged($"the training loss is {value} (lr {lr:G4})", step + 1);
            firstLoss ??= value;
            if (o.DivergenceFactor > 0 && value > o.DivergenceFactor * firstLoss)
                throw Diverged($"the training loss {value:G4} is above divergenceFactor {o.DivergenceFactor:G3} × the first loss {firstLoss:G4} (lr {lr:G4})", step + 1);
            if (measureNoise)
            {
                // A non-finite estimate (overflowing gradients just before a blow-up) is reported raw but kept out of the EMA.
                if (double.IsFinite(estimate.GradNormSq) && double.IsFinite(estimate.TraceSigma)) noise.Add(estimate);
                if (hessian is { } h && double.IsFinite(h.GHG) && double.IsFinite(h.TraceSigmaH)) curvature.Add(new NoiseEstimate(h.GHG, h.TraceSigmaH));
                var record = new NoiseRecord(step + 1, o.BatchSize, estimate, noise.GradNormSq, noise.TraceSigma, noise.BSimple,
                    hessian, hessian is null ? double.NaN : curvature.BSimple);
                Emit(x => x.OnNoise(record));
            }
            bool monitored = o.MonitorEvery > 0 && (step + 1) % o.MonitorEvery == 0;
            if (monitored) monitor.Capture(task.Model.Parameters());
            if (o.WeightRmsLawDecay is float lawDecay) monitor.AdvanceWeightRmsLaw(task.Model.Parameters(), lr, lawDecay);
            optimizer.Step(lr);
            var maxLogits = (task as IAfterStepTask)?.AfterStep();
            optimizer.ZeroGrad();
            step++;
            if (monitored)
            {
                var stats = monitor.Measure();
                if (maxLogits is { Count: > 0 })
                    stats = [.. stats.Select(p => maxLogits.TryGetValue(p.Name, out double m) ? p with { MaxLogit = m } : p)];
                var record = new MonitorRecord(step, stats);
                Emit(x => x.OnMonitor(record));
            }

            bool evaluate = step % o.EvalEvery == 0 || step == totalSteps || (o.EvalGrowth > 0 && step >= nextEval);
            Evaluation? eval = evaluate ? task.Validate(o.EvalBatches) : null;
            if (evaluate) nextEval = Math.Max(step + 1, (long)Math.Ceiling(step * o.EvalGrowth));
            bool reached = eval != null && o.TargetLoss is double target && eval.Loss <= target;
            if (eval != null) (bestEval, sinceBest) = eval.Loss < bestEval ? (eval.Loss, 0) : (bestEval, sinceBest + 1);
            bool stalled = o.Patience > 0 && sinceBest >= o.Patience;
            if (step % o.LogEvery == 0 || evaluate)
            {
                double throughput = (step - windowStart) * task.ItemsPerStep / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                var record = new StepRecord(step, lr, value, eval, throughput, Elapsed());
                Emit(x => x.OnStep(record));
                window.Restart();
                windowStart = step;
            }
            if (step == haltAfterStep) return new TrainResult(step, false, null, initial, "halted");
            bool timeUp = o.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= o.MaxMinutes;
            if (step % o.CheckpointEvery == 0 || step == totalSteps || timeUp || reached || stalled || cancel.IsCancellationRequested)
                SaveCheckpoint();
            if (reached) stop = $"target validation loss {o.TargetLoss:G4} reached at step {step}";
            else if (stalled) stop = $"no validation improvement in {o.Patience} evaluations (best {bestEval:F4}); stopped at step {step}";
            else if (timeUp) stop = $"time limit of {o.MaxMinutes} min reached at step {step}; checkpoint saved";
            else if (cancel.IsCancellationRequested)
            {
                var stopped = new TrainResult(step, false, null, initial, "interrupted");
                Emit(x => x.OnEnd(stopped));
                return stopped;
            }
            if (stop != null)
            {
                Emit(x => x.OnMessage(stop));
                break;
            }
        }

        var final = task.FinalEvaluation();
        Emit(x => x.OnMessage($"final {final.Split} loss {final.Loss:F4}{(final.Accuracy is double acc ? $", {final.Split} accuracy {acc:P2} ({final.Items} examples)" : "")} after {step} steps, {Elapsed():F1} s"));
        var result = new TrainResult(step, true, final, initial, stop);
        Emit(x => x.OnEnd(result));
        return result;
    }

    private static IShardableTask Shardable(ITrainingTask task) => task as IShardableTask
        ?? throw new ArgumentException($"task '{task.Description}' cannot cut its batches into shards (micro-batches, data parallelism): implement IShardableTask.");
}
