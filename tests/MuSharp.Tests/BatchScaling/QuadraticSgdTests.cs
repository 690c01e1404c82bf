using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>
/// theory §7.2 and §7.6 on a planted quadratic (theory §7 test ideas 1 and 4): the Monte-Carlo one-step optimal LR
/// of SGD and of SGD with momentum against η_max/(1 + B_noise/B).
/// </summary>
public class QuadraticSgdTests(ITestOutputHelper output)
{
    private const int N = 64, Samples = 20_000;

    private static QuadraticProblem Problem() => QuadraticProblem.Planted(N, new Rng(2024), eigenMin: 1, eigenMax: 10, noiseStd: 1);

    [Fact]
    public void SgdOptimumMatchesNoiseScaleLaw()
    {
        var p = Problem();
        output.WriteLine($"N = {N}, η_max = {p.EtaMax:G5}, B_noise = {p.BNoise:G5}, B_simple = {p.BSimple:G5}, {Samples} draws per B");
        foreach (double f in new[] { 1 / 16.0, 1 / 4.0, 1, 4, 16 })
        {
            double batch = f * p.BNoise;
            var mc = QuadraticLab.OptimalLr(p, UpdateRules.Sgd(p, batch, new Rng(7)), Samples);
            double law = BatchSizeLaws.SgdOptimalLr(p.EtaMax, p.BNoise, batch);
            double ratio = mc.OptimalLr / law;
            output.WriteLine($"B = {f,6:G3}·B_noise: MC η* {mc.OptimalLr:G5} ± {mc.StdError:G2} ({mc.RelativeError:P2}), law {law:G5}, ratio {ratio:F4}");
            // The law is exact for a quadratic (theory §7.2), so only MC error remains: its relative SE is ≤ 0.7% here,
            // and 5% is > 7 standard errors.
            Assert.True(Math.Abs(ratio - 1) < 0.05, $"B = {f}·B_noise: MC {mc.OptimalLr:G5} vs law {law:G5}");
            Assert.Equal(law, QuadraticPredictions.Sgd(p, batch), 1e-12 * law);
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void MomentumAmplifiesTheBatch(double beta1)
    {
        var p = Problem();
        double amplification = BatchSizeLaws.MomentumAmplification(beta1);
        double bEff = p.BNoise / amplification;
        var points = new List<(double Batch, double Lr)>();
        foreach (double f in new[] { 1 / 4.0, 1 / 2.0, 1, 2 })
        {
            double batch = f * bEff;
            var mc = QuadraticLab.OptimalLr(p, UpdateRules.SgdMomentum(p, batch, beta1, new Rng(11)), Samples);
            points.Add((batch, mc.OptimalLr));
            output.WriteLine($"β1 = {beta1}, B = {batch:G4}: MC η* {mc.OptimalLr:G5} ± {mc.StdError:G2}, §7.6 law {BatchSizeLaws.SgdMomentumOptimalLr(p.EtaMax, p.BNoise, batch, beta1):G5}");
        }
        // η* = η_max/(1 + B_eff/B) ⇔ η_max/η* − 1 = B_eff/B: least squares of (η_max/η* − 1) on 1/B through 0.
        double num = 0, den = 0;
        foreach (var (b, lr) in points) { num += (p.EtaMax / lr - 1) / b; den += 1 / (b * b); }
        double fitted = num / den;
        double ratio = p.BNoise / fitted;
        output.WriteLine($"β1 = {beta1}: B_noise/B_noise_eff = {ratio:F3}, predicted (1+β1)/(1−β1) = {amplification:F3}, ratio {ratio / amplification:F4}");
        // Stationary m is exactly N(g, cΣ/B) for frozen g, so only MC error (~1% per point on η_max/η* − 1, the
        // samples being correlated over 1/(1−β1) steps) separates the fit from the prediction; 10% leaves > 5 SE.
        Assert.True(Math.Abs(ratio / amplification - 1) < 0.10, $"β1 = {beta1}: amplification {ratio:F3} vs {amplification:F3}");
    }
}
