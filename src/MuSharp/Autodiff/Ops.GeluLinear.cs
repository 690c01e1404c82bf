using MuSharp.Kernels;

namespace MuSharp;

public static partial class Ops
{
    /// <summary>
    /// Y = α·(gelu(U)·W) + b, the second half of a transformer MLP, with gelu(U) never stored: the forward writes it to
    /// a pooled buffer for its one GEMM and hands the buffer back, and the backward recomputes it from U (which GELU's
    /// own derivative needs anyway). Saves the [M, K] activation per layer (a quarter of a GPT block's activations at
    /// MLP ratio 4) for one extra GELU pass per step. U is [..., K], W is [K, N], b is [N] or null; output [..., N].
    /// Same values, bit for bit, as <c>Linear(Gelu(U), W, b, α)</c>. Under bf16 gelu(U) is kept only as the bf16
    /// operand the GEMMs read (made from U in one pass), which is what Linear(Gelu(U)) rounds it to anyway.
    /// </summary>
    public static Tensor GeluLinear(Tensor u, Tensor w, Tensor? bias, float alpha = 1f)
    {
        var (y, m, n, k) = AffineOutput(u, w, bias, "GeluLinear", "u");
        if (MixedPrecision.Current == Precision.Bf16) return GeluLinearBf16(u, w, bias, alpha, y, m, n, k);
        var g = Scratch(u.Size); // gelu(U) [M, K]
        GeluForwardChunked(u.Data, g);
        Gemm.Sgemm(false, false, m, n, k, alpha, g, k, w.Data, n, bias == null ? 0f : 1f, y.Data, n);
        ActivationPool.Return(g);

        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [M, N]
            // G = gelu(U), Y = α·G·W + 1·bᵀ ⇒ dG = α·dY·Wᵀ, dU = gelu'(U) ⊙ dG, dW = α·Gᵀ·dY, db = Σ_rows dY.
            var buffer = Scratch(u.Size); // dG, then G [M, K]
            if (u.RequiresGrad)
            {
                Gemm.Sgemm(false, true, m, k, n, alpha, dy, n, w.Data, n, 0f, buffer, k);
                // dU (+)= gelu'(U) ⊙ dG, and G = gelu(U) over dG in the same pass (one gate per element).
                var du = u.GradBufferToWrite(out bool fresh);
                Chunks.ForElements(u.Size, (i0, i1) => Elementwise.GeluBackwardThenForward(buffer.AsSpan(i0..i1), u.Data.AsSpan(i0..i1), du.AsSpan(i0..i1), overwrite: fresh));
            }
            else if (w.RequiresGrad) GeluForwardChunked(u.Data, buffer);
            if (w.RequiresGrad) Gemm.Sgemm(true, false, k, n, m, alpha, buffer, k, dy, n, 1f, w.GradBuffer(), n);
            if (bias is { RequiresGrad: true }) AddRows(dy, m, n, bias.GradBuffer());
            ActivationPool.Return(buffer);
        }, bias == null ? [u, w] : [u, w, bias]);
    }

    // The bf16 GeluLinear: bf16(gelu(U)) and bf16(W) are made once in the forward and kept for the backward, dY is
    // rounded once for both backward GEMMs (as LinearBf16); dG = α·dY·Wᵀ goes to a scratch buffer, then
    // dU (+)= gelu'(U) ⊙ dG in fp32.
    private static Tensor GeluLinearBf16(Tensor u, Tensor w, Tensor? bias, float alpha, Tensor y, int m, int n, int k)
    {
        var gh = Gemm.Bf16Operand.Gelu(u.Data); // bf16(gelu(U)) [M, K]; the ledger charges it to this op (activation)
        var wh = new Gemm.Bf16Operand(w.Data);
        Gemm.SgemmBf16(false, false, m, n, k, alpha, gh, k, wh, n, bias == null ? 0f : 1f, y.Data, n);
        Tensor[] parents = bias == null ? [u, w] : [u, w, bias];
        if (!Tape.Needs(parents))
        {
            gh.Dispose();
            wh.Dispose();
            return y;
        }

        return Tape.Record(y, () =>
        {
            var dy = y.Grad!; // [M, N]
            using (var dyh = new Gemm.Bf16Operand(dy))
            {
                if (u.RequiresGrad)
                {
                    var dg = Scratch(u.Size); // dG [M, K]
                    Gemm.SgemmBf16(false, true, m, k, n, alpha, dyh, n, wh, n, 0f, dg, k);
                    AccumulateGeluGrad(u, dg);
                    ActivationPool.Return(dg);
                }
                if (w.RequiresGrad) Gemm.SgemmBf16(true, false, k, n, m, alpha, gh, k, dyh, n, 1f, w.GradBuffer(), n);
            }
            if (bias is { RequiresGrad: true }) AddRows(dy, m, n, bias.GradBuffer());
            gh.Dispose();
            wh.Dispose();
        }, parents);
    }

    // A buffer of `length` floats to use and hand back within one call: from the activation pool when it is large
    // enough to be pooled (the next layer's call reuses it), else a plain array.
    private static float[] Scratch(int length) =>
        length >= ActivationPool.MinLength ? ActivationPool.Rent(length) : GC.AllocateUninitializedArray<float>(length);
}
