namespace MuSharp.BatchScaling;

/// <summary>
/// Predicted one-step optimal learning rates on a <see cref="QuadraticProblem"/>, per coordinate (no κ² averaging).
/// All go through the general formula of theory §7.1, η* = E[φ]ᵀg / tr(E[φφᵀ]H), with the second moment of the
/// form E[φφᵀ] = μμᵀ + diag(d); the optimizers differ only in the mean μ and the excess diagonal d they imply.
/// </summary>
public static class QuadraticPredictions
{
    /// <summary>η* = μᵀg / (μᵀHμ + Σ d_i H_ii) for E[φ] = μ, E[φφᵀ] = μμᵀ + diag(d) (theory §7.1).</summary>
    public static double OptimalLr(QuadraticProblem p, ReadOnlySpan<double> mean, ReadOnlySpan<double> excessDiagonal)
    {
        Require.SameLength(p.N, mean.Length, "problem and mean update", nameof(OptimalLr));
        Require.SameLength(p.N, excessDiagonal.Length, "problem and excess diagonal", nameof(OptimalLr));
        double num = 0, diag = 0;
        for (int i = 0; i < p.N; i++)
        {
            num += mean[i] * p.G[i];
            diag += excessDiagonal[i] * p.HessianEntry(i, i);
        }
        return num / (p.Quadratic(mean) + diag);
    }

    /// <summary>SGD, exact: μ = g, d = σ²/B ⇒ η* = gᵀg/(gᵀHg + tr(ΣH)/B) = η_max/(1 + B_noise/B) (theory §7.2).</summary>
    public static double Sgd(QuadraticProblem p, double batch)
    {
        Require.Batch(batch, nameof(Sgd));
        return OptimalLr(p, p.G, Map(p, (g, s) => s * s / batch));
    }

    /// <summary>SGD with momentum β1 at stationarity, exact for frozen g: d = ((1−β1)/(1+β1))σ²/B (theory §7.6).</summary>
    public static double SgdMomentum(QuadraticProblem p, double batch, double beta1) =>
        Sgd(p, batch * BatchSizeLaws.MomentumAmplification(beta1));

    /// <summary>
    /// SignSGD, route A (theory §7.3): μ_i = erf(g_i√B/(σ_i√2)), d_i = 1 − μ_i² (E[φ_i²] = 1). Exact for the
    /// independent Gaussian coordinates of a diagonal Σ.
    /// </summary>
    public static double SignSgdExact(QuadraticProblem p, double batch)
    {
        Require.Batch(batch, nameof(SignSgdExact));
        double[] mu = Map(p, (g, s) => s == 0 ? Math.Sign(g) : ErrorFunction.Erf(g * Math.Sqrt(batch / 2) / s));
        return OptimalLr(p, mu, OneMinusSquare(mu));
    }

    /// <summary>
    /// SignSGD, route B mean field per coordinate (theory §7.3, S11280): μ_i = sign(g_i)/sqrt(1 + σ_i²/(g_i²B)),
    /// d_i = 1 − μ_i². Overestimates |E[sign]| by up to √(π/2) ≈ 1.25 at low per-coordinate SNR.
    /// </summary>
    public static double SignSgdMeanField(QuadraticProblem p, double batch)
    {
        Require.Batch(batch, nameof(SignSgdMeanField));
        double[] mu = SignMeanField(p, batch);
        return OptimalLr(p, mu, OneMinusSquare(mu));
    }

    /// <summary>
    /// SoftSignSGD φ = x/sqrt(x² + ε²) (Adam with ε), S11280 mean-field variant as printed in theory §7.4:
    /// E[φ] = βν, E[φφᵀ] = β²ννᵀ + (1 − β²)I, ν_i = softsign(g_i, ε), β = (1 + B_simple/B)^(−1/2) with
    /// B_simple = tr Σ/(gᵀg + Nε²) averaged over coordinates.
    /// </summary>
    public static double SoftSignSgdMeanField(QuadraticProblem p, double batch, double epsilon)
    {
        Require.NonNegative(epsilon, "ε", nameof(SoftSignSgdMeanField));
        double bSimple = p.TraceSigma / (p.GradNormSq + p.N * epsilon * epsilon);
        double beta = BatchSizeLaws.SignBeta(bSimple, batch);
        double[] mu = Map(p, (g, s) => beta * g / Math.Sqrt(g * g + epsilon * epsilon));
        return OptimalLr(p, mu, Map(p, (g, s) => 1 - beta * beta));
    }

    /// <summary>
    /// SoftSignSGD, mean field per coordinate (E[f(x)] ≈ f evaluated on moments, as route B):
    /// μ_i = g_i/sqrt(g_i² + σ_i²/B + ε²), E[φ_i²] = (g_i² + σ_i²/B)/(g_i² + σ_i²/B + ε²), d_i = E[φ_i²] − μ_i².
    /// ε = 0 gives <see cref="SignSgdMeanField"/>; ε → ∞ gives η*/ε → <see cref="Sgd"/> (φ → g̃/ε).
    /// </summary>
    public static double SoftSignSgdPerCoordinate(QuadraticProblem p, double batch, double epsilon)
    {
        Require.Batch(batch, nameof(SoftSignSgdPerCoordinate));
        Require.NonNegative(epsilon, "ε", nameof(SoftSignSgdPerCoordinate));
        double e2 = epsilon * epsilon;
        double[] mu = Map(p, (g, s) => g / Math.Sqrt(g * g + s * s / batch + e2));
        double[] d = Map(p, (g, s) => s * s / batch / (g * g + s * s / batch + e2)); // E[φ_i²] − μ_i²
        return OptimalLr(p, mu, d);
    }

    /// <summary>
    /// Adam (ε = 0) with momentum β1 at stationarity, general H (theory §7.6) per coordinate: μ as route B,
    /// d_i = ((1−β1)/(1+β1))(1 − μ_i²). Equals <see cref="BatchSizeLaws.AdamOptimalLr"/> when every coordinate has
    /// the same σ_i/|g_i|; β1 = 0 gives <see cref="SignSgdMeanField"/>.
    /// </summary>
    public static double Adam(QuadraticProblem p, double batch, double beta1)
    {
        Require.Batch(batch, nameof(Adam));
        Require.Beta1(beta1, nameof(Adam));
        double c = (1 - beta1) / (1 + beta1);
        double[] mu = SignMeanField(p, batch);
        double[] d = OneMinusSquare(mu);
        for (int i = 0; i < d.Length; i++) d[i] *= c;
        return OptimalLr(p, mu, d);
    }

    // μ_i = g_i/sqrt(g_i² + σ_i²/B) = sign(g_i)/sqrt(1 + σ_i²/(g_i²B))  (theory §7.3 route B)
    private static double[] SignMeanField(QuadraticProblem p, double batch) =>
        Map(p, (g, s) => g == 0 ? 0 : g / Math.Sqrt(g * g + s * s / batch));

    private static double[] OneMinusSquare(double[] mu) => mu.Select(m => 1 - m * m).ToArray();

    private static double[] Map(QuadraticProblem p, Func<double, double, double> f)
    {
        var r = new double[p.N];
        for (int i = 0; i < r.Length; i++) r[i] = f(p.G[i], p.Sigma[i]);
        return r;
    }
}
