namespace MuSharp.Nn;

/// <summary>
/// Pre-norm decoder-only transformer, read top to bottom:
/// tokens → embedding (+ learned positions) → Layers × [x + Attn(Norm(x)); x + Mlp(Norm(x))] → Norm → head.
/// B = batch, T = sequence length, C = d_model, V = vocabulary, H = heads.
/// </summary>
public sealed class Gpt : Module
{
    public GptConfig Config { get; }
    public Embedding Tokens { get; }
    public Embedding? Positions { get; }
    public IReadOnlyList<Block> Blocks { get; }
    public Module FinalNorm { get; }
    public Linear? Head { get; }

    public Gpt(GptConfig config, Init init)
    {
        config.Validate();
        Config = config;
        Dim c = config.Width(config.DModel);
        Tokens = new Embedding("embed.tokens", config.VocabSize, c, init);
        if (config.Positions == PositionEncoding.Learned)
            Positions = new Embedding("embed.positions", config.ContextLength, c, init);
        var (blockInit, branch) = init.ForResidualBlocks(config.Layers);
        Blocks = Enumerable.Range(0, config.Layers).Select(i => new Block($"block{i}", config, blockInit, branch)).ToList();
        FinalNorm = MakeNorm(config, "norm", c, init);
        if (!config.TiedHead) Head = new Linear("head", Role.Output, c, config.VocabSize, init, bias: false);
    }

    internal static Module MakeNorm(GptConfig config, string name, Dim dim, Init init) =>
        config.Norm == NormKind.RmsNorm ? new RmsNorm(name, dim, init) : new LayerNorm(name, dim, init);

    internal static Tensor ApplyNorm(Module norm, Tensor x) => norm switch
    {
        RmsNorm r => r.Forward(x),
        LayerNorm l => l.Forward(x),
        _ => throw new InvalidOperationException($"unknown norm module {norm.GetType().Name}"),
    };

    /// <summary>Logits [B·T, V] for token ids [B·T] laid out batch-major.</summary>
    /// <param name="ids">Token ids [B·T], batch-major.</param>
    /// <param name="batch">B, the number of sequences.</param>
    /// <param name="time">T, the length of each sequence.</param>
    /// <param name="taps">When given, receives "embed", each block's outputs (see <see cref="Block.Forward"/>) and "logits".</param>
    public Tensor Forward(int[] ids, int batch, int time, IDictionary<string, Tensor>? taps = null)
    {
        if (ids.Length != batch * time)
            throw new ArgumentException($"Gpt.Forward: {ids.Length} ids for batch {batch} × time {time}.");
        if (time > Config.ContextLength)
            throw new ArgumentException($"Gpt.Forward: sequence length {time} exceeds the context length {Config.ContextLength}.");
        var x = Tokens.Forward(ids); // [B·T, C]
        if (Positions != null)
        {
            var pos = new int[ids.Length];
            for (int i = 0; i < pos.Length; i++) pos[i] = i % time;
            x = Ops.Add(x, Positions.Forward(pos));
        }
        x = Ops.Reshape(x, batch, time, Config.DModel); // [B, T, C]
        if (taps != null) taps["embed"] = x;
        for (int i = 0; i < Blocks.Count; i++) x = Blocks[i].Forward(x, taps, $"block{i}");
        x = ApplyNorm(FinalNorm, x);
        x = Ops.Reshape(x, batch * time, Config.DModel); // [B·T, C]
        var logits = Head != null ? Head.Forward(x) : Ops.MatMul(x, Tokens.Table, transB: true); // [B·T, V]
        if (taps != null) taps["logits"] = logits;
        return logits;
    }

    /// <summary>Mean next-token cross-entropy in nats.</summary>
    public Tensor Loss(int[] ids, int[] targets, int batch, int time) => Ops.CrossEntropy(Forward(ids, batch, time), targets);

    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var p in Tokens.Parameters()) yield return p;
        if (Positions != null) foreach (var p in Positions.Parameters()) yield return p;
        foreach (var b in Blocks) foreach (var p in b.Parameters()) yield return p;
        foreach (var p in FinalNorm.Parameters()) yield return p;
        if (Head != null) foreach (var p in Head.Parameters()) yield return p;
    }
}
