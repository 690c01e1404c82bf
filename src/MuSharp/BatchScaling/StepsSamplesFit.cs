namespace MuSharp.BatchScaling;

/// <summary>
/// The fitted steps–samples trade-off of theory §7.2: S = S_min(1 + B_noise/B), E = B·S = E_min(1 + B/B_noise),
/// E_min = B_noise·S_min, equivalently (S/S_min − 1)(E/E_min − 1) = 1.
/// </summary>
/// <param name="SMin">S_min, the fewest steps (B → ∞).</param>
/// <param name="EMin">E_min = B_noise·S_min, the fewest samples (B → 0).</param>
/// <param name="BNoise">B_noise, the batch at which S = 2·S_min and E = 2·E_min.</param>
/// <param name="RmsRelError">root-mean-square of (S_k − Ŝ(B_k))/S_k over the points.</param>
public sealed record StepsSamplesFit(double SMin, double EMin, double BNoise, double RmsRelError)
{
    /// <summary>S(B) = S_min(1 + B_noise/B).</summary>
    public double PredictSteps(double batch) => BatchSizeLaws.StepsToTarget(SMin, BNoise, batch);

    /// <summary>E(B) = B·S(B) = E_min(1 + B/B_noise).</summary>
    public double PredictSamples(double batch) => batch * PredictSteps(batch);

    /// <summary>
    /// (S/S_min − 1)(E/E_min − 1) for a measured point (steps S at batch B, E = B·S): 1 when the point lies on the
    /// law, so the spread of this over the data is a model-free check.
    /// </summary>
    public double Hyperbola(double batch, double steps)
    {
        Require.Batch(batch, "StepsSamplesFit.Hyperbola");
        return (steps / SMin - 1) * (batch * steps / EMin - 1);
    }

    /// <summary>
    /// Weighted linear least squares of S on 1/B, S ≈ a + b/B with a = S_min and b = S_min·B_noise = E_min,
    /// weights 1/S_k² so that each point counts by its relative error. A non-positive slope (steps not falling with
    /// B) gives B_noise ≤ 0: no noise-limited regime was measured.
    /// </summary>
    public static StepsSamplesFit Fit(IReadOnlyList<(double Batch, double Steps)> points)
    {
        const string where = "StepsSamplesFit.Fit";
        ArgumentNullException.ThrowIfNull(points);
        foreach (var (b, s) in points)
        {
            Require.Batch(b, where);
            Require.Positive(s, "steps", where);
        }
        if (points.Select(p => p.Batch).Distinct().Count() < 2)
            throw new ArgumentException($"{where}: needs at least 2 distinct batch sizes.");
        // minimize Σ w_k (S_k − a − b x_k)², x_k = 1/B_k, w_k = 1/S_k²
        double sw = 0, sx = 0, sy = 0;
        foreach (var (batch, s) in points)
        {
            double w = 1 / (s * s);
            sw += w; sx += w / batch; sy += w * s;
        }
        double mx = sx / sw, my = sy / sw, sxx = 0, sxy = 0;
        foreach (var (batch, s) in points)
        {
            double w = 1 / (s * s), dx = 1 / batch - mx;
            sxx += w * dx * dx;
            sxy += w * dx * (s - my);
        }
        double slope = sxy / sxx, sMin = my - slope * mx;
        if (!(sMin > 0)) throw new ArgumentException($"{where}: fitted S_min = {sMin:G4} is not positive; the points do not follow S = S_min(1 + B_noise/B).");
        double ss = 0;
        foreach (var (batch, s) in points) ss += Math.Pow((s - (sMin + slope / batch)) / s, 2);
        return new StepsSamplesFit(sMin, slope, slope / sMin, Math.Sqrt(ss / points.Count));
    }
}
