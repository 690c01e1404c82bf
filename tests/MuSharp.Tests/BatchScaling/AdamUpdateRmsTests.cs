using MuSharp.BatchScaling;
using Xunit.Abstractions;

namespace MuSharp.Tests.BatchScaling;

/// <summary>theory §6 (S11267): Adam's update RMS at stationarity, mean field vs simulation, and its inverse.</summary>
public class AdamUpdateRmsTests(ITestOutputHelper output)
{
    [Fact]
    public void MeanFieldValuesAndInverse()
    {
        Assert.Equal(0.2294, AdamUpdateRms.Predicted(0.9, 0), 4);  // theory §6 [V]
        Assert.Equal(0.1601, AdamUpdateRms.Predicted(0.95, 0), 4); // [C] table's MF column
        Assert.Equal(0.3617, AdamUpdateRms.Predicted(0.9, 0.09), 4);
        Assert.Equal(0.7255, AdamUpdateRms.Predicted(0.9, 1), 4);
        foreach (double snr in new[] { 0.0, 0.05, 0.3, 2 })
            Assert.Equal(snr, AdamUpdateRms.InverseSnr(AdamUpdateRms.Predicted(0.9, snr), 0.9), 12);
        Assert.Contains("update RMS", Assert.Throws<ArgumentException>(() => AdamUpdateRms.InverseSnr(1.2, 0.9)).Message);
    }

    [Theory]
    [InlineData(0.9, 0.0, 0.2241)]
    [InlineData(0.95, 0.0, 0.1577)]
    [InlineData(0.9, 0.3, 0.3566)]
    public void SimulationMatchesMeanFieldAndTheory6Numbers(double beta1, double mu, double theoryC)
    {
        // theory §6 [C]: N = 4000, β2 = 0.95, g ~ N(μ, 1); T = 2000 as Su's run.
        double rms = AdamUpdateRms.Simulate(4000, 2000, beta1, 0.95, mu, 1, new Rng(12345), window: 200);
        double mf = AdamUpdateRms.Predicted(beta1, mu * mu);
        output.WriteLine($"β1 = {beta1}, μ = {mu}: simulated {rms:F4}, mean field {mf:F4} (ratio {rms / mf:F4}), theory §6 [C] {theoryC:F4}");
        // SNR ≤ 0.1: theory's acceptance band is ±5% vs mean field.
        Assert.True(Math.Abs(rms / mf - 1) < 0.05);
        // Against the [C] simulation (other seed and RNG): RMS over 4000 coordinates and 200 steps has ~0.3% SE; 2% band.
        Assert.True(Math.Abs(rms / theoryC - 1) < 0.02, $"simulated {rms:F4} vs theory [C] {theoryC:F4}");
    }
}
