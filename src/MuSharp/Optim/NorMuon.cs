using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Spectral;

namespace MuSharp.Optim;

/// <summary>NorMuon's hyperparameters; the defaults are those of the reference code (zichongli5/NorMuon <c>normuon.py</c>).</summary>
public sealed record NorMuonConfig
{
    /// <summary>β₁ of the momentum EMA M ← β₁M + (1−β₁)G (the reference's <c>lerp_</c>).</summary>
    public float Momentum { get; init; } = 0.95f;
    /// <summary>β₂ of the per-neuron second moment v ← β₂v + (1−β₂)·mean_i O_ij².</summary>
    public float Beta2 { get; init; } = 0.95f;
    /// <summary>Nesterov: orthogonalize (1−β₁)G + β₁M instead of M.</summary>
    public bool Nesterov { get; init; } = true;
    public NsSchedule Schedule { get; init; } = NsSchedule.KellerJordan;
    /// <summary>Newton–Schulz steps; null takes <see cref="NsSchedule.DefaultSteps"/>.</summary>
    public int? NsSteps { get; init; }
    public NsPrescaling Prescaling { get; init; } = NsPrescaling.Frobenius;
    public bool GramNewtonSchulz { get; init; }
    /// <summary>Exact msign through the SVD instead of Newton–Schulz (tests).</summary>
    public bool ExactMsign { get; init; }
    /// <summary>α after the normalization; the reference applies KJ's sqrt(max(1, d_out/d_in)).</summary>
    public MuonScaling Scaling { get; init; } = MuonScaling.KellerJordan;
    public float WeightDecay { get; init; }
    /// <summary>Decay only where the update and W agree in sign (<see cref="Optim.CautiousWeightDecay"/>).</summary>
    public bool CautiousWeightDecay { get; init; }

    internal int Steps => NsSteps ?? Schedule.DefaultSteps;
}

/// <summary>
/// NorMuon (Li, Liu, Liang, Chen, Zhao, "NorMuon: Making Muon more efficient and scalable", arXiv 2510.05491; reference
/// code zichongli5/NorMuon; theory §12.1): Muon whose orthogonalized update is normalized per output neuron by an EMA of its
/// mean square, then rescaled to keep the Frobenius norm of the orthogonalized matrix. Our W is [d_in, d_out], so an
/// output neuron is a COLUMN (a torch row). Scaling follows the reference code (‖Ô‖_F restored, then α); the paper's
/// form 0.2·sqrt(d_in·d_out)/‖Ô‖_F is α = <see cref="MuonScaling.Moonlight"/> up to ‖O‖_F² ≈ min(d_in, d_out).
/// For Hidden and Input matrices [d_in, d_out] only, like <see cref="Muon"/>.
/// </summary>
public sealed class NorMuon : Optimizer
{
    /// <summary>The reference's guard in √v + ε and in the Frobenius rescale.</summary>
    public const float Epsilon = 1e-10f;

    private float[] work = [];

    public NorMuon(IEnumerable<Parameter> parameters, NorMuonConfig? config = null, bool allowAnyRole = false) : base(parameters)
    {
        Config = config ?? new NorMuonConfig();
        if (Config.Momentum is < 0f or >= 1f || Config.Beta2 is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(config), "NorMuon: momentum and beta2 must be in [0, 1).");
        if (Config.Steps < 1) throw new ArgumentOutOfRangeException(nameof(config), Config.Steps, "NorMuon: NsSteps must be at least 1.");
        foreach (var p in Parameters)
        {
            if (!allowAnyRole) Muon.CheckRole(p, "NorMuon");
            if (p.Rank != 2)
                throw new ArgumentException($"NorMuon: parameter '{p.Name}' has rank {p.Rank}; the per-neuron normalization needs a [d_in, d_out] matrix.");
        }
    }

    public NorMuonConfig Config { get; }

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            int rows = p.Shape[0], cols = p.Shape[1];
            if (work.Length < 2 * p.Size) work = new float[2 * p.Size];
            float alpha = (float)Config.Scaling.Factor(p.FanIn, p.FanOut);
            // v has one entry per output neuron (cols); the state buffer has p.Size so checkpoints keep the usual shape.
            Update(p.Data, GradOf(p), Buffer("momentum", p), Buffer("v", p).AsSpan(0, cols), rows, cols, alpha,
                LrOf(p, lr), DecayOf(p, Config.WeightDecay), Config, work);
        }
    }

    /// <summary>
    /// One NorMuon step on w, g, m [rows = d_in, cols = d_out] and v [cols] (arXiv 2510.05491, reference code):
    /// M ← β₁M + (1−β₁)G;  U = (1−β₁)G + β₁M (Nesterov) or M;  O = NS(U);
    /// v_j ← β₂v_j + (1−β₂)·mean_i O_ij²;  Ô_ij = O_ij/(√v_j + ε);  Ô ← Ô·‖O‖_F/(‖Ô‖_F + ε);
    /// W ← (1 − ηλ)W − ηα·Ô (or cautious decay). work: at least 2·rows·cols floats.
    /// </summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, int rows, int cols,
        float alpha, float lr, float wd, NorMuonConfig c, Span<float> work)
    {
        int n = rows * cols;
        Span<float> u = work[..n], o = work.Slice(n, n);
        float b1 = c.Momentum, b2 = c.Beta2;
        TensorPrimitives.Multiply(m[..n], b1, m[..n]);
        TensorPrimitives.MultiplyAdd(g[..n], 1f - b1, m[..n], m[..n]);                  // M ← β₁M + (1−β₁)G
        if (c.Nesterov)
        {
            TensorPrimitives.Multiply(m[..n], b1, u);
            TensorPrimitives.MultiplyAdd(g[..n], 1f - b1, u, u);                        // U = (1−β₁)G + β₁M
        }
        else m[..n].CopyTo(u);
        if (c.ExactMsign) Msign.Exact(u, rows, cols, o);                                 // O = msign(U)
        else NsVariants.NewtonSchulz(u, rows, cols, c.Schedule, c.Steps, c.Prescaling, c.GramNewtonSchulz, o);
        float frobO = TensorPrimitives.Norm(o);
        for (int j = 0; j < cols; j++)                                                   // v_j ← β₂v_j + (1−β₂)·mean_i O_ij²
        {
            double sq = 0;
            for (int i = 0; i < rows; i++) sq += (double)o[i * cols + j] * o[i * cols + j];
            v[j] = b2 * v[j] + (1f - b2) * (float)(sq / rows);
        }
        for (int i = 0; i < rows; i++)                                                   // Ô_ij = O_ij/(√v_j + ε)
            for (int j = 0; j < cols; j++)
                o[i * cols + j] /= MathF.Sqrt(v[j]) + Epsilon;
        TensorPrimitives.Multiply(o, frobO / (TensorPrimitives.Norm(o) + Epsilon), o);  // ‖Ô‖_F ← ‖O‖_F
        if (wd != 0f && c.CautiousWeightDecay) CautiousWeightDecay.Apply(w[..n], o, lr * wd);
        else if (wd != 0f) TensorPrimitives.Multiply(w[..n], 1f - lr * wd, w[..n]);    // W ← (1 − ηλ)W
        TensorPrimitives.MultiplyAdd(o, -lr * alpha, w[..n], w[..n]);                    // W ← W − ηα·Ô
    }
}
