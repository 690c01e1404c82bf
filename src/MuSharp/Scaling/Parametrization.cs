using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Scaling;

/// <summary>
/// Which update a parameter's learning rate is for. <see cref="Adam"/> stands for every update whose entries are Θ(1)
/// whatever the gradient's scale (Adam, AdamW, SignSGD, Lion: theory §2.1 "SignSGD as Adam proxy");
/// <see cref="Muon"/> means msign-type updates on Input and Hidden matrices with Adam for the rest (the standard recipe).
/// </summary>
public enum OptimizerFamily { Sgd, Adam, Muon }

/// <summary>What a parametrization prescribes for one parameter: init std (null = keep the constant init of gains
/// and biases), learning-rate factor, and the output multiplier of its layer.</summary>
public readonly record struct LayerScale(double? InitStd, double LrScale, double OutputMultiplier);

/// <summary>
/// The parametrization table: a pure function of (parametrization, role, optimizer family, fans, base fans).
/// μP is written in microsoft/mup's multiplier form, so at the base width it equals SP exactly and only the ratios
/// m = fan/base-fan enter. The spectral parametrization is absolute in its init and relative (to the base) in its
/// learning rates, so one base learning rate means the same thing at every width.
/// </summary>
public static class Parametrization
{
    /// <summary>The row of the table for one parameter; <paramref name="muonScaling"/> is Muon's α (theory §4.5).</summary>
    public static LayerScale For(ParametrizationKind kind, Role role, OptimizerFamily family,
        int fanIn, int fanOut, int baseFanIn, int baseFanOut, MuonScaling muonScaling = MuonScaling.Spectral)
    {
        if (fanIn <= 0 || fanOut <= 0 || baseFanIn <= 0 || baseFanOut <= 0)
            throw new ArgumentException($"Parametrization: fans ({fanIn}, {fanOut}) and base fans ({baseFanIn}, {baseFanOut}) must be positive.");
        // Muon updates only Input and Hidden matrices; embeddings, the head and vectors go to Adam (GroupedOptimizer.SplitByRole).
        if (family == OptimizerFamily.Muon && role is not (Role.Input or Role.Hidden)) family = OptimizerFamily.Adam;
        double mIn = (double)fanIn / baseFanIn, mOut = (double)fanOut / baseFanOut;
        return kind switch
        {
            ParametrizationKind.Standard => Standard(role, fanIn),
            ParametrizationKind.Mup => Mup(role, family, fanIn, fanOut, baseFanIn, baseFanOut, mIn, mOut, muonScaling),
            ParametrizationKind.Spectral => Spectral(role, family, fanIn, fanOut, baseFanIn, baseFanOut, mIn, mOut, muonScaling),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Parametrization: unknown kind."),
        };
    }

    /// <summary>SP: N(0, 1/fan_in) matrices, N(0, 1) embeddings, one learning rate, no multipliers.</summary>
    private static LayerScale Standard(Role role, int fanIn) => role switch
    {
        Role.Vector => new(null, 1, 1),
        Role.Embedding => new(1, 1, 1),
        _ => new(1 / Math.Sqrt(fanIn), 1, 1),
    };

    /// <summary>
    /// μP, Tensor Programs V Table 3 (theory §2.3) in multiplier form (theory §2.2: W_out var 1/d², here var 1/base-fan-in
    /// times the readout multiplier 1/m, as mup.MuReadout with its sqrt(width_mult) rescale):
    /// input weights, embeddings and vectors: SGD lr ×m, Adam ×1; hidden: SGD ×m_out/m_in (1 when square), Adam ×1/m;
    /// readout: SGD ×m, Adam ×1 (mup.MuSGD / MuAdam).
    /// </summary>
    private static LayerScale Mup(Role role, OptimizerFamily family, int fanIn, int fanOut, int baseFanIn, int baseFanOut,
        double mIn, double mOut, MuonScaling muonScaling) => (role, family) switch
        {
            (Role.Vector, OptimizerFamily.Sgd) => new(null, mOut, 1),
            (Role.Vector, _) => new(null, 1, 1),
            (Role.Embedding, OptimizerFamily.Sgd) => new(1, mOut, 1),
            (Role.Embedding, _) => new(1, 1, 1),
            (Role.Input, OptimizerFamily.Sgd) => new(1 / Math.Sqrt(fanIn), mOut, 1),
            (Role.Hidden, OptimizerFamily.Sgd) => new(1 / Math.Sqrt(fanIn), mOut / mIn, 1),
            (Role.Output, OptimizerFamily.Sgd) => new(1 / Math.Sqrt(baseFanIn), mIn, 1 / mIn),
            (Role.Input, OptimizerFamily.Adam) => new(1 / Math.Sqrt(fanIn), 1, 1),
            (Role.Hidden, OptimizerFamily.Adam) => new(1 / Math.Sqrt(fanIn), 1 / mIn, 1),
            (Role.Output, OptimizerFamily.Adam) => new(1 / Math.Sqrt(baseFanIn), 1, 1 / mIn),
            (_, OptimizerFamily.Muon) => new(1 / Math.Sqrt(fanIn), MuonLrScale(fanIn, fanOut, baseFanIn, baseFanOut, muonScaling), 1),
            _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Parametrization.Mup: unknown role."),
        };

    /// <summary>
    /// Spectral condition (theory §3.2, §4.2): init std sqrt(d_out/d_in)/(sqrt(d_in)+sqrt(d_out)) so ‖W‖₂ ≈ sqrt(d_out/d_in);
    /// learning rates SGD ∝ d_out/d_in, Adam ∝ 1/d_in, Muon ∝ sqrt(d_out/d_in)/α, each relative to the base fans.
    /// Embeddings (one-hot input, theory §4.3) and vectors (fan-in 1) keep a constant init.
    /// </summary>
    private static LayerScale Spectral(Role role, OptimizerFamily family, int fanIn, int fanOut, int baseFanIn, int baseFanOut,
        double mIn, double mOut, MuonScaling muonScaling)
    {
        double? std = role switch
        {
            Role.Vector => null,
            Role.Embedding => 1,
            _ => SpectralInitStd(fanIn, fanOut),
        };
        // An embedding's input is one-hot: its fan-in (vocabulary) is fixed, so it follows the d_in-fixed rules.
        double lr = family switch
        {
            OptimizerFamily.Sgd => mOut / mIn,   // η ∝ d_out/d_in
            OptimizerFamily.Adam => 1 / mIn,     // η ∝ 1/d_in
            OptimizerFamily.Muon => MuonLrScale(fanIn, fanOut, baseFanIn, baseFanOut, muonScaling),
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Parametrization.Spectral: unknown optimizer family."),
        };
        return new(std, lr, 1);
    }

    /// <summary>σ = sqrt(d_out/d_in) / (sqrt(d_in) + sqrt(d_out)) (theory §3.2, §4.2): a Gaussian [d_in, d_out] matrix then has ‖W‖₂ ≈ sqrt(d_out/d_in).</summary>
    public static double SpectralInitStd(int fanIn, int fanOut) =>
        Math.Sqrt((double)fanOut / fanIn) / (Math.Sqrt(fanIn) + Math.Sqrt(fanOut));

    /// <summary>
    /// Muon's ΔW = η·s·α·msign(M) must have ‖ΔW‖₂ ∝ sqrt(d_out/d_in) (theory §3.2, §4.5), so
    /// s = [sqrt(d_out/d_in)/α(d_in, d_out)] / [the same at the base fans]: 1 for the spectral and (square or widening) KJ
    /// scalings, 1/sqrt(m) for Moonlight's 0.2·sqrt(max(d_in, d_out)) (theory §2.2 note).
    /// </summary>
    public static double MuonLrScale(int fanIn, int fanOut, int baseFanIn, int baseFanOut, MuonScaling scaling)
    {
        double target = Math.Sqrt((double)fanOut / fanIn) / scaling.Factor(fanIn, fanOut);
        double atBase = Math.Sqrt((double)baseFanOut / baseFanIn) / scaling.Factor(baseFanIn, baseFanOut);
        return target / atBase;
    }

    /// <summary>
    /// Attention logit scale (theory §2.3, §4.3): 1/sqrt(d_head) in SP; 1/d_head under μP and spectral, times sqrt(base d_head)
    /// so it equals SP at the base width (mup's README: 8/d at d_head 64).
    /// </summary>
    public static (bool InvDh, float Multiplier) Attention(ParametrizationKind kind, int headDim, int baseHeadDim) =>
        kind == ParametrizationKind.Standard ? (false, 1f) : (true, MathF.Sqrt(baseHeadDim));

    /// <summary>
    /// Applies the table to every parameter of <paramref name="model"/>: sets <see cref="Parameter.LrScale"/> and
    /// <see cref="Parameter.OutputMultiplier"/>, and when <paramref name="init"/> is given, draws fresh weights with the
    /// table's std (it sets values, never rescales existing ones, so applying twice is the same as once).
    /// Checkpoint loads pass no RNG: the saved weights stay as they are.
    /// </summary>
    public static void Apply(Module model, ParametrizationKind kind, OptimizerFamily family, Rng? init,
        MuonScaling muonScaling = MuonScaling.Spectral)
    {
        foreach (var p in model.Parameters())
        {
            var s = For(kind, p.Role, family, p.FanIn, p.FanOut, p.BaseFanIn, p.BaseFanOut, muonScaling);
            p.LrScale = (float)s.LrScale;
            p.OutputMultiplier = (float)s.OutputMultiplier;
            if (init != null && s.InitStd is double std) init.FillNormal(p.Data, 0f, (float)std);
        }
    }
}
