using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

// Shapes: B batch, T sequence length, C model width, H heads, Dh = C / H; q, k, v, x are [B, T, C].
public class AttentionTests
{
    // Double reference: per (b, h), S = scale · Q Kᵀ over keys j ≤ i, P = softmax(S), O = P V.
    private static double[] AttentionRef(double[] q, double[] k, double[] v, int b, int t, int c, int h, double scale)
    {
        int dh = c / h;
        var o = new double[b * t * c];
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++)
                for (int i = 0; i < t; i++)
                {
                    var s = new double[i + 1];
                    for (int j = 0; j <= i; j++)
                        for (int d = 0; d < dh; d++)
                            s[j] += scale * q[(bi * t + i) * c + hi * dh + d] * k[(bi * t + j) * c + hi * dh + d];
                    double max = s.Max(), sum = s.Sum(x => Math.Exp(x - max));
                    for (int j = 0; j <= i; j++)
                        for (int d = 0; d < dh; d++)
                            o[(bi * t + i) * c + hi * dh + d] += Math.Exp(s[j] - max) / sum * v[(bi * t + j) * c + hi * dh + d];
                }
        return o;
    }

    // Double reference of rotate-half RoPE: pair (i, i + Dh/2) of each head rotated by pos · theta^(−2i/Dh).
    private static double[] RopeRef(double[] x, int b, int t, int c, int h, double theta)
    {
        int dh = c / h, half = dh / 2;
        var y = new double[x.Length];
        for (int bi = 0; bi < b; bi++)
            for (int pos = 0; pos < t; pos++)
                for (int hi = 0; hi < h; hi++)
                    for (int i = 0; i < half; i++)
                    {
                        int o = (bi * t + pos) * c + hi * dh;
                        double a = pos * Math.Pow(theta, -2.0 * i / dh), x1 = x[o + i], x2 = x[o + i + half];
                        y[o + i] = x1 * Math.Cos(a) - x2 * Math.Sin(a);
                        y[o + i + half] = x1 * Math.Sin(a) + x2 * Math.Cos(a);
                    }
        return y;
    }

    public static TheoryData<float> Scales => new() { 1f / 4, 0.7f / MathF.Sqrt(4) }; // 1/Dh (μP) and 0.7/sqrt(Dh), Dh = 4

    [Theory]
    [MemberData(nameof(Scales))]
    public void AttentionGradientsMatchFiniteDifferences(float scale)
    {
        const int B = 2, T = 5, C = 8, H = 2;
        var q = GradCheck.Input(51, 1.5f, B, T, C);
        var k = GradCheck.Input(52, 1.5f, B, T, C);
        var v = GradCheck.Input(53, 1f, B, T, C);
        GradCheck.Check(x => Ops.CausalSelfAttention(x[0], x[1], x[2], H, scale),
            x => AttentionRef(x[0], x[1], x[2], B, T, C, H, scale), [q, k, v]);
    }

    [Fact]
    public void AttentionSpanningSeveralRowBlocksMatchesReference()
    {
        const int B = 1, C = 4, H = 2;
        const int T = Ops.AttentionBlockRows + 3; // two row blocks, the second one ragged
        var q = GradCheck.Input(54, 1f, B, T, C);
        var k = GradCheck.Input(55, 1f, B, T, C);
        var v = GradCheck.Input(56, 1f, B, T, C);
        GradCheck.Check(x => Ops.CausalSelfAttention(x[0], x[1], x[2], H, 0.5f),
            x => AttentionRef(x[0], x[1], x[2], B, T, C, H, 0.5), [q, k, v]);
    }

    [Theory]
    [InlineData(false, false, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    public void AttentionWithSomeConstantInputs(bool qGrad, bool kGrad, bool vGrad)
    {
        const int B = 2, T = 4, C = 6, H = 3;
        var q = GradCheck.Input(57, 1f, B, T, C);
        var k = GradCheck.Input(58, 1f, B, T, C);
        var v = GradCheck.Input(59, 1f, B, T, C);
        (q.RequiresGrad, k.RequiresGrad, v.RequiresGrad) = (qGrad, kGrad, vGrad);
        GradCheck.Check(x => Ops.CausalSelfAttention(x[0], x[1], x[2], H, 0.5f),
            x => AttentionRef(x[0], x[1], x[2], B, T, C, H, 0.5), [q, k, v]);
    }

    // Packed input [B, T, 3C] = [q | k | v] along the last axis, split for the double reference.
    private static double[] PackedAttentionRef(double[] qkv, int b, int t, int c, int h, double scale)
    {
        var parts = new double[3][];
        for (int p = 0; p < 3; p++)
        {
            parts[p] = new double[b * t * c];
            for (int r = 0; r < b * t; r++) Array.Copy(qkv, r * 3 * c + p * c, parts[p], r * c, c);
        }
        return AttentionRef(parts[0], parts[1], parts[2], b, t, c, h, scale);
    }

    [Theory]
    [InlineData(2, 5, 8, 2)]
    [InlineData(1, Ops.AttentionBlockRows + 3, 4, 2)] // two row blocks, the second one ragged
    public void PackedAttentionGradientsMatchFiniteDifferences(int b, int t, int c, int h)
    {
        var qkv = GradCheck.Input(58, 1.5f, b, t, 3 * c);
        GradCheck.Check(x => Ops.CausalSelfAttention(x[0], h, 0.5f),
            x => PackedAttentionRef(x[0], b, t, c, h, 0.5), [qkv]);
    }

    [Fact]
    public void PackedAttentionEqualsThreeTensorAttentionBitForBit()
    {
        // The packed op reads q, k, v with row stride 3C and writes their gradients into slices of one buffer; the
        // arithmetic per element is the plain path's, so outputs and gradients must be identical, not just close.
        const int B = 2, T = Ops.AttentionBlockRows + 9, C = 16, H = 2;
        var qkv = GradCheck.Input(59, 1f, B, T, 3 * C);
        var parts = new Tensor[3];
        for (int p = 0; p < 3; p++)
        {
            parts[p] = Tensor.Zeros(B, T, C);
            for (int r = 0; r < B * T; r++) qkv.Data.AsSpan(r * 3 * C + p * C, C).CopyTo(parts[p].Data.AsSpan(r * C));
            parts[p].RequiresGrad = true;
        }
        var dy = new float[B * T * C];
        new Rng(60).FillNormal(dy, 0f, 1f);
        var packed = Ops.CausalSelfAttention(qkv, H, 0.3f);
        var plain = Ops.CausalSelfAttention(parts[0], parts[1], parts[2], H, 0.3f);
        Assert.Equal(plain.Data, packed.Data);
        Tape.Backward(packed, dy);
        Tape.Backward(plain, dy);
        for (int p = 0; p < 3; p++)
            for (int r = 0; r < B * T; r++)
                Assert.Equal(parts[p].Grad!.AsSpan(r * C, C).ToArray(), qkv.Grad!.AsSpan(r * 3 * C + p * C, C).ToArray());
    }

    [Fact]
    public void PackedAttentionRejectsAWidthNotThreeTimesDivisible()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Tensor.Zeros(2, 5, 8), 2, 0.5f));
        Assert.Contains("[2, 5, 8]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(Tensor.Zeros(2, 5, 12), 3, 0.5f));
        Assert.Contains("heads = 3", ex.Message);
    }

    [Fact]
    public void AttentionOnOneSharedTensorAccumulatesAllThreeGradients()
    {
        const int B = 1, T = 4, C = 4, H = 2;
        var x = GradCheck.Input(60, 1f, B, T, C);
        GradCheck.Check(t => Ops.CausalSelfAttention(t[0], t[0], t[0], H, 0.5f),
            t => AttentionRef(t[0], t[0], t[0], B, T, C, H, 0.5), [x]);
    }

    [Fact]
    public void FutureInputsDoNotAffectEarlierOutputsOrReceiveTheirGradient()
    {
        const int B = 2, T = 6, C = 8, H = 2, Cut = 3;
        var q = GradCheck.Input(61, 1f, B, T, C);
        var k = GradCheck.Input(62, 1f, B, T, C);
        var v = GradCheck.Input(63, 1f, B, T, C);
        var before = Ops.CausalSelfAttention(q, k, v, H, 0.35f);
        var (q2, k2, v2) = (q.Detach(), k.Detach(), v.Detach());
        var rng = new Rng(64);
        foreach (var t in new[] { q2, k2, v2 })
            for (int b = 0; b < B; b++)
                rng.FillNormal(t.Data.AsSpan((b * T + Cut + 1) * C, (T - Cut - 1) * C), 0f, 10f);
        var after = Ops.CausalSelfAttention(q2, k2, v2, H, 0.35f);
        for (int b = 0; b < B; b++)
            for (int i = 0; i < T; i++)
                for (int j = 0; j < C; j++)
                {
                    int at = (b * T + i) * C + j;
                    if (i <= Cut) Assert.Equal(before.Data[at], after.Data[at]);
                    else Assert.NotEqual(before.Data[at], after.Data[at]);
                }

        // Gradient from outputs at positions ≤ Cut reaches no key or value at a later position.
        var dy = new float[before.Size];
        for (int b = 0; b < B; b++) new Rng(65).FillNormal(dy.AsSpan(b * T * C, (Cut + 1) * C), 0f, 1f);
        Tape.Backward(before, dy);
        for (int b = 0; b < B; b++)
            for (int i = Cut + 1; i < T; i++)
                for (int j = 0; j < C; j++)
                {
                    Assert.Equal(0f, k.Grad![(b * T + i) * C + j]);
                    Assert.Equal(0f, v.Grad![(b * T + i) * C + j]);
                }
    }

    [Theory]
    [InlineData(128, 128, 2)]
    [InlineData(96, 64, 1)]
    public void AttentionAtModelShapesMatchesReferenceAlongRandomDirections(int T, int C, int H)
    {
        // Dh = 64, as in the GPT benchmarks; T = 128 is two full row blocks, T = 96 a full and a half one. Every head GEMM
        // runs on SmallGemm's own kernels, skipping the tiles outside the causal triangle (P of the backward recomputed
        // from the forward's row statistics). Finite differences per element are too many here, so the oracle is the
        // directional derivative: for the loss L = Σ r ⊙ O and a random direction u of each input,
        // (L(x + εu) − L(x − εu)) / 2ε in double must equal Σ u ⊙ grad.
        const int B = 2;
        const float scale = 0.125f;
        var q = GradCheck.Input(81, 1f, B, T, C);
        var k = GradCheck.Input(82, 1f, B, T, C);
        var v = GradCheck.Input(83, 1f, B, T, C);
        var o = Ops.CausalSelfAttention(q, k, v, H, scale);
        double[][] x = [.. new[] { q, k, v }.Select(t => t.Data.Select(e => (double)e).ToArray())];
        var reference = AttentionRef(x[0], x[1], x[2], B, T, C, H, scale);
        for (int i = 0; i < reference.Length; i++) Assert.Equal(reference[i], o.Data[i], 1e-5);
        var r = new float[o.Size];
        new Rng(84).FillNormal(r, 0f, 1f);
        Tape.Backward(o, r);

        double Loss(double[][] inputs) => AttentionRef(inputs[0], inputs[1], inputs[2], B, T, C, H, scale).Select((e, i) => e * r[i]).Sum();
        var grads = new[] { q.Grad!, k.Grad!, v.Grad! };
        for (int input = 0; input < 3; input++)
            for (int trial = 0; trial < 2; trial++)
            {
                var u = new float[x[input].Length];
                new Rng((ulong)(90 + 2 * input + trial)).FillNormal(u, 0f, 1f);
                const double eps = 1e-4;
                var plus = x.Select(a => (double[])a.Clone()).ToArray();
                var minus = x.Select(a => (double[])a.Clone()).ToArray();
                for (int j = 0; j < u.Length; j++)
                {
                    plus[input][j] += eps * u[j];
                    minus[input][j] -= eps * u[j];
                }
                double numeric = (Loss(plus) - Loss(minus)) / (2 * eps);
                double analytic = 0;
                for (int j = 0; j < u.Length; j++) analytic += (double)u[j] * grads[input][j];
                Assert.True(Math.Abs(analytic - numeric) <= 1e-4 * Math.Abs(numeric) + 1e-3,
                    $"input {input}, direction {trial}: analytic {analytic:G8} vs numeric {numeric:G8}");
            }
    }

    [Fact]
    public void AttentionWithoutRecordingGivesTheSameOutput()
    {
        var q = GradCheck.Input(66, 1f, 2, 5, 8);
        var k = GradCheck.Input(67, 1f, 2, 5, 8);
        var v = GradCheck.Input(68, 1f, 2, 5, 8);
        var recorded = Ops.CausalSelfAttention(q, k, v, 2, 0.5f);
        Tensor plain;
        using (Tape.NoGrad()) plain = Ops.CausalSelfAttention(q, k, v, 2, 0.5f);
        Assert.False(plain.RequiresGrad);
        Assert.Equal(recorded.Data, plain.Data);
    }

    [Fact]
    public void AttentionRejectsMismatchedShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Ops.CausalSelfAttention(Tensor.Zeros(2, 5, 8), Tensor.Zeros(2, 5, 8), Tensor.Zeros(2, 4, 8), 2, 0.5f));
        Assert.Contains("CausalSelfAttention", ex.Message);
        Assert.Contains("q [2, 5, 8]", ex.Message);
        Assert.Contains("v [2, 4, 8]", ex.Message);
    }

    [Fact]
    public void AttentionRejectsIndivisibleHeadsAndWrongRank()
    {
        var x = Tensor.Zeros(2, 5, 8);
        var ex = Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(x, x, x, 3, 0.5f));
        Assert.Contains("CausalSelfAttention", ex.Message);
        Assert.Contains("C = 8", ex.Message);
        Assert.Contains("heads = 3", ex.Message);
        var flat = Tensor.Zeros(5, 8);
        ex = Assert.Throws<ArgumentException>(() => Ops.CausalSelfAttention(flat, flat, flat, 2, 0.5f));
        Assert.Contains("[5, 8]", ex.Message);
    }

    [Theory]
    [InlineData(10000f)]
    [InlineData(7f)]
    public void RopeGradientsMatchFiniteDifferences(float theta)
    {
        const int B = 2, T = 5, C = 8, H = 2;
        var x = GradCheck.Input(71, 1f, B, T, C);
        GradCheck.Check(t => Ops.Rope(t[0], H, theta), t => RopeRef(t[0], B, T, C, H, theta), [x]);
    }

    [Fact]
    public void RopePairsElementIWithElementIPlusHalfHeadWidth()
    {
        // One head, Dh = 4, position 1: pair (0, 2) turns by 1 rad, pair (1, 3) by 10000^(−1/2) = 0.01 rad.
        var x = Tensor.From([0, 0, 0, 0, 1, 2, 0, 0], 1, 2, 4);
        var y = Ops.Rope(x, 1);
        double[] expected = [0, 0, 0, 0, Math.Cos(1), 2 * Math.Cos(0.01), Math.Sin(1), 2 * Math.Sin(0.01)];
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], y.Data[i], 1e-6);
    }

    [Fact]
    public void RopeScoresDependOnlyOnRelativePosition()
    {
        // ⟨rope(a) at t, rope(b) at t − 2⟩ is the same for every t.
        var a = Tensor.Randn(new Rng(72), 1f, 8);
        var b = Tensor.Randn(new Rng(73), 1f, 8);
        const int T = 7;
        var qa = Tensor.Zeros(1, T, 8);
        var kb = Tensor.Zeros(1, T, 8);
        for (int t = 0; t < T; t++) { a.Data.CopyTo(qa.Data, t * 8); b.Data.CopyTo(kb.Data, t * 8); }
        var (rq, rk) = (Ops.Rope(qa, 2), Ops.Rope(kb, 2));
        double Dot(int t, int s, int h) => Enumerable.Range(h * 4, 4).Sum(j => (double)rq.Data[t * 8 + j] * rk.Data[s * 8 + j]);
        for (int h = 0; h < 2; h++)
            for (int t = 3; t < T; t++) Assert.Equal(Dot(2, 0, h), Dot(t, t - 2, h), 5);
    }

    [Fact]
    public void RopeRejectsOddHeadWidth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Rope(Tensor.Zeros(2, 5, 6), 2));
        Assert.Contains("Rope", ex.Message);
        Assert.Contains("Dh = C / heads = 3", ex.Message);
        Assert.Contains("[2, 5, 6]", ex.Message);
    }
}
