using System.Numerics;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>AdamW (Loshchilov and Hutter, arXiv 1711.05101): Adam with decoupled weight decay.</summary>
public sealed class AdamW(IEnumerable<Parameter> parameters, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
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
        {
            var (g, m, v) = (GradOf(p), Buffer("m", p), Buffer("v", p));
            float step = LrOf(p, lr), wd = DecayOf(p, WeightDecay);
            ForChunks(p, r => Update(p.Data.AsSpan(r), g.AsSpan(r), m.AsSpan(r), v.AsSpan(r), step, Beta1, Beta2, Eps, wd, StepCount));
        }
    }

    /// <summary>
    /// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);
    /// θ ← θ − ηλθ − η·m̂/(√v̂ + ε)  (as torch.optim.AdamW).
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, Span<float> v,
        float lr, float beta1, float beta2, float eps, float wd, long t)
    {
        float c1 = 1f / (1f - MathF.Pow(beta1, t));
        float c2 = 1f / MathF.Sqrt(1f - MathF.Pow(beta2, t));
        float keep = 1f - lr * wd;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vb1 = new Vector<float>(beta1); var vb1c = new Vector<float>(1f - beta1);
            var vb2 = new Vector<float>(beta2); var vb2c = new Vector<float>(1f - beta2);
            var vStep = new Vector<float>(lr * c1); var vC2 = new Vector<float>(c2);
            var vEps = new Vector<float>(eps); var vKeep = new Vector<float>(keep);
            for (; i <= theta.Length - w; i += w)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = vb1 * new Vector<float>(m[i..]) + vb1c * gi;
                var vi = vb2 * new Vector<float>(v[i..]) + vb2c * gi * gi;
                mi.CopyTo(m[i..]);
                vi.CopyTo(v[i..]);
                var denom = Vector.SquareRoot(vi) * vC2 + vEps;
                (vKeep * new Vector<float>(theta[i..]) - vStep * mi / denom).CopyTo(theta[i..]);
            }
        }
        for (; i < theta.Length; i++)
        {
            m[i] = beta1 * m[i] + (1f - beta1) * g[i];
            v[i] = beta2 * v[i] + (1f - beta2) * g[i] * g[i];
            theta[i] = keep * theta[i] - lr * c1 * m[i] / (MathF.Sqrt(v[i]) * c2 + eps);
        }
    }
}
