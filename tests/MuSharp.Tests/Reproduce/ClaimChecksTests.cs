using MuSharp.Reproduce;
using Xunit.Abstractions;

namespace MuSharp.Tests.Reproduce;

[Trait("Category", "Slow")]
public class ClaimChecksTests(ITestOutputHelper output)
{
    [Fact]
    public void CompareComputesTheVerdict()
    {
        Assert.Equal(ClaimVerdict.Reproduced, ClaimResult.Compare("c", "s", 2.0, 2.09, 0.05).Verdict);
        var missed = ClaimResult.Compare("c", "s", 2.0, 2.11, 0.05, "why");
        Assert.Equal((ClaimVerdict.Missed, "why"), (missed.Verdict, missed.Cause));
        Assert.Equal(ClaimVerdict.Reproduced, ClaimResult.Compare("c", "s", 0, 1e-10, 1e-9).Verdict);   // zero prediction: absolute error
        Assert.Equal(ClaimVerdict.Missed, ClaimResult.Compare("c", "s", 0, 1e-8, 1e-9).Verdict);
        Assert.Equal(ClaimVerdict.Missed, ClaimResult.Compare("c", "s", 1, double.NaN, 0.5).Verdict);
    }

    // Every claim runs, names a source, and its verdict is the one its own prediction, measurement and tolerance give
    // (so no verdict is hard-coded). With seed 1 every claim is reproduced except the spectral init ratio, whose
    // 256×10 head sits 6.7% below √n + √m (a finite-size miss kept in the table with its cause, pinned here).
    [Fact]
    public void EveryClaimHasAComputedVerdict()
    {
        var results = ClaimChecks.All();
        Assert.Equal(13, results.Count);
        foreach (var r in results)
            output.WriteLine($"{r.Claim} | {r.Source} | predicted {r.Prediction:G6} | measured {r.Measurement:G6} | ±{r.Tolerance:G2} | {r.Verdict} {r.Cause}");
        foreach (var r in results)
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Source));
            Assert.True(double.IsFinite(r.Prediction) && double.IsFinite(r.Measurement));
            var again = ClaimResult.Compare(r.Claim, r.Source, r.Prediction, r.Measurement, r.Tolerance, r.Cause);
            Assert.Equal(again.Verdict, r.Verdict);
            bool knownMiss = r.Claim.StartsWith("spectral init", StringComparison.Ordinal);
            Assert.Equal(knownMiss ? ClaimVerdict.Missed : ClaimVerdict.Reproduced, r.Verdict);
            if (knownMiss) Assert.False(string.IsNullOrEmpty(r.Cause));
        }
        Assert.Equal(results.Count, results.Select(r => r.Claim).Distinct().Count());
    }
}
