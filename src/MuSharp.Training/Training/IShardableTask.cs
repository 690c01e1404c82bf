using System.Numerics.Tensors;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>
/// A task whose batches can be cut row-wise into equal shards: what data-parallel training (each process one shard of
/// the same global batch) and gradient accumulation over micro-batches need. <see cref="MlpTask"/> and
/// <see cref="GptTask"/> implement it.
/// </summary>
public interface IShardableTask : ITrainingTask
{
    /// <summary>
    /// Draws the next batch (the one <see cref="ITrainingTask.NextLoss"/> would take) and returns the mean loss of its
    /// rows [shard·B/shards, (shard + 1)·B/shards), the same slice as chunk <paramref name="shard"/> of
    /// <see cref="ITrainingTask.NextLossChunks"/>.
    /// </summary>
    Tensor NextLossShard(int shard, int shards);
}

/// <summary>Gradient accumulation in one process, bit for bit what <see cref="LoopOptions.Shards"/> ranks and a summing reducer compute.</summary>
public static class MicroBatches
{
    /// <summary>
    /// Back-propagates the next batch as <paramref name="k"/> micro-batches, each into zeroed gradients; leaves
    /// (g₀ + g₁ + … + g_{k−1})·(1/k), summed in micro-batch order, in every Grad and returns (ℓ₀ + … + ℓ_{k−1})·(1/k).
    /// </summary>
    public static float Backward(IShardableTask task, int k, IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(parameters);
        var losses = task.NextLossChunks(k)();
        var sums = parameters.Select(p => new float[p.Size]).ToArray();
        float loss = 0;
        for (int j = 0; j < k; j++)
        {
            foreach (var p in parameters) p.ZeroGrad();
            float value = losses[j].Item();
            loss = j == 0 ? value : loss + value;
            if (float.IsFinite(value)) losses[j].Backward();
            for (int i = 0; i < parameters.Count; i++)
            {
                var g = parameters[i].Grad ?? new float[parameters[i].Size];
                if (j == 0) g.CopyTo(sums[i], 0);
                else TensorPrimitives.Add(sums[i], g, sums[i]);
            }
        }
        float scale = 1f / k;
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            p.Grad ??= new float[p.Size];
            TensorPrimitives.Multiply(sums[i], scale, p.Grad);
        }
        return loss * scale;
    }
}
