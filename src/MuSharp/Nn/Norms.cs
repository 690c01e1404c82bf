namespace MuSharp.Nn;

/// <summary>y = x / sqrt(mean(x²) + ε) ⊙ g over the last axis, gain g [dim] initialised to 1.</summary>
public sealed class RmsNorm(string name, Dim dim, Init init, float eps = 1e-6f) : Module
{
    public Parameter Gain { get; } = init.Vector(name + ".gain", dim, 1f);

    public Tensor Forward(Tensor x) => Ops.RmsNorm(x, Gain, eps); // [..., dim]

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Gain;
    }
}

/// <summary>y = (x − μ) / sqrt(σ² + ε) ⊙ g + b over the last axis (biased variance, as PyTorch).</summary>
public sealed class LayerNorm(string name, Dim dim, Init init, float eps = 1e-5f) : Module
{
    public Parameter Gain { get; } = init.Vector(name + ".gain", dim, 1f);
    public Parameter Bias { get; } = init.Vector(name + ".bias", dim, 0f);

    public Tensor Forward(Tensor x) => Ops.LayerNorm(x, Gain, Bias, eps); // [..., dim]

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Gain;
        yield return Bias;
    }
}
