namespace MuSharp;

/// <summary>Constructors of common tensors.</summary>
public partial class Tensor
{
    public static Tensor Zeros(params int[] shape) => new(new float[Shapes.Checked(shape, "Zeros")], shape);

    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    public static Tensor Full(float value, params int[] shape)
    {
        var data = new float[Shapes.Checked(shape, "Full")];
        Array.Fill(data, value);
        return new Tensor(data, shape);
    }

    /// <summary>Wraps <paramref name="data"/> (no copy) with the given shape.</summary>
    public static Tensor From(float[] data, params int[] shape) => new(data, shape);

    /// <summary>Entries drawn i.i.d. from N(0, std²).</summary>
    public static Tensor Randn(Rng rng, float std, params int[] shape)
    {
        var t = Zeros(shape);
        rng.FillNormal(t.Data, 0f, std);
        return t;
    }

    /// <summary>Entries drawn i.i.d. from U[low, high).</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params int[] shape)
    {
        var t = Zeros(shape);
        rng.FillUniform(t.Data, low, high);
        return t;
    }

    /// <summary>A fresh output buffer that the caller overwrites entirely (skips zeroing); recycled inside
    /// <see cref="Tape.ReuseActivations"/>.</summary>
    internal static Tensor Uninitialized(params int[] shape)
    {
        int length = Shapes.Checked(shape, "Uninitialized");
        return new(Tape.Reusing && length >= ActivationPool.MinLength ? ActivationPool.Rent(length) : GC.AllocateUninitializedArray<float>(length), shape);
    }
}
