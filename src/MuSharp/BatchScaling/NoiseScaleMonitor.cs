namespace MuSharp.BatchScaling;

/// <summary>
/// Running B_simple for a training loop (theory §7.2, "EMA-smooth both"): |G|² and tr Σ are smoothed separately by
/// bias-corrected exponential moving averages (as Adam's moments), and B_simple is the ratio of the two averages, which
/// stays meaningful when single-step |G|² estimates are negative.
/// </summary>
/// <remarks>
/// After n adds the average is Σ_t (1−d) dⁿ⁻ᵗ x_t / (1 − dⁿ): the first estimate is used as is, and the effective
/// window grows to about (1+d)/(1−d) samples.
/// </remarks>
public sealed class NoiseScaleMonitor
{
    private readonly double decay;
    private double gradNormSqEma, traceSigmaEma, weight; // weight = 1 − decayⁿ

    public NoiseScaleMonitor(double decay = 0.9)
    {
        if (!(decay >= 0 && decay < 1)) throw new ArgumentException($"NoiseScaleMonitor: decay must lie in [0, 1), got {decay}.");
        this.decay = decay;
    }

    /// <summary>Folds in one estimate; non-finite estimates throw instead of poisoning the averages.</summary>
    public void Add(NoiseEstimate e)
    {
        if (!double.IsFinite(e.GradNormSq) || !double.IsFinite(e.TraceSigma))
            throw new ArgumentException($"NoiseScaleMonitor.Add: estimate must be finite, got |G|² = {e.GradNormSq}, tr Σ = {e.TraceSigma}.");
        gradNormSqEma = decay * gradNormSqEma + (1 - decay) * e.GradNormSq;
        traceSigmaEma = decay * traceSigmaEma + (1 - decay) * e.TraceSigma;
        weight = decay * weight + (1 - decay);
        Count++;
    }

    /// <summary>Number of estimates added.</summary>
    public int Count { get; private set; }

    /// <summary>Bias-corrected EMA of |G|² (NaN before the first add).</summary>
    public double GradNormSq => Count == 0 ? double.NaN : gradNormSqEma / weight;

    /// <summary>Bias-corrected EMA of tr Σ (NaN before the first add).</summary>
    public double TraceSigma => Count == 0 ? double.NaN : traceSigmaEma / weight;

    /// <summary>B_simple = EMA(tr Σ)/EMA(|G|²); the bias corrections cancel in the ratio.</summary>
    public double BSimple => TraceSigma / GradNormSq;
}
