using System.Numerics.Tensors;
using MuSharp.Optim;

namespace MuSharp.BatchScaling;

/// <summary>
/// AdamW's weight RMS (theory §6, S11307). Writing β₃ = 1 − ηλ, the decoupled decay makes θ an EMA of −u/λ:
/// θ_t = β₃θ_{t−1} + (1−β₃)(−u_t/λ). For zero-mean gradients (μ = 0) the post's mean-field result is
/// ‖θ_t‖²_RMS ≈ β₃^{2t}‖θ₀‖²_RMS + (1 − β₃^{2t})·η/(2λ), so the steady state is sqrt(η/(2λ)), reached on the time
/// scale 1/(2ηλ) steps; for λ → 0 it becomes ‖θ₀‖² + η²t. The naive estimate that treats the u_t as independent,
/// sqrt((1−β₁)/(1+β₁)·η/(2λ)), is wrong (the post says so): momentum correlates consecutive updates, and their
/// autocorrelations sum back to 1.
/// </summary>
public static class AdamWeightRms
{
    /// <summary>sqrt(η/(2λ)): the steady-state ‖θ‖_RMS.</summary>
    public static double SteadyState(double lr, double weightDecay)
    {
        if (!(lr > 0) || !(weightDecay > 0))
            throw new ArgumentException($"AdamWeightRms.SteadyState: needs η > 0 and λ > 0, got η = {lr}, λ = {weightDecay}.");
        return Math.Sqrt(lr / (2 * weightDecay));
    }

    /// <summary>
    /// sqrt(β₃^{2t}·r₀² + (1 − β₃^{2t})·η/(2λ)), β₃ = 1 − ηλ, at a constant η and λ; for λ = 0, sqrt(r₀² + η²t).
    /// r₀ = ‖θ₀‖_RMS.
    /// </summary>
    public static double Predicted(double initialRms, double lr, double weightDecay, double t)
    {
        if (!(lr > 0) || weightDecay < 0 || t < 0 || initialRms < 0)
            throw new ArgumentException($"AdamWeightRms.Predicted: needs η > 0, λ ≥ 0, t ≥ 0, r₀ ≥ 0; got η = {lr}, λ = {weightDecay}, t = {t}, r₀ = {initialRms}.");
        if (weightDecay == 0) return Math.Sqrt(initialRms * initialRms + lr * lr * t);
        double decay2t = Math.Pow(1 - lr * weightDecay, 2 * t);
        return Math.Sqrt(decay2t * initialRms * initialRms + (1 - decay2t) * lr / (2 * weightDecay));
    }

    /// <summary>
    /// One step of the same law as a recurrence, for schedules where η_t changes:
    /// r_t² = (1 − η_tλ)²·r_{t−1}² + η_t²(1 − η_tλ/2), which is the closed form's step (1 − β₃²)·η/(2λ) = η²(1 − ηλ/2)
    /// and stays finite at λ = 0. Returns r_t² from r_{t−1}².
    /// </summary>
    public static double StepSquared(double previousSquared, double lr, double weightDecay)
    {
        double keep = 1 - lr * weightDecay;
        return keep * keep * previousSquared + lr * lr * (1 - lr * weightDecay / 2);
    }

    /// <summary>
    /// Runs the library's <see cref="AdamW.Update"/> (float32) on n weights with g ~ N(0, 1) i.i.d. for
    /// <paramref name="steps"/> steps from θ₀ ~ N(0, initStd²), and returns ‖θ_t‖_RMS at each step of
    /// <paramref name="at"/> (ascending, each ≤ steps).
    /// </summary>
    public static double[] Simulate(int n, long steps, float lr, float weightDecay, float beta1, float beta2, float initStd,
        Rng rng, IReadOnlyList<long> at, float eps = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(at);
        if (n < 1 || steps < 1 || at.Any(s => s < 0 || s > steps))
            throw new ArgumentException($"AdamWeightRms.Simulate: needs n ≥ 1, steps ≥ 1 and report steps in [0, {steps}].");
        float[] theta = new float[n], m = new float[n], v = new float[n], g = new float[n];
        double[] gd = new double[n], scratch = new double[Gaussian.ScratchLength(n)];
        rng.FillNormal(theta, 0f, initStd);
        var result = new double[at.Count];
        int next = 0;
        for (long t = 0; t <= steps; t++)
        {
            if (t > 0)
            {
                Gaussian.Fill(rng, gd, scratch);
                TensorPrimitives.ConvertTruncating<double, float>(gd, g);
                AdamW.Update(theta, g, m, v, lr, beta1, beta2, eps, weightDecay, t);
            }
            while (next < at.Count && at[next] == t)
                result[next++] = TensorPrimitives.Norm(theta) / Math.Sqrt(n);
        }
        return result;
    }
}
