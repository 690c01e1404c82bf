using MuSharp.Nn;
using MuSharp.Optim;
using Xunit.Abstractions;

namespace MuSharp.Tests.Optim;

/// <summary>
/// theory §6 (S11267): for i.i.d. zero-mean gradients, Adam's update u = m̂/(√v̂ + ε) has
/// ‖u‖_RMS → √((1−β₁)/(1+β₁)) as t → ∞, independent of β₂. Su's simulation uses β₂ = 0.95, T = 2000, g ~ N(0, 1).
/// </summary>
public class AdamUpdateRmsTests(ITestOutputHelper output)
{
    private const int N = 10_000, T = 2000;

    /// <summary>Update RMS at step T, averaged over the last 20 steps to damp sampling noise.</summary>
    internal static double MeasuredUpdateRms(float beta1, float beta2 = 0.95f)
    {
        float[] theta = new float[N], g = new float[N], m = new float[N], v = new float[N];
        var rng = new Rng(12345);
        double sum = 0;
        int measured = 0;
        for (int t = 1; t <= T; t++)
        {
            rng.FillNormal(g, 0f, 1f);
            Array.Clear(theta);
            // lr = 1, λ = 0: θ goes from 0 to −u, so θ is the update itself.
            AdamW.Update(theta, g, m, v, lr: 1f, beta1, beta2, eps: 1e-8f, wd: 0f, t);
            if (t > T - 20)
            {
                double ss = 0;
                foreach (float u in theta) ss += (double)u * u;
                sum += Math.Sqrt(ss / N);
                measured++;
            }
        }
        return sum / measured;
    }

    [Theory]
    [InlineData(0.8f)]
    [InlineData(0.9f)]
    [InlineData(0.95f)]
    public void UpdateRmsMatchesMeanField(float beta1)
    {
        double predicted = Math.Sqrt((1 - beta1) / (1.0 + beta1));
        double rms = MeasuredUpdateRms(beta1);
        output.WriteLine($"β₁ = {beta1}: update RMS {rms:F4}, mean field {predicted:F4}, ratio {rms / predicted:F4}");
        Assert.True(Math.Abs(rms / predicted - 1) < 0.05, $"β₁ = {beta1}: update RMS {rms:F4}, mean field {predicted:F4}");
    }
}
