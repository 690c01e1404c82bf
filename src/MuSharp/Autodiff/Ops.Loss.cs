using System.Numerics.Tensors;

namespace MuSharp;

// Shapes: logits are [N, V] after flattening the leading axes into N rows; V is the class axis (the last).
public static partial class Ops
{
    /// <summary>
    /// Mean over rows of −log softmax(logits)[target], fused and max-shifted (finite for logits of any finite
    /// magnitude). <paramref name="logits"/> is [..., V]; <paramref name="targets"/> holds one class index in [0, V)
    /// per row (N = product of the leading dims). Returns shape [1]. The targets are copied.
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, int[] targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank < 1 || logits.Shape[^1] < 1)
            throw new ArgumentException($"CrossEntropy: expected logits [..., V] with V ≥ 1, got {Shapes.Format(logits.Shape)}.");
        int n = Shapes.Rows(logits.Shape), v = logits.Shape[^1];
        if (n == 0)
            throw new ArgumentException($"CrossEntropy: logits {Shapes.Format(logits.Shape)} have no rows to average over.");
        if (targets.Length != n)
            throw new ArgumentException($"CrossEntropy: targets has length {targets.Length} but logits {Shapes.Format(logits.Shape)} have {n} rows.");
        for (int r = 0; r < n; r++)
            if ((uint)targets[r] >= (uint)v)
                throw new ArgumentException($"CrossEntropy: targets[{r}] = {targets[r]} is out of range [0, V) for V = {v} (logits {Shapes.Format(logits.Shape)}).");
        var tgt = (int[])targets.Clone();

        // Per row: loss = log Σ exp(x) − x[t] = (max − x[t]) + log Σ exp(x − max), each part computed without cancellation.
        var max = new float[n]; // [N]
        var logSum = new float[n]; // [N]
        var scratch = new float[v]; // [V]
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            var x = logits.Data.AsSpan(r * v, v);
            logSum[r] = Kernels.Softmax.LogSumExpShifted(x, scratch, out max[r]);
            total += (double)max[r] - x[tgt[r]] + logSum[r];
        }
        var y = Tensor.From([(float)(total / n)], 1);

        return Tape.Record(y, () =>
        {
            // L = (1/N) Σ_r (log Σ_j exp(x_rj) − x_r,t_r) ⇒ dL/dx_rj = (softmax_rj − [j = t_r]) / N.
            float g = y.Grad![0] / n;
            var dx = logits.GradBuffer(); // [N, V]
            var p = new float[v]; // [V]
            for (int r = 0; r < n; r++)
            {
                var dxr = dx.AsSpan(r * v, v);
                TensorPrimitives.Subtract(logits.Data.AsSpan(r * v, v), max[r], p);
                TensorPrimitives.Subtract(p, logSum[r], p);
                TensorPrimitives.Exp(p, p);
                TensorPrimitives.MultiplyAdd(p, g, dxr, dxr);
                dxr[tgt[r]] -= g;
            }
        }, logits);
    }

    /// <summary>Mean of squared differences, mean((prediction − target)²), over all elements. Shapes must match. Returns shape [1].</summary>
    public static Tensor Mse(Tensor prediction, Tensor target)
    {
        Shapes.RequireEqual(prediction, target, "Mse");
        int n = prediction.Size;
        if (n == 0)
            throw new ArgumentException($"Mse: tensors of shape {Shapes.Format(prediction.Shape)} are empty; the mean is undefined.");
        var diff = new float[n]; // [n]
        TensorPrimitives.Subtract(prediction.Data, target.Data, diff);
        var y = Tensor.From([TensorPrimitives.SumOfSquares<float>(diff) / n], 1);

        return Tape.Record(y, () =>
        {
            // L = (1/n) Σ (p − t)² ⇒ dL/dp = 2 (p − t) / n, dL/dt = −2 (p − t) / n.
            float g = 2f * y.Grad![0] / n;
            if (prediction.RequiresGrad)
            {
                var dp = prediction.GradBuffer();
                TensorPrimitives.MultiplyAdd(diff, g, dp, dp);
            }
            if (target.RequiresGrad)
            {
                var dt = target.GradBuffer();
                TensorPrimitives.MultiplyAdd(diff, -g, dt, dt);
            }
        }, prediction, target);
    }
}
