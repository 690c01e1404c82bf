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
    public void MatchesReference(int m, int n, int k, bool ta, bool tb) =>
        CheckAgainstReference(m, n, k, ta, tb, roundInputs: false,
            (a, lda, b, ldb, c) => Gemm.SmallSgemm(ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));

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

    [Theory]
    [InlineData(64, 128, 64, 0)]
    [InlineData(64, 128, 64, 64)]
    [InlineData(32, 96, 64, 64)]
    public void ColumnBandComputesEveryEntryOnOrBelowTheDiagonal(int m, int n, int k, int offset)
    {
        // Scores of query rows offset .. offset + m − 1: entries with key j ≤ query i + offset must equal the full product
        // (same kernel, same order: same bits); the rest may be skipped.
        var (a, b) = (Random(m * k, 1), Random(n * k, 2)); // A [m, k], Bᵀ stored [n, k]
        var full = new float[m * n];
        var banded = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.SmallSgemm(false, true, m, n, k, 0.5f, a, k, b, k, 0f, full, n);
        Gemm.SmallSgemm(false, true, m, n, k, 0.5f, a, k, b, k, 0f, banded, n, new Band(BandKind.ColumnsUpToRow, offset));
        for (int i = 0; i < m; i++)
            for (int j = 0; j <= Math.Min(n - 1, i + offset); j++)
                Assert.Equal(full[i * n + j], banded[i * n + j]);
        if (offset == 0) Assert.Contains(banded, float.IsNaN); // something was skipped
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(false, 64)]
    [InlineData(true, 0)]
    [InlineData(true, 32)]
    public void DepthBandsSkipOnlyZeroTermsOfTriangularA(bool fromRow, int offset)
    {
        // DepthUpToRow: op(A)[i, p] = 0 for p > i + offset (P·V); DepthFromRow: op(A)[j, p] = 0 for p + offset < j
        // (Pᵀ·dO, A stored transposed). Either way the banded product equals the full one, bit for bit, β = 1.
        const int m = 64, n = 64, k = 96;
        var a = Random(m * k, 3); // op(A) [m, k]
        for (int i = 0; i < m; i++)
            for (int p = 0; p < k; p++)
                if (fromRow ? p + offset < i : p > i + offset) a[i * k + p] = 0f;
        var stored = fromRow ? Transposed(a, m, k) : a; // transposed: [k, m]
        var b = Random(k * n, 4);
        var full = Random(m * n, 5);
        var banded = (float[])full.Clone();
        var band = new Band(fromRow ? BandKind.DepthFromRow : BandKind.DepthUpToRow, offset);
        Gemm.SmallSgemm(fromRow, false, m, n, k, 1.5f, stored, fromRow ? m : k, b, n, 1f, full, n);
        Gemm.SmallSgemm(fromRow, false, m, n, k, 1.5f, stored, fromRow ? m : k, b, n, 1f, banded, n, band);
        Assert.Equal(full, banded);
    }

    [Theory]
    [InlineData(64, 128)]
    [InlineData(13, 37)]
    public void TransposeMovesEveryElement(int rows, int cols)
    {
        var src = Random(rows * (cols + 3), 6); // padded rows
        var dst = new float[cols * (rows + 5)];
        Gemm.Transpose(src, cols + 3, rows, cols, dst, rows + 5);
        for (int j = 0; j < rows; j++)
            for (int p = 0; p < cols; p++)
                Assert.Equal(src[j * (cols + 3) + p], dst[p * (rows + 5) + j]);
    }

    private static float[] Transposed(float[] x, int rows, int cols)
    {
        var t = new float[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
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
