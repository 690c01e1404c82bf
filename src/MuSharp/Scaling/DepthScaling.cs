using MuSharp.Nn;

namespace MuSharp.Scaling;

/// <summary>How residual blocks and their learning rates change with depth (theory §10).</summary>
public enum DepthScaling
{
    /// <summary>No depth rule: branches added with multiplier 1, learning rates independent of depth.</summary>
    None,

    /// <summary>Depth-μP (Yang et al., Tensor Programs VI; Bordelon et al. 2023): branch multiplier m_L^{−1/2}, α = 1/2.</summary>
    Sqrt,

    /// <summary>CompleteP (Dey et al. 2025): branch multiplier m_L^{−1}, α = 1.</summary>
    Complete,
}

/// <summary>
/// The depth rules of CompleteP's Table 1 (theory §10.2), for m_L = L / L_base blocks and exponent α (½ for
/// depth-μP, 1 for CompleteP): each residual branch is scaled by m_L^{−α}, and the Adam-family learning rates of the
/// parameters inside the blocks (hidden weights, their biases, the pre-norm gains) by m_L^{α−1}. Everything outside the
/// blocks (embeddings, final norm, readout) is unchanged. At the base depth every factor is 1, so the proxy model is
/// plain SP/μP. SGD keeps its learning rate (theory §10.1: BOR's SGD rate does not depend on L); Muon's updates on block
/// matrices are Adam-like in scale (entries Θ(1)) and take the Adam rule.
/// </summary>
public static class DepthRules
{
    /// <summary>α of theory §10.2: 0 (no rule), ½ (depth-μP) or 1 (CompleteP).</summary>
    public static double Alpha(DepthScaling scaling) => scaling switch
    {
        DepthScaling.None => 0,
        DepthScaling.Sqrt => 0.5,
        DepthScaling.Complete => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "DepthRules: unknown depth scaling."),
    };

    /// <summary>m_L = L / L_base; throws one line naming the depths when either is not positive.</summary>
    public static double Multiplier(int layers, int baseLayers)
    {
        if (layers <= 0 || baseLayers <= 0)
            throw new ArgumentException($"depth scaling: layers ({layers}) and base layers ({baseLayers}) must be positive.");
        return (double)layers / baseLayers;
    }

    /// <summary>The residual-branch multiplier m_L^{−α}: x ← x + m_L^{−α}·F(x).</summary>
    public static double BranchMultiplier(DepthScaling scaling, int layers, int baseLayers) =>
        Math.Pow(Multiplier(layers, baseLayers), -Alpha(scaling));

    /// <summary>
    /// The learning-rate factor of a parameter inside the residual blocks: m_L^{α−1} for the Adam family and Muon;
    /// 1 for SGD, and 1 with no depth rule.
    /// </summary>
    public static double BlockLrScale(DepthScaling scaling, OptimizerFamily family, int layers, int baseLayers) =>
        scaling == DepthScaling.None || family == OptimizerFamily.Sgd ? 1 : Math.Pow(Multiplier(layers, baseLayers), Alpha(scaling) - 1);
}
