using System.Runtime.Intrinsics.X86;
using MuSharp.Kernels;
using static MuSharp.Tests.Kernels.OneDnnGemmTests;

namespace MuSharp.Tests.Kernels;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Cases() =>
        AllTransposes([1, 1, 1], [3, 17, 5], [129, 257, 65], [64, 64, 64], [200, 1, 300]);

    // Each (m, n, k) with all four (transA, transB).
    internal static TheoryData<int, int, int, bool, bool> AllTransposes(params int[][] shapes)
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var s in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(s[0], s[1], s[2], ta, tb);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ManagedMatchesReference(int m, int n, int k, bool ta, bool tb) =>
        CheckAgainstReference(GemmBackend.Managed, m, n, k, ta, tb);

    [Theory]
    [MemberData(nameof(Cases))]
    public void OpenBlasMatchesReference(int m, int n, int k, bool ta, bool tb)
    {
        if (!OpenBlas.IsAvailable) return; // skipped: libopenblas.so.0 absent (CiRequiresOpenBlas guards CI)
        CheckAgainstReference(GemmBackend.OpenBlas, m, n, k, ta, tb);
    }

    [Theory]
    [InlineData(300, 70, 600, false, true)] // several packed A blocks (Mc = 144 rows) and depth blocks (Kc = 256)
    [InlineData(5, 700, 400, true, false)]  // too few rows to share: threads split the column strips
    [InlineData(13, 33, 257, true, true)]   // one past every tile and block edge
    public void ManagedCrossesBlockBoundaries(int m, int n, int k, bool ta, bool tb) =>
        CheckAgainstReference(GemmBackend.Managed, m, n, k, ta, tb);

    [Fact]
    public void CiRequiresOpenBlas()
    {
        if (Environment.GetEnvironmentVariable("CI") != "true") return;
        Assert.True(OpenBlas.IsAvailable, "CI=true but libopenblas.so.0 did not load; scripts/setup.sh must install libopenblas0-pthread.");
        Assert.StartsWith("OpenBLAS", Gemm.Describe(GemmBackend.OpenBlas));
    }

    [Fact]
    public void OpenBlasUsesAnAvx512CoreOnAvx512Hardware()
    {
        if (!OpenBlas.IsAvailable || !Avx512F.IsSupported) return;
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OpenBlas.CoreTypeOverrideVariable))) return;
        Assert.Contains(OpenBlas.CoreName, new[] { "SkylakeX", "Cooperlake", "SapphireRapids" }, StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DegenerateSizes(bool openBlas)
    {
        if (openBlas && !OpenBlas.IsAvailable) return;
        var backend = openBlas ? GemmBackend.OpenBlas : GemmBackend.Managed;
        // k = 0: C = beta·C, and beta = 0 must overwrite NaN rather than multiply it.
        float[] c = [1, 2, 3, 4, 5, 6];
        Gemm.Sgemm(backend, false, false, 2, 3, 0, 1f, [], 0, [], 3, 0.5f, c, 3);
        Assert.Equal([0.5f, 1, 1.5f, 2, 2.5f, 3], c);
        float[] nan = [float.NaN, float.NaN];
        Gemm.Sgemm(backend, false, false, 1, 2, 1, 1f, [2f], 1, [3f, 4f], 2, 0f, nan, 2);
        Assert.Equal([6f, 8f], nan);
        Gemm.Sgemm(backend, true, true, 0, 5, 7, 1f, [], 1, new float[35], 7, 0f, [], 5);
        Gemm.Sgemm(backend, false, false, 4, 0, 7, 1f, new float[28], 7, [], 0, 0f, [], 0);
    }

    [Fact]
    public void RejectsShortSpansAndStrides()
    {
        var a = new float[6];
        var b = new float[6];
        var c = new float[4];
        // A is [2, 3], B [3, 2], C [2, 2]: each call breaks one requirement.
        var e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a.AsSpan(1), 3, b, 2, 0f, c, 2));
        Assert.Contains("Sgemm", e.Message);
        Assert.Contains("[2, 3]", e.Message);
        Assert.Contains("needs 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Contains("stride", e.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, true, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Sgemm(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }

    [Fact]
    public void SlicedOperandsAtAnOffset()
    {
        // A head of Q inside [T, C]: rows of width d at column offset h·d with stride C, times Kᵀ likewise.
        const int t = 37, width = 96, d = 24, h = 2;
        var q = Random(t * width, 11);
        var key = Random(t * width, 12);
        var fast = new float[t * t];
        var slow = new float[t * t];
        Gemm.Sgemm(false, true, t, t, d, 0.2f, q.AsSpan(h * d), width, key.AsSpan(h * d), width, 0f, fast, t);
        Gemm.Reference(false, true, t, t, d, 0.2f, q.AsSpan(h * d), width, key.AsSpan(h * d), width, 0f, slow, t);
        AssertClose(slow, fast, Tolerance(d, 0.2f, 1f, 0f, 0f));
    }

    [Fact]
    public void BackendNameIsDescriptive()
    {
        Assert.Matches(@"^(OpenBLAS .+|oneDNN .+|managed Vector(256|512)), \d+ threads?(; OpenBLAS .+, \d+ threads? where m, n, k ≤ \d+)?$", Gemm.Backend);
        Assert.StartsWith("managed Vector", Gemm.Describe(GemmBackend.Managed));
    }

    // Against the double reference with padded strides (3, 5, 7 extra columns) and β ≠ 0; C's padding stays untouched.
    private static void CheckAgainstReference(GemmBackend backend, int m, int n, int k, bool ta, bool tb) =>
        OneDnnGemmTests.CheckAgainstReference(m, n, k, ta, tb, roundInputs: false,
            (a, lda, b, ldb, c) => Gemm.Sgemm(backend, ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));

    // Float rounding of a k-term dot product grows like √k · ulp · max|aᵢbᵢ|; kernels also differ in summation order.
    private static float Tolerance(int k, float alpha, float maxProduct, float beta, float maxC) =>
        1e-5f * (MathF.Sqrt(k) * Math.Abs(alpha) * maxProduct + Math.Abs(beta) * maxC) + 1e-6f;
}
