using MuSharp.Kernels;

namespace MuSharp.Tests.Kernels;

/// <summary>
/// oneDNN sgemm and the bf16 GEMM against a double-precision reference: odd shapes, all four transposes (1030×37×517
/// A·Bᵀ takes the transpose-B-first path of Gemm), padded
/// leading dimensions and β ≠ 0. Cases skip when libdnnl.so.2 is absent (CiRequiresOneDnn guards CI).
/// </summary>
public class OneDnnGemmTests
{
    public static TheoryData<int, int, int, bool, bool> Cases() =>
        GemmTests.AllTransposes([1, 1, 1], [3, 17, 5], [129, 257, 65], [64, 64, 64], [200, 1, 300], [1, 333, 77], [513, 31, 1025], [1030, 37, 517]);

    [Fact]
    public void CiRequiresOneDnn()
    {
        if (Environment.GetEnvironmentVariable("CI") != "true") return;
        Assert.True(OneDnn.IsAvailable, "CI=true but libdnnl.so.2 did not load; scripts/setup.sh must install libdnnl2.");
        Assert.True(OneDnn.HasBf16Gemm, "oneDNN loaded without dnnl_gemm_bf16bf16f32.");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneDnnSgemmMatchesReference(int m, int n, int k, bool ta, bool tb)
    {
        if (!OneDnn.IsAvailable) return;
        CheckAgainstReference(m, n, k, ta, tb, roundInputs: false,
            (a, lda, b, ldb, c) => Gemm.Sgemm(GemmBackend.OneDnn, ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneDnnBf16GemmMatchesReferenceOnRoundedInputs(int m, int n, int k, bool ta, bool tb)
    {
        if (!OneDnn.HasBf16Gemm) return;
        CheckAgainstReference(m, n, k, ta, tb, roundInputs: true,
            (a, lda, b, ldb, c) => Gemm.SgemmBf16(GemmBackend.OneDnn, ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));
    }

    [Theory]
    [InlineData(129, 257, 65, false, true)]
    [InlineData(13, 33, 257, true, false)]
    public void EmulatedBf16GemmMatchesReferenceOnRoundedInputs(int m, int n, int k, bool ta, bool tb)
    {
        // Without oneDNN the bf16 GEMM rounds copies of its inputs and runs the fp32 kernel: same values.
        var (expected, actual, _, _, tolerance) = Run(m, n, k, ta, tb, roundInputs: true,
            (a, lda, b, ldb, c) => Gemm.SgemmBf16(GemmBackend.Managed, ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));
        AssertClose(expected, actual, tolerance);
    }

    [Fact]
    public void Bf16GemmErrorIsTheInputRounding()
    {
        if (!OneDnn.HasBf16Gemm) return;
        // Relative Frobenius error of the bf16 product against the exact fp32-input product: bf16 keeps 8 significant
        // bits (unit roundoff 2^-9 ≈ 2e-3); random signs make the errors of a k-term sum partly cancel.
        const int m = 96, n = 80, k = 512;
        var a = Random(m * k, 21);
        var b = Random(k * n, 22);
        var exact = new float[m * n];
        var bf = new float[m * n];
        Gemm.Reference(false, false, m, n, k, 1f, a, k, b, n, 0f, exact, n);
        Gemm.SgemmBf16(GemmBackend.OneDnn, false, false, m, n, k, 1f, a, k, b, n, 0f, bf, n);
        double err = 0, norm = 0;
        for (int i = 0; i < exact.Length; i++)
        {
            err += Math.Pow(exact[i] - bf[i], 2);
            norm += Math.Pow(exact[i], 2);
        }
        double rel = Math.Sqrt(err / norm);
        Assert.InRange(rel, 1e-4, 4e-3);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BetaZeroOverwritesNaN(bool bf16)
    {
        if (!OneDnn.IsAvailable || (bf16 && !OneDnn.HasBf16Gemm)) return;
        float[] c = [float.NaN, float.NaN];
        if (bf16) Gemm.SgemmBf16(GemmBackend.OneDnn, false, false, 1, 2, 1, 1f, [2f], 1, [3f, 4f], 2, 0f, c, 2);
        else Gemm.Sgemm(GemmBackend.OneDnn, false, false, 1, 2, 1, 1f, [2f], 1, [3f, 4f], 2, 0f, c, 2);
        Assert.Equal([6f, 8f], c);
    }

    [Theory]
    [InlineData(null, true, true, "OneDnn", false)]
    [InlineData(null, false, true, "OpenBlas", false)]
    [InlineData(null, false, false, "Managed", true)]
    [InlineData("openblas", true, true, "OpenBlas", false)]
    [InlineData(" OneDNN ", true, true, "OneDnn", false)]
    [InlineData("managed", true, true, "Managed", false)]
    [InlineData("onednn", false, true, "OpenBlas", true)]
    [InlineData("cublas", true, true, "OneDnn", true)]
    public void BackendChoice(string? requested, bool oneDnn, bool openBlas, string expected, bool warns)
    {
        var warnings = new StringWriter();
        Assert.Equal(expected, Gemm.Choose(requested, oneDnn, openBlas, warnings).ToString());
        Assert.Equal(warns, warnings.ToString().Length > 0);
    }

    internal const float Alpha = 0.75f, Beta = -1.5f;

    internal delegate void GemmCall(float[] a, int lda, float[] b, int ldb, float[] c);

    // Stored shapes padded by 3, 5, 7 columns; the reference sees the inputs rounded to bf16 when the kernel rounds them.
    internal static (float[] Expected, float[] Actual, float[] C0, int Ldc, float Tolerance) Run(
        int m, int n, int k, bool ta, bool tb, bool roundInputs, GemmCall call)
    {
        int ra = ta ? k : m, ca = ta ? m : k, rb = tb ? n : k, cb = tb ? k : n;
        int lda = ca + 3, ldb = cb + 5, ldc = n + 7;
        var a = Random(ra * lda, 1);
        var b = Random(rb * ldb, 2);
        var c0 = Random(m * ldc, 3);
        var expected = (float[])c0.Clone();
        var actual = (float[])c0.Clone();
        var (ar, br) = ((float[])a.Clone(), (float[])b.Clone());
        if (roundInputs)
        {
            Bf16.RoundInPlace(ar);
            Bf16.RoundInPlace(br);
        }
        Gemm.Reference(ta, tb, m, n, k, Alpha, ar, lda, br, ldb, Beta, expected, ldc);
        call(a, lda, b, ldb, actual);
        // Float rounding of a k-term dot product grows like √k · ulp · max|aᵢbᵢ|, plus the β·C term.
        float tolerance = 1e-5f * (MathF.Sqrt(k) * Alpha + Math.Abs(Beta)) + 1e-6f;
        return (expected, actual, c0, ldc, tolerance);
    }

    // Run, then the values within the tolerance and C's padding untouched.
    internal static void CheckAgainstReference(int m, int n, int k, bool ta, bool tb, bool roundInputs, GemmCall call)
    {
        var (expected, actual, c0, ldc, tolerance) = Run(m, n, k, ta, tb, roundInputs, call);
        AssertClose(expected, actual, tolerance);
        AssertPaddingUntouched(c0, actual, m, n, ldc);
    }

    internal static void AssertPaddingUntouched(float[] c0, float[] actual, int m, int n, int ldc)
    {
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc && i * ldc + j < c0.Length; j++)
                Assert.Equal(c0[i * ldc + j], actual[i * ldc + j]);
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance))
                Assert.Fail($"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {tolerance})");
    }

    // count uniform values in [−1, 1), seeded.
    internal static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
