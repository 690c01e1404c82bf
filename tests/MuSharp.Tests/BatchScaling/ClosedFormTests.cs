using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>Numbers pinned from theory §6, §7.3 and §7.6 ([V] and [C] entries), identities between the laws, and errors.</summary>
public class ClosedFormTests(ITestOutputHelper output)
{
    // Reference values: erf from Abramowitz–Stegun Table 7.1 / mpmath to 16 digits.
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(2.9, 0.9999589021219005)]
    [InlineData(3.0, 0.9999779095030014)]
    [InlineData(3.5, 0.9999992569016276)]
    [InlineData(-1.5, -0.9661051464753108)]
    public void ErfMatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, ErrorFunction.Erf(x), 1e-15); // ~1e-16 achieved: the series has no cancellation

    [Theory]
    [InlineData(2.0, 4.677734981047266e-03)]
    [InlineData(2.5, 4.069520174449590e-04)]
    [InlineData(3.0, 2.209049699858544e-05)]
    [InlineData(4.0, 1.541725790028002e-08)]
    [InlineData(5.0, 1.537459794428035e-12)]
    [InlineData(10.0, 2.088487583762545e-45)]
    [InlineData(-2.0, 1.995322265018953)]
    public void ErfcIsRelativelyAccurateInTheTail(double x, double expected) =>
        Assert.True(Math.Abs(ErrorFunction.Erfc(x) / expected - 1) < 1e-13, $"erfc({x}) = {ErrorFunction.Erfc(x):R}, expected {expected:R}");

    [Fact]
    public void ErfIsContinuousAtTheBranchSwitches()
    {
        // |erf'| ≤ 2/√π, so across 2e-12 the true change is < 2.3e-12; a branch mismatch would show as more.
        foreach (double x in new[] { 2.0, 3.0 })
        {
            Assert.True(Math.Abs(ErrorFunction.Erf(x - 1e-12) - ErrorFunction.Erf(x + 1e-12)) < 3e-12);
            Assert.True(Math.Abs(ErrorFunction.Erfc(x - 1e-12) / ErrorFunction.Erfc(x + 1e-12) - 1) < 1e-10);
        }
    }

    [Fact]
    public void ExpectedSignMatchesTheory73Numbers()
    {
        // theory §7.3 [C]: E[sign] at s = g√B/σ is erf(s/√2).
        double[] s = [0.1, 0.5, 1, 2, 5], exact = [0.0797, 0.3829, 0.6827, 0.9545, 1.0000];
        for (int k = 0; k < s.Length; k++)
        {
            double e = ErrorFunction.Erf(s[k] / Math.Sqrt(2));
            output.WriteLine($"s = {s[k]}: erf(s/√2) = {e:F4}, mean field {s[k] / Math.Sqrt(s[k] * s[k] + 1):F4}");
            Assert.Equal(exact[k], e, 4);
        }
    }

    [Theory]
    [InlineData(0.5, 0.7071, 1.0)]
    [InlineData(0.9, 0.2357, 0.0588)]
    [InlineData(0.95, 0.1622, 0.0270)]
    [InlineData(0.99, 0.0711, 0.0051)]
    public void AdamSurgeNumbersMatchTheory76(double beta1, double betaStar, double threshold)
    {
        // theory §7.6 [C], 4 decimals
        Assert.Equal(betaStar, BatchSizeLaws.AdamSurgeBeta(beta1)!.Value, 4);
        Assert.Equal(threshold, BatchSizeLaws.AdamSurgeThreshold(beta1, 1.0)!.Value, 4);
        Assert.Equal(threshold * 7, BatchSizeLaws.AdamSurgePeakBatch(beta1, 7.0)!.Value, 3);
        // the peak is the maximum of the diagonal-H law: scan B finely around it
        double peak = BatchSizeLaws.AdamSurgePeakBatch(beta1, 1.0)!.Value;
        double at = BatchSizeLaws.AdamDiagonalOptimalLr(1, beta1, 1, peak);
        foreach (double f in new[] { 0.9, 0.99, 1.01, 1.1 })
            Assert.True(BatchSizeLaws.AdamDiagonalOptimalLr(1, beta1, 1, peak * f) < at);
    }

    [Fact]
    public void NoSurgeWhereTheoryExcludesIt()
    {
        Assert.Null(BatchSizeLaws.AdamSurgeThreshold(1.0 / 3, 1));
        Assert.Null(BatchSizeLaws.AdamSurgePeakBatch(0.2, 1));
        Assert.Null(BatchSizeLaws.SignSgdSurgePeakBatch(10, 10, 1));  // β* = 1
        Assert.Null(BatchSizeLaws.SignSgdSurgePeakBatch(10, -5, 1));  // S_off < 0
        // β*² = 10/40: B = B_simple·0.25/0.75
        Assert.Equal(2.0 / 3, BatchSizeLaws.SignSgdSurgePeakBatch(10, 40, 2)!.Value, 12);
    }

    [Fact]
    public void LawsAgreeWithEachOther()
    {
        // §7.2: S–E hyperbola (S/S_min − 1)(E/E_min − 1) = 1 with E_min = B_noise·S_min
        foreach (double b in new[] { 3.0, 50, 2000 })
        {
            double s = BatchSizeLaws.StepsToTarget(100, 50, b), e = BatchSizeLaws.SamplesToTarget(100 * 50, 50, b);
            Assert.Equal(b * s, e, 1e-9 * e);
            Assert.Equal(1.0, (s / 100 - 1) * (e / 5000 - 1), 12);
        }
        Assert.Equal(0.5, BatchSizeLaws.SgdOptimalLr(1, 10, 10), 15);
        Assert.Equal(0.5, BatchSizeLaws.SgdLossDecrease(1, 10, 10), 15);
        Assert.Equal(19, BatchSizeLaws.MomentumAmplification(0.9), 12);
        Assert.Equal(BatchSizeLaws.SgdOptimalLr(1, 10, 190), BatchSizeLaws.SgdMomentumOptimalLr(1, 10, 10, 0.9), 12);
        Assert.Equal(1 / Math.Sqrt(2), BatchSizeLaws.SignSgdDiagonalOptimalLr(1, 4, 4), 15);
        Assert.Equal(BatchSizeLaws.SignSgdDiagonalOptimalLr(2, 3, 5), BatchSizeLaws.MuonOptimalLr(2, 3, 5), 15);
        // β1 = 0: Adam is SignSGD (theory §7.6); diagonal H: general = diagonal form
        Assert.Equal(BatchSizeLaws.SignSgdOptimalLr(30, 10, 25, 2, 3), BatchSizeLaws.AdamOptimalLr(30, 10, 35, 0, 2, 3), 12);
        Assert.Equal(BatchSizeLaws.AdamDiagonalOptimalLr(3, 0.9, 2, 3), BatchSizeLaws.AdamOptimalLr(30, 10, 10, 0.9, 2, 3), 12);
        // H ∝ diag|g| (ΣH_ii = Σ|g|/η_max, no off-diagonal): route B is η_max/sqrt(1 + B_simple/B)
        Assert.Equal(BatchSizeLaws.SignSgdDiagonalOptimalLr(0.1, 2, 3), BatchSizeLaws.SignSgdOptimalLr(30, 300, 0, 2, 3), 12);
    }

    [Fact]
    public void PerCoordinatePredictionsReduceToTheAveragedLawsAtUniformSnr()
    {
        var rng = new Rng(8);
        var p0 = QuadraticProblem.Planted(32, rng);
        var p = new QuadraticProblem(p0.G, p0.H, p0.G.Select(x => 1.5 * Math.Abs(x)).ToArray()); // σ_i/|g_i| = 1.5 for all i
        foreach (double b in new[] { 0.1, 1, 10 })
        {
            Assert.Equal(BatchSizeLaws.SignSgdOptimalLr(p.SumAbsG, p.SumHii, p.OffDiagSignSum, p.BSimple, b), QuadraticPredictions.SignSgdMeanField(p, b), 12);
            Assert.Equal(BatchSizeLaws.AdamOptimalLr(p.SumAbsG, p.SumHii, p.SignQuadratic, 0.9, p.BSimple, b), QuadraticPredictions.Adam(p, b, 0.9), 12);
            Assert.Equal(QuadraticPredictions.SignSgdMeanField(p, b), QuadraticPredictions.Adam(p, b, 0), 12);
            Assert.Equal(QuadraticPredictions.SignSgdMeanField(p, b), QuadraticPredictions.SoftSignSgdPerCoordinate(p, b, 0), 12);
            Assert.Equal(BatchSizeLaws.SgdOptimalLr(p.EtaMax, p.BNoise, b), QuadraticPredictions.Sgd(p, b), 12);
        }
    }

    [Fact]
    public void BadArgumentsThrowWithClearMessages()
    {
        string Msg(Action a) => Assert.Throws<ArgumentException>(a).Message;
        Assert.Contains("batch size must be positive", Msg(() => BatchSizeLaws.SgdOptimalLr(1, 1, -4)));
        Assert.Contains("noise scale must be non-negative", Msg(() => BatchSizeLaws.StepsToTarget(1, -1, 4)));
        Assert.Contains("β1 must lie in [0, 1)", Msg(() => BatchSizeLaws.MomentumAmplification(1)));
        Assert.Contains("β1 must lie in [0, 1)", Msg(() => BatchSizeLaws.AdamDiagonalOptimalLr(1, -0.1, 1, 1)));
        Assert.Contains("β1 must lie in [0, 1)", Msg(() => BatchSizeLaws.AdamSurgePeakBatch(1.5, 1)));
        Assert.Contains("β2 must lie in [0, 1)", Msg(() => UpdateRules.Adam(QuadraticProblem.Planted(4, new Rng(1)), 1, 0.9, 1, 0, new Rng(1))));
        Assert.Contains("mismatched lengths", Msg(() => _ = new QuadraticProblem([1, 2], [1, 0, 0, 1], [1])));
        Assert.Contains("not symmetric", Msg(() => _ = new QuadraticProblem([1, 2], [1, 0.5, 0, 1], [1, 1])));
        Assert.Contains("not positive definite", Msg(() => _ = new QuadraticProblem([1, 2], [1, 2, 2, 1], [1, 1])));
        Assert.Contains("noise std must be non-negative", Msg(() => _ = new QuadraticProblem([1, 2], [1, 0, 0, 1], [1, -1])));
        var p = QuadraticProblem.Planted(4, new Rng(1));
        Assert.Contains("mismatched lengths", Msg(() => QuadraticPredictions.OptimalLr(p, new double[3], new double[4])));
        Assert.Contains("at least 2 blocks", Msg(() => QuadraticLab.OptimalLr(p, UpdateRules.Sgd(p, 1, new Rng(1)), 100, blocks: 1)));
        Assert.Contains("batch size must be positive", Msg(() => UpdateRules.SignSgd(p, 0, new Rng(1))));
    }
}
