using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>
/// theory §7.3 (SignSGD, routes A and B) and §7.4 (SoftSignSGD) against the Monte-Carlo one-step optimum on a planted
/// quadratic (theory §7 test idea 2).
/// </summary>
[Trait("Category", "Slow")]
public class SignSgdTests(ITestOutputHelper output)
{
    private const int N = 64, Samples = 20_000;

    private static QuadraticProblem Problem() => QuadraticProblem.Planted(N, new Rng(2024), eigenMin: 1, eigenMax: 10, noiseStd: 1);

    [Fact]
    public void SignSgdMatchesErfEverywhereAndMeanFieldAboveASixteenthOfBSimple()
    {
        var p = Problem();
        output.WriteLine($"N = {N}, B_simple = {p.BSimple:G4}, B_noise = {p.BNoise:G4}");
        foreach (double f in new[] { 1 / 64.0, 1 / 16.0, 1 / 4.0, 1, 4, 16, 64 })
        {
            double batch = f * p.BSimple;
            var mc = QuadraticLab.OptimalLr(p, UpdateRules.SignSgd(p, batch, new Rng(5)), Samples);
            double exact = QuadraticPredictions.SignSgdExact(p, batch), meanField = QuadraticPredictions.SignSgdMeanField(p, batch);
            output.WriteLine($"B = {f,8:G3}·B_simple: MC η* {mc.OptimalLr:G5} ± {mc.RelativeError:P2}, erf {exact:G5} (MC/erf {mc.OptimalLr / exact:F4}), mean field {meanField:G5} (MC/MF {mc.OptimalLr / meanField:F4})");
            // Route A is exact for independent coordinates: only MC error remains, relative SE ≤ 0.71% here, so 3% is > 4 SE.
            Assert.True(Math.Abs(mc.OptimalLr / exact - 1) < 0.03, $"B = {f}·B_simple: MC {mc.OptimalLr:G5} vs erf {exact:G5}");
            if (f >= 1 / 16.0)
                // Route B holds to 15% from B_simple/16 up (measured worst 13% at B_simple/16, ≤ 4.5% from B_simple/4).
                Assert.True(Math.Abs(mc.OptimalLr / meanField - 1) < 0.15, $"B = {f}·B_simple: MC {mc.OptimalLr:G5} vs mean field {meanField:G5}");
            else
                // Below, the mean field s/sqrt(1+s²) overestimates E[sign] = erf(s/√2) by up to √(π/2) = 1.25 (theory §7.3 [C]),
                // so MC/MF tends to 0.80; asserted as a known failure so that a change in either side is noticed.
                Assert.InRange(mc.OptimalLr / meanField, 0.78, 0.85);
        }
    }

    [Fact]
    public void SoftSignSgdFollowsPerCoordinateMeanFieldAndTendsToSgd()
    {
        var p = Problem();
        double worst = 0;
        foreach (double eps in new[] { 0.1, 1.0 })
            foreach (double f in new[] { 1 / 16.0, 1 / 4.0, 1, 4, 16 })
            {
                double batch = f * p.BSimple;
                var mc = QuadraticLab.OptimalLr(p, UpdateRules.SoftSignSgd(p, batch, eps, new Rng(5)), Samples / 2);
                double perCoord = QuadraticPredictions.SoftSignSgdPerCoordinate(p, batch, eps), s11280 = QuadraticPredictions.SoftSignSgdMeanField(p, batch, eps);
                worst = Math.Max(worst, Math.Abs(mc.OptimalLr / perCoord - 1));
                output.WriteLine($"ε = {eps}, B = {f,6:G3}·B_simple: MC η* {mc.OptimalLr:G5} ± {mc.RelativeError:P2}, per-coordinate MF {perCoord:G5} (MC/MF {mc.OptimalLr / perCoord:F4}), S11280 averaged {s11280:G5} (MC/MF {mc.OptimalLr / s11280:F4})");
            }
        // The per-coordinate mean field is an approximation (E[f(x)] ≈ f of the moments), not an exact law: measured worst
        // error 21.8% (ε = 1, B = B_simple/4; MC SE ≤ 0.5%), so 25% is a regression bound, not a claim of accuracy.
        Assert.True(worst < 0.25, $"SoftSign per-coordinate mean field off by {worst:P1}");

        // ε → ∞: φ = g̃/sqrt(g̃² + ε²) → g̃/ε, so η*/ε → SGD's η* (theory §7.4); the O(g̃²/ε²) correction is 1e-8 here and
        // the MC SE 0.1%, so 2% is a generous bound.
        const double bigEps = 1e4;
        double b0 = p.BSimple;
        var sgdLike = QuadraticLab.OptimalLr(p, UpdateRules.SoftSignSgd(p, b0, bigEps, new Rng(5)), Samples / 2);
        double sgd = QuadraticPredictions.Sgd(p, b0);
        output.WriteLine($"ε = {bigEps}: MC η*/ε {sgdLike.OptimalLr / bigEps:G5}, SGD law {sgd:G5}, per-coordinate MF η*/ε {QuadraticPredictions.SoftSignSgdPerCoordinate(p, b0, bigEps) / bigEps:G5}");
        Assert.True(Math.Abs(sgdLike.OptimalLr / bigEps / sgd - 1) < 0.02);
        Assert.Equal(sgd, QuadraticPredictions.SoftSignSgdPerCoordinate(p, b0, bigEps) / bigEps, 1e-6 * sgd);
    }
}
