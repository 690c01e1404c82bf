using System.Numerics;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>SGD with optional heavy-ball or Nesterov momentum and decoupled weight decay.</summary>
public sealed class Sgd(IEnumerable<Parameter> parameters, float momentum = 0f, bool nesterov = false, float weightDecay = 0f)
    : Optimizer(parameters)
{
    public float Momentum { get; } = momentum;
    public bool Nesterov { get; } = nesterov;
    public float WeightDecay { get; } = weightDecay;

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            float wd = DecayOf(p, WeightDecay), step = LrOf(p, lr);
            var (g, buf) = (GradOf(p), Momentum == 0f ? null : Buffer("momentum", p));
            ForChunks(p, r => Update(p.Data.AsSpan(r), g.AsSpan(r), buf == null ? [] : buf.AsSpan(r), step, Momentum, Nesterov, wd));
        }
    }

    /// <summary>
    /// PyTorch's SGD: b ← μ·b + g;  d = g + μ·b (Nesterov) or b (heavy ball), or g when μ = 0;
    /// θ ← θ − η·λ·θ − η·d (decoupled decay).
    /// </summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> g, Span<float> b, float lr, float mu, bool nesterov, float wd)
    {
        float keep = 1f - lr * wd;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var vMu = new Vector<float>(mu); var vLr = new Vector<float>(lr); var vKeep = new Vector<float>(keep);
            for (; i <= theta.Length - w; i += w)
            {
                var gi = new Vector<float>(g[i..]);
                var d = gi;
                if (mu != 0f)
                {
                    var bi = vMu * new Vector<float>(b[i..]) + gi;
                    bi.CopyTo(b[i..]);
                    d = nesterov ? gi + vMu * bi : bi;
                }
                (vKeep * new Vector<float>(theta[i..]) - vLr * d).CopyTo(theta[i..]);
            }
        }
        for (; i < theta.Length; i++)
        {
            float d = g[i];
            if (mu != 0f)
            {
                b[i] = mu * b[i] + g[i];
                d = nesterov ? g[i] + mu * b[i] : b[i];
            }
            theta[i] = keep * theta[i] - lr * d;
        }
    }
}
