using MuSharp.Kernels;

namespace MuSharp.Tests.Kernels;

public class LapackTests
{
    [Theory]
    [InlineData(7, 4)]
    [InlineData(4, 7)]
    [InlineData(30, 30)]
    [InlineData(1, 5)]
    public void SingularValuesOfAKnownMatrix(int rows, int cols)
    {
        var (a, sigma) = WithKnownSingularValues(rows, cols, seed: rows * 100 + cols);
        var actual = Lapack.SingularValues(a, rows, cols);
        AssertSingularValues(sigma, actual);
    }

    [Theory]
    [InlineData(7, 4)]
    [InlineData(4, 7)]
    [InlineData(30, 30)]
    public void JacobiFallbackAgrees(int rows, int cols)
    {
        var (a, sigma) = WithKnownSingularValues(rows, cols, seed: 7 + rows + cols);
        AssertSingularValues(sigma, Lapack.JacobiSingularValues(a, rows, cols));
    }

    [Fact]
    public void CiUsesNativeLapack()
    {
        if (Environment.GetEnvironmentVariable("CI") != "true") return;
        Assert.True(Lapack.IsNative, "CI=true but sgesdd_ was not found in libopenblas.so.0.");
    }

    [Fact]
    public void RejectsShortSpansAndHandlesEmpty()
    {
        var e = Assert.Throws<ArgumentException>(() => Lapack.SingularValues(new float[5], 2, 3));
        Assert.Contains("[2, 3]", e.Message);
        Assert.Empty(Lapack.SingularValues([], 0, 4));
    }

    [Theory]
    [InlineData(7, 4)]
    [InlineData(4, 7)]
    [InlineData(30, 30)]
    [InlineData(1, 5)]
    public void SvdFactorsAKnownMatrix(int rows, int cols)
    {
        var (a, sigma) = WithKnownSingularValues(rows, cols, seed: 3 * rows + cols);
        int k = Math.Min(rows, cols);
        var (u, s, vt) = (new float[rows * k], new float[k], new float[k * cols]);
        Lapack.Svd(a, rows, cols, u, s, vt);
        AssertSingularValues(sigma, s);
        // U·diag(s)·Vᵀ reconstructs A, UᵀU = I and V·Vᵀ = I (row-major layout of U [rows, k] and Vᵀ [k, cols]).
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double x = 0;
                for (int q = 0; q < k; q++) x += (double)u[i * k + q] * s[q] * vt[q * cols + j];
                Assert.True(Math.Abs(x - a[i * cols + j]) <= 1e-4 * sigma[0], $"A[{i},{j}] = {a[i * cols + j]}, U·S·Vᵀ = {x}");
            }
        for (int p = 0; p < k; p++)
            for (int q = 0; q < k; q++)
            {
                double uu = 0, vv = 0;
                for (int i = 0; i < rows; i++) uu += (double)u[i * k + p] * u[i * k + q];
                for (int j = 0; j < cols; j++) vv += (double)vt[p * cols + j] * vt[q * cols + j];
                Assert.True(Math.Abs(uu - (p == q ? 1 : 0)) < 1e-5, $"(UᵀU)[{p},{q}] = {uu}");
                Assert.True(Math.Abs(vv - (p == q ? 1 : 0)) < 1e-5, $"(VᵀV)[{p},{q}] = {vv}");
            }
    }

    [Theory]
    [InlineData(9, 5)]
    [InlineData(5, 9)]
    public void JacobiSvdFactorsAKnownMatrixInDouble(int rows, int cols)
    {
        var (a, sigma) = WithKnownSingularValues(rows, cols, seed: 11 * rows + cols);
        int k = Math.Min(rows, cols);
        var (u, s, vt) = (new double[rows * k], new double[k], new double[k * cols]);
        Lapack.JacobiSvd(a.Select(x => (double)x).ToArray(), rows, cols, u, s, vt);
        for (int q = 0; q < k; q++) Assert.True(Math.Abs(s[q] - sigma[q]) < 1e-5 * sigma[0], $"σ{q}: {s[q]} vs {sigma[q]}");
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double x = 0;
                for (int q = 0; q < k; q++) x += u[i * k + q] * s[q] * vt[q * cols + j];
                Assert.True(Math.Abs(x - a[i * cols + j]) < 1e-12 * sigma[0], $"A[{i},{j}] = {a[i * cols + j]}, U·S·Vᵀ = {x}");
            }
    }

    [Theory]
    [InlineData(false, 9, 13)]
    [InlineData(true, 9, 13)]
    public void SyrkLowerMatchesTheReferenceProduct(bool transA, int n, int k)
    {
        var rng = new Random(5);
        var a = Enumerable.Range(0, n * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        int lda = transA ? n : k;
        var c = Enumerable.Repeat(7f, n * n).ToArray();
        if (!Lapack.TrySyrkLower(transA, n, k, 0.5f, a, lda, 0f, c, n))
        {
            Assert.False(OpenBlas.IsAvailable && Gemm.For(n, n, k) == GemmBackend.OpenBlas, "OpenBLAS runs this shape but cblas_ssyrk was not used");
            return;
        }
        var expected = new float[n * n];
        Gemm.Reference(transA, !transA, n, n, k, 0.5f, a, lda, a, lda, 0f, expected, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (j <= i) Assert.True(Math.Abs(expected[i * n + j] - c[i * n + j]) < 1e-5, $"C[{i},{j}] = {c[i * n + j]}, expected {expected[i * n + j]}");
                else Assert.Equal(7f, c[i * n + j]); // strict upper triangle untouched
    }

    [Fact]
    public void ManagedSvdFallbackFactorsAndRefusesLargeMatrices()
    {
        var (a, sigma) = WithKnownSingularValues(8, 5, seed: 17);
        var (u, s, vt) = (new float[8 * 5], new float[5], new float[5 * 5]);
        Lapack.ManagedSvd(a, 8, 5, u, s, vt);
        AssertSingularValues(sigma, s);
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < 5; j++)
            {
                double x = 0;
                for (int q = 0; q < 5; q++) x += (double)u[i * 5 + q] * s[q] * vt[q * 5 + j];
                Assert.True(Math.Abs(x - a[i * 5 + j]) <= 1e-5 * sigma[0], $"A[{i},{j}] = {a[i * 5 + j]}, U·S·Vᵀ = {x}");
            }
        var e = Assert.Throws<NotSupportedException>(() =>
            Lapack.ManagedSvd(new float[1024 * 1024], 1024, 1024, new float[1024 * 1024], new float[1024], new float[1024 * 1024]));
        Assert.Contains("OpenBLAS", e.Message);
    }

    [Fact]
    public void SvdRejectsShortSpans()
    {
        var e = Assert.Throws<ArgumentException>(() => Lapack.Svd(new float[6], 2, 3, new float[4], new float[2], new float[5]));
        Assert.Contains("[2, 3]", e.Message);
    }

    private static void AssertSingularValues(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        // Single-precision SVD: absolute error about ε_float · σ₁ · small factor.
        double tolerance = 1e-5 * expected[0] * 10;
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"σ{i}: expected {expected[i]}, got {actual[i]}");
    }

    // A = U·diag(σ)·Vᵀ with orthonormal U [rows, r], V [cols, r] from Gram–Schmidt in double; σ = 10·0.7^i.
    private static (float[] A, double[] Sigma) WithKnownSingularValues(int rows, int cols, int seed)
    {
        int r = Math.Min(rows, cols);
        var rng = new Random(seed);
        var u = Orthonormal(rows, r, rng);
        var v = Orthonormal(cols, r, rng);
        var sigma = Enumerable.Range(0, r).Select(i => 10 * Math.Pow(0.7, i)).ToArray();
        var a = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double s = 0;
                for (int q = 0; q < r; q++) s += u[q][i] * sigma[q] * v[q][j];
                a[i * cols + j] = (float)s;
            }
        return (a, sigma);
    }

    // `count` orthonormal vectors of length `len` (count ≤ len), by modified Gram–Schmidt on Gaussian-ish vectors.
    private static double[][] Orthonormal(int len, int count, Random rng)
    {
        var q = new double[count][];
        for (int c = 0; c < count; c++)
        {
            var x = Enumerable.Range(0, len).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            for (int pass = 0; pass < 2; pass++) // re-orthogonalise once for double-precision accuracy
                for (int p = 0; p < c; p++)
                {
                    double d = x.Zip(q[p], (s, t) => s * t).Sum();
                    for (int i = 0; i < len; i++) x[i] -= d * q[p][i];
                }
            double norm = Math.Sqrt(x.Sum(t => t * t));
            q[c] = x.Select(t => t / norm).ToArray();
        }
        return q;
    }
}
