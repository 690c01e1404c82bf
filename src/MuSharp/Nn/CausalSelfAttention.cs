namespace MuSharp.Nn;

/// <summary>
/// Multi-head causal self-attention: q, k, v = x·W_q, x·W_k, x·W_v (optionally rotated by RoPE),
/// softmax(scale · q kᵀ + causal mask) v per head, then the output projection. x is [B, T, C].
/// </summary>
public sealed class CausalSelfAttention : Module
{
    private readonly GptConfig config;
    public Linear Query { get; }
    public Linear Key { get; }
    public Linear Value { get; }
    public Linear Output { get; }

    public CausalSelfAttention(string name, GptConfig config, Init init)
    {
        this.config = config;
        Dim c = config.Width(config.DModel);
        Query = new Linear(name + ".q", Role.Hidden, c, c, init, bias: false);
        Key = new Linear(name + ".k", Role.Hidden, c, c, init, bias: false);
        Value = new Linear(name + ".v", Role.Hidden, c, c, init, bias: false);
        Output = new Linear(name + ".proj", Role.Hidden, c, c, init, bias: false);
    }

    public Tensor Forward(Tensor x) // [B, T, C]
    {
        var q = Query.Forward(x);
        var k = Key.Forward(x);
        var v = Value.Forward(x);
        if (config.Positions == PositionEncoding.Rope)
        {
            q = Ops.Rope(q, config.Heads, config.RopeTheta);
            k = Ops.Rope(k, config.Heads, config.RopeTheta);
        }
        var y = Ops.CausalSelfAttention(q, k, v, config.Heads, config.AttentionScale); // [B, T, C]
        return Output.Forward(y);
    }

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Query.Weight;
        yield return Key.Weight;
        yield return Value.Weight;
        yield return Output.Weight;
    }
}
