using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp.Spectral;

/// <summary>
/// Spectral norms and spectral reshaping of a row-major W [rows, cols] (theory §1, §3.2, §4.4, §5.1):
/// ‖W‖₂, ‖W‖_*, singular-value entropy, SN, SVC and mclip, exactly through the SVD or through two msign.
/// </summary>
public static class SpectralOps
{
    /// <summary>‖W‖₂ = σ_max, exactly from the singular values (LAPACK sgesdd jobz='N'). w: [rows, cols].</summary>
    public static float SpectralNorm(ReadOnlySpan<float> w, int rows, int cols)
    {
        var sigma = Lapack.SingularValues(w, rows, cols);
        return sigma.Length == 0 ? 0f : sigma[0];
    }

    /// <summary>Nuclear norm ‖W‖_* = Σσᵢ (§1). w: [rows, cols].</summary>
    public static double NuclearNorm(ReadOnlySpan<float> w, int rows, int cols)
    {
        double sum = 0;
        foreach (float s in Lapack.SingularValues(w, rows, cols)) sum += s;
        return sum;
    }

    /// <summary>
    /// Singular-value entropy H = −(1/log n)·Σ pᵢ log pᵢ with pᵢ = σᵢ²/Σσⱼ², n = min(rows, cols) (§5.1):
    /// 1 for a flat spectrum (orthogonal W), 0 for rank one. w: [rows, cols].
    /// </summary>
    public static double SingularValueEntropy(ReadOnlySpan<float> w, int rows, int cols)
    {
        var sigma = Lapack.SingularValues(w, rows, cols);
        if (sigma.Length < 2) return 0;
        double total = 0, h = 0;
        foreach (float s in sigma) total += (double)s * s;
        if (total == 0) return 0;
        foreach (float s in sigma)
        {
            double p = (double)s * s / total;
            if (p > 0) h -= p * Math.Log(p);
        }
        return h / Math.Log(sigma.Length);
    }

    /// <summary>SN(W) = W/σ_max (§1, §3.2); returns σ_max. W = 0 gives dst = 0. w, dst: [rows, cols].</summary>
    public static float SpectralNormalize(ReadOnlySpan<float> w, int rows, int cols, Span<float> dst)
    {
        float sigma = SpectralNorm(w, rows, cols);
        int n = rows * cols;
        if (sigma == 0) dst[..n].Clear();
        else TensorPrimitives.Multiply(w[..n], 1f / sigma, dst[..n]);
        return sigma;
    }

    /// <summary>SVC(W) = U·min(Σ, 1)·Vᵀ (§1), exactly via the SVD. w, dst: [rows, cols].</summary>
    public static void Svc(ReadOnlySpan<float> w, int rows, int cols, Span<float> dst) => MClip(w, rows, cols, 1f, dst);

    /// <summary>
    /// mclip(W; τ) = U·min(Σ, τ)·Vᵀ (§4.4), exactly via the SVD: the Frobenius-nearest matrix with ‖·‖₂ ≤ τ.
    /// w, dst: [rows, cols].
    /// </summary>
    public static void MClip(ReadOnlySpan<float> w, int rows, int cols, float tau, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tau);
        int k = Math.Min(rows, cols);
        if (k == 0) return;
        var u = new float[rows * k];   // [rows, k]
        var sigma = new float[k];      // [k]
        var vt = new float[k * cols];  // [k, cols]
        Lapack.Svd(w, rows, cols, u, sigma, vt);
        // U·diag(min(σ, τ)): scale column j of U, then one GEMM with Vᵀ.
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < k; j++) u[i * k + j] *= Math.Min(sigma[j], tau);
        Gemm.Sgemm(false, false, rows, cols, k, 1f, u, k, vt, cols, 0f, dst, cols);
    }

    /// <summary>
    /// mclip(W; τ) by the two-msign formula of §4.4 with exact (SVD) msign:
    /// ½{ W + τ·msign(W) − (τI − W·msign(W)ᵀ)·msign(τ·msign(W) − W) }. w, dst: [rows, cols].
    /// </summary>
    public static void MClipTwoMsign(ReadOnlySpan<float> w, int rows, int cols, float tau, Span<float> dst)
        => MClipTwoMsign(w, rows, cols, tau, (m, r, c, o) => Msign.Exact(m, r, c, o), dst);

    /// <summary>
    /// The two-msign mclip (§4.4) with Newton–Schulz msign: only GEMMs, no SVD. Accuracy is limited by how well the
    /// schedule maps the smallest |τ − σᵢ| of the second msign to 1. w, dst: [rows, cols].
    /// </summary>
    public static void MClipTwoMsign(ReadOnlySpan<float> w, int rows, int cols, float tau, NsSchedule schedule, int steps, Span<float> dst)
        => MClipTwoMsign(w, rows, cols, tau, (m, r, c, o) => Msign.NewtonSchulz(m, r, c, schedule, steps, o), dst);

    private delegate void MsignFunction(ReadOnlySpan<float> m, int rows, int cols, Span<float> dst);

    private static void MClipTwoMsign(ReadOnlySpan<float> w, int rows, int cols, float tau, MsignFunction msign, Span<float> dst)
    {
        int n = checked(rows * cols);
        if (n == 0) return;
        // With W = UΣVᵀ, O = msign(W) = UVᵀ: W·Oᵀ = UΣUᵀ and msign(τO − W) = U·sign(τ − Σ)·Vᵀ, so
        // (τI − W·Oᵀ)·msign(τO − W) = U|τ − Σ|Vᵀ and the bracket is U(Σ + τ − |τ − Σ|)Vᵀ = 2·U·min(Σ, τ)·Vᵀ.
        // Tall W uses the mirror form msign(τO − W)·(τI − Oᵀ·W) so the [s, s] factor is the small side.
        bool wide = rows <= cols;
        int s = Math.Min(rows, cols);
        var o = new float[n];      // [rows, cols] msign(W)
        var d = new float[n];      // [rows, cols] τ·O − W, then msign of it
        var q = new float[n];      // [rows, cols]
        var p = new float[s * s];  // [s, s] τI − W·Oᵀ (wide) or τI − Oᵀ·W (tall)
        msign(w, rows, cols, o);
        if (wide) Gemm.Sgemm(false, true, s, s, cols, -1f, w, cols, o, cols, 0f, p, s);
        else Gemm.Sgemm(true, false, s, s, rows, -1f, o, cols, w, cols, 0f, p, s);
        for (int i = 0; i < s; i++) p[i * s + i] += tau;
        TensorPrimitives.Negate(w[..n], d);
        TensorPrimitives.MultiplyAdd(o, tau, d, d);
        msign(d, rows, cols, q);
        // dst = W + τ·O − P·Q (wide) or W + τ·O − Q·P (tall), then halve.
        TensorPrimitives.MultiplyAdd(o, tau, w[..n], dst[..n]);
        if (wide) Gemm.Sgemm(false, false, rows, cols, rows, -1f, p, s, q, cols, 1f, dst, cols);
        else Gemm.Sgemm(false, false, rows, cols, cols, -1f, q, cols, p, s, 1f, dst, cols);
        TensorPrimitives.Multiply(dst[..n], 0.5f, dst[..n]);
    }
}
