using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Nn;

/// <summary>
/// How a model's parameters are drawn and scaled when it is built (modula's way: the parametrization is part of the
/// construction, not a pass over a finished model). Each parameter gets its row of the parametrization table
/// (<see cref="Parametrization.For"/>, theory §2–§4): the init std is drawn once from <see cref="Rng"/>, and the
/// learning-rate scale and output multiplier are set once. An <see cref="Rng"/> converts to the standard
/// parametrization, so <c>new Linear(..., rng)</c> is SP.
/// </summary>
public sealed class Init(Rng rng, ParametrizationKind kind = ParametrizationKind.Standard, OptimizerFamily family = OptimizerFamily.Adam,
    MuonScaling muonScaling = MuonScaling.Spectral, DepthScaling depth = DepthScaling.None, int baseLayers = 0)
{
    private double lrFactor = 1;

    public Rng Rng { get; } = rng ?? throw new ArgumentNullException(nameof(rng));
    public ParametrizationKind Kind { get; } = kind;
    public OptimizerFamily Family { get; } = family;
    public MuonScaling MuonScaling { get; } = muonScaling;

    /// <summary>The depth rule (theory §10) for models with residual blocks.</summary>
    public DepthScaling Depth { get; } = depth;

    /// <summary>Blocks of the base model the hyperparameters were tuned at; 0 = the model's own depth (m_L = 1).</summary>
    public int BaseLayers { get; } = baseLayers >= 0 ? baseLayers : throw new ArgumentException($"Init: base layers must be ≥ 0, got {baseLayers}.");

    /// <summary>
    /// A global factor on every drawn init std (the table's std times this; constant-init gains and biases are left
    /// alone): the "init-std multiplier" hyperparameter of μTransfer (theory §11.2, per-layer init variance).
    /// </summary>
    public double InitStdMultiplier
    {
        get => initStdMultiplier;
        init => initStdMultiplier = value > 0 && double.IsFinite(value) ? value : throw new ArgumentException($"Init: initStdMultiplier must be positive and finite, got {value}.");
    }

    /// <summary>
    /// A factor on the readout's output multiplier (parameters of role <see cref="Role.Output"/>): the "output
    /// multiplier" hyperparameter of μTransfer (theory §11.2), applied on top of the parametrization's 1/m_N.
    /// </summary>
    public double ReadoutMultiplier
    {
        get => readoutMultiplier;
        init => readoutMultiplier = value > 0 && double.IsFinite(value) ? value : throw new ArgumentException($"Init: readoutMultiplier must be positive and finite, got {value}.");
    }

    private readonly double initStdMultiplier = 1, readoutMultiplier = 1;

    /// <summary>
    /// For the parameters inside a stack of <paramref name="layers"/> residual blocks: the same stream and table, with
    /// the block learning-rate factor m_L^{α−1} (<see cref="DepthRules.BlockLrScale"/>), and the branch multiplier
    /// m_L^{−α} the blocks apply.
    /// </summary>
    public (Init Blocks, float BranchMultiplier) ForResidualBlocks(int layers)
    {
        int baseLayers = BaseLayers > 0 ? BaseLayers : layers;
        var blocks = new Init(Rng, Kind, Family, MuonScaling, Depth, BaseLayers)
        {
            lrFactor = DepthRules.BlockLrScale(Depth, Family, layers, baseLayers),
            InitStdMultiplier = InitStdMultiplier, ReadoutMultiplier = ReadoutMultiplier,
        };
        return (blocks, (float)DepthRules.BranchMultiplier(Depth, layers, baseLayers));
    }

    public static implicit operator Init(Rng rng) => new(rng);

    /// <summary>A [fanIn, fanOut] matrix of a dense layer (roles Input, Hidden, Output) with its table row.</summary>
    public Parameter Matrix(string name, Role role, Dim fanIn, Dim fanOut)
    {
        var data = new float[fanIn.Size * fanOut.Size];
        var p = new Parameter(name, role, fanIn.Size, fanOut.Size, data, [fanIn.Size, fanOut.Size], fanIn.Base, fanOut.Base);
        return Scaled(p);
    }

    /// <summary>A [count, dim] embedding table: its input is one-hot, so its fan-in is the (fixed) count.</summary>
    public Parameter Embedding(string name, int count, Dim dim)
    {
        var p = new Parameter(name, Role.Embedding, count, dim.Size, new float[count * dim.Size], [count, dim.Size], count, dim.Base);
        return Scaled(p);
    }

    /// <summary>A [n] gain or bias filled with <paramref name="value"/> (the table keeps vectors' constant init).</summary>
    public Parameter Vector(string name, Dim n, float value)
    {
        var p = Parameter.Vector(name, n, value);
        return Scaled(p);
    }

    private Parameter Scaled(Parameter p)
    {
        var s = Parametrization.For(Kind, p.Role, Family, p.FanIn, p.FanOut, p.BaseFanIn, p.BaseFanOut, MuonScaling);
        p.LrScale = (float)(s.LrScale * lrFactor);
        p.OutputMultiplier = (float)(s.OutputMultiplier * (p.Role == Role.Output ? ReadoutMultiplier : 1));
        if (s.InitStd is double std) Rng.FillNormal(p.Data, 0f, (float)(std * InitStdMultiplier));
        return p;
    }
}
