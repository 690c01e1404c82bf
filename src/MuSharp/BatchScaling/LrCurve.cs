namespace MuSharp.BatchScaling;

/// <summary>The refined minimum of a sampled curve.</summary>
/// <param name="Lr">abscissa of the minimum.</param>
/// <param name="Value">curve value there (parabola vertex value when refined).</param>
/// <param name="AtEdge">true when the grid minimum is the first or last point: the true optimum may lie outside the grid.</param>
public readonly record struct LrOptimum(double Lr, double Value, bool AtEdge);

/// <summary>
/// Optimum of a loss (or steps-to-target) vs learning-rate curve measured on a log grid, as needed to turn sweeps
/// into η*(B) points for <see cref="OptimalLrFit"/>.
/// </summary>
public static class LrCurve
{
    /// <summary>
    /// The grid argmin, refined by the parabola through it and its two neighbours in ln(lr), the vertex clamped to
    /// the bracketing interval. Non-finite values (diverged, target not reached) count as +∞; at a grid edge, or when
    /// a neighbour is +∞, the grid point itself is returned. Works for any positive abscissa (e.g. batch sizes, and
    /// for a maximum pass the negated values).
    /// </summary>
    public static LrOptimum RefineOptimum(IReadOnlyList<(double Lr, double Value)> curve)
    {
        const string where = "LrCurve.RefineOptimum";
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count == 0) throw new ArgumentException($"{where}: empty curve.");
        for (int k = 0; k < curve.Count; k++)
        {
            Require.Positive(curve[k].Lr, "learning rate", where);
            if (k > 0 && !(curve[k].Lr > curve[k - 1].Lr))
                throw new ArgumentException($"{where}: learning rates must increase strictly ({curve[k - 1].Lr} then {curve[k].Lr}).");
        }
        double Y(int k) => double.IsFinite(curve[k].Value) ? curve[k].Value : double.PositiveInfinity;
        int best = -1;
        for (int k = 0; k < curve.Count; k++)
            if (double.IsFinite(Y(k)) && (best < 0 || Y(k) < Y(best))) best = k;
        if (best < 0) throw new ArgumentException($"{where}: no finite value on the curve (every run diverged?).");
        if (best == 0 || best == curve.Count - 1) return new LrOptimum(curve[best].Lr, Y(best), true);
        double y0 = Y(best - 1), y1 = Y(best), y2 = Y(best + 1);
        if (!double.IsFinite(y0) || !double.IsFinite(y2)) return new LrOptimum(curve[best].Lr, y1, false);
        double x0 = Math.Log(curve[best - 1].Lr), x1 = Math.Log(curve[best].Lr), x2 = Math.Log(curve[best + 1].Lr);
        // Lagrange parabola y(x) = y1 + b(x − x1) + c(x − x1)²
        double d0 = x0 - x1, d2 = x2 - x1;
        double s0 = (y0 - y1) / d0, s2 = (y2 - y1) / d2;
        double c = (s2 - s0) / (d2 - d0), b = s0 - c * d0;
        if (!(c > 0)) return new LrOptimum(curve[best].Lr, y1, false); // flat: no curvature to refine with
        double dx = Math.Clamp(-b / (2 * c), d0, d2);
        return new LrOptimum(Math.Exp(x1 + dx), y1 + b * dx + c * dx * dx, false);
    }
}
