using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Spectral;

namespace MuSharp.Optim;

/// <summary>How Muon keeps ‖W‖₂ bounded beyond plain decoupled weight decay (theory §4.4).</summary>
public enum MuonConstraint
{
    /// <summary>No spectral constraint; only the decoupled decay W ← (1 − ηλ)W.</summary>
    None,
    /// <summary>W ← mclip(W − ηα·msign(M); τ), exact through the SVD.</summary>
    PostClip,
    /// <summary>W ← mclip(W; (1 − ηα/τ)‖W‖₂) − ηα·msign(M): ‖W_t‖₂ ≤ max(‖W₀‖₂, τ) when ‖msign(M)‖₂ ≤ 1.</summary>
    PreDecay,
    /// <summary>Pre Decay on the top singular triple only: W ← W − (ηα/τ)·σ₁u₁v₁ᵀ − ηα·msign(M), SVD1 by warm-started power iteration.</summary>
    SpectralWeightDecay,
}

/// <summary>Muon's hyperparameters. η is in units of spectral norm per update (times α, theory §4.5).</summary>
public sealed record MuonConfig
{
    /// <summary>β of the momentum (KellerJordan/Muon and Moonlight default 0.95).</summary>
    public float Momentum { get; init; } = 0.95f;
    /// <summary>Nesterov: msign(βM + G) instead of msign(M) (theory §4.5).</summary>
    public bool Nesterov { get; init; } = true;
    /// <summary>false: M ← βM + G (theory §4.5, Moonlight); true: M ← βM + (1−β)G (KellerJordan's <c>lerp_</c>, §5.1).</summary>
    public bool EmaMomentum { get; init; }
    /// <summary>Newton–Schulz coefficients (theory §5.2–5.3).</summary>
    public NsSchedule Schedule { get; init; } = NsSchedule.KellerJordan;
    /// <summary>Newton–Schulz steps; null takes <see cref="NsSchedule.DefaultSteps"/> (5 for Keller Jordan).</summary>
    public int? NsSteps { get; init; }
    /// <summary>Exact msign = U·Vᵀ through the SVD instead of Newton–Schulz (tests, oracles; allocates per step).</summary>
    public bool ExactMsign { get; init; }
    /// <summary>Arithmetic of the Newton–Schulz products: fp32, or bf16 inputs with fp32 accumulation (<see cref="Msign.NewtonSchulzBf16"/>).</summary>
    public Precision NsPrecision { get; init; } = Precision.Fp32;
    public MuonScaling Scaling { get; init; } = MuonScaling.KellerJordan;
    /// <summary>λ of the decoupled decay W ← W − ηλW (gains and biases, if admitted, do not decay).</summary>
    public float WeightDecay { get; init; }
    public MuonConstraint Constraint { get; init; } = MuonConstraint.None;
    /// <summary>τ, the spectral-norm bound of <see cref="Constraint"/>; unused for <see cref="MuonConstraint.None"/>.</summary>
    public float Tau { get; init; }
    /// <summary>Power-iteration rounds per step for <see cref="MuonConstraint.SpectralWeightDecay"/> (warm started).</summary>
    public int PowerIterations { get; init; } = 2;
    /// <summary>Scaling of M before Newton–Schulz (optax's <c>preconditioning</c>; theory §12.4); Frobenius is the classic path.</summary>
    public NsPrescaling Prescaling { get; init; } = NsPrescaling.Frobenius;
    /// <summary>Newton–Schulz on the small Gram matrix (Dao-AILab/gram-newton-schulz; theory §12.5); pays off for non-square matrices.</summary>
    public bool GramNewtonSchulz { get; init; }
    /// <summary>Cautious weight decay (Chen et al., arXiv 2510.12402): decay only where msign(M) and W agree in sign (<see cref="CautiousWeightDecay"/>).</summary>
    public bool CautiousWeightDecay { get; init; }

    internal int Steps => NsSteps ?? Schedule.DefaultSteps;
}

/// <summary>How a parameter is cut into matrices for msign: <see cref="Batch"/> row-major [Rows, Cols] blocks.</summary>
public readonly record struct MatrixView(int Batch, int Rows, int Cols)
{
    /// <summary>[r, c] → 1×[r, c]; stacked [n, r, c] → n×[r, c]; conv [out, in, kh, kw] → 1×[out, in·kh·kw] (theory §4.5); [n] → 1×[1, n].</summary>
    /// <remarks>Parameter accepts any shape; α still comes from the layer's FanIn/FanOut (for a conv: in·kh·kw and out),
    /// and msign(Mᵀ) = msign(M)ᵀ makes the [out, in·kh·kw] view's orientation irrelevant to the direction.</remarks>
    public static MatrixView Of(Parameter p) => p.Shape switch
    {
        [int n] => new(1, 1, n),
        [int r, int c] => new(1, r, c),
        [int b, int r, int c] => new(b, r, c),
        [int o, int i, int kh, int kw] => new(1, o, checked(i * kh * kw)),
        _ => throw new ArgumentException($"Muon: parameter '{p.Name}' has rank {p.Rank}; msign needs a matrix, a stack [n, rows, cols] or a conv kernel [out, in, kh, kw]."),
    };

    public int MatrixSize => Rows * Cols;

    /// <summary>Floats of work <see cref="Muon.Update"/> needs: direction and msign [Batch·Rows·Cols] each, plus NS scratch.</summary>
    public int WorkLength => checked(2 * Batch * MatrixSize + Msign.ScratchLength(Rows, Cols));
}

/// <summary>
/// Muon (KellerJordan/Muon; theory §4.5, §5.1): W ← W − η·(α·msign(M) + λW) with M the gradient momentum and α a
/// <see cref="MuonScaling"/> of the layer's fan-in and fan-out. Only <see cref="Role.Hidden"/> and <see cref="Role.Input"/>
/// matrices belong here: route embeddings, the output head and gains/biases to AdamW or SteepestDescent (theory §4.5).
/// </summary>
public sealed class Muon : Optimizer
{
    private float[] work = []; // direction, msign and NS scratch, shared by every parameter and step

    public Muon(IEnumerable<Parameter> parameters, MuonConfig? config = null, bool allowAnyRole = false) : base(parameters)
    {
        Config = config ?? new MuonConfig();
        if (Config.Momentum is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(config), Config.Momentum, "Muon: momentum must be in [0, 1).");
        if (Config.Steps < 1) throw new ArgumentOutOfRangeException(nameof(config), Config.Steps, "Muon: NsSteps must be at least 1.");
        if (Config.NsPrecision == Precision.Bf16 && (Config.Prescaling != NsPrescaling.Frobenius || Config.GramNewtonSchulz))
            throw new ArgumentException("Muon: bf16 Newton–Schulz runs the Frobenius-scaled iteration; use it without AOL/spectral pre-scaling or the Gram form.", nameof(config));
        if (Config.Constraint != MuonConstraint.None && !(Config.Tau > 0))
            throw new ArgumentOutOfRangeException(nameof(config), Config.Tau, $"Muon: constraint {Config.Constraint} needs a bound Tau > 0.");
        foreach (var p in Parameters)
        {
            if (!allowAnyRole) CheckRole(p, "Muon");
            _ = MatrixView.Of(p);
        }
    }

    public MuonConfig Config { get; }

    /// <summary>
    /// Who computes msign: null = this process, matrix by matrix inside <see cref="Update"/>. A distributed layer sets an
    /// executor that shares the matrices out among processes (theory §13); the step is then momentum for every matrix,
    /// one <see cref="IMsignExecutor.Run"/> over all of them, and the updates — the same arithmetic in the same order.
    /// </summary>
    public IMsignExecutor? Executor { get; set; }

    public override void Step(float lr)
    {
        if (Executor is { } executor)
        {
            StepDistributed(lr, executor);
            return;
        }
        StepCount++;
        foreach (var p in Parameters)
        {
            var view = MatrixView.Of(p);
            if (work.Length < view.WorkLength) work = new float[view.WorkLength];
            var v = Config.Constraint == MuonConstraint.SpectralWeightDecay ? Buffer("v", p) : Span<float>.Empty;
            float alpha = (float)Config.Scaling.Factor(p.FanIn, p.FanOut);
            Update(p.Data, GradOf(p), Buffer("momentum", p), v, view, alpha, LrOf(p, lr), DecayOf(p, Config.WeightDecay), Config, work);
        }
    }

    /// <summary>
    /// One Muon step on w, g, m [Batch, Rows, Cols] (theory §4.5):
    /// M ← βM + G (or βM + (1−β)G);  D = βM + G (Nesterov) or M;  O = msign(D) per matrix;
    /// W ← (1 − ηλ)W;  W ← W − ηα·O, then the <see cref="MuonConstraint"/> (theory §4.4).
    /// v: power-iteration warm starts [Batch·Cols] for the spectral weight decay; work: at least <see cref="MatrixView.WorkLength"/>.
    /// </summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, MatrixView view,
        float alpha, float lr, float wd, MuonConfig c, Span<float> work)
    {
        int n = view.Batch * view.MatrixSize;
        Span<float> d = work[..n], o = work.Slice(n, n), scratch = work[(2 * n)..];
        Direction(g, m, view, c, d);
        Orthogonalize(d, view, c, scratch, o);
        Apply(w, o, v, view, alpha, lr, wd, c);
    }

    /// <summary>M ← βM + G (or βM + (1−β)G); d = βM + G (Nesterov) or M: the matrices msign is taken of.</summary>
    public static void Direction(ReadOnlySpan<float> g, Span<float> m, MatrixView view, MuonConfig c, Span<float> d)
    {
        ArgumentNullException.ThrowIfNull(c);
        int n = view.Batch * view.MatrixSize;
        float beta = c.Momentum, gScale = c.EmaMomentum ? 1f - beta : 1f;
        TensorPrimitives.MultiplyAdd(m[..n], beta, Scaled(g[..n], gScale, d), m[..n]);  // M ← βM + gScale·G
        if (c.Nesterov) TensorPrimitives.MultiplyAdd(m[..n], beta, Scaled(g[..n], gScale, d), d[..n]); // D = βM + gScale·G
        else m[..n].CopyTo(d);
    }

    /// <summary>O = msign(D) per matrix of <paramref name="view"/>, by <paramref name="c"/>'s method; scratch: at least <see cref="Msign.ScratchLength"/>.</summary>
    public static void Orthogonalize(Span<float> d, MatrixView view, MuonConfig c, Span<float> scratch, Span<float> o)
    {
        ArgumentNullException.ThrowIfNull(c);
        int k = view.MatrixSize, rows = view.Rows, cols = view.Cols;
        for (int b = 0; b < view.Batch; b++)                                                       // O = msign(D)
        {
            if (c.ExactMsign) Msign.Exact(d.Slice(b * k, k), rows, cols, o.Slice(b * k, k));
            else if (c.Prescaling != NsPrescaling.Frobenius || c.GramNewtonSchulz)
                NsVariants.NewtonSchulz(d.Slice(b * k, k), rows, cols, c.Schedule, c.Steps, c.Prescaling, c.GramNewtonSchulz, o.Slice(b * k, k));
            else if (c.NsPrecision == Precision.Bf16) Msign.NewtonSchulzBf16(d.Slice(b * k, k), rows, cols, c.Schedule, c.Steps, scratch, o.Slice(b * k, k));
            else Msign.NewtonSchulz(d.Slice(b * k, k), rows, cols, c.Schedule, c.Steps, scratch, o.Slice(b * k, k));
        }
    }

    /// <summary>W ← (1 − ηλ)W; W ← W − ηα·O, then the <see cref="MuonConstraint"/>; o may be overwritten.</summary>
    public static void Apply(Span<float> w, Span<float> o, Span<float> v, MatrixView view, float alpha, float lr, float wd, MuonConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        int n = view.Batch * view.MatrixSize, k = view.MatrixSize, rows = view.Rows, cols = view.Cols;
        o = o[..n];
        if (wd != 0f && c.CautiousWeightDecay) Optim.CautiousWeightDecay.Apply(w[..n], o, lr * wd);  // W ← W − ηλ·𝟙[O⊙W ≥ 0]⊙W
        else if (wd != 0f) TensorPrimitives.Multiply(w[..n], 1f - lr * wd, w[..n]);                // W ← (1 − ηλ)W
        float step = lr * alpha;
        switch (c.Constraint)
        {
            case MuonConstraint.None:
                TensorPrimitives.MultiplyAdd(o, -step, w[..n], w[..n]);                           // W ← W − ηα·O
                break;
            case MuonConstraint.PostClip:
                TensorPrimitives.MultiplyAdd(o, -step, w[..n], w[..n]);
                for (int b = 0; b < view.Batch; b++)                                               // W ← mclip(W; τ)
                    WeightConstraints.PostClip(w.Slice(b * k, k), rows, cols, c.Tau, w.Slice(b * k, k));
                break;
            default:
                // Pre Decay with step ηα·O: ‖ηα·O‖₂ ≤ decay·τ for decay = ηα/τ, so ‖W_t‖₂ ≤ max(‖W₀‖₂, τ) (§4.4).
                float decay = Math.Min(1f, step / c.Tau);
                TensorPrimitives.Multiply(o, step, o);
                for (int b = 0; b < view.Batch; b++)
                {
                    var wb = w.Slice(b * k, k);
                    if (c.Constraint == MuonConstraint.PreDecay) WeightConstraints.PreDecay(wb, o.Slice(b * k, k), rows, cols, decay, wb);
                    else WeightConstraints.SpectralWeightDecay(wb, o.Slice(b * k, k), rows, cols, decay, c.PowerIterations, v.Slice(b * cols, cols), wb);
                }
                break;
        }
    }

    private readonly Dictionary<Parameter, (float[] D, float[] O)> distributed = [];

    // Executor path: momentum for every matrix, msign of all of them by the executor, then every update.
    private void StepDistributed(float lr, IMsignExecutor executor)
    {
        StepCount++;
        var jobs = new List<MsignJob>(Parameters.Count);
        foreach (var p in Parameters)
        {
            var view = MatrixView.Of(p);
            if (!distributed.TryGetValue(p, out var buffers))
                distributed[p] = buffers = (new float[view.Batch * view.MatrixSize], new float[view.Batch * view.MatrixSize]);
            Direction(GradOf(p), Buffer("momentum", p), view, Config, buffers.D);
            jobs.Add(new MsignJob(p.Name, view, buffers.D, buffers.O));
        }
        executor.Run(jobs, Config);
        for (int i = 0; i < Parameters.Count; i++)
        {
            var p = Parameters[i];
            var v = Config.Constraint == MuonConstraint.SpectralWeightDecay ? Buffer("v", p) : Span<float>.Empty;
            Apply(p.Data, jobs[i].Output, v, jobs[i].View, (float)Config.Scaling.Factor(p.FanIn, p.FanOut), LrOf(p, lr), DecayOf(p, Config.WeightDecay), Config);
        }
    }

    /// <summary>
    /// Throws unless p is a <see cref="Role.Hidden"/> or <see cref="Role.Input"/> matrix: msign with α = f(d_in, d_out)
    /// is the wrong geometry for embeddings, the output head and gains/biases (theory §4.3, §4.5).
    /// </summary>
    internal static void CheckRole(Parameter p, string optimizer)
    {
        if (p.Role is Role.Hidden or Role.Input) return;
        throw new ArgumentException($"{optimizer}: parameter '{p.Name}' has role {p.Role}; msign updates are for Hidden and Input matrices only. " +
            "Route embeddings, the output head and gains/biases to AdamW (or SteepestDescent), or pass allowAnyRole: true.", nameof(p));
    }

    /// <summary>g itself when scale = 1, else scale·g written into tmp.</summary>
    private static ReadOnlySpan<float> Scaled(ReadOnlySpan<float> g, float scale, Span<float> tmp)
    {
        if (scale == 1f) return g;
        TensorPrimitives.Multiply(g, scale, tmp);
        return tmp;
    }
}

/// <summary>One matrix (or stack) whose msign a Muon step needs: <see cref="Output"/> = msign(<see cref="Direction"/>) per matrix of <see cref="View"/>.</summary>
public sealed record MsignJob(string Name, MatrixView View, float[] Direction, float[] Output)
{
    /// <summary>Floating-point operations of one Newton–Schulz pass over the job, up to a constant: Batch·rows·cols·min(rows, cols).</summary>
    public double Cost => (double)View.Batch * View.Rows * View.Cols * Math.Min(View.Rows, View.Cols);
}

/// <summary>Computes the msign of every job of a Muon step (<see cref="Muon.Executor"/>), e.g. one rank per matrix and an all-gather.</summary>
public interface IMsignExecutor
{
    /// <summary>Fills every job's Output with <see cref="Muon.Orthogonalize"/> of its Direction under <paramref name="config"/>.</summary>
    void Run(IReadOnlyList<MsignJob> jobs, MuonConfig config);
}
