namespace MuSharp.BatchScaling;

/// <summary>
/// Unbiased estimates of the true gradient's squared norm |G|² and of the per-example noise trace tr Σ
/// (theory §7.2; McCandlish et al. 2018, App. A).
/// </summary>
/// <remarks>
/// The |G|² estimate is a difference of noisy norms and can be ≤ 0 on a single draw; then <see cref="BSimple"/> is
/// negative or infinite. Average (or EMA-smooth, <see cref="NoiseScaleMonitor"/>) both numbers before taking the ratio.
/// </remarks>
public readonly record struct NoiseEstimate(double GradNormSq, double TraceSigma)
{
    /// <summary>B_simple = tr Σ / |G|² (theory §7.2: the noise scale when H ∝ I).</summary>
    public double BSimple => TraceSigma / GradNormSq;
}

/// <summary>
/// The Hessian-weighted pair behind B_noise = tr(ΣH)/(gᵀHg) (theory §7.2). Unbiased in each component; the ratio is
/// not, so average components across draws before dividing.
/// </summary>
public readonly record struct HessianNoiseEstimate(double GHG, double TraceSigmaH)
{
    /// <summary>B_noise = tr(ΣH) / gᵀHg.</summary>
    public double BNoise => TraceSigmaH / GHG;
}

/// <summary>Gradient noise-scale estimators (theory §7.2).</summary>
public static class NoiseScale
{
    /// <summary>
    /// Two-batch estimator from the squared norms of one gradient at batch B_small and one at B_big &gt; B_small
    /// (E|G_B|² = |G|² + tr Σ/B): |G|² ≈ (B_big|G_big|² − B_small|G_small|²)/(B_big − B_small),
    /// tr Σ ≈ (|G_small|² − |G_big|²)/(1/B_small − 1/B_big).
    /// </summary>
    public static NoiseEstimate TwoBatch(double smallNormSq, double bSmall, double bigNormSq, double bBig)
    {
        const string where = "NoiseScale.TwoBatch";
        Require.Batch(bSmall, where);
        Require.Batch(bBig, where);
        if (!(bBig > bSmall)) throw new ArgumentException($"{where}: the big batch ({bBig}) must exceed the small batch ({bSmall}).");
        Require.NonNegative(smallNormSq, "small-batch squared norm", where);
        Require.NonNegative(bigNormSq, "big-batch squared norm", where);
        double gradNormSq = (bBig * bigNormSq - bSmall * smallNormSq) / (bBig - bSmall); // theory §7.2
        double traceSigma = (smallNormSq - bigNormSq) / (1 / bSmall - 1 / bBig);
        return new NoiseEstimate(gradNormSq, traceSigma);
    }

    /// <summary>
    /// k ≥ 2 micro-batch gradients, each the mean over <paramref name="microBatch"/> examples (as data-parallel workers
    /// hold them): small = mean_j |g_j|² at batch b, big = |mean_j g_j|² at batch k·b, then <see cref="TwoBatch"/>.
    /// </summary>
    public static NoiseEstimate FromMicroBatches(IReadOnlyList<float[]> grads, int microBatch)
    {
        const string where = "NoiseScale.FromMicroBatches";
        double[] mean = MeanGradient(grads, microBatch, where);
        double small = 0;
        foreach (var g in grads) small += NormSq(g);
        small /= grads.Count;
        double big = 0;
        foreach (double m in mean) big += m * m;
        return TwoBatch(small, microBatch, big, (double)grads.Count * microBatch);
    }

    /// <summary>
    /// tr(ΣH) and gᵀHg from k ≥ 2 micro-batch gradients and a Hessian-vector product (theory §7.2):
    /// tr(ΣH) ≈ b/(k−1) Σ_j (g_j − ḡ)ᵀH(g_j − ḡ) (unbiased: E = (k−1)/k · tr(ΣH)/b per term) and
    /// gᵀHg ≈ ḡᵀHḡ − tr(ΣH)/(k·b) (E[ḡᵀHḡ] = gᵀHg + tr(ΣH)/(k·b)). Costs k + 1 Hessian-vector products.
    /// </summary>
    public static HessianNoiseEstimate HessianWeighted(IReadOnlyList<float[]> grads, int microBatch, Func<float[], float[]> hessianVectorProduct)
    {
        const string where = "NoiseScale.HessianWeighted";
        ArgumentNullException.ThrowIfNull(hessianVectorProduct);
        double[] mean = MeanGradient(grads, microBatch, where);
        int k = grads.Count, n = mean.Length;
        var v = new float[n];
        double spread = 0;
        foreach (var g in grads)
        {
            for (int i = 0; i < n; i++) v[i] = (float)(g[i] - mean[i]);
            spread += Quadratic(v, hessianVectorProduct, where);
        }
        double traceSigmaH = microBatch * spread / (k - 1);
        for (int i = 0; i < n; i++) v[i] = (float)mean[i];
        double ghg = Quadratic(v, hessianVectorProduct, where) - traceSigmaH / ((double)k * microBatch);
        return new HessianNoiseEstimate(ghg, traceSigmaH);
    }

    /// <summary>B_noise = tr(ΣH)/(gᵀHg) (theory §7.2) from one <see cref="HessianWeighted"/> estimate; noisy or negative
    /// when k is small; prefer averaging <see cref="HessianWeighted"/> components over many steps.</summary>
    public static double BNoise(IReadOnlyList<float[]> grads, int microBatch, Func<float[], float[]> hessianVectorProduct) =>
        HessianWeighted(grads, microBatch, hessianVectorProduct).BNoise;

    private static double[] MeanGradient(IReadOnlyList<float[]> grads, int microBatch, string where)
    {
        ArgumentNullException.ThrowIfNull(grads);
        if (grads.Count < 2) throw new ArgumentException($"{where}: needs at least 2 micro-batch gradients, got {grads.Count}.");
        if (microBatch < 1) throw new ArgumentException($"{where}: micro-batch size must be positive, got {microBatch}.");
        int n = grads[0].Length;
        var mean = new double[n];
        foreach (var g in grads)
        {
            Require.SameLength(n, g.Length, "micro-batch gradients", where);
            for (int i = 0; i < n; i++) mean[i] += g[i];
        }
        for (int i = 0; i < n; i++) mean[i] /= grads.Count;
        return mean;
    }

    private static double Quadratic(float[] v, Func<float[], float[]> hvp, string where)
    {
        float[] hv = hvp(v);
        Require.SameLength(v.Length, hv.Length, "vector and Hessian-vector product", where);
        double s = 0;
        for (int i = 0; i < v.Length; i++) s += (double)v[i] * hv[i];
        return s;
    }

    private static double NormSq(float[] g)
    {
        double s = 0;
        foreach (float x in g) s += (double)x * x;
        return s;
    }
}
