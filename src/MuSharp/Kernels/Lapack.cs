using System.Runtime.InteropServices;

namespace MuSharp.Kernels;

/// <summary>
/// LAPACK through OpenBLAS's Fortran exports (column-major, arguments by reference),
/// with a managed one-sided Jacobi fallback when OpenBLAS is absent.
/// </summary>
public static unsafe class Lapack
{
    private static readonly Lazy<nint> Sgesdd = new(() =>
        OpenBlas.Handle != 0 && NativeLibrary.TryGetExport(OpenBlas.Handle, "sgesdd_", out nint f) ? f : 0);

    private static readonly Lazy<nint> CblasSsyrk = new(() =>
        OpenBlas.Handle != 0 && NativeLibrary.TryGetExport(OpenBlas.Handle, "cblas_ssyrk", out nint f) ? f : 0);

    /// <summary>True when sgesdd_ is available from OpenBLAS.</summary>
    public static bool IsNative => Sgesdd.Value != 0;

    /// <summary>
    /// Singular values σ₁ ≥ σ₂ ≥ … ≥ σ_min(rows,cols) ≥ 0 of the row-major matrix A[rows, cols] (contiguous),
    /// i.e. A = U·diag(σ)·Vᵀ. Uses LAPACK sgesdd with jobz='N' when available.
    /// </summary>
    public static float[] SingularValues(ReadOnlySpan<float> a, int rows, int cols)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"SingularValues: negative shape [{rows}, {cols}].");
        if (a.Length < (long)rows * cols)
            throw new ArgumentException($"SingularValues: A [{rows}, {cols}] needs {(long)rows * cols} elements but the span has {a.Length}.", nameof(a));
        if (rows == 0 || cols == 0) return [];
        return IsNative ? NativeSingularValues(a, rows, cols) : JacobiSingularValues(a, rows, cols);
    }

    private static float[] NativeSingularValues(ReadOnlySpan<float> a, int rows, int cols)
    {
        // Row-major [rows, cols] is column-major [cols, rows] with leading dimension cols: Aᵀ has the same σ.
        int m = cols, n = rows, lda = cols, ldu = 1, ldvt = 1, info = 0, query = -1, mn = Math.Min(m, n);
        var work = a[..(rows * cols)].ToArray(); // sgesdd overwrites A
        var s = new float[mn];
        var iwork = new int[8 * mn];
        byte jobz = (byte)'N';
        float optimal = 0, dummy = 0;
        // SGESDD(JOBZ, M, N, A, LDA, S, U, LDU, VT, LDVT, WORK, LWORK, IWORK, INFO) + hidden length of JOBZ.
        var f = (delegate* unmanaged<byte*, int*, int*, float*, int*, float*, float*, int*, float*, int*, float*, int*, int*, int*, nint, void>)Sgesdd.Value;
        fixed (float* pa = work, ps = s)
        fixed (int* piw = iwork)
        {
            f(&jobz, &m, &n, pa, &lda, ps, &dummy, &ldu, &dummy, &ldvt, &optimal, &query, piw, &info, 1);
            if (info != 0) throw new InvalidOperationException($"SingularValues: sgesdd workspace query failed (info={info}) for [{rows}, {cols}].");
            int lwork = Math.Max(1, (int)Math.Ceiling(optimal));
            var buffer = new float[lwork];
            fixed (float* pw = buffer)
                f(&jobz, &m, &n, pa, &lda, ps, &dummy, &ldu, &dummy, &ldvt, pw, &lwork, piw, &info, 1);
        }
        if (info != 0)
            throw new InvalidOperationException($"SingularValues: sgesdd failed (info={info}) for [{rows}, {cols}]" +
                (info > 0 ? ": the bidiagonal SVD did not converge." : "."));
        return s;
    }

    /// <summary>
    /// Symmetric rank-k update on the lower triangle (i ≥ j) of row-major C[n, n]: C = alpha·A·Aᵀ + beta·C for
    /// A [n, k] (transA false) or C = alpha·Aᵀ·A + beta·C for A [k, n] (transA true), via OpenBLAS cblas_ssyrk at
    /// half the FLOPs of the equivalent GEMM; the strict upper triangle is left untouched. Returns false (and does
    /// nothing) when OpenBLAS lacks the routine or does not run fp32 GEMMs of this shape (<see cref="Gemm.For"/>), so
    /// callers fall back to <see cref="Gemm.Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.
    /// </summary>
    internal static bool TrySyrkLower(bool transA, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, float beta, Span<float> c, int ldc)
    {
        if (CblasSsyrk.Value == 0 || n <= 0 || k <= 0 || Gemm.For(n, n, k) != GemmBackend.OpenBlas) return false;
        if (a.Length < (long)((transA ? k : n) - 1) * lda + (transA ? n : k) || c.Length < (long)(n - 1) * ldc + n)
            throw new ArgumentException($"TrySyrkLower: spans too short for n={n}, k={k}, lda={lda}, ldc={ldc}.", nameof(a));
        const int RowMajor = 101, Lower = 122, NoTrans = 111, Trans = 112;
        var f = (delegate* unmanaged<int, int, int, int, int, float, float*, int, float, float*, int, void>)CblasSsyrk.Value;
        fixed (float* pa = a, pc = c)
            f(RowMajor, Lower, transA ? Trans : NoTrans, n, k, alpha, pa, lda, beta, pc, ldc);
        return true;
    }

    /// <summary>
    /// Thin SVD A = U·diag(σ)·Vᵀ of the row-major A[rows, cols] (contiguous), k = min(rows, cols):
    /// u [rows, k], s [k] descending, vt [k, cols], all row-major. LAPACK sgesdd with jobz='S'; without OpenBLAS,
    /// the managed Jacobi SVD for small matrices (k²·max(rows, cols) ≤ 2²⁷) and <see cref="NotSupportedException"/> above.
    /// </summary>
    public static void Svd(ReadOnlySpan<float> a, int rows, int cols, Span<float> u, Span<float> s, Span<float> vt)
    {
        if (rows < 0 || cols < 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"Svd: negative shape [{rows}, {cols}].");
        int k = Math.Min(rows, cols);
        if (a.Length < (long)rows * cols || u.Length < (long)rows * k || s.Length < k || vt.Length < (long)k * cols)
            throw new ArgumentException($"Svd: A [{rows}, {cols}] needs spans of {(long)rows * cols} (A), {(long)rows * k} (U), {k} (S), " +
                $"{(long)k * cols} (Vᵀ); got {a.Length}, {u.Length}, {s.Length}, {vt.Length}.", nameof(a));
        if (k == 0) return;
        if (IsNative) NativeSvd(a, rows, cols, u, s, vt);
        else ManagedSvd(a, rows, cols, u, s, vt);
    }

    // Without OpenBLAS: the double Jacobi SVD, rounded to float. Correct but O(k²·max(rows, cols)) per sweep,
    // so only practical for small matrices; large ones refuse with a message rather than run for minutes.
    internal static void ManagedSvd(ReadOnlySpan<float> a, int rows, int cols, Span<float> u, Span<float> s, Span<float> vt)
    {
        int k = Math.Min(rows, cols);
        if ((long)k * k * Math.Max(rows, cols) > 1L << 27)
            throw new NotSupportedException($"Svd: [{rows}, {cols}] is too large for the managed Jacobi fallback; full SVD at this size needs " +
                "LAPACK sgesdd_ from OpenBLAS (libopenblas.so.0), which is not loaded: install it (scripts/setup.sh).");
        var ad = new double[rows * cols];
        for (int i = 0; i < ad.Length; i++) ad[i] = a[i];
        var (ud, sd, vtd) = (new double[rows * k], new double[k], new double[k * cols]);
        JacobiSvd(ad, rows, cols, ud, sd, vtd);
        for (int i = 0; i < ud.Length; i++) u[i] = (float)ud[i];
        for (int i = 0; i < k; i++) s[i] = (float)sd[i];
        for (int i = 0; i < vtd.Length; i++) vt[i] = (float)vtd[i];
    }

    private static void NativeSvd(ReadOnlySpan<float> a, int rows, int cols, Span<float> u, Span<float> s, Span<float> vt)
    {
        // Row-major A[rows, cols] is column-major Aᵀ[cols, rows] (lda = cols). LAPACK factors Aᵀ = U'·Σ·V'ᵀ, so
        // A = V'·Σ·U'ᵀ: A's U is V' and A's Vᵀ is U'ᵀ. Column-major U'[cols, k] (ldu = cols) has the same bytes as
        // row-major Vᵀ[k, cols], and column-major V'ᵀ[k, rows] (ldvt = k) the same bytes as row-major U[rows, k],
        // so LAPACK writes straight into the caller's vt (as its U) and u (as its VT) with no copy.
        int m = cols, n = rows, lda = cols, k = Math.Min(rows, cols), ldu = cols, ldvt = k, info = 0, query = -1;
        var work = a[..(rows * cols)].ToArray(); // sgesdd overwrites A
        var iwork = new int[8 * k];
        byte jobz = (byte)'S';
        float optimal = 0;
        var f = (delegate* unmanaged<byte*, int*, int*, float*, int*, float*, float*, int*, float*, int*, float*, int*, int*, int*, nint, void>)Sgesdd.Value;
        fixed (float* pa = work, ps = s, pu = vt, pvt = u)
        fixed (int* piw = iwork)
        {
            f(&jobz, &m, &n, pa, &lda, ps, pu, &ldu, pvt, &ldvt, &optimal, &query, piw, &info, 1);
            if (info != 0) throw new InvalidOperationException($"Svd: sgesdd workspace query failed (info={info}) for [{rows}, {cols}].");
            int lwork = Math.Max(1, (int)Math.Ceiling(optimal));
            var buffer = new float[lwork];
            fixed (float* pw = buffer)
                f(&jobz, &m, &n, pa, &lda, ps, pu, &ldu, pvt, &ldvt, pw, &lwork, piw, &info, 1);
        }
        if (info != 0)
            throw new InvalidOperationException($"Svd: sgesdd failed (info={info}) for [{rows}, {cols}]" +
                (info > 0 ? ": the bidiagonal SVD did not converge." : "."));
    }

    /// <summary>
    /// Thin SVD in double by one-sided Jacobi (slow, O(k²·max(rows, cols)) per sweep): the independent oracle that
    /// tests compare sgesdd against. Same layout as <see cref="Svd"/>: u [rows, k], s [k] descending, vt [k, cols].
    /// </summary>
    public static void JacobiSvd(ReadOnlySpan<double> a, int rows, int cols, Span<double> u, Span<double> s, Span<double> vt)
    {
        int k = Math.Min(rows, cols);
        if (a.Length < (long)rows * cols || u.Length < (long)rows * k || s.Length < k || vt.Length < (long)k * cols)
            throw new ArgumentException($"JacobiSvd: spans too short for A [{rows}, {cols}].", nameof(a));
        // Work on B = A (rows ≥ cols) or B = Aᵀ (rows < cols) so B [len, k] is tall; rotate its k columns to
        // orthogonality, accumulating the rotations in R [k, k]: B·R = W, σⱼ = ‖wⱼ‖, left vectors wⱼ/σⱼ.
        bool transposed = rows < cols;
        int len = transposed ? cols : rows;
        var w = new double[k][];
        var r = new double[k][];
        for (int j = 0; j < k; j++)
        {
            w[j] = new double[len];
            for (int i = 0; i < len; i++) w[j][i] = transposed ? a[j * cols + i] : a[i * cols + j];
            r[j] = new double[k];
            r[j][j] = 1;
        }
        for (int sweep = 0; sweep < 80; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < k - 1; p++)
                for (int q = p + 1; q < k; q++)
                {
                    double alpha = Dot(w[p], w[p]), beta = Dot(w[q], w[q]), gamma = Dot(w[p], w[q]);
                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta)) continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), sn = c * t;
                    Rotate(w[p], w[q], c, sn);
                    Rotate(r[p], r[q], c, sn);
                }
            if (!rotated) break;
        }
        var sigma = new double[k];
        for (int j = 0; j < k; j++) sigma[j] = Math.Sqrt(Dot(w[j], w[j]));
        var order = Enumerable.Range(0, k).OrderByDescending(j => sigma[j]).ToArray();
        for (int o = 0; o < k; o++)
        {
            int j = order[o];
            s[o] = sigma[j];
            double inv = sigma[j] > 0 ? 1 / sigma[j] : 0;
            // Left vectors of B are wⱼ/σⱼ; right vectors are the columns of R. For B = Aᵀ they swap roles.
            for (int i = 0; i < len; i++)
            {
                if (transposed) vt[o * cols + i] = w[j][i] * inv;
                else u[i * k + o] = w[j][i] * inv;
            }
            for (int i = 0; i < k; i++)
            {
                if (transposed) u[i * k + o] = r[j][i];
                else vt[o * cols + i] = r[j][i];
            }
        }
    }

    private static void Rotate(double[] x, double[] y, double c, double s)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double p = x[i], q = y[i];
            x[i] = c * p - s * q;
            y[i] = s * p + c * q;
        }
    }

    // One-sided (Hestenes) Jacobi in double: rotate column pairs of W until all are orthogonal; then σᵢ = ‖wᵢ‖.
    // Columns are the shorter side so that each sweep costs O(short² · long).
    internal static float[] JacobiSingularValues(ReadOnlySpan<float> a, int rows, int cols)
    {
        bool byRows = rows < cols; // rows of A are the columns of Aᵀ, which has the same σ
        int count = byRows ? rows : cols, len = byRows ? cols : rows;
        var w = new double[count][];
        for (int j = 0; j < count; j++)
        {
            w[j] = new double[len];
            for (int i = 0; i < len; i++) w[j][i] = byRows ? a[j * cols + i] : a[i * cols + j];
        }
        for (int sweep = 0; sweep < 60; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < count - 1; p++)
                for (int q = p + 1; q < count; q++)
                {
                    double alpha = Dot(w[p], w[p]), beta = Dot(w[q], w[q]), gamma = Dot(w[p], w[q]);
                    if (Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta) || gamma == 0) continue;
                    rotated = true;
                    // Rotation angle that zeroes the (p,q) entry of WᵀW: tan θ = sign(ζ)/(|ζ| + √(1+ζ²)).
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + zeta * zeta));
                    double c = 1 / Math.Sqrt(1 + t * t), s = c * t;
                    double[] wp = w[p], wq = w[q];
                    for (int i = 0; i < len; i++)
                    {
                        double x = wp[i], y = wq[i];
                        wp[i] = c * x - s * y;
                        wq[i] = s * x + c * y;
                    }
                }
            if (!rotated) break;
        }
        var sigma = new float[count];
        for (int j = 0; j < count; j++) sigma[j] = (float)Math.Sqrt(Dot(w[j], w[j]));
        Array.Sort(sigma, (x, y) => y.CompareTo(x));
        return sigma;
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
