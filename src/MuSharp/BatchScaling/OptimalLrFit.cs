namespace MuSharp.BatchScaling;

/// <summary>
/// The fitted law η*(B) = η_max/(1 + B_noise/B)^α (theory §7.2 for α = 1; §7.3 diagonal-dominant SignSGD/Adam for
/// α = 1/2; OAI's guess 0.5 &lt; α &lt; 1 in between), from measured (batch, optimal LR) points.
/// </summary>
/// <param name="EtaMax">η_max, the optimal learning rate at B → ∞.</param>
/// <param name="BNoise">B_noise, the batch at which the optimal learning rate is η_max/2^α.</param>
/// <param name="Alpha">the exponent α.</param>
/// <param name="RmsLogError">root-mean-square residual in ln(lr) (0.05 ≈ 5% scatter).</param>
public sealed record OptimalLrFit(double EtaMax, double BNoise, double Alpha, double RmsLogError)
{
    public const double AlphaMin = 0.2, AlphaMax = 1.5;
    private const int GridPoints = 600;
    private const double RangeFactor = 1000;

    /// <summary>η_max/(1 + B_noise/B)^α.</summary>
    public double Predict(double batch)
    {
        Require.Batch(batch, "OptimalLrFit.Predict");
        return EtaMax / Math.Pow(1 + BNoise / batch, Alpha);
    }

    /// <summary>
    /// Least squares in ln(lr). For fixed B_noise the model ln lr = ln η_max − α·ln(1 + B_noise/B) is linear in
    /// (ln η_max, α), so both are closed-form (α clamped to [0.2, 1.5], exact for a convex quadratic in α); ln B_noise
    /// is searched on a fine grid over [B_min/1000, B_max·1000], then refined by golden section.
    /// </summary>
    /// <param name="points">the measured (batch, optimal learning rate) pairs.</param>
    /// <param name="fixedAlpha">hold α at this value (e.g. 1 for SGD, 0.5 for SignSGD) instead of fitting it.</param>
    public static OptimalLrFit Fit(IReadOnlyList<(double Batch, double Lr)> points, double? fixedAlpha = null)
    {
        const string where = "OptimalLrFit.Fit";
        Validate(points, where);
        if (fixedAlpha is double fa) Require.Positive(fa, "fixed α", where);
        int needed = fixedAlpha is null ? 3 : 2;
        if (points.Select(p => p.Batch).Distinct().Count() < needed)
            throw new ArgumentException($"{where}: needs at least {needed} distinct batch sizes, got {points.Select(p => p.Batch).Distinct().Count()}.");
        double lo = Math.Log(points.Min(p => p.Batch) / RangeFactor), hi = Math.Log(points.Max(p => p.Batch) * RangeFactor);
        double Sse(double logBNoise) => Profile(points, Math.Exp(logBNoise), fixedAlpha).Sse;

        double step = (hi - lo) / (GridPoints - 1);
        int best = 0;
        double bestSse = double.PositiveInfinity;
        for (int k = 0; k < GridPoints; k++)
        {
            double s = Sse(lo + k * step);
            if (s < bestSse) (best, bestSse) = (k, s);
        }
        double t = GoldenSection(Sse, lo + Math.Max(best - 1, 0) * step, lo + Math.Min(best + 1, GridPoints - 1) * step);
        if (Sse(t) > bestSse) t = lo + best * step;
        double bNoise = Math.Exp(t);
        var (logEta, alpha, sse) = Profile(points, bNoise, fixedAlpha);
        return new OptimalLrFit(Math.Exp(logEta), bNoise, alpha, Math.Sqrt(sse / points.Count));
    }

    /// <summary>
    /// The single scale c minimizing Σ(ln lr − ln(c·shape(B)))², i.e. ln c = mean(ln lr − ln shape(B)): overlays a
    /// predicted shape (e.g. B ↦ 1/sqrt(1 + B_simple/B) from a measured B_simple) on measured optima.
    /// </summary>
    public static double FitScale(IReadOnlyList<(double Batch, double Lr)> points, Func<double, double> shape)
    {
        const string where = "OptimalLrFit.FitScale";
        Validate(points, where);
        ArgumentNullException.ThrowIfNull(shape);
        double sum = 0;
        foreach (var (b, lr) in points)
        {
            double s = shape(b);
            Require.Positive(s, $"shape({b})", where);
            sum += Math.Log(lr) - Math.Log(s);
        }
        return Math.Exp(sum / points.Count);
    }

    // For fixed B_noise: x_k = ln(1 + B_noise/B_k), y_k = ln lr_k, y ≈ a − αx; returns (a, α, Σ residual²).
    private static (double LogEtaMax, double Alpha, double Sse) Profile(IReadOnlyList<(double Batch, double Lr)> points, double bNoise, double? fixedAlpha)
    {
        int n = points.Count;
        double mx = 0, my = 0;
        foreach (var (b, lr) in points) { mx += Math.Log(1 + bNoise / b); my += Math.Log(lr); }
        mx /= n; my /= n;
        double alpha;
        if (fixedAlpha is double fa) alpha = fa;
        else
        {
            double sxy = 0, sxx = 0;
            foreach (var (b, lr) in points)
            {
                double dx = Math.Log(1 + bNoise / b) - mx;
                sxy += dx * (Math.Log(lr) - my);
                sxx += dx * dx;
            }
            alpha = sxx > 0 ? Math.Clamp(-sxy / sxx, AlphaMin, AlphaMax) : 1.0;
        }
        double a = my + alpha * mx, sse = 0;
        foreach (var (b, lr) in points)
        {
            double r = Math.Log(lr) - (a - alpha * Math.Log(1 + bNoise / b));
            sse += r * r;
        }
        return (a, alpha, sse);
    }

    private static double GoldenSection(Func<double, double> f, double a, double b)
    {
        double invPhi = (Math.Sqrt(5) - 1) / 2;
        double c = b - invPhi * (b - a), d = a + invPhi * (b - a);
        double fc = f(c), fd = f(d);
        for (int i = 0; i < 200 && b - a > 1e-12; i++)
        {
            if (fc < fd) { b = d; d = c; fd = fc; c = b - invPhi * (b - a); fc = f(c); }
            else { a = c; c = d; fc = fd; d = a + invPhi * (b - a); fd = f(d); }
        }
        return (a + b) / 2;
    }

    private static void Validate(IReadOnlyList<(double Batch, double Lr)> points, string where)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count == 0) throw new ArgumentException($"{where}: no points.");
        foreach (var (b, lr) in points)
        {
            Require.Batch(b, where);
            Require.Positive(lr, "learning rate", where);
        }
    }
}
