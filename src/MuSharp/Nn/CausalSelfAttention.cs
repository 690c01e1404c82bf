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
        // One GEMM x·[W_q | W_k | W_v] ([B·T, C]·[C, 3C]) instead of three [B·T, C]·[C, C], when nothing acts on q
        // or k alone (RoPE) and the three share one output multiplier. The parameters stay three [C, C] matrices (names,
        // roles, fans, checkpoints, μP unchanged); their [C, 3C] concatenation is rebuilt each call (3·C² floats) and its
        // gradient scattered back by Concat's backward. The wider GEMM runs closer to the backend's large-shape rate
        // (GPT d256: 2048×768×256 against 2048×256×256) and, in bf16, rounds x once instead of three times.
        if (config.Positions != PositionEncoding.Rope && Query.Multiplier == Key.Multiplier && Query.Multiplier == Value.Multiplier)
        {
            var w = Ops.Concat([Query.Weight, Key.Weight, Value.Weight], axis: 1); // [C, 3C]
            var qkv = Ops.Linear(x, w, null, Query.Multiplier); // [B, T, 3C]
            return Output.Forward(Ops.CausalSelfAttention(qkv, config.Heads, config.AttentionScale));
        }
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
