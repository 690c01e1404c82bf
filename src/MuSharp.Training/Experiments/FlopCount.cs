using MuSharp.Nn;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// Training FLOPs of a run, the usual estimate (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", Table 1):
/// 6·N per item, N the parameters outside embedding tables (a lookup multiplies nothing), plus for the GPT
/// 6·L·T·d per token for the attention scores and their use (forward 2·L·T·d, backward twice that). Evaluation is not
/// counted; a tied head's matrix multiply is not either (its weights are the embedding table).
/// </summary>
public static class FlopCount
{
    /// <summary>FLOPs of one training step of <paramref name="task"/> built from <paramref name="config"/>.</summary>
    public static double PerStep(ITrainingTask task, TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(config);
        long n = task.Model.Parameters().Where(p => p.Role != Role.Embedding).Sum(p => (long)p.Size);
        double perItem = 6.0 * n;
        if (config.Task == TaskKind.Gpt) perItem += 6.0 * config.Layers * config.ContextLength * config.DModel;
        return perItem * task.ItemsPerStep;
    }

    /// <summary>FLOPs of a whole run: steps (one epoch when the config's steps is 0) × <see cref="PerStep"/>.</summary>
    public static double PerRun(ITrainingTask task, TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(config);
        long steps = config.Steps > 0 ? config.Steps : task.StepsPerEpoch;
        return steps * PerStep(task, config);
    }
}
