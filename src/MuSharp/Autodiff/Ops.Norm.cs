using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp;

// Shapes: x is [N, C] after flattening the leading axes into N rows; C is the normalized axis (the last).
// gain and bias are [C]. n denotes the normalized row before gain and bias.
public static partial class Ops
{
    /// <summary>
    /// RMS normalization over the last axis: y = x / sqrt(mean(x²) + eps) ⊙ gain. <paramref name="gain"/> is [C] or null
    /// (no scaling). Output has x's shape.
    /// </summary>
    public static Tensor RmsNorm(Tensor x, Tensor? gain, float eps = 1e-6f)
    {
        var (rows, c) = NormRows(x, gain, null, eps, "RmsNorm");
        // n = x·s with s = (mean(x²) + eps)^(−1/2), ∂s/∂x_k = −s³ x_k / C; y = n ⊙ g, dn = dy ⊙ g
        // ⇒ dx = s (dn − n · mean(dn ⊙ n)), dg = Σ_rows dy ⊙ n.
        return Norm(x, gain, null, eps, rows, c, center: false);
    }

    /// <summary>
    /// Layer normalization over the last axis: y = (x − μ) / sqrt(σ² + eps) ⊙ gain + bias, with the biased variance
    /// σ² = mean((x − μ)²) as in PyTorch. <paramref name="gain"/> and <paramref name="bias"/> are [C] or null. Output has x's shape.
    /// </summary>
    public static Tensor LayerNorm(Tensor x, Tensor? gain, Tensor? bias, float eps = 1e-5f)
    {
        var (rows, c) = NormRows(x, gain, bias, eps, "LayerNorm");
        // n = (x − μ)·s with s = (σ² + eps)^(−1/2); y = n ⊙ g + b, dn = dy ⊙ g
        // ⇒ dx = s (dn − mean(dn) − n · mean(dn ⊙ n)), dg = Σ_rows dy ⊙ n, db = Σ_rows dy.
        return Norm(x, gain, bias, eps, rows, c, center: true);
    }

    // Both norms, row by row on NormRow's fused passes, rows in chunks on the configured threads. Kept for the
    // backward: each row's μ and s ([N] each). The step ledger files this method's rows ("Norm") under norm.
    private static Tensor Norm(Tensor x, Tensor? gain, Tensor? bias, float eps, int rows, int c, bool center)
    {
        var y = Tensor.Uninitialized(x.Shape); // [N, C]
        var mean = new float[rows]; // [N]
        var rstd = new float[rows]; // [N]
        Chunks.For(rows, c, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
                (mean[r], rstd[r]) = NormRow.Forward(x.Data.AsSpan(r * c, c), gain == null ? [] : gain.Data, bias == null ? [] : bias.Data,
                    y.Data.AsSpan(r * c, c), center, eps);
        });

        var parents = new List<Tensor>(3) { x };
        if (gain != null) parents.Add(gain);
        if (bias != null) parents.Add(bias);
        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [N, C]
            bool fresh = false; // a first gradient of x: assigned, not added
            var dx = x.RequiresGrad ? x.GradBufferToWrite(out fresh) : null; // [N, C]
            var partials = new NormGradPartials(Chunks.Count(rows, c), c, gain is { RequiresGrad: true }, bias is { RequiresGrad: true }); // per chunk: Σ dy ⊙ n, Σ dy
            Chunks.For(rows, partials.Chunks, (chunk, r0, r1) =>
            {
                for (int r = r0; r < r1; r++)
                    NormRow.Backward(x.Data.AsSpan(r * c, c), dy.AsSpan(r * c, c), gain == null ? [] : gain.Data, mean[r], rstd[r], center,
                        partials.Gain(chunk), partials.Bias(chunk), dx == null ? [] : dx.AsSpan(r * c, c), fresh);
            });
            partials.AddInto(gain, bias);
        }, [.. parents]);
    }

    // The gain and bias gradients of a norm's backward are sums over rows; each row chunk sums its own rows into its
    // own [C] slice, and AddInto adds the slices in chunk order (fixed by the shape, so the same bits on any machine).
    private sealed class NormGradPartials(int chunks, int c, bool gain, bool bias)
    {
        private readonly float[] sums = new float[(gain ? chunks * c : 0) + (bias ? chunks * c : 0)]; // [chunks, C] each

        public int Chunks { get; } = chunks;

        public Span<float> Gain(int chunk) => gain ? sums.AsSpan(chunk * c, c) : [];

        public Span<float> Bias(int chunk) => bias ? sums.AsSpan((gain ? Chunks * c : 0) + chunk * c, c) : [];

        public void AddInto(Tensor? gainTensor, Tensor? biasTensor)
        {
            for (int chunk = 0; chunk < Chunks; chunk++)
            {
                if (gain) TensorPrimitives.Add(gainTensor!.GradBuffer(), Gain(chunk), gainTensor.GradBuffer());
                if (bias) TensorPrimitives.Add(biasTensor!.GradBuffer(), Bias(chunk), biasTensor.GradBuffer());
            }
        }
    }

    // Validates x [..., C] (C ≥ 1), optional [C] gain and bias, and eps; returns (rows, C).
    private static (int Rows, int C) NormRows(Tensor x, Tensor? gain, Tensor? bias, float eps, string op)
    {
        if (x.Rank < 1 || x.Shape[^1] < 1)
            throw new ArgumentException($"{op}: expected x [..., C] with C ≥ 1, got {Shapes.Format(x.Shape)}.");
        int c = x.Shape[^1];
        if (gain != null && (gain.Rank != 1 || gain.Shape[0] != c))
            throw new ArgumentException($"{op}: gain shape {Shapes.Format(gain.Shape)} does not match the last axis of x {Shapes.Format(x.Shape)}; expected [{c}].");
        if (bias != null && (bias.Rank != 1 || bias.Shape[0] != c))
            throw new ArgumentException($"{op}: bias shape {Shapes.Format(bias.Shape)} does not match the last axis of x {Shapes.Format(x.Shape)}; expected [{c}].");
        if (!(eps >= 0f) || float.IsInfinity(eps))
            throw new ArgumentException($"{op}: eps must be finite and non-negative, got {eps}.");
        return (Shapes.Rows(x.Shape), c);
    }
}
