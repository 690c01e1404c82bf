namespace MuSharp.BatchScaling;

/// <summary>
/// Closed-form learning-rate vs batch-size laws of theory §7.2–§7.6, as pure functions of the noise scales.
/// B_noise = tr(ΣH)/(gᵀHg), B_simple = tr Σ/(gᵀg); "batch" may be fractional (it only sets the noise Σ/B).
/// </summary>
public static class BatchSizeLaws
{
    /// <summary>η* = η_max/(1 + B_noise/B) (theory §7.2, SGD).</summary>
    public static double SgdOptimalLr(double etaMax, double bNoise, double batch)
    {
        Check(bNoise, batch, nameof(SgdOptimalLr));
        return etaMax / (1 + bNoise / batch);
    }

    /// <summary>(1+β1)/(1−β1): momentum multiplies the effective batch by this factor (theory §7.6; 19 at β1 = 0.9).</summary>
    public static double MomentumAmplification(double beta1)
    {
        Require.Beta1(beta1, nameof(MomentumAmplification));
        return (1 + beta1) / (1 - beta1);
    }

    /// <summary>η* = η_max/(1 + ((1−β1)/(1+β1))·B_noise/B) (theory §7.6, SGDM at stationarity with slow drift).</summary>
    public static double SgdMomentumOptimalLr(double etaMax, double bNoise, double batch, double beta1) =>
        SgdOptimalLr(etaMax, bNoise, batch * MomentumAmplification(beta1));

    /// <summary>Mean loss drop per step at the optimal LR: ΔL̄ = ΔL_max/(1 + B_noise/B) (theory §7.2).</summary>
    public static double SgdLossDecrease(double maxDecrease, double bNoise, double batch)
    {
        Check(bNoise, batch, nameof(SgdLossDecrease));
        return maxDecrease / (1 + bNoise / batch);
    }

    /// <summary>Steps to a target loss: S = S_min(1 + B_noise/B) (theory §7.2).</summary>
    public static double StepsToTarget(double sMin, double bNoise, double batch)
    {
        Check(bNoise, batch, nameof(StepsToTarget));
        return sMin * (1 + bNoise / batch);
    }

    /// <summary>Samples to a target loss: E = B·S = E_min(1 + B/B_noise), E_min = B_noise·S_min (theory §7.2).</summary>
    public static double SamplesToTarget(double eMin, double bNoise, double batch)
    {
        Check(bNoise, batch, nameof(SamplesToTarget));
        if (!(bNoise > 0)) throw new ArgumentException($"{nameof(SamplesToTarget)}: noise scale must be positive, got {bNoise}.");
        return eMin * (1 + batch / bNoise);
    }

    /// <summary>β = (1 + B_simple/B)^(−1/2): the mean-field E[sign] magnitude (theory §7.3 route B).</summary>
    public static double SignBeta(double bSimple, double batch)
    {
        Check(bSimple, batch, nameof(SignBeta));
        return 1 / Math.Sqrt(1 + bSimple / batch);
    }

    /// <summary>η* = η_max/sqrt(1 + B_simple/B): SignSGD with H ∝ diag|g| (theory §7.3 route B, no surge).</summary>
    public static double SignSgdDiagonalOptimalLr(double etaMax, double bSimple, double batch) =>
        etaMax * SignBeta(bSimple, batch);

    /// <summary>η* = η_max/sqrt(1 + B_simple/B), B_simple = mnσ²/‖G‖_F² (theory §7.5, Muon with HX ∝ X(GᵀG)^{1/2}).</summary>
    public static double MuonOptimalLr(double etaMax, double bSimple, double batch) =>
        etaMax * SignBeta(bSimple, batch);

    /// <summary>
    /// SignSGD, route B averaged form (theory §7.3): η* ≈ Σ|g_i| / ((1/β)ΣH_ii + β Σ_{i≠j}H_ij sign(g_i g_j)),
    /// β = (1 + B_simple/B)^(−1/2).
    /// </summary>
    public static double SignSgdOptimalLr(double sumAbsG, double sumHii, double offDiagSignSum, double bSimple, double batch)
    {
        double beta = SignBeta(bSimple, batch);
        return sumAbsG / (sumHii / beta + beta * offDiagSignSum);
    }

    /// <summary>
    /// The batch where <see cref="SignSgdOptimalLr"/> peaks (theory §7.3 "surge"): β* = sqrt(ΣH_ii/S_off) when
    /// S_off = Σ_{i≠j}H_ij sign(g_i g_j) &gt; 0 and β* &lt; 1, then B = B_simple β*²/(1−β*²); null when η* only rises.
    /// </summary>
    public static double? SignSgdSurgePeakBatch(double sumHii, double offDiagSignSum, double bSimple)
    {
        Require.Positive(sumHii, "ΣH_ii", nameof(SignSgdSurgePeakBatch));
        Require.NoiseScale(bSimple, nameof(SignSgdSurgePeakBatch));
        if (!(offDiagSignSum > sumHii)) return null; // β*² = ΣH_ii/S_off ≥ 1: no interior maximum
        double betaSq = sumHii / offDiagSignSum;
        return bSimple * betaSq / (1 - betaSq);
    }

    /// <summary>
    /// Adam (ε = 0) with momentum β1 and a general H (theory §7.6), c = (1−β1)/(1+β1):
    /// η* ≈ Σ|g_i| / ((1/β)·c·ΣH_ii + β(sign(g)ᵀH sign(g) − c·ΣH_ii)).
    /// β1 = 0 gives <see cref="SignSgdOptimalLr"/>.
    /// </summary>
    public static double AdamOptimalLr(double sumAbsG, double sumHii, double signQuadratic, double beta1, double bSimple, double batch)
    {
        Require.Beta1(beta1, nameof(AdamOptimalLr));
        double beta = SignBeta(bSimple, batch), c = (1 - beta1) / (1 + beta1);
        return sumAbsG / (c * sumHii / beta + beta * (signQuadratic - c * sumHii));
    }

    /// <summary>
    /// Adam, diagonal H (theory §7.6): η* = scale / ((1/β)(1−β1)/(1+β1) + β·2β1/(1+β1)), scale = Σ|g_i|/ΣH_ii.
    /// </summary>
    public static double AdamDiagonalOptimalLr(double scale, double beta1, double bSimple, double batch)
    {
        Require.Beta1(beta1, nameof(AdamDiagonalOptimalLr));
        double beta = SignBeta(bSimple, batch);
        return scale / ((1 - beta1) / (1 + beta1) / beta + beta * 2 * beta1 / (1 + beta1));
    }

    /// <summary>β* = sqrt((1−β1)/(2β1)), where <see cref="AdamDiagonalOptimalLr"/> peaks in β (theory §7.6); null when
    /// β1 ≤ 1/3 (then β* ≥ 1 and η* rises with B for all B).</summary>
    public static double? AdamSurgeBeta(double beta1)
    {
        Require.Beta1(beta1, nameof(AdamSurgeBeta));
        return beta1 > 1.0 / 3 ? Math.Sqrt((1 - beta1) / (2 * beta1)) : null;
    }

    /// <summary>Batch beyond which Adam's optimal LR falls (theory §7.6): ((1−β1)/(3β1−1))·B_simple for β1 &gt; 1/3, else null.</summary>
    public static double? AdamSurgeThreshold(double beta1, double bSimple)
    {
        Require.Beta1(beta1, nameof(AdamSurgeThreshold));
        Require.NoiseScale(bSimple, nameof(AdamSurgeThreshold));
        return beta1 > 1.0 / 3 ? (1 - beta1) / (3 * beta1 - 1) * bSimple : null;
    }

    /// <summary>
    /// Batch where β = β* (theory §7.6): B = B_simple β*²/(1−β*²). Algebraically equal to
    /// <see cref="AdamSurgeThreshold"/>: the surge threshold is the peak itself.
    /// </summary>
    public static double? AdamSurgePeakBatch(double beta1, double bSimple)
    {
        Require.NoiseScale(bSimple, nameof(AdamSurgePeakBatch));
        return AdamSurgeBeta(beta1) is double b ? bSimple * b * b / (1 - b * b) : null;
    }

    private static void Check(double noiseScale, double batch, string where)
    {
        Require.NoiseScale(noiseScale, where);
        Require.Batch(batch, where);
    }
}
