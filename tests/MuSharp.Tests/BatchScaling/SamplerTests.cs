using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>The Monte-Carlo building blocks: bulk normals and the stationary moments of the update samplers.</summary>
public class SamplerTests(ITestOutputHelper output)
{
    [Fact]
    public void GaussianFillHasStandardNormalMoments()
    {
        const int n = 1 << 18;
        var z = new double[n + 1]; // odd length exercises the unpaired last draw
        Gaussian.Fill(new Rng(1), z, new double[Gaussian.ScratchLength(z.Length)]);
        double m1 = z.Average(), m2 = z.Average(x => x * x), m4 = z.Average(x => x * x * x * x), below1 = z.Count(x => x < 1) / (double)z.Length;
        output.WriteLine($"mean {m1:F4}, E z² {m2:F4}, E z⁴ {m4:F4}, P(z < 1) {below1:F4} (Φ(1) = 0.8413)");
        // SEs at 2.6e5 draws: mean 0.002, E z² 0.003, E z⁴ 0.019, P 0.0007; bands are ≥ 5 SE.
        Assert.True(Math.Abs(m1) < 0.01 && Math.Abs(m2 - 1) < 0.015 && Math.Abs(m4 - 3) < 0.1 && Math.Abs(below1 - 0.8413447) < 0.004);
    }

    [Fact]
    public void MomentumSamplerHasStationaryVariance()
    {
        // theory §7.6: at stationarity Var m = ((1−β1)/(1+β1))·σ²/B, E m = g.
        var p = QuadraticProblem.Diagonal([1.0, -2.0], [1.0, 1.0], [3.0, 0.5]);
        const double beta1 = 0.9, batch = 2;
        var draw = UpdateRules.SgdMomentum(p, batch, beta1, new Rng(4), thin: 20);
        const int m = 20_000;
        double[] sum = new double[2], sq = new double[2], phi = new double[2];
        for (int t = 0; t < m; t++)
        {
            draw(phi);
            for (int i = 0; i < 2; i++) { sum[i] += phi[i]; sq[i] += phi[i] * phi[i]; }
        }
        double c = (1 - beta1) / (1 + beta1);
        for (int i = 0; i < 2; i++)
        {
            double mean = sum[i] / m, variance = sq[i] / m - mean * mean, expected = c * p.Sigma[i] * p.Sigma[i] / batch;
            output.WriteLine($"coordinate {i}: mean {mean:F4} (g {p.G[i]}), variance {variance:G4} (predicted {expected:G4})");
            // thin = 20 ≫ 1/(1−β1) makes draws nearly independent: variance SE ≈ √(2/m) = 1%, mean SE ≈ 0.7% of σ_m.
            Assert.True(Math.Abs(variance / expected - 1) < 0.05);
            Assert.True(Math.Abs(mean - p.G[i]) < 0.05 * Math.Sqrt(expected));
        }
    }
}
