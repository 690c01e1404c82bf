using System.Numerics;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// SignSGD and signum (Bernstein et al., arXiv 1802.04434) with decoupled weight decay: every coordinate
/// moves by exactly η, in the direction of −sign(g) or, with momentum β &gt; 0, of −sign(m).
/// SignSGD is the mean-field proxy of Adam (docs/theory.md §7.3, signum §7.6).
/// </summary>
/// <param name="parameters">The parameters to optimize.</param>
/// <param name="momentum">β of the EMA m ← βm + (1−β)g; 0 gives plain SignSGD.</param>
/// <param name="weightDecay">λ of the decoupled decay θ ← θ − ηλθ; gains and biases do not decay.</param>
public sealed class SignSgd(IEnumerable<Parameter> parameters, float momentum = 0f, float weightDecay = 0f)
    : Optimizer(parameters)
{
    public float Momentum { get; } = momentum is >= 0f and < 1f ? momentum
        : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "SignSgd: momentum must be in [0, 1).");
    public float WeightDecay { get; } = weightDecay;

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            var m = Momentum == 0f ? Span<float>.Empty : Buffer("momentum", p);
            Update(p.Data, GradOf(p), m, LrOf(p, lr), Momentum, DecayOf(p, WeightDecay));
        }
    }

    /// <summary>
    /// m ← βm + (1−β)g;  θ ← θ − ηλθ − η·sign(m)   (β = 0: θ ← θ − ηλθ − η·sign(g), and m is unused).
    /// sign(0) = 0.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, float lr, float beta, float wd)
    {
        float keep = 1f - lr * wd;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vB = new Vector<float>(beta); var vBc = new Vector<float>(1f - beta);
            var vLr = new Vector<float>(lr); var vKeep = new Vector<float>(keep);
            for (; i <= theta.Length - w; i += w)
            {
                var d = new Vector<float>(g[i..]);
                if (beta != 0f)
                {
                    d = vB * new Vector<float>(m[i..]) + vBc * d;
                    d.CopyTo(m[i..]);
                }
                (vKeep * new Vector<float>(theta[i..]) - vLr * Sign(d)).CopyTo(theta[i..]);
            }
        }
        for (; i < theta.Length; i++)
        {
            float d = g[i];
            if (beta != 0f) d = m[i] = beta * m[i] + (1f - beta) * g[i];
            theta[i] = keep * theta[i] - lr * MathF.Sign(d);
        }
    }

    /// <summary>Elementwise sign: +1, −1, or 0 at 0 (and at NaN, like neither comparison).</summary>
    internal static Vector<float> Sign(Vector<float> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), Vector<float>.One,
            Vector.ConditionalSelect(Vector.LessThan(x, Vector<float>.Zero), -Vector<float>.One, Vector<float>.Zero));
}
