using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Spectral;

namespace MuSharp.Optim;

/// <summary>The matrix normalization N of an update Φ (theory §1, §3.2).</summary>
public enum UpdateNormalization
{
    /// <summary>N(Φ) = msign(Φ) = U·Vᵀ: every singular value 1 (the SVC limit, "generalised Muon").</summary>
    Msign,
    /// <summary>N(Φ) = SN(Φ) = Φ/‖Φ‖₂: top singular value 1, the spectrum's shape kept.</summary>
    SpectralNorm,
    /// <summary>N(Φ) = SVC(Φ) = U·min(Σ, 1)·Vᵀ: singular values clipped at 1.</summary>
    Svc,
}

/// <summary>
/// Update normalization around any base optimizer (theory §3.2): ΔW = η·α·N(Φ) with Φ the base optimizer's update
/// direction, N an <see cref="UpdateNormalization"/> and α = sqrt(d_out/d_in) by default (a <see cref="MuonScaling"/>).
/// msign∘AdamW is "Mudamw". Φ is read off the base exactly: each W is set to 0, the base steps with η = 1, which
/// leaves W = −Φ, and W is restored. So the base's own weight decay acts on 0 and is inert (use <c>weightDecay</c> here),
/// and a base whose direction reads W itself is not supported. Checkpoint through <see cref="Base"/>: the moments live there.
/// Only Hidden and Input matrices are accepted, as for <see cref="Muon"/>, unless <c>allowAnyRole</c>.
/// </summary>
public sealed class NormalizedUpdate : Optimizer
{
    private readonly Dictionary<Parameter, float[]> saved = new(ReferenceEqualityComparer.Instance); // W during the base step
    private float[] work = [];

    public NormalizedUpdate(Optimizer baseOptimizer, UpdateNormalization normalization = UpdateNormalization.Msign,
        MuonScaling scaling = MuonScaling.Spectral, float weightDecay = 0f, NsSchedule? schedule = null, int? nsSteps = null,
        bool exactMsign = false, bool allowAnyRole = false)
        : base((baseOptimizer ?? throw new ArgumentNullException(nameof(baseOptimizer))).Parameters)
    {
        Base = baseOptimizer;
        Normalization = normalization;
        Scaling = scaling;
        WeightDecay = weightDecay;
        Schedule = schedule ?? NsSchedule.KellerJordan;
        NsSteps = nsSteps ?? Schedule.DefaultSteps;
        ExactMsign = exactMsign;
        ArgumentOutOfRangeException.ThrowIfLessThan(NsSteps, 1, nameof(nsSteps));
        foreach (var p in Parameters)
        {
            if (!allowAnyRole) Muon.CheckRole(p, "NormalizedUpdate");
            _ = MatrixView.Of(p);
        }
    }

    /// <summary>The optimizer whose update direction Φ is normalized; it holds all the optimizer state.</summary>
    public Optimizer Base { get; }
    public UpdateNormalization Normalization { get; }
    public MuonScaling Scaling { get; }
    /// <summary>λ of the decoupled decay W ← W − ηλW.</summary>
    public float WeightDecay { get; }
    public NsSchedule Schedule { get; }
    public int NsSteps { get; }
    /// <summary>msign through the SVD instead of Newton–Schulz (tests, oracles).</summary>
    public bool ExactMsign { get; }

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            if (!saved.TryGetValue(p, out var keep)) saved[p] = keep = new float[p.Size];
            p.Data.CopyTo(keep, 0);
            Array.Clear(p.Data);
        }
        Base.Step(1f); // W = 0 − 1·Φ
        foreach (var p in Parameters)
        {
            var view = MatrixView.Of(p);
            int n = p.Size;
            if (work.Length < view.WorkLength) work = new float[view.WorkLength];
            var phi = work.AsSpan(0, n);
            TensorPrimitives.Multiply(p.Data, -1f / p.LrScale, phi); // Φ = −W/s (the base stepped with 1·s)
            saved[p].CopyTo(p.Data, 0);             // W restored
            float alpha = (float)Scaling.Factor(p.FanIn, p.FanOut);
            Update(p.Data, phi, view, alpha, LrOf(p, lr), DecayOf(p, WeightDecay), Normalization, Schedule, NsSteps, ExactMsign,
                work.AsSpan(n, n), work.AsSpan(2 * n));
        }
    }

    /// <summary>
    /// ΔW = η·α·N(Φ) (theory §3.2) with decoupled decay: W ← (1 − ηλ)W − η·α·N(Φ), N applied to each [Rows, Cols] block.
    /// w, phi, normalized: [Batch·Rows·Cols]; scratch: at least <see cref="Msign.ScratchLength"/>(Rows, Cols) for Newton–Schulz.
    /// </summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> phi, MatrixView view, float alpha, float lr, float wd,
        UpdateNormalization normalization, NsSchedule schedule, int nsSteps, bool exactMsign, Span<float> normalized, Span<float> scratch)
    {
        int k = view.MatrixSize, n = view.Batch * k, rows = view.Rows, cols = view.Cols;
        for (int b = 0; b < view.Batch; b++)
        {
            var src = phi.Slice(b * k, k);
            var dst = normalized.Slice(b * k, k);
            switch (normalization)
            {
                case UpdateNormalization.Msign when exactMsign: Msign.Exact(src, rows, cols, dst); break;
                case UpdateNormalization.Msign: Msign.NewtonSchulz(src, rows, cols, schedule, nsSteps, scratch, dst); break;
                case UpdateNormalization.SpectralNorm: SpectralOps.SpectralNormalize(src, rows, cols, dst); break;
                case UpdateNormalization.Svc: SpectralOps.Svc(src, rows, cols, dst); break;
                default: throw new ArgumentOutOfRangeException(nameof(normalization), normalization, "NormalizedUpdate: unknown normalization.");
            }
        }
        if (wd != 0f) TensorPrimitives.Multiply(w[..n], 1f - lr * wd, w[..n]);        // W ← (1 − ηλ)W
        TensorPrimitives.MultiplyAdd(normalized[..n], -lr * alpha, w[..n], w[..n]);    // W ← W − ηα·N(Φ)
    }
}
