using MuSharp.BatchScaling;
using MuSharp.Nn;

namespace MuSharp.Cli.Experiments;

/// <summary>
/// One training step's backward pass taken in k equal chunks of the batch, which leaves exactly the batch gradient
/// in the parameters (each chunk's mean loss is weighted 1/k) and, on the way, the k chunk gradients that the
/// two-batch estimator of theory §7.2 needs: B_small = batch/k (the chunks), B_big = batch (their mean). This is the
/// data-parallel way to measure the gradient noise scale: no extra data and no extra forward passes.
/// </summary>
public static class ChunkedBackward
{
    /// <summary>Back-propagates the next batch in <paramref name="chunks"/> chunks; returns the batch loss and the noise estimate.</summary>
    public static (float Loss, NoiseEstimate Estimate) Run(TrainingTask task, int chunks, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(task);
        var parameters = task.Model.Parameters().ToList();
        int size = parameters.Sum(p => p.Size);
        var before = new float[size];
        var grads = new List<float[]>(chunks);
        float loss = 0;
        foreach (var chunk in task.NextLossChunks(chunks))
        {
            loss += chunk.Item() / chunks;
            (chunk * (1f / chunks)).Backward();
            var after = Flatten(parameters, size);
            // The chunk's own mean gradient: k × (what this chunk added to the accumulated 1/k-weighted sum).
            var g = new float[size];
            for (int i = 0; i < size; i++) g[i] = chunks * (after[i] - before[i]);
            grads.Add(g);
            before = after;
        }
        return (loss, NoiseScale.FromMicroBatches(grads, batchSize / chunks));
    }

    private static float[] Flatten(List<Parameter> parameters, int size)
    {
        var flat = new float[size];
        int offset = 0;
        foreach (var p in parameters)
        {
            if (p.Grad is { } grad) grad.AsSpan(0, p.Size).CopyTo(flat.AsSpan(offset));
            offset += p.Size;
        }
        return flat;
    }
}
