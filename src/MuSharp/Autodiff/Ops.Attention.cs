using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp;

// Shapes: B batch, T sequence length, C model width, H heads, Dh = C / H head width.
// q, k, v, x and the outputs are [B, T, C]; head h owns the column slice h·Dh .. (h+1)·Dh of the C axis,
// so a head of one batch element is a [T, Dh] matrix with row stride C inside the [B, T, C] buffer.
public static partial class Ops
{
    /// <summary>
    /// Query rows per GEMM block in the causal self-attention ops. Block [i0, i1) only touches key columns
    /// [0, i1), so the masked upper triangle is skipped up to the block granularity.
    /// </summary>
    internal const int AttentionBlockRows = 64;

    // The per-head blocks' GEMM: SmallGemm, single-threaded (heads run in parallel), reading A in place and skipping the
    // tiles outside the causal triangle (band); docs/engine.md has its numbers.
    private static void HeadSgemm(bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, Band band) =>
        Gemm.SmallSgemm(transA, false, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, band);

    // Kᵀ (or Vᵀ) of head (b, h): the [T, Dh] slice at x0 (row stride ld) into [Dh, T]. The products that need Kᵀ as
    // their right operand read this copy, made once per head instead of once per block.
    private static void TransposeHead(float[] x, int x0, int ld, int t, int dh, Span<float> into) =>
        Gemm.Transpose(x.AsSpan(x0), ld, t, dh, into, t);

    private static readonly ParallelOptions ParallelHeads = new() { MaxDegreeOfParallelism = OpenBlas.ConfiguredThreads };

    // A worker's scratch for the head loops (P and dS blocks, Kᵀ, Vᵀ), kept per thread and reused across calls: at
    // T = 128 the backward's 128 KiB would otherwise be a large-object allocation per worker per layer and step.
    [ThreadStatic] private static float[]? headScratch;

    private static float[] HeadScratch(int length) =>
        headScratch is { } s && s.Length >= length ? s : headScratch = GC.AllocateUninitializedArray<float>(length);

    /// <summary>
    /// Multi-head causal self-attention. For each batch b and head h: S = scale · Q_h K_hᵀ [T, T] with key j &gt; query i
    /// masked out, P = softmax(S) row-wise (max-shifted), O_h = P V_h. <paramref name="q"/>, <paramref name="k"/>,
    /// <paramref name="v"/> are [B, T, C] with C divisible by <paramref name="heads"/>; output [B, T, C] (heads concatenated
    /// along C, no output projection). The caller picks <paramref name="scale"/>, e.g. 1/Dh (μP) or 1/sqrt(Dh).
    /// When recording, two floats per query row are kept (P's row statistics); the backward recomputes P from them.
    /// </summary>
    public static Tensor CausalSelfAttention(Tensor q, Tensor k, Tensor v, int heads, float scale)
    {
        const string op = "CausalSelfAttention";
        if (!Shapes.Equal(q.Shape, k.Shape) || !Shapes.Equal(q.Shape, v.Shape))
            throw new ArgumentException($"{op}: q, k, v must share one [B, T, C] shape, got q {Shapes.Format(q.Shape)}, k {Shapes.Format(k.Shape)}, v {Shapes.Format(v.Shape)}.");
        var (bs, t, c, dh) = HeadLayout(q, heads, op);
        return CausalSelfAttention(new HeadSource(q, 0), new HeadSource(k, 0), new HeadSource(v, 0), c, bs, t, c, heads, dh, scale, [q, k, v]);
    }

    /// <summary>
    /// The same attention on one packed input: <paramref name="qkv"/> is [B, T, 3C] = [q | k | v] along the last axis
    /// (the output of one GEMM x·[W_q | W_k | W_v]); output [B, T, C]. The heads read q, k and v in place with row
    /// stride 3C and the backward writes dq, dk and dv into the matching column slices of qkv's gradient, so nothing is
    /// split or concatenated. Same arithmetic, element by element, as the three-tensor overload.
    /// </summary>
    public static Tensor CausalSelfAttention(Tensor qkv, int heads, float scale)
    {
        const string op = "CausalSelfAttention(qkv)";
        if (qkv.Rank != 3 || qkv.Shape[2] % 3 != 0)
            throw new ArgumentException($"{op}: expected [B, T, 3C], got {Shapes.Format(qkv.Shape)}.");
        int c = qkv.Shape[2] / 3;
        if (heads < 1 || c % heads != 0)
            throw new ArgumentException($"{op}: C = {c} (shape {Shapes.Format(qkv.Shape)}) must be divisible by heads = {heads} ≥ 1.");
        return CausalSelfAttention(new HeadSource(qkv, 0), new HeadSource(qkv, c), new HeadSource(qkv, 2 * c), 3 * c, qkv.Shape[0], qkv.Shape[1], c, heads, c / heads, scale, [qkv]);
    }

    // One of q, k, v: a tensor whose row r (of B·T rows, stride ld) holds this input's C columns from `Offset` on.
    private readonly record struct HeadSource(Tensor Tensor, int Offset);

    // The core of both overloads (named like them, so the step ledger files its closures under "attention"): q, k, v
    // rows have stride ld (C for separate tensors, 3C for packed qkv); the output o is [B, T, C] (stride C).
    // P is never stored: the forward keeps each query row's max logit and 1/Σ exp ([B, H, T] each), and the backward
    // recomputes a block of S with the same GEMM call and P from those statistics, bit for bit the forward's P
    // (Softmax.Recompute). Memory per layer: 2·B·H·T floats instead of B·H·T².
    private static Tensor CausalSelfAttention(HeadSource q, HeadSource k, HeadSource v, int ld, int bs, int t, int c, int heads, int dh, float scale, Tensor[] parents)
    {
        bool record = Tape.Needs(parents);
        var rowMax = record ? new float[bs * heads * t] : []; // [B, H, T]
        var rowInverseSum = record ? new float[bs * heads * t] : []; // [B, H, T]
        var o = Tensor.Uninitialized([bs, t, c]); // [B, T, C]
        float[] qd = q.Tensor.Data, kd = k.Tensor.Data, vd = v.Tensor.Data;
        int blockRows = Math.Min(t, AttentionBlockRows);
        // Heads are independent: run them in parallel, each with a single-threaded GEMM (the blocks are ~1 MFLOP,
        // too small for a library's own threading to pay off). Each worker owns one [blockRows, T] block of P and Kᵀ.
        Parallel.For(0, bs * heads, ParallelHeads, () => HeadScratch(blockRows * t + dh * t), (bh, _, scratch) =>
        {
            int b = bh / heads, h = bh % heads;
            int x0 = b * t * ld + h * dh; // head (b, h) of q, k, v: row b·T, column h·Dh (plus the input's offset)
            int o0 = b * t * c + h * dh; // head (b, h) in the output [B, T, C]
            var pBlock = scratch.AsSpan(0, blockRows * t);
            var kT = scratch.AsSpan(blockRows * t, dh * t); // [Dh, T]
            TransposeHead(kd, k.Offset + x0, ld, t, dh, kT);
            for (int i0 = 0; i0 < t; i0 += AttentionBlockRows)
            {
                int i1 = Math.Min(t, i0 + AttentionBlockRows), m = i1 - i0;
                Scores(q, kT, ld, x0, i0, i1, t, dh, scale, pBlock, t);
                for (int i = i0; i < i1; i++)
                {
                    var row = pBlock.Slice((i - i0) * t, i1); // keys 0..i attend, i+1..i1 are masked to 0
                    if (record) Kernels.Softmax.Forward(row[..(i + 1)], row[..(i + 1)], out rowMax[bh * t + i], out rowInverseSum[bh * t + i]);
                    else Kernels.Softmax.Forward(row[..(i + 1)], row[..(i + 1)]);
                    row[(i + 1)..].Clear();
                }
                // O[i0:i1] = P[i0:i1, 0:i1] V[0:i1]  [m, Dh]
                HeadSgemm(false, m, dh, i1, 1f, pBlock, t, vd.AsSpan(v.Offset + x0), ld, 0f, o.Data.AsSpan(o0 + i0 * c), c, new(BandKind.DepthUpToRow, i0));
            }
            return scratch;
        }, _ => { });

        return Tape.Record(o, () =>
        {
            // O = P V ⇒ dV = Pᵀ dO, dP = dO Vᵀ; P = softmax(S) row-wise ⇒ dS = P ⊙ (dP − rowsum(dP ⊙ P));
            // S = scale · Q Kᵀ ⇒ dQ = scale · dS K, dK = scale · dSᵀ Q. Masked entries have P = 0, hence dS = 0.
            var dy = o.Grad!; // [B, T, C]
            bool needQk = q.Tensor.RequiresGrad || k.Tensor.RequiresGrad;
            // Allocate grads before the parallel loop; heads then write disjoint column slices of them (packed qkv:
            // one buffer, three slices).
            var dq = q.Tensor.RequiresGrad ? q.Tensor.GradBuffer() : null;
            var dk = k.Tensor.RequiresGrad ? k.Tensor.GradBuffer() : null;
            var dv = v.Tensor.RequiresGrad ? v.Tensor.GradBuffer() : null;
            int block = blockRows * t;
            // Per worker: P of one row block, then dP → dS of it, each [blockRows, T]; Kᵀ and Vᵀ, each [Dh, T].
            Parallel.For(0, bs * heads, ParallelHeads, () => HeadScratch(2 * block + 2 * dh * t), (bh, _, scratch) =>
            {
                int b = bh / heads, h = bh % heads;
                int x0 = b * t * ld + h * dh;
                int o0 = b * t * c + h * dh;
                var pBlock = scratch.AsSpan(0, block);
                var ds = scratch.AsSpan(block, block);
                var kT = scratch.AsSpan(2 * block, dh * t);
                var vT = scratch.AsSpan(2 * block + dh * t, dh * t);
                TransposeHead(kd, k.Offset + x0, ld, t, dh, kT);
                if (needQk) TransposeHead(vd, v.Offset + x0, ld, t, dh, vT);
                for (int i0 = 0; i0 < t; i0 += AttentionBlockRows)
                {
                    int i1 = Math.Min(t, i0 + AttentionBlockRows), m = i1 - i0;
                    Scores(q, kT, ld, x0, i0, i1, t, dh, scale, pBlock, t);
                    for (int i = i0; i < i1; i++)
                    {
                        var row = pBlock.Slice((i - i0) * t, i1);
                        Kernels.Softmax.Recompute(row[..(i + 1)], row[..(i + 1)], rowMax[bh * t + i], rowInverseSum[bh * t + i]);
                        row[(i + 1)..].Clear();
                    }
                    var dO = dy.AsSpan(o0 + i0 * c); // [m, Dh] rows i0..i1, stride C
                    // dV[0:i1] += P[i0:i1, 0:i1]ᵀ dO[i0:i1]  [i1, Dh]
                    if (dv != null)
                        HeadSgemm(true, i1, dh, m, 1f, pBlock, t, dO, c, 1f, dv.AsSpan(v.Offset + x0), ld, new(BandKind.DepthFromRow, i0));
                    if (!needQk) continue;
                    // dP[i0:i1, 0:i1] = dO[i0:i1] Vᵀ[:, 0:i1]  [m, i1]
                    HeadSgemm(false, m, i1, dh, 1f, dO, c, vT, t, 0f, ds, t, new(BandKind.ColumnsUpToRow, i0));
                    for (int i = i0; i < i1; i++)
                    {
                        var dsRow = ds.Slice((i - i0) * t, i1);
                        Kernels.Softmax.Backward(pBlock.Slice((i - i0) * t, i + 1), dsRow[..(i + 1)], dsRow[..(i + 1)], dsRow[..(i + 1)], overwrite: true);
                        dsRow[(i + 1)..].Clear();
                    }
                    // dQ[i0:i1] += scale · dS[i0:i1, 0:i1] K[0:i1]  [m, Dh]
                    if (dq != null)
                        HeadSgemm(false, m, dh, i1, scale, ds, t, kd.AsSpan(k.Offset + x0), ld, 1f, dq.AsSpan(q.Offset + x0 + i0 * ld), ld, new(BandKind.DepthUpToRow, i0));
                    // dK[0:i1] += scale · dS[i0:i1, 0:i1]ᵀ Q[i0:i1]  [i1, Dh]
                    if (dk != null)
                        HeadSgemm(true, i1, dh, m, scale, ds, t, qd.AsSpan(q.Offset + x0 + i0 * ld), ld, 1f, dk.AsSpan(k.Offset + x0), ld, new(BandKind.DepthFromRow, i0));
                }
                return scratch;
            }, _ => { });
        }, parents);
    }

    // S[i0:i1, 0:i1] = scale · Q[i0:i1] Kᵀ[:, 0:i1]  [m, i1] into s (stride ldS) from the head's Kᵀ [Dh, T] (stride t):
    // block [i0, i1) only touches key columns [0, i1), and entries above the diagonal may be left unwritten (the callers
    // clear them). The forward and the backward's recomputation make this same call, so they get the same bits.
    private static void Scores(HeadSource q, ReadOnlySpan<float> kT, int ld, int x0, int i0, int i1, int t, int dh, float scale, Span<float> s, int ldS) =>
        HeadSgemm(false, i1 - i0, i1, dh, scale, q.Tensor.Data.AsSpan(q.Offset + x0 + i0 * ld), ld, kT, t, 0f, s, ldS, new(BandKind.ColumnsUpToRow, i0));

    /// <summary>
    /// Rotary position embedding (RoPE) in the rotate-half convention of GPT-NeoX and LLaMA as PyTorch code writes it
    /// (<c>x * cos + rotate_half(x) * sin</c>): within each head of width Dh (even), element i &lt; Dh/2 pairs with element
    /// i + Dh/2 (not the interleaved pairs 2i, 2i+1 of GPT-J), and at position t (the T index, from 0) the pair is rotated by
    /// angle t · θ^(−2i/Dh): (x1, x2) → (x1 cos − x2 sin, x1 sin + x2 cos). Angles are computed in double, then rounded.
    /// <paramref name="x"/> is [B, T, C] with C divisible by <paramref name="heads"/>; output [B, T, C].
    /// </summary>
    public static Tensor Rope(Tensor x, int heads, float theta = 10000f)
    {
        const string op = "Rope";
        var (bs, t, c, dh) = HeadLayout(x, heads, op);
        if (dh % 2 != 0)
            throw new ArgumentException($"{op}: head width Dh = C / heads = {dh} must be even (x {Shapes.Format(x.Shape)}, heads = {heads}).");
        if (!(theta > 0f) || float.IsInfinity(theta))
            throw new ArgumentException($"{op}: theta must be positive and finite, got {theta}.");
        int half = dh / 2;
        var cos = new float[t * half]; // [T, Dh/2]
        var sin = new float[t * half]; // [T, Dh/2]
        var negSin = new float[t * half]; // [T, Dh/2]
        for (int pos = 0; pos < t; pos++)
            for (int i = 0; i < half; i++)
            {
                double angle = pos * Math.Pow(theta, -2.0 * i / dh);
                cos[pos * half + i] = (float)Math.Cos(angle);
                sin[pos * half + i] = (float)Math.Sin(angle);
                negSin[pos * half + i] = -sin[pos * half + i];
            }

        var y = Tensor.Uninitialized(x.Shape); // [B, T, C]
        for (int b = 0; b < bs; b++)
            for (int pos = 0; pos < t; pos++)
            {
                var cs = cos.AsSpan(pos * half, half);
                var sn = sin.AsSpan(pos * half, half);
                var nsn = negSin.AsSpan(pos * half, half);
                for (int h = 0; h < heads; h++)
                {
                    int o = (b * t + pos) * c + h * dh;
                    var x1 = x.Data.AsSpan(o, half);
                    var x2 = x.Data.AsSpan(o + half, half);
                    var y1 = y.Data.AsSpan(o, half);
                    var y2 = y.Data.AsSpan(o + half, half);
                    TensorPrimitives.Multiply(x1, cs, y1);
                    TensorPrimitives.MultiplyAdd(x2, nsn, y1, y1); // y1 = x1 cos − x2 sin
                    TensorPrimitives.Multiply(x1, sn, y2);
                    TensorPrimitives.MultiplyAdd(x2, cs, y2, y2); // y2 = x1 sin + x2 cos
                }
            }

        return Tape.Record(y, () =>
        {
            // y = R(angle) x with R orthogonal ⇒ dx = Rᵀ dy: dx1 = dy1 cos + dy2 sin, dx2 = −dy1 sin + dy2 cos.
            var dy = y.Grad!; // [B, T, C]
            var dx = x.GradBuffer(); // [B, T, C]
            for (int b = 0; b < bs; b++)
                for (int pos = 0; pos < t; pos++)
                {
                    var cs = cos.AsSpan(pos * half, half);
                    var sn = sin.AsSpan(pos * half, half);
                    var nsn = negSin.AsSpan(pos * half, half);
                    for (int h = 0; h < heads; h++)
                    {
                        int o = (b * t + pos) * c + h * dh;
                        var dy1 = dy.AsSpan(o, half);
                        var dy2 = dy.AsSpan(o + half, half);
                        var dx1 = dx.AsSpan(o, half);
                        var dx2 = dx.AsSpan(o + half, half);
                        TensorPrimitives.MultiplyAdd(dy1, cs, dx1, dx1);
                        TensorPrimitives.MultiplyAdd(dy2, sn, dx1, dx1);
                        TensorPrimitives.MultiplyAdd(dy1, nsn, dx2, dx2);
                        TensorPrimitives.MultiplyAdd(dy2, cs, dx2, dx2);
                    }
                }
        }, x);
    }

    // Validates x [B, T, C] with C divisible by heads ≥ 1; returns (B, T, C, Dh).
    private static (int B, int T, int C, int Dh) HeadLayout(Tensor x, int heads, string op)
    {
        if (x.Rank != 3)
            throw new ArgumentException($"{op}: expected [B, T, C], got {Shapes.Format(x.Shape)}.");
        if (heads < 1)
            throw new ArgumentException($"{op}: heads must be at least 1, got {heads}.");
        int c = x.Shape[2];
        if (c % heads != 0)
            throw new ArgumentException($"{op}: C = {c} is not divisible by heads = {heads} (shape {Shapes.Format(x.Shape)}).");
        return (x.Shape[0], x.Shape[1], c, c / heads);
    }
}
