namespace MuSharp.Nn;

/// <summary>One pre-norm transformer block: x + b·Attn(Norm₁(x)), then x + b·Mlp(Norm₂(x)), b the depth rule's branch multiplier (1 by default). x is [B, T, C].</summary>
public sealed class Block : Module
{
    public Module Norm1 { get; }
    public CausalSelfAttention Attention { get; }
    public Module Norm2 { get; }
    public Linear Up { get; }
    public Linear Down { get; }

    /// <summary>m_L^{−α}: each branch's output is scaled by it before the residual sum (theory §10; 1 without a depth rule).</summary>
    public float BranchMultiplier { get; }

    /// <param name="name">Prefix of the parameter names.</param>
    /// <param name="config">The model's shape.</param>
    /// <param name="init">How the block's parameters are drawn and scaled.</param>
    /// <param name="branchMultiplier">The depth rule's branch multiplier (<see cref="Init.ForResidualBlocks"/>).</param>
    public Block(string name, GptConfig config, Init init, float branchMultiplier = 1f)
    {
        BranchMultiplier = branchMultiplier;
        Dim c = config.Width(config.DModel), hidden = config.Width(config.MlpRatio * config.DModel);
        Norm1 = Gpt.MakeNorm(config, name + ".norm1", c, init);
        Attention = new CausalSelfAttention(name + ".attn", config, init);
        Norm2 = Gpt.MakeNorm(config, name + ".norm2", c, init);
        Up = new Linear(name + ".mlp.up", Role.Hidden, c, hidden, init, bias: false);
        Down = new Linear(name + ".mlp.down", Role.Hidden, hidden, c, init, bias: false);
    }

    /// <param name="x">The residual stream [B, T, C].</param>
    /// <param name="taps">When given, receives NAME.attn, NAME.mlp (the branch outputs) and NAME (the residual stream).</param>
    /// <param name="name">The prefix of the tap names.</param>
    public Tensor Forward(Tensor x, IDictionary<string, Tensor>? taps = null, string name = "") // [B, T, C]
    {
        var a = Attention.Forward(Gpt.ApplyNorm(Norm1, x));
        if (BranchMultiplier != 1f) a = Ops.MulScalar(a, BranchMultiplier);
        x = Ops.Add(x, a);
        var u = Up.Forward(Gpt.ApplyNorm(Norm2, x)); // [B, T, 4C], before the GELU
        var m = Down.ForwardGelu(u); // gelu(u)·W_down, gelu(u) not stored
        if (BranchMultiplier != 1f) m = Ops.MulScalar(m, BranchMultiplier);
        x = Ops.Add(x, m);
        if (taps != null)
        {
            taps[name + ".attn"] = a;
            taps[name + ".mlp"] = m;
            taps[name] = x;
        }
        return x;
    }

    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var p in Norm1.Parameters()) yield return p;
        foreach (var p in Attention.Parameters()) yield return p;
        foreach (var p in Norm2.Parameters()) yield return p;
        foreach (var p in Up.Parameters()) yield return p;
        foreach (var p in Down.Parameters()) yield return p;
    }
}
