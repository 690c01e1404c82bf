namespace MuSharp.Spectral;

/// <summary>
/// Polar Express coefficients by their algorithm (theory §5.3, Amsel et al., port of optimal_quintic and
/// optimal_composition): each step is the odd quintic minimising max |p(x) − 1| on the current singular-value
/// interval [l, u], found by a Remez exchange on four equioscillation points; greedy is globally optimal.
/// All arithmetic is in double.
/// </summary>
public static class PolarExpress
{
    /// <summary>Cushion from the reference code (§5.3; §8 notes the paper's text says 0.1 but the code uses this).</summary>
    public const double Cushion = 0.02407327424182761;

    /// <summary>
    /// <paramref name="steps"/> quintics for σ ∈ [<paramref name="lower"/>, 1]. With <paramref name="safety"/> s ≠ 1 every
    /// step becomes (a/s, b/s³, c/s⁵) after the whole composition is computed (theory §5.3; the §5.4 band
    /// [0.8462, 1.1236] for s = 1.01, T = 5 is this variant), so rounding cannot push σ past the fitted interval.
    /// </summary>
    public static NsCoefficients[] Compose(double lower, int steps, double safety = 1.0, double cushion = Cushion)
    {
        if (!(lower > 0 && lower < 1)) throw new ArgumentOutOfRangeException(nameof(lower), $"PolarExpress: lower must be in (0, 1), got {lower}.");
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (!(safety >= 1)) throw new ArgumentOutOfRangeException(nameof(safety), $"PolarExpress: safety must be ≥ 1, got {safety}.");
        var result = new NsCoefficients[steps];
        double l = lower, u = 1;
        for (int t = 0; t < steps; t++)
        {
            var p = OptimalQuintic(Math.Max(l, cushion * u), u);
            // The cushioned fit is centred on [cushion·u, u]; rescale so 1 − p(l) = p(u) − 1 on the true [l, u].
            double scale = 2 / (p.Apply(l) + p.Apply(u));
            p = new NsCoefficients(p.A * scale, p.B * scale, p.C * scale);
            result[t] = p;
            l = p.Apply(l);
            u = 2 - l;
        }
        for (int t = 0; t < steps; t++) result[t] = result[t].DividedBy(safety);
        return result;
    }

    /// <summary>
    /// The odd quintic p(x) = a·x + b·x³ + c·x⁵ minimising max_{x∈[l,u]} |p(x) − 1|: it equioscillates at l, q, r, u,
    /// i.e. p(l) = 1 − E, p(q) = 1 + E, p(r) = 1 − E, p(u) = 1 + E, with q, r the critical points of p (§5.3).
    /// </summary>
    public static NsCoefficients OptimalQuintic(double l, double u)
    {
        if (!(l > 0 && l <= u)) throw new ArgumentOutOfRangeException(nameof(l), $"OptimalQuintic: need 0 < l ≤ u, got [{l}, {u}].");
        // Near l = u the equioscillating quintic is numerically the Taylor quintic scaled to u.
        if (l / u >= 1 - 5e-6) return new NsCoefficients(15.0 / 8 / u, -10.0 / 8 / (u * u * u), 3.0 / 8 / Math.Pow(u, 5));
        double q = (3 * l + 1) / 4, r = (l + 3) / 4; // exact as l → u (reference initialisation)
        double e = double.PositiveInfinity, a = 0, b = 0, c = 0;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double previous = e;
            var m = new double[4, 4]
            {
                { l, l * l * l, Math.Pow(l, 5), 1 },
                { q, q * q * q, Math.Pow(q, 5), -1 },
                { r, r * r * r, Math.Pow(r, 5), 1 },
                { u, u * u * u, Math.Pow(u, 5), -1 },
            };
            var x = Solve4(m, [1, 1, 1, 1]);
            (a, b, c, e) = (x[0], x[1], x[2], x[3]);
            // New exchange points: roots of p'(x) = a + 3b·x² + 5c·x⁴, i.e. x² = (−3b ∓ √(9b² − 20ac)) / (10c).
            double root = Math.Sqrt(9 * b * b - 20 * a * c);
            q = Math.Sqrt((-3 * b - root) / (10 * c));
            r = Math.Sqrt((-3 * b + root) / (10 * c));
            if (Math.Abs(previous - e) <= 1e-15) break;
        }
        return new NsCoefficients(a, b, c);
    }

    // Gaussian elimination with partial pivoting on a 4×4 system; m is overwritten.
    private static double[] Solve4(double[,] m, double[] rhs)
    {
        const int N = 4;
        for (int col = 0; col < N; col++)
        {
            int pivot = col;
            for (int i = col + 1; i < N; i++)
                if (Math.Abs(m[i, col]) > Math.Abs(m[pivot, col])) pivot = i;
            if (pivot != col)
            {
                for (int j = 0; j < N; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
                (rhs[col], rhs[pivot]) = (rhs[pivot], rhs[col]);
            }
            for (int i = col + 1; i < N; i++)
            {
                double f = m[i, col] / m[col, col];
                for (int j = col; j < N; j++) m[i, j] -= f * m[col, j];
                rhs[i] -= f * rhs[col];
            }
        }
        var x = new double[N];
        for (int i = N - 1; i >= 0; i--)
        {
            double s = rhs[i];
            for (int j = i + 1; j < N; j++) s -= m[i, j] * x[j];
            x[i] = s / m[i, i];
        }
        return x;
    }
}
