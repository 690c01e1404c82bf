using System.Buffers;
using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp.Spectral;

/// <summary>
/// Keeping ‖W‖₂ bounded during training (theory §4.4) as pure functions on a row-major weight W [rows, cols].
/// "delta" is the already-scaled step that the optimizer subtracts (e.g. η·λ·Φ for Muon with
/// Φ = (1/λ)·sqrt(d_out/d_in)·msign(G)); "decay" is the fraction η·λ by which the spectral norm may shrink.
/// §8 notes the source mixes ηΦ and ηλΦ; here the caller scales delta, so there is one convention.
/// </summary>
public static class WeightConstraints
{
    /// <summary>
    /// Post Clip (§4.4): W_t = mclip(W̃; τ) with W̃ = W_{t−1} − delta already applied by the caller. Exact via the SVD.
    /// w, dst: [rows, cols].
    /// </summary>
    public static void PostClip(ReadOnlySpan<float> w, int rows, int cols, float tau, Span<float> dst)
        => SpectralOps.MClip(w, rows, cols, tau, dst);

    /// <summary>
    /// Post Clip with one singular value (§4.4): W_t = W̃ − max(σ₁ − τ, 0)·u₁·v₁ᵀ, (σ₁, u₁, v₁) = SVD1(W̃) by
    /// <paramref name="iterations"/> power-iteration rounds. w, dst: [rows, cols]; v [cols]: warm start in, v₁ out.
    /// Returns σ₁.
    /// </summary>
    public static float PostClipTop(ReadOnlySpan<float> w, int rows, int cols, float tau, int iterations, Span<float> v, Span<float> dst)
    {
        var u = ArrayPool<float>.Shared.Rent(rows); // [rows]
        try
        {
            float sigma = PowerIteration.TopSingularTriple(w, rows, cols, iterations, 0, u, v);
            w[..(rows * cols)].CopyTo(dst);
            float excess = Math.Max(sigma - tau, 0f);
            if (excess > 0) Gemm.Sgemm(false, false, rows, cols, 1, -excess, u, 1, v, cols, 1f, dst, cols);
            return sigma;
        }
        finally { ArrayPool<float>.Shared.Return(u); }
    }

    /// <summary>
    /// Pre Decay (§4.4): W_t = mclip(W_{t−1}; (1 − decay)·‖W_{t−1}‖₂) − delta. If ‖delta‖₂ ≤ decay·τ then
    /// ‖W_t‖₂ ≤ (1 − decay)‖W_{t−1}‖₂ + decay·τ ≤ max(‖W_{t−1}‖₂, τ) ≤ max(‖W₀‖₂, τ).
    /// w, delta, dst: [rows, cols]; dst may not overlap delta.
    /// </summary>
    public static void PreDecay(ReadOnlySpan<float> w, ReadOnlySpan<float> delta, int rows, int cols, float decay, Span<float> dst)
    {
        if (!(decay >= 0 && decay <= 1)) throw new ArgumentOutOfRangeException(nameof(decay), $"PreDecay: decay must be in [0, 1], got {decay}.");
        int n = rows * cols;
        float tau = (1 - decay) * SpectralOps.SpectralNorm(w, rows, cols);
        SpectralOps.MClip(w, rows, cols, tau, dst);
        TensorPrimitives.Subtract(dst[..n], delta[..n], dst[..n]);
    }

    /// <summary>
    /// Spectral weight decay, the one-singular-value Pre Decay (§4.4): W_t = W_{t−1} − decay·σ₁·u₁·v₁ᵀ − delta with
    /// (σ₁, u₁, v₁) = SVD1(W_{t−1}) by <paramref name="iterations"/> warm-started power-iteration rounds.
    /// w, delta, dst: [rows, cols]; v [cols]: warm start in, v₁ out. Returns σ₁.
    /// </summary>
    public static float SpectralWeightDecay(ReadOnlySpan<float> w, ReadOnlySpan<float> delta, int rows, int cols, float decay,
        int iterations, Span<float> v, Span<float> dst)
    {
        var u = ArrayPool<float>.Shared.Rent(rows); // [rows]
        try
        {
            int n = rows * cols;
            float sigma = PowerIteration.TopSingularTriple(w, rows, cols, iterations, 0, u, v);
            TensorPrimitives.Subtract(w[..n], delta[..n], dst[..n]);
            Gemm.Sgemm(false, false, rows, cols, 1, -decay * sigma, u, 1, v, cols, 1f, dst, cols);
            return sigma;
        }
        finally { ArrayPool<float>.Shared.Return(u); }
    }
}
