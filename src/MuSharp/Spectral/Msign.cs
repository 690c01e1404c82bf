using System.Buffers;
using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp.Spectral;

/// <summary>
/// msign(M) = U·Vᵀ for M = U·Σ·Vᵀ (theory §1), the orthogonalisation at the heart of Muon (§5.1):
/// approximately by Newton–Schulz (§5.2) with any <see cref="NsSchedule"/>, or exactly through an SVD.
/// Matrices are row-major [rows, cols] float spans.
/// </summary>
public static class Msign
{
    /// <summary>Added to ‖M‖_F before dividing, as in Keller Jordan's reference code (§5.2), so M = 0 maps to 0.</summary>
    public const float NormEpsilon = 1e-7f;

    /// <summary>Floats of scratch <see cref="NewtonSchulz(ReadOnlySpan{float}, int, int, NsSchedule, int, Span{float}, Span{float})"/> needs:
    /// a second [rows, cols] iterate and two [s, s] Gram buffers, s = min(rows, cols).</summary>
    public static int ScratchLength(int rows, int cols)
    {
        int s = Math.Min(rows, cols);
        return checked(rows * cols + 2 * s * s);
    }

    /// <summary>
    /// <paramref name="steps"/> Newton–Schulz iterations (§5.2): X₀ = M/(‖M‖_F + ε), then
    /// X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ, which maps each singular value σ ↦ g(σ) and keeps U, V.
    /// m, dst: [rows, cols]; scratch: at least <see cref="ScratchLength"/> floats; dst must not overlap m or scratch.
    /// </summary>
    public static void NewtonSchulz(ReadOnlySpan<float> m, int rows, int cols, NsSchedule schedule, int steps,
        Span<float> scratch, Span<float> dst)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        int n = CheckShapes(m, rows, cols, scratch, dst, "NewtonSchulz");
        if (n == 0) return;
        // Wide (rows ≤ cols): Gram A = X·Xᵀ [rows, rows], update X ← B·X. Tall: A = Xᵀ·X [cols, cols], X ← X·B.
        // Same result as KJ's "transpose so the Gram is the small side" (msign(Mᵀ) = msign(M)ᵀ) without moving data.
        bool wide = rows <= cols;
        int s = wide ? rows : cols;
        Span<float> x = dst[..n], y = scratch[..n];           // [rows, cols] ping-pong iterates
        Span<float> gram = scratch.Slice(n, s * s);           // [s, s] A
        Span<float> poly = scratch.Slice(n + s * s, s * s);   // [s, s] B = c·A² + b·A + a·I
        float norm = TensorPrimitives.Norm(m[..n]);
        TensorPrimitives.Multiply(m[..n], 1f / (norm + NormEpsilon), x);
        for (int t = 0; t < steps; t++)
        {
            var (a, b, c) = schedule[t];
            SymmetricProduct(x, wide ? rows : cols, wide ? cols : rows, !wide, 1f, gram);  // A = X·Xᵀ or Xᵀ·X
            // B = c·A² + b·A + a·I, so X ← B·X (or X·B) is the whole step in one GEMM. A² = A·Aᵀ as A is symmetric.
            if (c != 0) SymmetricProduct(gram, s, s, false, (float)c, poly);
            else poly.Clear();
            TensorPrimitives.MultiplyAdd(gram, (float)b, poly, poly);
            for (int i = 0; i < s; i++) poly[i * s + i] += (float)a;
            if (wide) Gemm.Sgemm(false, false, rows, cols, rows, 1f, poly, s, x, cols, 0f, y, cols);
            else Gemm.Sgemm(false, false, rows, cols, cols, 1f, x, cols, poly, s, 0f, y, cols);
            var swap = x;
            x = y;
            y = swap;
        }
        if (steps % 2 == 1) x.CopyTo(dst);
    }

    /// <summary>
    /// Newton–Schulz as above with every matrix product's inputs rounded to bf16 and fp32 accumulation
    /// (<see cref="Precision.Bf16"/>), as the anchors run it (KellerJordan/Muon, Moonlight): the iterate is kept in
    /// fp32 and rounded once per step for both X·Xᵀ and B·X. oneDNN has no bf16 SYRK, so each symmetric product is three
    /// GEMMs on halves (the fourth block is the mirror of one of them): 5·s²·l bf16 FLOPs per square step against the fp32
    /// path's 4·s²·l (two SYRKs and a GEMM). m, dst: [rows, cols]; scratch: at least <see cref="ScratchLength"/> floats.
    /// </summary>
    public static void NewtonSchulzBf16(ReadOnlySpan<float> m, int rows, int cols, NsSchedule schedule, int steps,
        Span<float> scratch, Span<float> dst)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        int n = CheckShapes(m, rows, cols, scratch, dst, "NewtonSchulzBf16");
        if (n == 0) return;
        bool wide = rows <= cols;
        int s = wide ? rows : cols;
        Span<float> x = dst[..n], y = scratch[..n];           // [rows, cols] ping-pong iterates (fp32)
        Span<float> gram = scratch.Slice(n, s * s);           // [s, s] A
        Span<float> poly = scratch.Slice(n + s * s, s * s);   // [s, s] B = c·A² + b·A + a·I
        float norm = TensorPrimitives.Norm(m[..n]);
        TensorPrimitives.Multiply(m[..n], 1f / (norm + NormEpsilon), x);
        for (int t = 0; t < steps; t++)
        {
            var (a, b, c) = schedule[t];
            using var xh = new Gemm.Bf16Operand(x);
            SymmetricProductBf16(xh, s, wide ? cols : rows, !wide, 1f, gram);     // A = X·Xᵀ (wide) or Xᵀ·X (tall)
            if (c != 0)
            {
                using var gh = new Gemm.Bf16Operand(gram);
                SymmetricProductBf16(gh, s, s, false, (float)c, poly);               // c·A² = c·A·Aᵀ (A symmetric)
            }
            else poly.Clear();
            TensorPrimitives.MultiplyAdd(gram, (float)b, poly, poly);
            for (int i = 0; i < s; i++) poly[i * s + i] += (float)a;
            using (var ph = new Gemm.Bf16Operand(poly))
            {
                if (wide) Gemm.SgemmBf16(false, false, rows, cols, rows, 1f, ph, s, xh, cols, 0f, y, cols);   // B·X
                else Gemm.SgemmBf16(false, false, rows, cols, cols, 1f, xh, cols, ph, s, 0f, y, cols);        // X·B
            }
            var swap = x;
            x = y;
            y = swap;
        }
        if (steps % 2 == 1) x.CopyTo(dst);
    }

    // dst[n, n] = alpha·P·Pᵀ (transpose false: P [n, k], row stride k) or alpha·Pᵀ·P (transpose true: P [k, n], row
    // stride n) in bf16. With P's n rows (or columns) split into halves 1 and 2, the product's blocks are P₁P₁ᵀ, P₂P₁ᵀ and
    // P₂P₂ᵀ; the upper-right block P₁P₂ᵀ is the transpose of P₂P₁ᵀ and is copied, saving a quarter of the FLOPs.
    internal static void SymmetricProductBf16(Gemm.Bf16Operand p, int n, int k, bool transpose, float alpha, Span<float> dst)
    {
        int h = n / 2, rest = n - h;
        // Element offset of half 2 inside P: a block of rows (stride k) or of columns (stride n).
        int second = transpose ? h : h * k, ld = transpose ? n : k;
        bool ta = transpose, tb = !transpose;
        if (h > 0)
        {
            Gemm.SgemmBf16(ta, tb, h, h, k, alpha, p, 0, ld, p, 0, ld, 0f, dst, n);                      // P₁P₁ᵀ
            Gemm.SgemmBf16(ta, tb, rest, h, k, alpha, p, second, ld, p, 0, ld, 0f, dst[(h * n)..], n);    // P₂P₁ᵀ
        }
        Gemm.SgemmBf16(ta, tb, rest, rest, k, alpha, p, second, ld, p, second, ld, 0f, dst[(h * n + h)..], n); // P₂P₂ᵀ
        for (int i = 0; i < h; i++)
            for (int j = h; j < n; j++)
                dst[i * n + j] = dst[j * n + i];
    }

    /// <summary>As above with pooled scratch. m, dst: [rows, cols].</summary>
    public static void NewtonSchulz(ReadOnlySpan<float> m, int rows, int cols, NsSchedule schedule, int steps, Span<float> dst)
    {
        var scratch = ArrayPool<float>.Shared.Rent(ScratchLength(rows, cols));
        try { NewtonSchulz(m, rows, cols, schedule, steps, scratch, dst); }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    /// <summary>
    /// Newton–Schulz msign of each of <paramref name="batch"/> matrices (per head, per expert): m, dst [batch, rows, cols].
    /// One scratch buffer serves every matrix.
    /// </summary>
    public static void NewtonSchulzBatched(ReadOnlySpan<float> m, int batch, int rows, int cols, NsSchedule schedule, int steps, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        int n = checked(rows * cols);
        if (m.Length < (long)batch * n || dst.Length < (long)batch * n)
            throw new ArgumentException($"NewtonSchulzBatched: [{batch}, {rows}, {cols}] needs {(long)batch * n} floats; got m {m.Length}, dst {dst.Length}.", nameof(m));
        var scratch = ArrayPool<float>.Shared.Rent(ScratchLength(rows, cols));
        try
        {
            for (int i = 0; i < batch; i++)
                NewtonSchulz(m.Slice(i * n, n), rows, cols, schedule, steps, scratch, dst.Slice(i * n, n));
        }
        finally { ArrayPool<float>.Shared.Return(scratch); }
    }

    /// <summary>
    /// Newton–Schulz msign of a conv kernel w, dst [out, in, kh, kw], viewed as the row-major [out, in·kh·kw] matrix
    /// (theory §4.5 reshapes the kernel to 2-D, applies msign, reshapes back; the view needs no copy).
    /// </summary>
    public static void NewtonSchulzConv(ReadOnlySpan<float> w, int outChannels, int inChannels, int kernelH, int kernelW,
        NsSchedule schedule, int steps, Span<float> dst)
        => NewtonSchulz(w, outChannels, checked(inChannels * kernelH * kernelW), schedule, steps, dst);

    /// <summary>
    /// Exact msign through a thin SVD (§1): dst = U_r·V_rᵀ over the numerically non-zero singular values
    /// (σ > σ₁·max(rows, cols)·ε_float), the pseudo-inverse convention for rank-deficient M. m, dst: [rows, cols].
    /// </summary>
    public static void Exact(ReadOnlySpan<float> m, int rows, int cols, Span<float> dst)
    {
        int n = CheckShape(m, rows, cols, dst, "Exact");
        if (n == 0) return;
        int k = Math.Min(rows, cols);
        var u = new float[rows * k];   // [rows, k]
        var sigma = new float[k];      // [k]
        var vt = new float[k * cols];  // [k, cols]
        Lapack.Svd(m, rows, cols, u, sigma, vt);
        float cutoff = sigma[0] * Math.Max(rows, cols) * 1.1920929e-7f; // ε_float = 2⁻²³
        int rank = 0;
        while (rank < k && sigma[rank] > cutoff) rank++;
        // U_r·V_rᵀ: the first `rank` columns of U times the first `rank` rows of Vᵀ.
        Gemm.Sgemm(false, false, rows, cols, rank, 1f, u, k, vt, cols, 0f, dst, cols);
    }

    // dst[n, n] = alpha·P·Pᵀ (transpose false, P = p [n, k]) or alpha·Pᵀ·P (transpose true, p [k, n]), full and
    // symmetric. SYRK computes one triangle at half the GEMM FLOPs; mirroring it costs O(n²) next to O(n²k).
    private static void SymmetricProduct(ReadOnlySpan<float> p, int n, int k, bool transpose, float alpha, Span<float> dst)
    {
        int ld = transpose ? n : k;
        if (!Lapack.TrySyrkLower(transpose, n, k, alpha, p, ld, 0f, dst, n))
        {
            Gemm.Sgemm(transpose, !transpose, n, n, k, alpha, p, ld, p, ld, 0f, dst, n);
            return;
        }
        // Copy the lower triangle onto the upper in 64×64 tiles so both the reads and the writes stay in cache.
        const int Tile = 64;
        for (int i0 = 0; i0 < n; i0 += Tile)
            for (int j0 = i0; j0 < n; j0 += Tile)
                for (int i = i0; i < Math.Min(i0 + Tile, n); i++)
                    for (int j = Math.Max(j0, i + 1); j < Math.Min(j0 + Tile, n); j++)
                        dst[i * n + j] = dst[j * n + i];
    }

    // CheckShape, and scratch holding at least ScratchLength(rows, cols) floats.
    private static int CheckShapes(ReadOnlySpan<float> m, int rows, int cols, Span<float> scratch, Span<float> dst, string caller)
    {
        int n = CheckShape(m, rows, cols, dst, caller);
        if (scratch.Length < ScratchLength(rows, cols))
            throw new ArgumentException($"{caller}: scratch needs {ScratchLength(rows, cols)} floats for [{rows}, {cols}], got {scratch.Length}.", nameof(scratch));
        return n;
    }

    private static int CheckShape(ReadOnlySpan<float> m, int rows, int cols, Span<float> dst, string caller)
    {
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"{caller}: negative shape [{rows}, {cols}].");
        int n = checked(rows * cols);
        if (m.Length < n || dst.Length < n)
            throw new ArgumentException($"{caller}: [{rows}, {cols}] needs {n} floats; got m {m.Length}, dst {dst.Length}.", nameof(m));
        return n;
    }
}
