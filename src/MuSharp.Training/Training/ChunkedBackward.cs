using MuSharp.BatchScaling;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>
/// One training step's backward pass taken in k equal chunks of the batch, which leaves exactly the batch gradient
/// in the parameters (each chunk's mean loss is weighted 1/k) and, on the way, the k chunk gradients that the
/// two-batch estimator of theory §7.2 needs: B_small = batch/k (the chunks), B_big = batch (their mean). This is the
/// data-parallel way to measure the gradient noise scale: no extra data and no extra forward passes. With k = batch
/// the chunks are single examples (per-example gradients, cheap at small batch).
/// With <c>hessian</c>, B_noise = tr(ΣH)/gᵀHg is estimated too (§7.2), from Hessian-vector products on the same batch
/// by central differences of the batch gradient: 2(k + 1) extra forward and backward passes.
/// </summary>
public static class ChunkedBackward
{
    /// <summary>Back-propagates the next batch in <paramref name="chunks"/> chunks; returns the batch loss and the noise estimates.</summary>
    public static (float Loss, NoiseEstimate Estimate, HessianNoiseEstimate? Hessian) Run(ITrainingTask task, int chunks, int batchSize, bool hessian = false)
    {
        ArgumentNullException.ThrowIfNull(task);
        var parameters = task.Model.Parameters().ToList();
        int size = parameters.Sum(p => p.Size);
        var losses = task.NextLossChunks(chunks);
        var grads = new List<float[]>(chunks);
        var before = new float[size];
        float loss = 0;
        foreach (var chunk in losses())
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
        var estimate = NoiseScale.FromMicroBatches(grads, batchSize / chunks);
        if (!hessian || !float.IsFinite(loss)) return (loss, estimate, null);

        var batchGradient = before; // the accumulated sum of all chunks
        var h = NoiseScale.HessianWeighted(grads, batchSize / chunks, v => HessianVectorProduct(parameters, size, losses, v));
        Unflatten(parameters, batchGradient, grads: true);
        return (loss, estimate, h);
    }

    /// <summary>
    /// H·v of the batch loss by central differences, (∇L(w + εv) − ∇L(w − εv))/2ε, with ε·‖v‖ = 10⁻³·(1 + ‖w‖_RMS):
    /// large enough for float32 gradients to resolve the difference, small next to the weights. Weights are restored.
    /// </summary>
    public static float[] HessianVectorProduct(IReadOnlyList<Parameter> parameters, int size, Func<Tensor[]> losses, float[] v)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(v);
        var w = Flatten(parameters, size, grads: false);
        double vNorm = Math.Sqrt(v.Sum(x => (double)x * x)), wRms = Math.Sqrt(w.Sum(x => (double)x * x) / size);
        if (vNorm == 0) return new float[size];
        double eps = 1e-3 * (1 + wRms) / vNorm;
        float[] GradientAt(double sign)
        {
            var shifted = new float[size];
            for (int i = 0; i < size; i++) shifted[i] = (float)(w[i] + sign * eps * v[i]);
            Unflatten(parameters, shifted, grads: false);
            foreach (var p in parameters) p.ZeroGrad();
            var chunkLosses = losses();
            foreach (var l in chunkLosses) (l * (1f / chunkLosses.Length)).Backward();
            return Flatten(parameters, size);
        }
        var plus = GradientAt(+1);
        var minus = GradientAt(-1);
        Unflatten(parameters, w, grads: false);
        var hv = new float[size];
        for (int i = 0; i < size; i++) hv[i] = (float)((plus[i] - (double)minus[i]) / (2 * eps));
        return hv;
    }

    private static float[] Flatten(IReadOnlyList<Parameter> parameters, int size, bool grads = true)
    {
        var flat = new float[size];
        int offset = 0;
        foreach (var p in parameters)
        {
            var source = grads ? p.Grad : p.Data;
            if (source is not null) source.AsSpan(0, p.Size).CopyTo(flat.AsSpan(offset));
            offset += p.Size;
        }
        return flat;
    }

    private static void Unflatten(IReadOnlyList<Parameter> parameters, float[] flat, bool grads)
    {
        int offset = 0;
        foreach (var p in parameters)
        {
            if (grads)
            {
                p.Grad ??= new float[p.Size];
                flat.AsSpan(offset, p.Size).CopyTo(p.Grad);
            }
            else flat.AsSpan(offset, p.Size).CopyTo(p.Data);
            offset += p.Size;
        }
    }
}
