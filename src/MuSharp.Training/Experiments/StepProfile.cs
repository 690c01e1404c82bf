using MuSharp.Diagnostics;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// The step ledger of a configured run (<see cref="StepLedger"/>): builds its task and optimizer, then times training
/// steps exactly as <see cref="TrainingLoop.Run"/> takes them (the forward in the configured precision and with pooled
/// activations, then backward, optimizer step and zeroed gradients) at the schedule's first learning rate.
/// </summary>
public static class StepProfile
{
    public static StepLedger Measure(TrainConfig config, int steps = 10, int warmup = 3, Func<TrainConfig, ITrainingTask>? tasks = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (steps < 1 || warmup < 0) throw new ArgumentException($"profile: needs at least one measured step and warmup ≥ 0 (got {steps}, {warmup}).");
        var task = (tasks ?? TrainingTasks.Create)(config);
        var optimizer = config.MakeOptimizer(task.Model.Parameters());
        float lr = config.Schedule.At(0, Math.Max(1, config.Steps));
        return StepLedger.Measure(() =>
        {
            using var precision = MixedPrecision.Use(config.Precision);
            using var reuse = Tape.ReuseActivations();
            return task.NextLoss();
        }, () =>
        {
            optimizer.Step(lr);
            optimizer.ZeroGrad();
        }, steps, warmup);
    }
}
