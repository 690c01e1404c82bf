using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// Per-role steepest descent (docs/theory.md §4.3): each parameter moves by Δ = −η·φ(m), with φ the direction
/// <see cref="RoleUpdates"/> gives for its <see cref="Role"/> and m the EMA momentum of its gradient.
/// η is in the units of §4.3: the RMS of each embedding row's update, d·RMS of each head column's, the size of
/// each gain coordinate's, and the RMS of each bias's. Hidden and input matrices have no rule here: use Muon.
/// </summary>
public sealed class SteepestDescent : Optimizer
{
    private readonly HashSet<Parameter> gains;
    private float[] scratch = [];

    /// <param name="parameters">The parameters to optimize; Input and Hidden matrices are rejected (use Muon).</param>
    /// <param name="momentum">β of m ← βm + (1−β)g; 0 applies φ to the gradient itself.</param>
    /// <param name="weightDecay">λ of the decoupled decay θ ← θ − ηλθ; gains and biases do not decay.</param>
    /// <param name="gains">
    /// The <see cref="Role.Vector"/> parameters that are norm gains (sign update); every other Vector parameter is a
    /// bias (RMS-normalized update). Roles do not tell gains from biases, so the caller names them by reference.
    /// </param>
    public SteepestDescent(IEnumerable<Parameter> parameters, float momentum = 0.9f, float weightDecay = 0f, IEnumerable<Parameter>? gains = null)
        : base(parameters)
    {
        if (momentum is < 0f or >= 1f)
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "SteepestDescent: momentum must be in [0, 1).");
        Momentum = momentum;
        WeightDecay = weightDecay;
        this.gains = new HashSet<Parameter>(gains ?? [], ReferenceEqualityComparer.Instance);
        foreach (var p in Parameters)
            if (p.Role is Role.Hidden or Role.Input)
                throw new ArgumentException($"SteepestDescent: parameter '{p.Name}' has role {p.Role}, which needs √(d_out/d_in)·msign(G) (theory §4.2); use Muon for hidden and input matrices.", nameof(parameters));
        foreach (var p in this.gains)
            if (!Parameters.Contains(p) || p.Role != Role.Vector)
                throw new ArgumentException($"SteepestDescent: gain '{p.Name}' must be one of the optimizer's Vector parameters.", nameof(gains));
    }

    public float Momentum { get; }
    public float WeightDecay { get; }

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            var m = Buffer("m", p);
            if (scratch.Length < p.Size) scratch = new float[p.Size];
            var phi = scratch.AsSpan(0, p.Size); // φ is recomputed from m each step, so it is not optimizer state
            Update(p, GradOf(p), m, phi, LrOf(p, lr), Momentum, DecayOf(p, WeightDecay), gains.Contains(p));
        }
    }

    /// <summary>m ← βm + (1−β)g;  φ = φ_role(m) (theory §4.3);  θ ← θ − ηλθ − η·φ.</summary>
    private static void Update(Parameter p, ReadOnlySpan<float> g, Span<float> m, Span<float> phi, float lr, float beta, float wd, bool gain)
    {
        for (int i = 0; i < m.Length; i++) m[i] = beta * m[i] + (1f - beta) * g[i];
        Direction(p.Role, gain, m, phi, p.FanIn, p.FanOut, p.Name);
        float keep = 1f - lr * wd;
        var theta = p.Data.AsSpan();
        for (int i = 0; i < theta.Length; i++) theta[i] = keep * theta[i] - lr * phi[i];
    }

    /// <summary>φ for a parameter of <paramref name="role"/>, from G (or its momentum) [FanIn, FanOut].</summary>
    public static void Direction(Role role, bool gain, ReadOnlySpan<float> g, Span<float> phi, int fanIn, int fanOut, string name)
    {
        switch (role)
        {
            case Role.Embedding: RoleUpdates.Embedding(g, phi, fanIn, fanOut); break;
            case Role.Output: RoleUpdates.OutputHead(g, phi, fanIn, fanOut); break;
            case Role.Vector when gain: RoleUpdates.Gain(g, phi); break;
            case Role.Vector: RoleUpdates.Bias(g, phi); break;
            default:
                throw new ArgumentException($"SteepestDescent: parameter '{name}' has role {role}, which has no per-role rule here; use Muon for hidden matrices (√(d_out/d_in)·msign(G), theory §4.2).");
        }
    }
}
