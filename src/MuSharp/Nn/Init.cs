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
    MuonScaling muonScaling = MuonScaling.Spectral)
{
    public Rng Rng { get; } = rng ?? throw new ArgumentNullException(nameof(rng));
    public ParametrizationKind Kind { get; } = kind;
    public OptimizerFamily Family { get; } = family;
    public MuonScaling MuonScaling { get; } = muonScaling;

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
        p.LrScale = (float)s.LrScale;
        p.OutputMultiplier = (float)s.OutputMultiplier;
        if (s.InitStd is double std) Rng.FillNormal(p.Data, 0f, (float)std);
        return p;
    }
}
