namespace MuSharp.Nn;

/// <summary>
/// A trainable tensor with an explicit <see cref="Role"/> and fan-in/fan-out. Matrices are stored
/// [FanIn, FanOut] so a layer computes y = x·W with row vectors x (docs/theory.md §1).
/// Width scaling (theory §2, §3) is data on the parameter: the base model's fans, and the learning-rate
/// scale and output multiplier that <see cref="Scaling.Parametrization"/> derives from them.
/// </summary>
public sealed class Parameter : Tensor
{
    public string Name { get; }
    public Role Role { get; }
    public int FanIn { get; }
    public int FanOut { get; }

    /// <summary>Fan-in of this parameter in the base model the hyperparameters were tuned on (= FanIn when not scaled).</summary>
    public int BaseFanIn { get; }

    /// <summary>Fan-out of this parameter in the base model (= FanOut when not scaled).</summary>
    public int BaseFanOut { get; }

    /// <summary>Per-parameter learning-rate factor s: optimizers step with η·s (μP / spectral tables; 1 in SP).</summary>
    public float LrScale { get; set; } = 1f;

    /// <summary>Scalar a dense layer applies to x·W before its bias (μP readout 1/m; 1 otherwise). Only <see cref="Linear"/> reads it.</summary>
    public float OutputMultiplier { get; set; } = 1f;

    public Parameter(string name, Role role, int fanIn, int fanOut, float[] data, int[] shape, int? baseFanIn = null, int? baseFanOut = null)
        : base(data, shape, requiresGrad: true)
    {
        if (fanIn <= 0 || fanOut <= 0)
            throw new ArgumentException($"Parameter '{name}': fan-in {fanIn} and fan-out {fanOut} must be positive.");
        if (baseFanIn <= 0 || baseFanOut <= 0)
            throw new ArgumentException($"Parameter '{name}': base fan-in {baseFanIn} and base fan-out {baseFanOut} must be positive.");
        Name = name;
        Role = role;
        FanIn = fanIn;
        FanOut = fanOut;
        BaseFanIn = baseFanIn ?? fanIn;
        BaseFanOut = baseFanOut ?? fanOut;
    }

    /// <summary>A [fanIn, fanOut] matrix with N(0, std²) entries.</summary>
    public static Parameter Matrix(string name, Role role, Dim fanIn, Dim fanOut, Rng rng, float std)
    {
        var data = new float[fanIn.Size * fanOut.Size];
        rng.FillNormal(data, 0f, std);
        return new Parameter(name, role, fanIn.Size, fanOut.Size, data, [fanIn.Size, fanOut.Size], fanIn.Base, fanOut.Base);
    }

    /// <summary>A [n] vector (gain or bias) filled with <paramref name="value"/>; fan-in 1, fan-out n.</summary>
    public static Parameter Vector(string name, Dim n, float value)
    {
        var data = new float[n.Size];
        Array.Fill(data, value);
        return new Parameter(name, Role.Vector, 1, n.Size, data, [n.Size], 1, n.Base);
    }

    public override string ToString() => $"{Name} {Role} {Shapes.Format(Shape)} (fan-in {FanIn}, fan-out {FanOut})";
}
