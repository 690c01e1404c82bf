using MuSharp.Kernels;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>Each layer's per-head max attention logit before the clip, and how many heads were clipped.</summary>
/// <param name="MaxLogits">[layer][head]: max over batch, query i and key j ≤ i of scale·q_i·k_j (signed).</param>
/// <param name="ClippedHeads">How many heads had a max logit above τ and were scaled.</param>
public sealed record QkClipReport(double[][] MaxLogits, int ClippedHeads)
{
    /// <summary>The largest logit of any head of any layer (the "MaxLogit" monitor of Kimi K2).</summary>
    public double MaxLogit => MaxLogits.Length == 0 ? double.NaN : MaxLogits.Max(l => l.Max());
}

/// <summary>
/// QK-Clip, the weight edit of MuonClip (Kimi Team, "Kimi K2: Open Agentic Intelligence", arXiv 2507.20534; Su, kexue.fm
/// 11126; theory §12.2): after the optimizer step, for every head h whose max attention logit S_h exceeds τ, scale that
/// head's query and key columns by √γ, γ = τ/S_h, so every logit of the head scales by exactly γ and S_h becomes τ.
/// Per head (not per layer, which over-clips); W_v and the output projection are never touched; forward and backward
/// are unchanged. The logits come from a separate diagnostic forward over W_q and W_k (no attention probabilities).
/// The max is the signed max of scale·q·k as in the K2 report (Su's post bounds |q·k|; the two differ only for heads
/// whose most negative logit is the larger in magnitude).
/// </summary>
public static class QkClip
{
    /// <summary>
    /// Per-head max over b, i and j ≤ i of scale·q_{b,i,h}·k_{b,j,h} (causal, as the model attends) with q = u·W_q,
    /// k = u·W_k (RoPE applied when the config uses it). u: the attention's input Norm₁(x) [B, T, C].
    /// </summary>
    public static double[] MaxLogits(CausalSelfAttention attention, GptConfig config, Tensor u)
    {
        ArgumentNullException.ThrowIfNull(attention);
        ArgumentNullException.ThrowIfNull(config);
        if (u.Rank != 3 || u.Shape[2] != config.DModel)
            throw new ArgumentException($"QkClip.MaxLogits: input must be [B, T, {config.DModel}], got {Shapes.Format(u.Shape)}.", nameof(u));
        int bs = u.Shape[0], t = u.Shape[1], c = config.DModel, heads = config.Heads, dh = config.HeadDim;
        Tensor q, k;
        using (Tape.NoGrad())
        {
            q = attention.Query.Forward(u);
            k = attention.Key.Forward(u);
            if (config.Positions == PositionEncoding.Rope)
            {
                q = Ops.Rope(q, heads, config.RopeTheta);
                k = Ops.Rope(k, heads, config.RopeTheta);
            }
        }
        var max = new double[heads];
        Array.Fill(max, double.NegativeInfinity);
        var s = new float[t * t];
        for (int b = 0; b < bs; b++)
            for (int h = 0; h < heads; h++)
            {
                int x0 = b * t * c + h * dh;                         // head h of batch b: [T, Dh] with row stride C
                Gemm.Sgemm(false, true, t, t, dh, config.AttentionScale, q.Data.AsSpan(x0), c, k.Data.AsSpan(x0), c, 0f, s, t); // S = scale·Q_h K_hᵀ
                for (int i = 0; i < t; i++)
                    for (int j = 0; j <= i; j++)
                        max[h] = Math.Max(max[h], s[i * t + j]);
            }
        return max;
    }

    /// <summary>[layer][head] max logits of every block of <paramref name="model"/> on token ids [B·T] (no gradients recorded).</summary>
    public static double[][] MaxLogits(Gpt model, int[] ids, int batch, int time)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new double[model.Blocks.Count][];
        using (Tape.NoGrad())
        {
            var x = model.Tokens.Forward(ids);                       // [B·T, C]
            if (model.Positions != null)
            {
                var pos = new int[ids.Length];
                for (int i = 0; i < pos.Length; i++) pos[i] = i % time;
                x = Ops.Add(x, model.Positions.Forward(pos));
            }
            x = Ops.Reshape(x, batch, time, model.Config.DModel);    // [B, T, C]
            for (int l = 0; l < model.Blocks.Count; l++)
            {
                var block = model.Blocks[l];
                result[l] = MaxLogits(block.Attention, model.Config, Gpt.ApplyNorm(block.Norm1, x));
                x = block.Forward(x);
            }
        }
        return result;
    }

    /// <summary>
    /// W_q, W_k [d_in, H·Dh]: for each head h with maxLogits[h] &gt; τ, multiplies columns h·Dh … (h+1)·Dh − 1 of both by
    /// √(τ/maxLogits[h]). Returns the number of heads clipped.
    /// </summary>
    public static int Clip(Span<float> wq, Span<float> wk, int fanIn, int fanOut, int heads, ReadOnlySpan<double> maxLogits, double tau)
    {
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "QkClip: τ must be positive.");
        if (fanOut % heads != 0 || maxLogits.Length != heads || wq.Length < fanIn * fanOut || wk.Length < fanIn * fanOut)
            throw new ArgumentException($"QkClip.Clip: [{fanIn}, {fanOut}] weights with {heads} heads need {heads} max logits, got {maxLogits.Length}.");
        int dh = fanOut / heads, clipped = 0;
        for (int h = 0; h < heads; h++)
        {
            if (!(maxLogits[h] > tau)) continue;
            float root = (float)Math.Sqrt(tau / maxLogits[h]);      // √γ on both sides: logits scale by γ
            for (int i = 0; i < fanIn; i++)
                for (int j = h * dh; j < (h + 1) * dh; j++)
                {
                    wq[i * fanOut + j] *= root;
                    wk[i * fanOut + j] *= root;
                }
            clipped++;
        }
        return clipped;
    }

    /// <summary>
    /// The whole QK-Clip after an optimizer step: measures every head's max logit on the batch (ids [B·T]) and clips the
    /// heads above τ. Returns the logits measured before the clip (the monitor) and the number of heads clipped.
    /// </summary>
    public static QkClipReport Apply(Gpt model, int[] ids, int batch, int time, double tau)
    {
        var logits = MaxLogits(model, ids, batch, time);
        int clipped = 0;
        for (int l = 0; l < model.Blocks.Count; l++)
        {
            var attn = model.Blocks[l].Attention;
            clipped += Clip(attn.Query.Weight.Data, attn.Key.Weight.Data, attn.Query.FanIn, attn.Query.FanOut, model.Config.Heads, logits[l], tau);
        }
        return new(logits, clipped);
    }
}
