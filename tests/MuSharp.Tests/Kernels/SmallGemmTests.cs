using System.Runtime.Intrinsics;
using MuSharp.Kernels;
using static MuSharp.Tests.Kernels.OneDnnGemmTests;

namespace MuSharp.Tests.Kernels;

/// <summary>
/// The attention heads' small-block GEMM against a double-precision reference: the shapes it takes itself (m a
/// multiple of 4, so 12-row strips plus a 4-row remainder; n a multiple of 32), the shapes it passes to the general
/// kernel, all four transposes, padded leading dimensions and β ≠ 0; and bit-for-bit agreement with the general
/// managed kernel where both sum each dot product in the same order (k ≤ 256, one depth block).
/// </summary>
public class SmallGemmTests
{
    // 64×128×64 and 64×64×128: the attention blocks; 128×64×64: a transposed-A backward block; 4×32×1 and 16×32×300: one
    // 4-row strip, and 12 + 4 rows over a long depth; 13×32×7 and 12×40×9: passed on to the general kernel.
    public static TheoryData<int, int, int, bool, bool> Cases() =>
        GemmTests.AllTransposes([64, 128, 64], [64, 64, 128], [128, 64, 64], [4, 32, 1], [16, 32, 300], [13, 32, 7], [12, 40, 9]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReference(int m, int n, int k, bool ta, bool tb)
    {
        var (expected, actual, c0, ldc, tolerance) = Run(m, n, k, ta, tb, roundInputs: false,
            (a, lda, b, ldb, c) => Gemm.SmallSgemm(ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));
        AssertClose(expected, actual, tolerance);
        AssertPaddingUntouched(c0, actual, m, n, ldc);
    }

    [Fact]
    public void TakesTheAttentionShapesItself()
    {
        Assert.Equal(Vector512.IsHardwareAccelerated, SmallGemm.Handles(64, 128));
        Assert.False(SmallGemm.Handles(13, 32));
        Assert.False(SmallGemm.Handles(12, 40));
    }

    [Theory]
    [InlineData(64, 128, 64, false, true)]
    [InlineData(128, 64, 64, true, false)]
    [InlineData(64, 64, 128, false, false)]
    public void SameBitsAsTheGeneralKernelWithinOneDepthBlock(int m, int n, int k, bool ta, bool tb)
    {
        // Both broadcast A, multiply B's row by FMA in depth order into one accumulator per element, then scale by alpha
        // and add beta·C by FMA: the same operations on the same values. The general kernel's bottom edge tile (the last
        // m mod 12 rows) merges with a separate multiply and add instead, so those rows may differ in the last bit.
        var general = (float[]?)null;
        var small = (float[]?)null;
        Run(m, n, k, ta, tb, roundInputs: false, (a, lda, b, ldb, c) =>
        {
            general = (float[])c.Clone();
            small = (float[])c.Clone();
            Gemm.Sgemm(GemmBackend.Managed, ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, general, n + 7);
            Gemm.SmallSgemm(ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, small, n + 7);
        });
        int rows = m / 12 * 12, ldc = n + 7;
        Assert.Equal(general![..(rows * ldc)], small![..(rows * ldc)]);
    }

    [Fact]
    public void BetaZeroOverwritesNaN()
    {
        var c = Enumerable.Repeat(float.NaN, 4 * 32).ToArray();
        var a = Enumerable.Repeat(2f, 4).ToArray(); // [4, 1]
        var b = Enumerable.Range(0, 32).Select(j => (float)j).ToArray(); // [1, 32]
        Gemm.SmallSgemm(false, false, 4, 32, 1, 1f, a, 1, b, 32, 0f, c, 32);
        Assert.Equal(Enumerable.Range(0, 4 * 32).Select(i => 2f * (i % 32)), c);
    }
}
