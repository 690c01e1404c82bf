using MuSharp.Kernels;
using MuSharp.Spectral;
using Xunit.Abstractions;
using static MuSharp.Tests.Spectral.SpectralTestMatrices;

namespace MuSharp.Tests.Spectral;

/// <summary>Newton–Schulz with bf16 products against the fp32 iteration.</summary>
public class MsignBf16Tests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(128, 192)]
    [InlineData(192, 128)]
    [InlineData(96, 96)]
    public void SameSingularValueBandAsFp32(int rows, int cols)
    {
        // Issue 12's criterion: the output's singular values span the same band as the fp32 iteration's within ±0.01.
        var m = Gaussian(rows, cols, 12345);
        var o32 = new float[m.Length];
        var o16 = new float[m.Length];
        var scratch = new float[Msign.ScratchLength(rows, cols)];
        Msign.NewtonSchulz(m, rows, cols, NsSchedule.KellerJordan, 5, scratch, o32);
        Msign.NewtonSchulzBf16(m, rows, cols, NsSchedule.KellerJordan, 5, scratch, o16);
        var s32 = SingularValues(o32, rows, cols);
        var s16 = SingularValues(o16, rows, cols);
        output.WriteLine($"fp32 σ ∈ [{s32[^1]:F4}, {s32[0]:F4}], bf16 σ ∈ [{s16[^1]:F4}, {s16[0]:F4}]");
        Assert.InRange(s16[0] - s32[0], -0.01, 0.01);
        Assert.InRange(s16[^1] - s32[^1], -0.01, 0.01);
        // And the directions agree: relative Frobenius distance of the two outputs.
        double diff = 0, norm = 0;
        for (int i = 0; i < m.Length; i++)
        {
            diff += Math.Pow(o16[i] - o32[i], 2);
            norm += Math.Pow(o32[i], 2);
        }
        Assert.True(Math.Sqrt(diff / norm) < 0.03, $"relative distance {Math.Sqrt(diff / norm):E2}");
    }

    [Theory]
    [InlineData(9, 5, false)]   // odd n: halves of 4 and 5 rows
    [InlineData(9, 5, true)]    // Pᵀ·P on [5, 9]: column halves
    [InlineData(1, 4, false)]   // n = 1: no first half at all
    [InlineData(64, 130, true)]
    public void SymmetricProductMatchesTheFullBf16Product(int n, int k, bool transpose)
    {
        // alpha·P·Pᵀ from three half-block GEMMs and a mirror equals the plain product of the bf16-rounded P.
        var p = Gaussian(transpose ? k : n, transpose ? n : k, 99);
        var rounded = (float[])p.Clone();
        Bf16.RoundInPlace(rounded);
        var expected = new float[n * n];
        int ld = transpose ? n : k;
        Gemm.Reference(transpose, !transpose, n, n, k, 0.5f, rounded, ld, rounded, ld, 0f, expected, n);
        var actual = new float[n * n];
        using (var ph = new Gemm.Bf16Operand(p)) Msign.SymmetricProductBf16(ph, n, k, transpose, 0.5f, actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void ZeroMapsToZeroAndShapesAreChecked()
    {
        var o = new float[12];
        Msign.NewtonSchulzBf16(new float[12], 3, 4, NsSchedule.KellerJordan, 5, new float[Msign.ScratchLength(3, 4)], o);
        Assert.All(o, v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => Msign.NewtonSchulzBf16(new float[12], 3, 4, NsSchedule.KellerJordan, 5, new float[3], o));
    }

    [Fact]
    public void MuonWithBf16NewtonSchulzTracksFp32()
    {
        // One Muon update on the same state in each precision: the weight changes agree to bf16 accuracy.
        const int rows = 48, cols = 64;
        var view = new MuSharp.Optim.MatrixView(1, rows, cols);
        var g = Gaussian(rows, cols, 7);
        float[] Step(Precision p)
        {
            var w = new float[rows * cols];
            var mom = new float[rows * cols];
            var config = new MuSharp.Optim.MuonConfig { NsPrecision = p };
            MuSharp.Optim.Muon.Update(w, g, mom, [], view, 1f, 0.1f, 0f, config, new float[view.WorkLength]);
            return w;
        }
        var w32 = Step(Precision.Fp32);
        var w16 = Step(Precision.Bf16);
        double diff = 0, norm = 0;
        for (int i = 0; i < w32.Length; i++)
        {
            diff += Math.Pow(w16[i] - w32[i], 2);
            norm += Math.Pow(w32[i], 2);
        }
        Assert.True(Math.Sqrt(diff / norm) < 0.03, $"relative distance {Math.Sqrt(diff / norm):E2}");
    }
}
