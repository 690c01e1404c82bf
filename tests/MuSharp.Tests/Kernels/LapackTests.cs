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
