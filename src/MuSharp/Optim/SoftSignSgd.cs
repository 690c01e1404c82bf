using System.Numerics;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// SoftSignSGD (docs/theory.md §7.4): SignSGD with Adam's ε, each coordinate moving by
/// η·softsign(g, ε) = η·g/√(g² + ε²). Coordinates with |g| ≫ ε move by η (SignSGD); those with |g| ≪ ε
/// move by η·g/ε (SGD with learning rate η/ε). Optional momentum and decoupled weight decay as <see cref="SignSgd"/>.
/// </summary>
/// <param name="parameters">The parameters to optimize.</param>
/// <param name="eps">ε, in gradient units; typical values are 1e-8 (Torch) to 1e-5 (LLMs).</param>
/// <param name="momentum">β of the EMA m ← βm + (1−β)g; 0 applies softsign to g itself.</param>
/// <param name="weightDecay">λ of the decoupled decay θ ← θ − ηλθ; gains and biases do not decay.</param>
public sealed class SoftSignSgd(IEnumerable<Parameter> parameters, float eps = 1e-8f, float momentum = 0f, float weightDecay = 0f)
    : Optimizer(parameters)
{
    public float Eps { get; } = eps >= 0f ? eps
        : throw new ArgumentOutOfRangeException(nameof(eps), eps, "SoftSignSgd: eps must be ≥ 0.");
    public float Momentum { get; } = momentum is >= 0f and < 1f ? momentum
        : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "SoftSignSgd: momentum must be in [0, 1).");
    public float WeightDecay { get; } = weightDecay;

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            var m = Momentum == 0f ? Span<float>.Empty : Buffer("momentum", p);
            Update(p.Data, GradOf(p), m, LrOf(p, lr), Eps, Momentum, DecayOf(p, WeightDecay));
        }
    }

    /// <summary>
    /// m ← βm + (1−β)g;  θ ← θ − ηλθ − η·m/√(m² + ε²)   (β = 0: softsign of g, and m is unused).
    /// At g = 0 the update is 0; with ε = 0 this is <see cref="SignSgd.Update"/>.
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, float lr, float eps, float beta, float wd)
    {
        float keep = 1f - lr * wd, eps2 = eps * eps;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vB = new Vector<float>(beta); var vBc = new Vector<float>(1f - beta);
            var vLr = new Vector<float>(lr); var vKeep = new Vector<float>(keep); var vEps2 = new Vector<float>(eps2);
            for (; i <= theta.Length - w; i += w)
            {
                var d = new Vector<float>(g[i..]);
                if (beta != 0f)
                {
                    d = vB * new Vector<float>(m[i..]) + vBc * d;
                    d.CopyTo(m[i..]);
                }
                var den = Vector.SquareRoot(d * d + vEps2);
                var soft = Vector.ConditionalSelect(Vector.Equals(den, Vector<float>.Zero), Vector<float>.Zero, d / den);
                (vKeep * new Vector<float>(theta[i..]) - vLr * soft).CopyTo(theta[i..]);
            }
        }
        for (; i < theta.Length; i++)
        {
            float d = g[i];
            if (beta != 0f) d = m[i] = beta * m[i] + (1f - beta) * g[i];
            float den = MathF.Sqrt(d * d + eps2);
            theta[i] = keep * theta[i] - lr * (den == 0f ? 0f : d / den);
        }
    }
}
