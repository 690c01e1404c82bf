using System.Buffers;
using System.Numerics.Tensors;
using MuSharp.Kernels;

namespace MuSharp.Spectral;

/// <summary>
/// How M is scaled before Newton–Schulz so its singular values land in NS's basin (0, 1] (optax.contrib.muon's
/// <c>preconditioning</c> option; theory §5.2, §12.4).
/// </summary>
public enum NsPrescaling
{
    /// <summary>X₀ = M/(‖M‖_F + ε): the default of Keller Jordan's code and optax (theory §5.2).</summary>
    Frobenius,
    /// <summary>X₀ = M/(‖M‖₂ + ε) with the exact spectral norm (optax <c>'spectral'</c>): σ₁ lands on 1, the rest stay as large as possible.</summary>
    Spectral,
    /// <summary>
    /// AOL row scaling (Prach and Lampert, arXiv 2208.03160; optax <c>'aol'</c>; Turbo-Muon arXiv 2512.04632): in the first step,
    /// A = XXᵀ, s_i = max(Σ_j|A_ij|, ε)^(−1/2), X ← diag(s)X and A ← diag(s)A diag(s), then the usual step with that A.
    /// ‖diag(s)X‖₂ ≤ 1 is guaranteed; the polar factor is that of diag(s)M, not of M (a non-scalar scaling changes it).
    /// </summary>
    Aol,
    /// <summary>Schatten-4 scaling (Grishina et al., arXiv 2506.10935; optax <c>'schatten'</c>): s = max(‖XXᵀ‖_F, ε)^(−1/2) = 1/‖X‖_S4 in the first step.</summary>
    Schatten,
}

/// <summary>
/// Newton–Schulz variants beside <see cref="Msign.NewtonSchulz(ReadOnlySpan{float}, int, int, NsSchedule, int, Span{float}, Span{float})"/>:
/// the pre-scalings of <see cref="NsPrescaling"/> and the Gram formulation (Dao-AILab/gram-newton-schulz) that iterates
/// on the small s×s Gram matrix R = XXᵀ and touches the long side only at restarts and at the end (theory §12.5).
/// Every matrix is first oriented wide, X [s, l] with s = min(rows, cols) (as optax and KJ transpose tall inputs):
/// msign(Mᵀ) = msign(M)ᵀ, and the AOL scaling then acts on the short side, as optax does.
/// </summary>
public static class NsVariants
{
    /// <summary>ε of every pre-scaling: the guard <see cref="Msign.NormEpsilon"/> of the Frobenius path, so Frobenius here equals Msign.NewtonSchulz.</summary>
    public const float Epsilon = Msign.NormEpsilon;

    /// <summary>The Gram path's default restart: after 2 steps X ← QX and R ← XXᵀ are recomputed (the reference's <c>[2]</c>), which bounds the float error of the accumulated Q.</summary>
    public static IReadOnlyList<int> DefaultRestarts { get; } = [2];

    /// <summary>
    /// dst ≈ msign(M) by <paramref name="steps"/> Newton–Schulz steps of <paramref name="schedule"/> after the pre-scaling
    /// <paramref name="prescaling"/>; with <paramref name="gram"/> the iteration runs on R = XXᵀ (theory §12.5):
    /// Z_t = b_tR + c_tR², Q ← (a_tI + Z_t)Q, R ← (a_tI + Z_t)R(a_tI + Z_t), and X is multiplied only by Q after
    /// each step listed in <paramref name="restarts"/> (default <see cref="DefaultRestarts"/>) and at the end. In exact
    /// arithmetic both paths give the same X_T: step t maps X ↦ (a_tI + Z_t)X. m, dst: row-major [rows, cols], distinct.
    /// </summary>
    public static void NewtonSchulz(ReadOnlySpan<float> m, int rows, int cols, NsSchedule schedule, int steps,
        NsPrescaling prescaling, bool gram, Span<float> dst, IReadOnlyList<int>? restarts = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (rows < 0 || cols < 0) throw new ArgumentOutOfRangeException(nameof(rows), $"NsVariants: negative shape [{rows}, {cols}].");
        int n = checked(rows * cols);
        if (m.Length < n || dst.Length < n)
            throw new ArgumentException($"NsVariants: [{rows}, {cols}] needs {n} floats; got m {m.Length}, dst {dst.Length}.", nameof(m));
        if (n == 0) return;
        bool wide = rows <= cols;
        int s = wide ? rows : cols, l = wide ? cols : rows;
        var pool = ArrayPool<float>.Shared;
        float[] x = pool.Rent(n), y = pool.Rent(n), a = pool.Rent(s * s), b = pool.Rent(s * s), q = pool.Rent(s * s), t1 = pool.Rent(s * s);
        try
        {
            Span<float> xs = x.AsSpan(0, n), ys = y.AsSpan(0, n), A = a.AsSpan(0, s * s), B = b.AsSpan(0, s * s);
            Span<float> Q = q.AsSpan(0, s * s), T = t1.AsSpan(0, s * s);
            if (wide) m[..n].CopyTo(xs);
            else Transpose(m[..n], rows, cols, xs);                                          // X [s, l] = Mᵀ
            Gram(xs, s, l, A);                                                                // A = XXᵀ [s, s]
            Prescale(xs, A, s, l, prescaling);
            bool haveQ = false;
            for (int t = 0; t < steps; t++)
            {
                var (ca, cb, cc) = schedule[t];
                // Z = b·A + c·A²  (B holds Z); A is symmetric, so A² = A·A.
                Gemm.Sgemm(false, false, s, s, s, (float)cc, A, s, A, s, 0f, B, s);
                TensorPrimitives.MultiplyAdd(A, (float)cb, B, B);
                if (!gram)
                {
                    AddIdentity(B, s, (float)ca);                                             // (aI + Z)
                    Gemm.Sgemm(false, false, s, l, s, 1f, B, s, xs, l, 0f, ys, l);            // X ← (aI + Z)X
                    ys.CopyTo(xs);
                    if (t + 1 < steps) Gram(xs, s, l, A);
                    continue;
                }
                // Q ← (aI + Z)·Q: every factor is a polynomial in R₀, so they commute and the order is immaterial.
                AddIdentity(B, s, (float)ca);
                if (haveQ)
                {
                    Gemm.Sgemm(false, false, s, s, s, 1f, B, s, Q, s, 0f, T, s);
                    T.CopyTo(Q);
                }
                else B.CopyTo(Q);
                haveQ = true;
                bool last = t + 1 == steps, restart = !last && (restarts ?? DefaultRestarts).Contains(t + 1);
                if (restart)
                {
                    Gemm.Sgemm(false, false, s, l, s, 1f, Q, s, xs, l, 0f, ys, l);            // X ← QX
                    ys.CopyTo(xs);
                    Gram(xs, s, l, A);                                                        // R ← XXᵀ
                    haveQ = false;
                }
                else if (!last)
                {
                    Gemm.Sgemm(false, false, s, s, s, 1f, A, s, B, s, 0f, T, s);             // P = R(aI + Z)
                    Gemm.Sgemm(false, false, s, s, s, 1f, B, s, T, s, 0f, A, s);             // R ← (aI + Z)P
                }
            }
            if (gram && haveQ)
            {
                Gemm.Sgemm(false, false, s, l, s, 1f, Q, s, xs, l, 0f, ys, l);                // X ← QX
                ys.CopyTo(xs);
            }
            if (wide) xs.CopyTo(dst);
            else Transpose(xs, s, l, dst);
        }
        finally
        {
            pool.Return(x); pool.Return(y); pool.Return(a); pool.Return(b); pool.Return(q); pool.Return(t1);
        }
    }

    /// <summary>
    /// Scales X [s, l] and its Gram A = XXᵀ [s, s] in place by the pre-scaling (scalar c: X ← cX, A ← c²A;
    /// AOL: X ← diag(d)X, A ← diag(d)A diag(d)). Returns nothing; both stay consistent so A is reused by step 1.
    /// </summary>
    private static void Prescale(Span<float> x, Span<float> a, int s, int l, NsPrescaling prescaling)
    {
        switch (prescaling)
        {
            case NsPrescaling.Frobenius:
            {
                float c = 1f / (TensorPrimitives.Norm(x) + Epsilon);                             // X/(‖X‖_F + ε)
                TensorPrimitives.Multiply(x, c, x);
                TensorPrimitives.Multiply(a, c * c, a);
                break;
            }
            case NsPrescaling.Spectral:
            {
                float sigma = Lapack.SingularValues(x, s, l)[0];
                float c = 1f / (sigma + Epsilon);                                                 // X/(‖X‖₂ + ε)
                TensorPrimitives.Multiply(x, c, x);
                TensorPrimitives.Multiply(a, c * c, a);
                break;
            }
            case NsPrescaling.Schatten:
            {
                float c = 1f / MathF.Sqrt(Math.Max(TensorPrimitives.Norm(a), Epsilon));         // ‖XXᵀ‖_F^(−1/2)
                TensorPrimitives.Multiply(x, c, x);
                TensorPrimitives.Multiply(a, c * c, a);
                break;
            }
            case NsPrescaling.Aol:
            {
                var d = new float[s];
                for (int i = 0; i < s; i++)                                                       // d_i = max(Σ_j |A_ij|, ε)^(−1/2)
                    d[i] = 1f / MathF.Sqrt(Math.Max(TensorPrimitives.SumOfMagnitudes(a.Slice(i * s, s)), Epsilon));
                for (int i = 0; i < s; i++)
                {
                    TensorPrimitives.Multiply(x.Slice(i * l, l), d[i], x.Slice(i * l, l));       // X ← diag(d)X
                    var row = a.Slice(i * s, s);
                    TensorPrimitives.Multiply(row, d, row);                                       // A ← diag(d)A diag(d)
                    TensorPrimitives.Multiply(row, d[i], row);
                }
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(prescaling), prescaling, "NsVariants: unknown pre-scaling.");
        }
    }

    private static void Gram(ReadOnlySpan<float> x, int s, int l, Span<float> a) =>
        Gemm.Sgemm(false, true, s, s, l, 1f, x, l, x, l, 0f, a, s);                               // A = XXᵀ

    private static void AddIdentity(Span<float> b, int s, float alpha)
    {
        for (int i = 0; i < s; i++) b[i * s + i] += alpha;
    }

    private static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                dst[j * rows + i] = src[i * cols + j];
    }
}
