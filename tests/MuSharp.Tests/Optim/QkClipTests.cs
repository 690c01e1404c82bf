using MuSharp.Nn;
using MuSharp.Optim;
using Xunit.Abstractions;

namespace MuSharp.Tests.Optim;

// QK-Clip (Kimi K2, arXiv 2507.20534; Su kexue.fm 11126; theory §12.2) against a reference written from the rule:
// per head h, S_h = max_{b, i, j ≤ i} scale·q_i·k_j; if S_h > τ scale that head's W_q, W_k columns by √(τ/S_h).
public class QkClipTests(ITestOutputHelper output)
{
    private static GptConfig Config(PositionEncoding positions = PositionEncoding.Learned) => new()
    {
        VocabSize = 11, ContextLength = 8, DModel = 16, Layers = 2, Heads = 2, Positions = positions,
    };

    // Per-head max logits in double, triple loop over the attention input u [B, T, C].
    private static double[] ReferenceMaxLogits(double[] u, int bs, int t, int c, double[] wq, double[] wk, int heads, double scale)
    {
        int dh = c / heads;
        double[] Project(double[] w)
        {
            var y = new double[bs * t * c];
            for (int r = 0; r < bs * t; r++)
                for (int j = 0; j < c; j++)
                {
                    double s = 0;
                    for (int i = 0; i < c; i++) s += u[r * c + i] * w[i * c + j];
                    y[r * c + j] = s;
                }
            return y;
        }
        double[] q = Project(wq), k = Project(wk);
        var max = Enumerable.Repeat(double.NegativeInfinity, heads).ToArray();
        for (int b = 0; b < bs; b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++)
                    for (int j = 0; j <= i; j++)
                    {
                        double s = 0;
                        for (int d = 0; d < dh; d++) s += q[(b * t + i) * c + h * dh + d] * k[(b * t + j) * c + h * dh + d];
                        max[h] = Math.Max(max[h], scale * s);
                    }
        return max;
    }

    // 20 rounds of "optimizer step" (weights grow by a random multiplicative perturbation) followed by QK-Clip,
    // library (float) against the reference (double), on one attention layer with a fixed input.
    [Fact]
    public void ClipMatchesReferenceOver20Steps()
    {
        var config = Config();
        var attn = new CausalSelfAttention("attn", config, new Rng(1));
        const int bs = 2, t = 8, c = 16;
        const double tau = 3.0;
        var u = Tensor.Randn(new Rng(2), 1f, bs, t, c);
        double[] ud = u.Data.Select(x => (double)x).ToArray();
        double[] wq = attn.Query.Weight.Data.Select(x => (double)x).ToArray(), wk = attn.Key.Weight.Data.Select(x => (double)x).ToArray();
        int clippedTotal = 0;
        for (int step = 0; step < 20; step++)
        {
            var noise = new float[2 * c * c];
            new Rng((ulong)(10 + step)).FillNormal(noise, 0f, 0.05f);
            for (int i = 0; i < c * c; i++)
            {
                attn.Query.Weight.Data[i] = attn.Query.Weight.Data[i] * 1.15f + noise[i];
                attn.Key.Weight.Data[i] = attn.Key.Weight.Data[i] * 1.15f + noise[c * c + i];
                wq[i] = wq[i] * 1.15 + noise[i];
                wk[i] = wk[i] * 1.15 + noise[c * c + i];
            }
            var logits = QkClip.MaxLogits(attn, config, u);
            clippedTotal += QkClip.Clip(attn.Query.Weight.Data, attn.Key.Weight.Data, c, c, config.Heads, logits, tau);
            var reference = ReferenceMaxLogits(ud, bs, t, c, wq, wk, config.Heads, config.AttentionScale);
            for (int h = 0; h < config.Heads; h++)
            {
                Assert.Equal(reference[h], logits[h], 1e-4 * Math.Max(1, Math.Abs(reference[h])));
                if (reference[h] <= tau) continue;
                double root = Math.Sqrt(tau / reference[h]);
                for (int i = 0; i < c; i++)
                    for (int j = h * c / 2; j < (h + 1) * c / 2; j++) { wq[i * c + j] *= root; wk[i * c + j] *= root; }
            }
            double err = 0;
            for (int i = 0; i < c * c; i++)
                err = Math.Max(err, Math.Max(Math.Abs(attn.Query.Weight.Data[i] - wq[i]), Math.Abs(attn.Key.Weight.Data[i] - wk[i])));
            Assert.True(err < 1e-5, $"step {step}: weights differ by {err}");
        }
        output.WriteLine($"{clippedTotal} head clips in 20 steps");
        Assert.True(clippedTotal >= 10, "the weights must grow past τ so the clip is exercised");
        var after = QkClip.MaxLogits(attn, config, u);
        Assert.All(after, s => Assert.True(s <= tau * (1 + 1e-5), $"max logit {s} > τ"));
    }

    // Model level: the replayed forward feeds each block's Norm₁ input; after Apply every head's max logit is ≤ τ,
    // clipped heads sit at τ (logits scale by exactly γ, also through RoPE, which is linear), V and W_o are untouched.
    [Theory]
    [InlineData(PositionEncoding.Learned)]
    [InlineData(PositionEncoding.Rope)]
    public void ApplyClipsEveryHeadToTau(PositionEncoding positions)
    {
        var config = Config(positions);
        var model = new Gpt(config, new Rng(3));
        foreach (var b in model.Blocks)
            foreach (var w in new[] { b.Attention.Query.Weight, b.Attention.Key.Weight })
                for (int i = 0; i < w.Size; i++) w.Data[i] *= 4f;   // logits ×16
        var ids = Enumerable.Range(0, 16).Select(i => (i * 7) % 11).ToArray();
        var values = model.Blocks.Select(b => (float[])b.Attention.Value.Weight.Data.Clone()).ToList();
        var before = QkClip.MaxLogits(model, ids, 2, 8);
        double tau = before.SelectMany(l => l).OrderBy(x => x).ElementAt(1);   // between the smallest and the rest
        var report = QkClip.Apply(model, ids, 2, 8, tau);
        Assert.Equal(before, report.MaxLogits);
        Assert.Equal(before.SelectMany(l => l).Count(s => s > tau), report.ClippedHeads);
        Assert.True(report.ClippedHeads >= 2);
        // Layer 0's logits are unaffected by the other layers: after the clip its heads read exactly min(S, τ).
        var after = QkClip.MaxLogits(model, ids, 2, 8);
        for (int h = 0; h < config.Heads; h++)
            Assert.Equal(Math.Min(before[0][h], tau), after[0][h], 1e-4 * tau);
        for (int l = 0; l < config.Layers; l++) Assert.Equal(values[l], model.Blocks[l].Attention.Value.Weight.Data);
        output.WriteLine($"{positions}: max logits before {string.Join(", ", before.SelectMany(x => x).Select(x => x.ToString("F2")))}; τ {tau:F2}");
    }

    // The replay matches the reference on layer 0, whose input is LayerNorm(token + position embedding) with gain 1, bias 0.
    [Fact]
    public void ModelMaxLogitsMatchReferenceOnLayer0()
    {
        var config = Config();
        var model = new Gpt(config, new Rng(4));
        var ids = Enumerable.Range(0, 16).Select(i => (i * 5 + 1) % 11).ToArray();
        const int bs = 2, t = 8, c = 16;
        var u = new double[bs * t * c];
        for (int r = 0; r < bs * t; r++)
        {
            var x = new double[c];
            for (int j = 0; j < c; j++) x[j] = model.Tokens.Table.Data[ids[r] * c + j] + model.Positions!.Table.Data[(r % t) * c + j];
            double mean = x.Average(), variance = x.Sum(v => (v - mean) * (v - mean)) / c;
            for (int j = 0; j < c; j++) u[r * c + j] = (x[j] - mean) / Math.Sqrt(variance + 1e-5);
        }
        var attn = model.Blocks[0].Attention;
        var reference = ReferenceMaxLogits(u, bs, t, c, attn.Query.Weight.Data.Select(v => (double)v).ToArray(),
            attn.Key.Weight.Data.Select(v => (double)v).ToArray(), config.Heads, config.AttentionScale);
        var logits = QkClip.MaxLogits(model, ids, bs, t);
        for (int h = 0; h < config.Heads; h++) Assert.Equal(reference[h], logits[0][h], 1e-4);
    }
}
