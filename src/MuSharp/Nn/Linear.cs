namespace MuSharp.Nn;

/// <summary>
/// y = m · (x·W) + b with W stored [fanIn, fanOut] (row-vector convention, docs/theory.md §1),
/// an optional bias b [fanOut] (role Vector) and an output multiplier m that parametrizations set.
/// </summary>
public sealed class Linear : Module
{
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>Scalar applied to x·W before the bias (μP readout 1/m; 1 in SP); held by the weight, which checkpoints keep.</summary>
    public float Multiplier
    {
        get => Weight.OutputMultiplier;
        set => Weight.OutputMultiplier = value;
    }

    /// <param name="name">The module name; the parameters are NAME.weight and NAME.bias.</param>
    /// <param name="role">The weight's role (Input, Hidden or Output); the bias is a Vector.</param>
    /// <param name="fanIn">Input width (and its base width).</param>
    /// <param name="fanOut">Output width (and its base width).</param>
    /// <param name="init">How the weights are drawn and scaled (an <see cref="Rng"/> alone means the standard parametrization).</param>
    /// <param name="bias">Whether to add a bias (initialized to zero).</param>
    public Linear(string name, Role role, Dim fanIn, Dim fanOut, Init init, bool bias = true)
    {
        if (role is Role.Vector or Role.Embedding)
            throw new ArgumentException($"Linear '{name}': role {role} is not a dense-layer role; use Input, Hidden or Output.");
        ArgumentNullException.ThrowIfNull(init);
        Weight = init.Matrix(name + ".weight", role, fanIn, fanOut);
        Bias = bias ? init.Vector(name + ".bias", fanOut, 0f) : null;
    }

    public int FanIn => Weight.FanIn;
    public int FanOut => Weight.FanOut;

    public Tensor Forward(Tensor x) => Ops.Linear(x, Weight, Bias, Multiplier); // [..., fanIn] → [..., fanOut]

    /// <summary>This layer applied to gelu(<paramref name="u"/>), without storing gelu(u) (<see cref="Ops.GeluLinear"/>).</summary>
    public Tensor ForwardGelu(Tensor u) => Ops.GeluLinear(u, Weight, Bias, Multiplier); // [..., fanIn] → [..., fanOut]

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Weight;
        if (Bias != null) yield return Bias;
    }
}
