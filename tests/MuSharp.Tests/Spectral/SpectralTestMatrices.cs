using MuSharp.Kernels;

namespace MuSharp.Tests.Spectral;

// Shared helpers: Gaussian matrices from MuSharp's Rng, double-precision products, and the exact SVD oracle.
internal static class SpectralTestMatrices
{
    public static float[] Gaussian(int rows, int cols, ulong seed)
    {
        var m = new float[rows * cols];
        new Rng(seed).FillNormal(m, 0f, 1f);
        return m;
    }

    // C[m, n] = A[m, k]·B[k, n] in double, row-major.
    public static double[] MatMul(ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
            {
                double x = a[i * k + p];
                for (int j = 0; j < n; j++) c[i * n + j] += x * b[p * n + j];
            }
        return c;
    }

    public static double[] Transpose(ReadOnlySpan<double> a, int rows, int cols)
    {
        var t = new double[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

    public static double[] ToDouble(ReadOnlySpan<float> x)
    {
        var d = new double[x.Length];
        for (int i = 0; i < x.Length; i++) d[i] = x[i];
        return d;
    }

    // U·f(Σ)·Vᵀ from the double Jacobi SVD: the independent oracle for msign (f = 1 on σ > 0), SVC and mclip.
    public static double[] SpectralMap(ReadOnlySpan<float> w, int rows, int cols, Func<double, double> f)
    {
        int k = Math.Min(rows, cols);
        var (u, s, vt) = (new double[rows * k], new double[k], new double[k * cols]);
        Lapack.JacobiSvd(ToDouble(w), rows, cols, u, s, vt);
        var result = new double[rows * cols];
        for (int q = 0; q < k; q++)
        {
            double fs = f(s[q]);
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++) result[i * cols + j] += u[i * k + q] * fs * vt[q * cols + j];
        }
        return result;
    }

    public static double[] SingularValues(ReadOnlySpan<float> w, int rows, int cols)
    {
        int k = Math.Min(rows, cols);
        var (u, s, vt) = (new double[rows * k], new double[k], new double[k * cols]);
        Lapack.JacobiSvd(ToDouble(w), rows, cols, u, s, vt);
        return s;
    }

    // ‖x − y‖_F / ‖y‖_F.
    public static double RelativeError(ReadOnlySpan<float> x, ReadOnlySpan<double> y)
    {
        double num = 0, den = 0;
        for (int i = 0; i < y.Length; i++)
        {
            num += (x[i] - y[i]) * (x[i] - y[i]);
            den += y[i] * y[i];
        }
        return Math.Sqrt(num / den);
    }

    public static double MaxAbsDiff(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double max = 0;
        for (int i = 0; i < x.Length; i++) max = Math.Max(max, Math.Abs(x[i] - y[i]));
        return max;
    }
}
