using System.Numerics.Tensors;

namespace MuSharp.BatchScaling;

/// <summary>
/// A planted quadratic for the batch-size laws (theory §7.1, test idea 1): L(w) = ½(w − w*)ᵀH(w − w*) seen at a point
/// whose true gradient is g; a per-example gradient is g + σ∘z with z ~ N(0, I), so Σ = diag(σ²) and a batch of B
/// has noise σ/√B per coordinate.
/// </summary>
/// <remarks>Arrays are owned by the problem after construction; do not mutate them.</remarks>
public sealed record QuadraticProblem
{
    /// <param name="g">true gradient, length N.</param>
    /// <param name="h">Hessian, N×N row-major, symmetric positive definite.</param>
    /// <param name="sigma">per-example noise std per coordinate (Σ = diag σ²), length N, non-negative.</param>
    public QuadraticProblem(double[] g, double[] h, double[] sigma)
    {
        const string where = "QuadraticProblem";
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(h);
        ArgumentNullException.ThrowIfNull(sigma);
        int n = g.Length;
        if (n == 0) throw new ArgumentException($"{where}: gradient is empty.");
        Require.SameLength(n * n, h.Length, "H (N×N) and the gradient squared", where);
        Require.SameLength(n, sigma.Length, "gradient and noise std", where);
        foreach (double s in sigma) Require.NonNegative(s, "noise std", where);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(h[i * n + j] - h[j * n + i]) > 1e-12 * (Math.Abs(h[i * n + j]) + Math.Abs(h[j * n + i]) + 1e-300))
                    throw new ArgumentException($"{where}: H is not symmetric at ({i}, {j}).");
        if (!IsPositiveDefinite(h, n)) throw new ArgumentException($"{where}: H is not positive definite.");
        (G, H, Sigma) = (g, h, sigma);
        IsDiagonal = Enumerable.Range(0, n * n).All(k => k / n == k % n || h[k] == 0);
    }

    public double[] G { get; }
    public double[] H { get; }
    public double[] Sigma { get; }
    public int N => G.Length;

    /// <summary>True when H has no off-diagonal entries (the harness then uses an O(N) quadratic form).</summary>
    public bool IsDiagonal { get; }

    public double HessianEntry(int i, int j) => H[i * N + j];

    /// <summary>vᵀHv.</summary>
    public double Quadratic(ReadOnlySpan<double> v)
    {
        int n = N;
        double s = 0;
        if (IsDiagonal)
        {
            for (int i = 0; i < n; i++) s += H[i * n + i] * v[i] * v[i];
            return s;
        }
        for (int i = 0; i < n; i++) s += v[i] * TensorPrimitives.Dot(H.AsSpan(i * n, n), v);
        return s;
    }

    /// <summary>gᵀg.</summary>
    public double GradNormSq => TensorPrimitives.Dot<double>(G, G);

    /// <summary>gᵀHg.</summary>
    public double GHG => Quadratic(G);

    /// <summary>tr Σ = Σσ_i².</summary>
    public double TraceSigma => TensorPrimitives.Dot<double>(Sigma, Sigma);

    /// <summary>tr(ΣH) = Σσ_i²H_ii (Σ diagonal).</summary>
    public double TraceSigmaH => Enumerable.Range(0, N).Sum(i => Sigma[i] * Sigma[i] * HessianEntry(i, i));

    /// <summary>η_max = gᵀg/gᵀHg (theory §7.2).</summary>
    public double EtaMax => GradNormSq / GHG;

    /// <summary>B_noise = tr(ΣH)/gᵀHg (theory §7.2).</summary>
    public double BNoise => TraceSigmaH / GHG;

    /// <summary>B_simple = tr Σ/gᵀg (theory §7.2).</summary>
    public double BSimple => TraceSigma / GradNormSq;

    /// <summary>Σ|g_i|.</summary>
    public double SumAbsG => TensorPrimitives.SumOfMagnitudes<double>(G);

    /// <summary>ΣH_ii.</summary>
    public double SumHii => Enumerable.Range(0, N).Sum(i => HessianEntry(i, i));

    /// <summary>sign(g)ᵀH sign(g) = ΣH_ii + Σ_{i≠j}H_ij sign(g_i g_j).</summary>
    public double SignQuadratic => Quadratic(G.Select(x => (double)Math.Sign(x)).ToArray());

    /// <summary>S_off = Σ_{i≠j}H_ij sign(g_i g_j) (theory §7.3 surge condition S_off &gt; ΣH_ii).</summary>
    public double OffDiagSignSum => SignQuadratic - SumHii;

    /// <summary>
    /// Random planted problem: H = Q diag(λ) Qᵀ with Q Haar-random orthogonal and λ log-uniform on
    /// [eigenMin, eigenMax]; g ~ N(0, I); σ_i = noiseStd·exp(0.5 z_i) (noise of varying size, independent of g).
    /// </summary>
    public static QuadraticProblem Planted(int n, Rng rng, double eigenMin = 1, double eigenMax = 10, double noiseStd = 1)
    {
        if (n < 1) throw new ArgumentException($"QuadraticProblem.Planted: dimension must be positive, got {n}.");
        Require.Positive(eigenMin, "smallest eigenvalue", "QuadraticProblem.Planted");
        if (!(eigenMax >= eigenMin)) throw new ArgumentException($"QuadraticProblem.Planted: eigenMax ({eigenMax}) is below eigenMin ({eigenMin}).");
        double[] q = RandomOrthogonal(n, rng);
        var lambda = new double[n];
        for (int k = 0; k < n; k++) lambda[k] = eigenMin * Math.Pow(eigenMax / eigenMin, rng.NextDouble());
        var h = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
                h[i * n + j] = h[j * n + i] = s;
            }
        var g = new double[n];
        var sigma = new double[n];
        for (int i = 0; i < n; i++) g[i] = rng.NextNormal();
        for (int i = 0; i < n; i++) sigma[i] = noiseStd * Math.Exp(0.5 * rng.NextNormal());
        return new QuadraticProblem(g, h, sigma);
    }

    /// <summary>Diagonal H = diag(hDiag).</summary>
    public static QuadraticProblem Diagonal(double[] g, double[] hDiag, double[] sigma)
    {
        int n = hDiag.Length;
        var h = new double[n * n];
        for (int i = 0; i < n; i++) h[i * n + i] = hDiag[i];
        return new QuadraticProblem(g, h, sigma);
    }

    /// <summary>
    /// H = I + c·s sᵀ/N with s = sign(g) (theory §7 test idea 3): S_off = c(N−1) &gt; ΣH_ii = N + c when c &gt; N/(N−2)
    /// roughly, so SignSGD's optimal LR surges.
    /// </summary>
    public static QuadraticProblem SignCoupled(double[] g, double[] sigma, double c)
    {
        int n = g.Length;
        var h = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                h[i * n + j] = (i == j ? 1 : 0) + c * Math.Sign(g[i]) * Math.Sign(g[j]) / n;
        return new QuadraticProblem(g, h, sigma);
    }

    // Modified Gram–Schmidt, applied twice, on a Gaussian matrix: columns of Q, row-major.
    private static double[] RandomOrthogonal(int n, Rng rng)
    {
        var q = new double[n * n];
        for (int k = 0; k < q.Length; k++) q[k] = rng.NextNormal();
        for (int j = 0; j < n; j++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int p = 0; p < j; p++)
                {
                    double d = 0;
                    for (int i = 0; i < n; i++) d += q[i * n + p] * q[i * n + j];
                    for (int i = 0; i < n; i++) q[i * n + j] -= d * q[i * n + p];
                }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += q[i * n + j] * q[i * n + j];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < n; i++) q[i * n + j] /= norm;
        }
        return q;
    }

    // Cholesky: succeeds iff H is positive definite.
    private static bool IsPositiveDefinite(double[] h, int n)
    {
        var l = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            double d = h[j * n + j];
            for (int k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
            if (!(d > 0)) return false;
            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                double s = h[i * n + j];
                for (int k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
                l[i * n + j] = s / ljj;
            }
        }
        return true;
    }
}
