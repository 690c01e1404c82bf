using MuSharp.Kernels;

namespace MuSharp;

public static partial class Ops
{
    /// <summary>
    /// Y = op(A) · op(B). A is [..., K] (leading dims flattened into M rows) or, with <paramref name="transA"/>,
    /// a 2-D [K, M]; B is 2-D [K, N] or, with <paramref name="transB"/>, [N, K]. Output [..., N].
    /// Forward and backward GEMMs run in <see cref="MixedPrecision.Current"/> as of the forward call.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (b.Rank != 2 || (transA && a.Rank != 2) || a.Rank < 1)
            throw new ArgumentException($"MatMul: expected A [..., K] (2-D when transposed) and 2-D B, got {Shapes.Format(a.Shape)} and {Shapes.Format(b.Shape)}.");
        int k = transA ? a.Shape[0] : a.Shape[^1];
        int m = transA ? a.Shape[1] : Shapes.Rows(a.Shape);
        int kb = transB ? b.Shape[1] : b.Shape[0];
        int n = transB ? b.Shape[0] : b.Shape[1];
        if (k != kb)
            throw new ArgumentException($"MatMul: inner dimensions differ: {Shapes.Format(a.Shape)}{(transA ? "ᵀ" : "")} · {Shapes.Format(b.Shape)}{(transB ? "ᵀ" : "")} ({k} vs {kb}).");
        int[] outShape = transA ? [m, n] : [.. a.Shape[..^1], n];
        var y = Tensor.Uninitialized(outShape); // [M, N]
        int lda = a.Shape[^1], ldb = b.Shape[1];
        var precision = MixedPrecision.Current;
        Gemm.Run(precision, transA, transB, m, n, k, 1f, a.Data, lda, b.Data, ldb, 0f, y.Data, n);

        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [M, N]
            // Y = A·B ⇒ dA = dY·Bᵀ, dB = Aᵀ·dY; the transposed cases follow by transposing these.
            if (a.RequiresGrad)
            {
                if (!transA) Gemm.Run(precision, false, !transB, m, k, n, 1f, dy, n, b.Data, ldb, 1f, a.GradBuffer(), lda);
                else Gemm.Run(precision, transB, true, k, m, n, 1f, b.Data, ldb, dy, n, 1f, a.GradBuffer(), lda);
            }
            if (b.RequiresGrad)
            {
                if (!transB) Gemm.Run(precision, !transA, false, k, n, m, 1f, a.Data, lda, dy, n, 1f, b.GradBuffer(), ldb);
                else Gemm.Run(precision, true, transA, n, k, m, 1f, dy, n, a.Data, lda, 1f, b.GradBuffer(), ldb);
            }
        }, a, b);
    }

    /// <summary>
    /// Affine map Y = α·(X·W) + b, fused: the output starts as b broadcast over rows (or zero without a bias) and one
    /// GEMM with alpha = α accumulates X·W into it (like torch.addmm), so neither the bias add nor the output multiplier
    /// (μP's α) needs its own output and gradient buffers. X is [..., K], W is [K, N], b is [N] or null; output [..., N].
    /// Forward and backward GEMMs run in <see cref="MixedPrecision.Current"/> as of the forward call (bf16: X, W and dY
    /// rounded to bf16, fp32 accumulation into the fp32 output and gradient buffers; the bias stays fp32).
    /// </summary>
    public static Tensor Linear(Tensor x, Tensor w, Tensor? bias, float alpha = 1f)
    {
        var (y, m, n, k) = AffineOutput(x, w, bias, "Linear", "x");
        if (MixedPrecision.Current == Precision.Bf16) return LinearBf16(x, w, bias, alpha, y, m, n, k);
        Gemm.Sgemm(false, false, m, n, k, alpha, x.Data, k, w.Data, n, bias == null ? 0f : 1f, y.Data, n);

        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [M, N]
            // Y = α·X·W + 1·bᵀ ⇒ dX = α·dY·Wᵀ, dW = α·Xᵀ·dY, db = Σ_rows dY.
            if (x.RequiresGrad)
            {
                var dx = x.GradBufferToWrite(out bool fresh);
                Gemm.Sgemm(false, true, m, k, n, alpha, dy, n, w.Data, n, fresh ? 0f : 1f, dx, k);
            }
            if (w.RequiresGrad) Gemm.Sgemm(true, false, k, n, m, alpha, x.Data, k, dy, n, 1f, w.GradBuffer(), n);
            if (bias is { RequiresGrad: true }) AddRows(dy, m, n, bias.GradBuffer());
        }, bias == null ? [x, w] : [x, w, bias]);
    }

    // The bf16 Linear: X and W are rounded once in the forward and kept for the backward (W's copy serves dX, X's
    // serves dW), and dY is rounded once for both backward GEMMs: 3 conversions per layer and step instead of 6.
    private static Tensor LinearBf16(Tensor x, Tensor w, Tensor? bias, float alpha, Tensor y, int m, int n, int k)
    {
        var xh = new Gemm.Bf16Operand(x.Data);
        var wh = new Gemm.Bf16Operand(w.Data);
        Gemm.SgemmBf16(false, false, m, n, k, alpha, xh, k, wh, n, bias == null ? 0f : 1f, y.Data, n);
        Tensor[] parents = bias == null ? [x, w] : [x, w, bias];
        if (!Tape.Needs(parents))
        {
            xh.Dispose();
            wh.Dispose();
            return y;
        }

        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [M, N]
            // Y = α·X·W + 1·bᵀ ⇒ dX = α·dY·Wᵀ, dW = α·Xᵀ·dY, db = Σ_rows dY (fp32).
            using (var dyh = new Gemm.Bf16Operand(dy))
            {
                if (x.RequiresGrad)
                {
                    var dx = x.GradBufferToWrite(out bool fresh);
                    Gemm.SgemmBf16(false, true, m, k, n, alpha, dyh, n, wh, n, fresh ? 0f : 1f, dx, k);
                }
                if (w.RequiresGrad) Gemm.SgemmBf16(true, false, k, n, m, alpha, xh, k, dyh, n, 1f, w.GradBuffer(), n);
            }
            if (bias is { RequiresGrad: true }) AddRows(dy, m, n, bias.GradBuffer());
            xh.Dispose();
            wh.Dispose();
        }, parents);
    }

    // Validates x [..., K], w [K, N], bias [N] or null for `op` (its input named `input` in the message) and returns
    // the output [..., N] holding the bias in every row (or uninitialized without one), with (M, N, K).
    private static (Tensor Y, int M, int N, int K) AffineOutput(Tensor x, Tensor w, Tensor? bias, string op, string input)
    {
        if (w.Rank != 2 || x.Rank < 1 || x.Shape[^1] != w.Shape[0] || (bias != null && (bias.Rank != 1 || bias.Shape[0] != w.Shape[1])))
            throw new ArgumentException($"{op}: expected {input} [..., K], w [K, N], bias [N]; got {Shapes.Format(x.Shape)}, {Shapes.Format(w.Shape)}, {(bias == null ? "no bias" : Shapes.Format(bias.Shape))}.");
        int k = w.Shape[0], n = w.Shape[1], m = Shapes.Rows(x.Shape);
        var y = Tensor.Uninitialized([.. x.Shape[..^1], n]); // [M, N]
        if (bias != null) for (int i = 0; i < m; i++) bias.Data.CopyTo(y.Data, i * n);
        return (y, m, n, k);
    }

    // db += Σ_rows dY for dY [m, n].
    private static void AddRows(float[] dy, int m, int n, float[] db)
    {
        for (int i = 0; i < m; i++) System.Numerics.Tensors.TensorPrimitives.Add(db, dy.AsSpan(i * n, n), db);
    }
}
