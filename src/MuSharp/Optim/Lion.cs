using System.Numerics;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", arXiv 2302.06675): a sign update
/// of an interpolation between momentum and gradient, so every coordinate moves by exactly η (plus decay).
/// The paper suggests an η 3–10× smaller and a λ 3–10× larger than AdamW's.
/// </summary>
/// <param name="parameters">The parameters to optimize.</param>
/// <param name="beta1">Interpolation weight of the update direction c = β₁m + (1−β₁)g.</param>
/// <param name="beta2">EMA weight of the momentum m ← β₂m + (1−β₂)g.</param>
/// <param name="weightDecay">λ of the decoupled decay; gains and biases do not decay.</param>
public sealed class Lion(IEnumerable<Parameter> parameters, float beta1 = 0.9f, float beta2 = 0.99f, float weightDecay = 0f)
    : Optimizer(parameters)
{
    public float Beta1 { get; } = beta1;
    public float Beta2 { get; } = beta2;
    public float WeightDecay { get; } = weightDecay;

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            var (g, m) = (GradOf(p), Buffer("m", p));
            float step = LrOf(p, lr), wd = DecayOf(p, WeightDecay);
            ForChunks(p, r => Update(p.Data.AsSpan(r), g.AsSpan(r), m.AsSpan(r), step, Beta1, Beta2, wd));
        }
    }

    /// <summary>
    /// c = β₁m + (1−β₁)g;  θ ← θ − η(sign(c) + λθ);  m ← β₂m + (1−β₂)g   (Chen et al. 2023, Program 1).
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, float lr, float beta1, float beta2, float wd)
    {
        float keep = 1f - lr * wd;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vB1 = new Vector<float>(beta1); var vB1c = new Vector<float>(1f - beta1);
            var vB2 = new Vector<float>(beta2); var vB2c = new Vector<float>(1f - beta2);
            var vLr = new Vector<float>(lr); var vKeep = new Vector<float>(keep);
            for (; i <= theta.Length - w; i += w)
            {
                var gi = new Vector<float>(g[i..]);
                var mi = new Vector<float>(m[i..]);
                var c = vB1 * mi + vB1c * gi;
                (vKeep * new Vector<float>(theta[i..]) - vLr * SignSgd.Sign(c)).CopyTo(theta[i..]);
                (vB2 * mi + vB2c * gi).CopyTo(m[i..]);
            }
        }
        for (; i < theta.Length; i++)
        {
            float c = beta1 * m[i] + (1f - beta1) * g[i];
            theta[i] = keep * theta[i] - lr * MathF.Sign(c);
            m[i] = beta2 * m[i] + (1f - beta2) * g[i];
        }
    }
}
