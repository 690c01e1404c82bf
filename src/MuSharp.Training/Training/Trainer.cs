using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.BatchScaling;
using MuSharp.Training;
using MuSharp.Diagnostics;
using MuSharp.Io;

namespace MuSharp.Training;

/// <summary>Raised when the loss stops being finite; the message names the step and the last good checkpoint.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>How a run ended, for the CLI's exit code and for tests.</summary>
public sealed record TrainResult(long Steps, bool Completed, Evaluation? Final, string RunDir);

public static class Train
{
    public const string CheckpointFile = "checkpoint.bin";
    public const string ConfigFile = "config.json";
    public const string MetricsFile = "metrics.csv";

    /// <summary>
    /// The training loop: lr from the schedule → loss on the next batch → backward → optimizer step →
    /// zero grads → log / validate / checkpoint. <paramref name="haltAfterStep"/> stops abruptly after that
    /// step without a final checkpoint (tests use it to simulate a crash).
    /// </summary>
    public static TrainResult Run(TrainConfig config, string runDir, bool resume, ProgressView view,
        CancellationToken cancel = default, long haltAfterStep = -1)
    {
        Directory.CreateDirectory(runDir);
        string checkpointPath = Path.Combine(runDir, CheckpointFile);
        var task = TrainingTask.Create(config);
        var optimizer = config.MakeOptimizer(task.Model.Parameters());
        var schedule = config.Schedule;
        long totalSteps = config.Steps > 0 ? config.Steps : task.StepsPerEpoch;
        long step = 0, lastCheckpoint = 0;

        if (resume)
        {
            var checkpoint = Checkpoint.Load(checkpointPath);
            checkpoint.Restore(task.Model, optimizer, checkpointPath);
            task.RestoreDataState(checkpoint.Header["data"] ?? throw new InvalidDataException($"{checkpointPath}: no data state."));
            step = lastCheckpoint = (long?)checkpoint.Header["step"] ?? 0;
            view.Line($"resumed from {checkpointPath} at step {step}");
        }
        else File.WriteAllText(Path.Combine(runDir, ConfigFile), config.ToJson());

        view.Line(task.Description);
        view.Line($"{config.Optimizer} lr {config.Lr} ({config.Decay}, warmup {config.WarmupSteps}), batch {config.BatchSize}, {totalSteps} steps, GEMM: {Kernels.Gemm.Backend}");

        void SaveCheckpoint()
        {
            foreach (var p in task.Model.Parameters())
                if (!float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(p.Data)))
                    throw new TrainingDivergedException($"parameter '{p.Name}' holds NaN/Inf at step {step}; not overwriting the last good checkpoint ({checkpointPath}, step {lastCheckpoint}). Lower the learning rate.");
            var header = new JsonObject { ["step"] = step, ["data"] = task.DataState(), ["config"] = JsonNode.Parse(config.ToJson()) };
            Checkpoint.Capture(task.Model, optimizer, header).Save(checkpointPath);
            lastCheckpoint = step;
        }

        using var csv = new MetricsCsv(Path.Combine(runDir, MetricsFile), step);
        using var monitors = MonitorsCsv.Open(runDir, config.MonitorEvery, step);
        using var noiseCsv = NoiseCsv.Open(runDir, config.NoiseEvery, step);
        var monitor = new UpdateMonitor(entropy: true);
        var noise = new NoiseScaleMonitor();
        // The same bias-corrected EMA of a (numerator, denominator) pair: here (tr(ΣH), gᵀHg), so its ratio is B_noise.
        var curvature = new NoiseScaleMonitor();
        long nextEval = step + 1; // the geometric schedule of evalGrowth
        double bestEval = double.PositiveInfinity;
        int sinceBest = 0;
        var clock = Stopwatch.StartNew();
        var window = Stopwatch.StartNew();
        long windowStart = step;
        bool completed = false;

        view.Run(totalSteps, step, () =>
        {
            while (step < totalSteps)
            {
                float lr = schedule.At(step, totalSteps);
                bool measureNoise = noiseCsv != null && (step + 1) % config.NoiseEvery == 0;
                float value;
                NoiseEstimate estimate = default;
                HessianNoiseEstimate? hessian = null;
                if (measureNoise) (value, estimate, hessian) = ChunkedBackward.Run(task, config.NoiseChunks, config.BatchSize, config.NoiseHessian);
                else
                {
                    var loss = task.NextLoss();
                    value = loss.Item();
                    if (float.IsFinite(value)) loss.Backward();
                }
                if (!float.IsFinite(value))
                    throw new TrainingDivergedException($"loss is {value} at step {step + 1} (lr {lr:G4}); training stopped. The last good checkpoint is {checkpointPath} (step {lastCheckpoint}); lower the learning rate and resume with --resume.");
                if (measureNoise)
                {
                    // A non-finite estimate (overflowing gradients just before a blow-up) is logged raw but kept out of the EMA.
                    if (double.IsFinite(estimate.GradNormSq) && double.IsFinite(estimate.TraceSigma)) noise.Add(estimate);
                    if (hessian is { } h && double.IsFinite(h.GHG) && double.IsFinite(h.TraceSigmaH)) curvature.Add(new NoiseEstimate(h.GHG, h.TraceSigmaH));
                    noiseCsv!.Write(step + 1, config.BatchSize, estimate, noise, hessian, hessian is null ? null : curvature);
                }
                bool monitored = monitors != null && (step + 1) % config.MonitorEvery == 0;
                if (monitored) monitor.Capture(task.Model.Parameters());
                optimizer.Step(lr);
                optimizer.ZeroGrad();
                step++;
                if (monitored) monitors!.Write(step, monitor.Measure());

                bool evaluate = step % config.EvalEvery == 0 || step == totalSteps || (config.EvalGrowth > 0 && step >= nextEval);
                Evaluation? eval = evaluate ? task.Validate(config.EvalBatches) : null;
                if (evaluate) nextEval = Math.Max(step + 1, (long)Math.Ceiling(step * config.EvalGrowth));
                bool reached = eval != null && config.TargetLoss is double target && eval.Loss <= target;
                if (eval != null) (bestEval, sinceBest) = eval.Loss < bestEval ? (eval.Loss, 0) : (bestEval, sinceBest + 1);
                bool stalled = config.Patience > 0 && sinceBest >= config.Patience;
                if (step % config.LogEvery == 0 || evaluate)
                {
                    double throughput = (step - windowStart) * task.ItemsPerStep / Math.Max(1e-9, window.Elapsed.TotalSeconds);
                    csv.Write(step, lr, value, eval?.Loss, eval?.Accuracy, throughput, clock.Elapsed.TotalSeconds);
                    view.Advance(step, $"loss {value:F4} · {throughput:N0} {task.ItemUnit}/s · lr {lr:G3}");
                    window.Restart();
                    windowStart = step;
                }
                if (eval != null)
                    view.Line($"step {step}: {eval.Split} loss {eval.Loss:F4}{(eval.Accuracy is double a ? $", accuracy {a:P2}" : "")}");
                if (step == haltAfterStep) return;
                bool timeUp = config.MaxMinutes > 0 && clock.Elapsed.TotalMinutes >= config.MaxMinutes;
                if (step % config.CheckpointEvery == 0 || step == totalSteps || timeUp || reached || stalled || cancel.IsCancellationRequested)
                    SaveCheckpoint();
                if (reached) { view.Line($"target validation loss {config.TargetLoss:G4} reached at step {step}"); break; }
                if (stalled) { view.Line($"no validation improvement in {config.Patience} evaluations (best {bestEval:F4}); stopped at step {step}"); break; }
                if (timeUp) { view.Line($"time limit of {config.MaxMinutes} min reached at step {step}; checkpoint saved"); break; }
                if (cancel.IsCancellationRequested) { view.Line($"interrupted at step {step}; checkpoint saved, continue with --resume {runDir}"); return; }
            }
            completed = true;
        });
        if (!completed) return new TrainResult(step, false, null, runDir);

        var final = task.FinalEvaluation();
        view.Line($"final {final.Split} loss {final.Loss:F4}{(final.Accuracy is double acc ? $", {final.Split} accuracy {acc:P2} ({final.Items} examples)" : "")} after {step} steps, {clock.Elapsed.TotalSeconds:F1} s");
        File.WriteAllText(Path.Combine(runDir, "final.json"), JsonSerializer.Serialize(final, TrainConfig.Json));
        return new TrainResult(step, true, final, runDir);
    }
}
