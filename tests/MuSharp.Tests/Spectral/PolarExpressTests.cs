using MuSharp.Spectral;
using Xunit.Abstractions;

namespace MuSharp.Tests.Spectral;

public class PolarExpressTests(ITestOutputHelper output)
{
    // Published coefficients without the safety factor (theory §5.3); steps 7 and 8 are ≈ (1.875, −1.25, 0.375).
    private static readonly double[][] Published =
    [
        [8.28721201814563, -23.595886519098837, 17.300387312530933],
        [4.107059111542203, -2.9478499167379106, 0.5448431082926601],
        [3.9486908534822946, -2.908902115962949, 0.5518191394370137],
        [3.3184196573706015, -2.488488024314874, 0.51004894012372],
        [2.300652019954817, -1.6689039845747493, 0.4188073119525673],
        [1.891301407787398, -1.2679958271945868, 0.37680408948524835],
    ];

    [Fact]
    public void AlgorithmReproducesThePublishedCoefficients()
    {
        // §5.3/§5.4: optimal_composition(1e−3, T, cushion) in double matches the published list to ~1e−14 relative.
        var computed = PolarExpress.Compose(1e-3, 8, safety: 1.0);
        double worst = 0;
        for (int t = 0; t < Published.Length; t++)
        {
            double[] got = [computed[t].A, computed[t].B, computed[t].C];
            for (int j = 0; j < 3; j++)
            {
                double rel = Math.Abs(got[j] - Published[t][j]) / Math.Abs(Published[t][j]);
                worst = Math.Max(worst, rel);
                Assert.True(rel <= 1e-10, $"step {t + 1} coefficient {j}: {got[j]:R} vs {Published[t][j]:R} (rel {rel:E2})");
            }
        }
        output.WriteLine($"worst relative deviation from the published coefficients: {worst:E2}");
        for (int t = 6; t < 8; t++)
        {
            Assert.InRange(computed[t].A, 1.875 - 1e-5, 1.875 + 1e-5);
            Assert.InRange(computed[t].B, -1.25 - 1e-5, -1.25 + 1e-5);
            Assert.InRange(computed[t].C, 0.375 - 1e-5, 0.375 + 1e-5);
        }
    }

    [Fact]
    public void LowerBoundFollowsTheDocumentedTrajectory()
    {
        // §5.4: l after steps 1..6 = 0.008287, 0.034034, 0.134276, 0.439583, 0.876441, 0.998815.
        double[] expected = [0.008287, 0.034034, 0.134276, 0.439583, 0.876441, 0.998815];
        var steps = PolarExpress.Compose(1e-3, 6, safety: 1.0);
        double l = 1e-3;
        for (int t = 0; t < 6; t++)
        {
            l = steps[t].Apply(l);
            Assert.Equal(expected[t], l, 6);
        }
    }

    [Fact]
    public void SafetyFactorDividesEveryStep()
    {
        var raw = PolarExpress.Compose(1e-3, 5, safety: 1.0);
        var safe = PolarExpress.Compose(1e-3, 5, safety: 1.05);
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(raw[t].A / 1.05, safe[t].A, 12);
            Assert.Equal(raw[t].B / Math.Pow(1.05, 3), safe[t].B, 12);
            Assert.Equal(raw[t].C / Math.Pow(1.05, 5), safe[t].C, 12);
        }
    }

    [Fact]
    public void OptimalQuinticEquioscillates()
    {
        // The minimax error is attained with alternating sign at l, q, r, u (§5.3): check |p − 1| ≤ E on a grid and = E at l, u.
        double l = 0.1, u = 1;
        var p = PolarExpress.OptimalQuintic(l, u);
        double e = 1 - p.Apply(l);
        Assert.True(e > 0);
        Assert.Equal(e, p.Apply(u) - 1, 10);
        for (int i = 0; i <= 10_000; i++)
        {
            double x = l + (u - l) * i / 10_000;
            Assert.True(Math.Abs(p.Apply(x) - 1) <= e * (1 + 1e-9), $"|p({x}) − 1| exceeds E = {e}");
        }
    }
}
