using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp.Spectral;

/// <summary>
/// Top singular triple (σ₁, u₁, v₁) of W by power iteration on WᵀW ("SVD1" of theory §4.4): cheap enough to run
/// every optimizer step when warm-started from the previous step's v₁.
/// </summary>
public static class PowerIteration
{
    /// <summary>Seed for the start vector when the caller passes v = 0.</summary>
    private const ulong StartSeed = 0x5EED;

    /// <summary>
    /// Runs at most <paramref name="iterations"/> rounds u = W·v/‖W·v‖, v = Wᵀ·u/‖Wᵀ·u‖ and returns σ₁ = ‖Wᵀ·u‖,
    /// stopping early once σ changes by at most <paramref name="tolerance"/>·σ (0: never stop early). w: [rows, cols].
    /// v [cols]: the warm start on entry (all zeros ⇒ a fixed Gaussian start), v₁ on exit; u [rows]: u₁ on exit,
    /// so W·v₁ ≈ σ₁·u₁. Returns 0 for W = 0.
    /// </summary>
    public static float TopSingularTriple(ReadOnlySpan<float> w, int rows, int cols, int iterations, double tolerance,
        Span<float> u, Span<float> v)
    {
        if (rows <= 0 || cols <= 0) throw new ArgumentOutOfRangeException(nameof(rows), $"TopSingularTriple: empty shape [{rows}, {cols}].");
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (w.Length < (long)rows * cols || u.Length < rows || v.Length < cols)
            throw new ArgumentException($"TopSingularTriple: W [{rows}, {cols}] needs w {rows * cols}, u {rows}, v {cols}; got {w.Length}, {u.Length}, {v.Length}.", nameof(w));
        u = u[..rows];
        v = v[..cols];
        float vNorm = TensorPrimitives.Norm(v);
        if (vNorm == 0 || !float.IsFinite(vNorm))
        {
            new Rng(StartSeed).FillNormal(v, 0f, 1f);
            vNorm = TensorPrimitives.Norm(v);
        }
        TensorPrimitives.Multiply(v, 1f / vNorm, v);
        double sigma = 0;
        for (int it = 0; it < iterations; it++)
        {
            Gemm.Sgemm(false, false, rows, 1, cols, 1f, w, cols, v, 1, 0f, u, 1);   // u = W·v   [rows]
            float uNorm = TensorPrimitives.Norm(u);
            if (uNorm == 0) { u.Clear(); return 0f; }
            TensorPrimitives.Multiply(u, 1f / uNorm, u);
            Gemm.Sgemm(true, false, cols, 1, rows, 1f, w, cols, u, 1, 0f, v, 1);    // v = Wᵀ·u  [cols]
            double next = TensorPrimitives.Norm(v);
            TensorPrimitives.Multiply(v, (float)(1 / next), v);
            // σ converges about twice as fast as v (its error is quadratic in v's), and in float it can stall while v
            // still turns; tolerance = 0 therefore means "run every iteration", for callers that need u₁ and v₁.
            bool converged = tolerance > 0 && Math.Abs(next - sigma) <= tolerance * next;
            sigma = next;
            if (converged) break;
        }
        // Refresh u from the final v so the returned pair satisfies W·v₁ = σ·u₁ to rounding.
        Gemm.Sgemm(false, false, rows, 1, cols, 1f, w, cols, v, 1, 0f, u, 1);
        TensorPrimitives.Multiply(u, 1f / TensorPrimitives.Norm(u), u);
        return (float)sigma;
    }
}
