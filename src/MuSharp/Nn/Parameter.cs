namespace MuSharp.Nn;

/// <summary>
/// A trainable tensor with an explicit <see cref="Role"/> and fan-in/fan-out. Matrices are stored
/// [FanIn, FanOut] so a layer computes y = x·W with row vectors x (docs/theory.md §1).
/// </summary>
public sealed class Parameter : Tensor
{
    public string Name { get; }
    public Role Role { get; }
    public int FanIn { get; }
    public int FanOut { get; }

    public Parameter(string name, Role role, int fanIn, int fanOut, float[] data, int[] shape)
        : base(data, shape, requiresGrad: true)
    {
        if (fanIn <= 0 || fanOut <= 0)
            throw new ArgumentException($"Parameter '{name}': fan-in {fanIn} and fan-out {fanOut} must be positive.");
        Name = name;
        Role = role;
        FanIn = fanIn;
        FanOut = fanOut;
    }

    /// <summary>A [fanIn, fanOut] matrix with N(0, std²) entries.</summary>
    public static Parameter Matrix(string name, Role role, int fanIn, int fanOut, Rng rng, float std)
    {
        var data = new float[fanIn * fanOut];
        rng.FillNormal(data, 0f, std);
        return new Parameter(name, role, fanIn, fanOut, data, [fanIn, fanOut]);
    }

    /// <summary>A [n] vector (gain or bias) filled with <paramref name="value"/>; fan-in 1, fan-out n.</summary>
    public static Parameter Vector(string name, int n, float value)
    {
        var data = new float[n];
        Array.Fill(data, value);
        return new Parameter(name, Role.Vector, 1, n, data, [n]);
    }

    public override string ToString() => $"{Name} {Role} {Shapes.Format(Shape)} (fan-in {FanIn}, fan-out {FanOut})";
}
