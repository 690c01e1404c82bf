using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// Cautious weight decay (Chen et al., "Cautious Weight Decay", arXiv 2510.12402; theory §12.3): with the update direction u
/// that the optimizer subtracts (W ← W − η(u + …)), decay only the coordinates where u and W agree in sign,
/// W ← W − ηλ·𝟙[u_i·W_i ≥ 0]·W_i. Those are the coordinates the update already moves toward 0; elsewhere decay would
/// fight the update. Zeros count as aligned (optax's <c>sign(u)·sign(p) ≥ 0</c>), which changes nothing as 0 decays to 0.
/// </summary>
public static class CautiousWeightDecay
{
    /// <summary>w_i ← w_i − decay·w_i where u_i·w_i ≥ 0, with decay = ηλ; w and u have one length.</summary>
    public static void Apply(Span<float> w, ReadOnlySpan<float> u, float decay)
    {
        if (u.Length < w.Length) throw new ArgumentException($"CautiousWeightDecay: update has {u.Length} values for {w.Length} weights.", nameof(u));
        for (int i = 0; i < w.Length; i++)
            if (u[i] * w[i] >= 0f) w[i] -= decay * w[i];
    }
}

/// <summary>
/// AdamW with cautious weight decay (Chen et al., arXiv 2510.12402, their AdamW instance): the Adam direction
/// u = m̂/(√v̂ + ε) as in <see cref="AdamW"/>, and decoupled decay only where u and θ agree in sign.
/// </summary>
public sealed class CautiousAdamW(IEnumerable<Parameter> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
    : Optimizer(parameters)
{
    public float Beta1 { get; } = beta1;
    public float Beta2 { get; } = beta2;
    public float Eps { get; } = eps;
    public float WeightDecay { get; } = weightDecay;

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
            Update(p.Data, GradOf(p), Buffer("m", p), Buffer("v", p), LrOf(p, lr), Beta1, Beta2, Eps, DecayOf(p, WeightDecay), StepCount);
    }

    /// <summary>
    /// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  u = m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ);
    /// θ ← θ − η(u + λ·𝟙[u·θ ≥ 0]·θ), the mask read from θ before the step.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float eps, float wd, long t)
    {
        float c1 = 1f / (1f - MathF.Pow(beta1, t));
        float c2 = 1f / MathF.Sqrt(1f - MathF.Pow(beta2, t));
        for (int i = 0; i < theta.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            float u = c1 * m[i] / (MathF.Sqrt(v[i]) * c2 + eps);
            float decay = u * theta[i] >= 0f ? lr * wd * theta[i] : 0f;
            theta[i] = theta[i] - lr * u - decay;
        }
    }
}
