using System.Numerics.Tensors;

namespace MuSharp.BatchScaling;

/// <summary>
/// Adam's update RMS at stationarity (theory §6, S11267): with i.i.d. gradients of mean μ and std σ per coordinate
/// and ε → 0, mean field gives ‖u‖_RMS ≈ sqrt((snr + (1−β1)/(1+β1))/(snr + 1)), snr = ‖μ‖²/‖σ‖², independent of β2
/// (0.2294 at μ = 0, β1 = 0.9).
/// </summary>
public static class AdamUpdateRms
{
    /// <summary>sqrt((snr + (1−β1)/(1+β1))/(snr + 1)).</summary>
    public static double Predicted(double beta1, double snr)
    {
        Require.Beta1(beta1, nameof(Predicted));
        Require.NonNegative(snr, "SNR", nameof(Predicted));
        double c = (1 - beta1) / (1 + beta1);
        return Math.Sqrt((snr + c) / (snr + 1));
    }

    /// <summary>‖μ‖²/‖σ‖² ≈ (R² − (1−β1)/(1+β1))/(1 − R²) from a measured update RMS R (theory §6); for any momentum
    /// optimizer use R = ‖m‖/‖g‖. Negative when R is below the pure-noise value.</summary>
    public static double InverseSnr(double rms, double beta1)
    {
        Require.Beta1(beta1, nameof(InverseSnr));
        if (!(rms >= 0 && rms < 1)) throw new ArgumentException($"{nameof(InverseSnr)}: update RMS must lie in [0, 1), got {rms}.");
        double c = (1 - beta1) / (1 + beta1);
        return (rms * rms - c) / (1 - rms * rms);
    }

    /// <summary>
    /// Runs bias-corrected Adam (lr = 1, no weight decay) on n coordinates with g_t ~ N(μ, σ²) i.i.d. for
    /// <paramref name="steps"/> steps and returns ‖u_t‖_RMS averaged over the last <paramref name="window"/> steps.
    /// </summary>
    public static double Simulate(int n, int steps, double beta1, double beta2, double mu, double sigma, Rng rng,
        double epsilon = 1e-8, int window = 100)
    {
        const string where = "AdamUpdateRms.Simulate";
        Require.Beta1(beta1, where);
        Require.Beta2(beta2, where);
        Require.NonNegative(sigma, "σ", where);
        if (n < 1 || steps < 1 || window < 1 || window > steps)
            throw new ArgumentException($"{where}: needs n ≥ 1 and 1 ≤ window ≤ steps, got n = {n}, steps = {steps}, window = {window}.");
        ArgumentNullException.ThrowIfNull(rng);
        double[] g = new double[n], m = new double[n], v = new double[n], u = new double[n];
        var scratch = new double[Gaussian.ScratchLength(n)];
        double sum = 0;
        for (int t = 1; t <= steps; t++)
        {
            Gaussian.Fill(rng, g, scratch);
            TensorPrimitives.Multiply(g, sigma, g);
            TensorPrimitives.Add(g, mu, g);
            TensorPrimitives.Lerp(m, g, 1 - beta1, m);   // m ← β1 m + (1−β1) g
            TensorPrimitives.Multiply(g, g, g);
            TensorPrimitives.Lerp(v, g, 1 - beta2, v);   // v ← β2 v + (1−β2) g²
            if (t <= steps - window) continue;
            double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
            TensorPrimitives.Multiply(v, 1 / c2, u);
            TensorPrimitives.Sqrt(u, u);
            TensorPrimitives.Add(u, epsilon, u);
            TensorPrimitives.Divide(m, u, u);            // u = m̂/(√v̂ + ε) up to the factor 1/c1
            sum += TensorPrimitives.Norm<double>(u) / c1 / Math.Sqrt(n);
        }
        return sum / window;
    }
}
