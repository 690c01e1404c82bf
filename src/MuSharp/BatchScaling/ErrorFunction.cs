namespace MuSharp.BatchScaling;

/// <summary>
/// The error function to double precision (relative error ~1e-15), needed for the exact SignSGD law of theory §7.3
/// route A, E[sign(g̃_B)] = erf((g/σ)·sqrt(B/2)). .NET has no erf; Abramowitz–Stegun 7.1.26 (error 1.5e-7) is too
/// coarse to test a mean-field approximation against.
/// </summary>
/// <remarks>
/// |x| ≤ 3: the all-positive series erf(x) = (2/√π) e^{−x²} Σ_n 2ⁿ x^{2n+1} / (1·3·5···(2n+1)) (A&amp;S 7.1.6), which
/// has no cancellation. |x| &gt; 3: erfc(x) by the Laplace continued fraction
/// erfc(x) = (e^{−x²}/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) (A&amp;S 7.1.14), evaluated by the modified
/// Lentz method; it converges in a few dozen terms for x > 3 and in a few hundred at x = 2.
/// </remarks>
public static class ErrorFunction
{
    private const double TwoOverSqrtPi = 1.1283791670955126; // 2/√π
    private const double OneOverSqrtPi = 0.5641895835477563; // 1/√π
    private const double SeriesLimit = 3.0;     // erf: series below, continued fraction above
    private const double FractionFrom = 2.0;    // erfc: continued fraction from here up (1 − erf would cancel)

    /// <summary>erf(x) = (2/√π)∫₀ˣ e^{−t²} dt; odd, erf(±∞) = ±1, erf(NaN) = NaN.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double a = Math.Abs(x);
        double r = a <= SeriesLimit ? Series(a) : 1.0 - ContinuedFraction(a);
        return x < 0 ? -r : r;
    }

    /// <summary>erfc(x) = 1 − erf(x); from x = 2 up by the continued fraction alone, so the tail keeps ~1e-14 relative accuracy.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        if (x >= FractionFrom) return ContinuedFraction(x);
        if (x <= -FractionFrom) return 2.0 - ContinuedFraction(-x);
        return 1.0 - Erf(x);
    }

    // (2/√π) e^{−x²} Σ 2ⁿ x^{2n+1}/(2n+1)!!, term_{n+1} = term_n · 2x²/(2n+3)
    private static double Series(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 0; n < 200 && term > 1e-17 * sum; n++)
        {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    // erfc(x) = (e^{−x²}/√π) / (x + a₁/(x + a₂/(x + …))), a_k = k/2; modified Lentz, x > 0.
    private static double ContinuedFraction(double x)
    {
        if (double.IsPositiveInfinity(x)) return 0.0;
        const double tiny = 1e-300;
        double f = x, c = x, d = 0.0;
        for (int k = 1; k < 2000; k++)
        {
            double ak = 0.5 * k;
            d = x + ak * d;
            d = Math.Abs(d) < tiny ? 1 / tiny : 1 / d;
            c = x + ak / c;
            if (Math.Abs(c) < tiny) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return OneOverSqrtPi * Math.Exp(-x * x) / f;
    }
}
