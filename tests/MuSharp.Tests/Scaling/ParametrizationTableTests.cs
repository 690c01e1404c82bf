using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Tests.Scaling;

/// <summary>
/// Pins every row of the parametrization table to docs/theory.md §2.2, §2.3 and §3.2. μP is stored in multiplier form,
/// so the tests compare the effective quantities of W_eff = multiplier·W: init var (std·c)², SGD lr s·c² (the gradient
/// and the step both pass through c), Adam lr s·c (the update's entries are Θ(1) whatever the gradient's scale).
/// </summary>
public sealed class ParametrizationTableTests
{
    private const int In = 784, Out = 10, Base = 128;

    private static LayerScale Row(ParametrizationKind kind, Role role, OptimizerFamily family, int d, MuonScaling muon = MuonScaling.Spectral) => role switch
    {
        Role.Input => Parametrization.For(kind, role, family, In, d, In, Base, muon),
        Role.Hidden => Parametrization.For(kind, role, family, d, d, Base, Base, muon),
        Role.Output => Parametrization.For(kind, role, family, d, Out, Base, Out, muon),
        Role.Vector => Parametrization.For(kind, role, family, 1, d, 1, Base, muon),
        _ => Parametrization.For(kind, role, family, 96, d, 96, Base, muon),
    };

    private static double EffVar(LayerScale s) => Math.Pow(s.InitStd!.Value * s.OutputMultiplier, 2);
    private static double EffSgdLr(LayerScale s) => s.LrScale * s.OutputMultiplier * s.OutputMultiplier;
    private static double EffAdamLr(LayerScale s) => s.LrScale * s.OutputMultiplier;

    [Theory]
    [InlineData(OptimizerFamily.Sgd)]
    [InlineData(OptimizerFamily.Adam)]
    [InlineData(OptimizerFamily.Muon)]
    public void StandardIsFanInInitOneLearningRateNoMultipliers(OptimizerFamily family)
    {
        foreach (int d in new[] { 64, 1024 })
            foreach (var role in new[] { Role.Input, Role.Hidden, Role.Output })
            {
                var s = Row(ParametrizationKind.Standard, role, family, d);
                int fanIn = role == Role.Input ? In : d;
                Assert.Equal(1 / Math.Sqrt(fanIn), s.InitStd!.Value, 12);
                Assert.Equal(1, s.LrScale);
                Assert.Equal(1, s.OutputMultiplier);
            }
        Assert.Null(Row(ParametrizationKind.Standard, Role.Vector, family, 64).InitStd);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    public void MupMatchesTensorProgramsVTable3(int m)
    {
        int d = Base * m;
        // init var (theory §2.3 row 1): input 1/fan_in, hidden 1/fan_in, output 1/fan_in² (anchored to SP at the base width).
        Assert.Equal(1.0 / In, EffVar(Row(ParametrizationKind.Mup, Role.Input, OptimizerFamily.Adam, d)), 12);
        Assert.Equal(1.0 / d, EffVar(Row(ParametrizationKind.Mup, Role.Hidden, OptimizerFamily.Adam, d)), 12);
        Assert.Equal(1.0 / Base / ((double)m * m), EffVar(Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Adam, d)), 12);
        // SGD lr (theory §2.3 row 2, §2.2): input and biases ×fan_out (m), hidden ×1, output ×1/fan_in (1/m).
        Assert.Equal(m, EffSgdLr(Row(ParametrizationKind.Mup, Role.Input, OptimizerFamily.Sgd, d)), 9);
        Assert.Equal(m, EffSgdLr(Row(ParametrizationKind.Mup, Role.Vector, OptimizerFamily.Sgd, d)), 9);
        Assert.Equal(1, EffSgdLr(Row(ParametrizationKind.Mup, Role.Hidden, OptimizerFamily.Sgd, d)), 9);
        Assert.Equal(1.0 / m, EffSgdLr(Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Sgd, d)), 9);
        // Adam lr (theory §2.3 row 3): input and biases ×1, hidden ×1/fan_in, output ×1/fan_in.
        Assert.Equal(1, EffAdamLr(Row(ParametrizationKind.Mup, Role.Input, OptimizerFamily.Adam, d)), 9);
        Assert.Equal(1, EffAdamLr(Row(ParametrizationKind.Mup, Role.Vector, OptimizerFamily.Adam, d)), 9);
        Assert.Equal(1.0 / m, EffAdamLr(Row(ParametrizationKind.Mup, Role.Hidden, OptimizerFamily.Adam, d)), 9);
        Assert.Equal(1.0 / m, EffAdamLr(Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Adam, d)), 9);
        // The readout multiplier is 1/width_mult (mup.MuReadout).
        Assert.Equal(1.0 / m, Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Sgd, d).OutputMultiplier, 12);
    }

    [Fact]
    public void MupEqualsStandardAtTheBaseWidth()
    {
        foreach (var family in new[] { OptimizerFamily.Sgd, OptimizerFamily.Adam, OptimizerFamily.Muon })
            foreach (var role in new[] { Role.Input, Role.Hidden, Role.Output, Role.Vector, Role.Embedding })
                Assert.Equal(Row(ParametrizationKind.Standard, role, family, Base), Row(ParametrizationKind.Mup, role, family, Base));
    }

    [Theory]
    [InlineData(OptimizerFamily.Sgd)]
    [InlineData(OptimizerFamily.Adam)]
    public void SpectralLearningRatesFollowTheirFanRatios(OptimizerFamily family)
    {
        foreach (var (din, dout, bin, bout) in new[] { (In, 1024, In, Base), (1024, 1024, Base, Base), (1024, Out, Base, Out), (512, 2048, Base, 4 * Base) })
        {
            var s = Parametrization.For(ParametrizationKind.Spectral, Role.Hidden, family, din, dout, bin, bout);
            // theory §3.2: SGD η ∝ d_out/d_in, Adam η ∝ 1/d_in; relative to the base fans.
            double expected = family == OptimizerFamily.Sgd ? (double)dout / din / ((double)bout / bin) : (double)bin / din;
            Assert.Equal(expected, s.LrScale, 12);
            Assert.Equal(Parametrization.SpectralInitStd(din, dout), s.InitStd!.Value, 12);
            Assert.Equal(1, s.OutputMultiplier);
        }
    }

    [Theory]
    [InlineData(256, 256)]
    [InlineData(784, 256)]
    [InlineData(256, 1024)]
    [InlineData(512, 10)]
    public void SpectralInitGivesUnitSpectralRatio(int din, int dout)
    {
        // theory §3 test idea (a): ‖W‖₂·sqrt(d_in/d_out) ≈ 1 for W ~ N(0, σ²), σ = sqrt(d_out/d_in)/(sqrt(d_in)+sqrt(d_out)).
        var w = new float[din * dout];
        new Rng(12345).FillNormal(w, 0f, (float)Parametrization.SpectralInitStd(din, dout));
        double ratio = Lapack.SingularValues(w, din, dout)[0] * Math.Sqrt((double)din / dout);
        Assert.InRange(ratio, 0.9, 1.02);
    }

    [Fact]
    public void SpectralHasTheSameWidthExponentsAsMup()
    {
        // theory §3.2 last bullet: shapes d_in×d, d×d, d×d_out reduce to μP as d → ∞ (var 1/d_in, 1/d, 1/d²; SGD d, 1, 1/d; Adam 1, 1/d, 1/d).
        double Slope(Func<int, double> f) => Math.Log(f(1 << 24) / f(1 << 22)) / Math.Log(4); // far out: the 784-wide input converges slowly
        foreach (var role in new[] { Role.Input, Role.Hidden, Role.Output })
            foreach (var family in new[] { OptimizerFamily.Sgd, OptimizerFamily.Adam })
            {
                double Eff(LayerScale s, bool var) => var ? EffVar(s) : family == OptimizerFamily.Sgd ? EffSgdLr(s) : EffAdamLr(s);
                foreach (bool var in new[] { true, false })
                {
                    double mup = Slope(d => Eff(Row(ParametrizationKind.Mup, role, family, d), var));
                    double spectral = Slope(d => Eff(Row(ParametrizationKind.Spectral, role, family, d), var));
                    Assert.True(Math.Abs(mup - spectral) < 0.03, $"{role} {family} {(var ? "init var" : "lr")}: μP exponent {mup:F3}, spectral {spectral:F3}");
                }
            }
    }

    [Theory]
    [InlineData(MuonScaling.Spectral, 1.0)]
    [InlineData(MuonScaling.KellerJordan, 1.0)]
    [InlineData(MuonScaling.Moonlight, 0.25)]
    public void MuonLrScaleKeepsTheSpectralConditionForEachScaling(MuonScaling scaling, double hiddenAt16x)
    {
        // Hidden d×d at m = 16: α is 1 for spectral/KJ, 0.2·sqrt(d) for Moonlight, so η must fall as 1/sqrt(m) there (theory §2.2 note).
        var s = Row(ParametrizationKind.Mup, Role.Hidden, OptimizerFamily.Muon, 16 * Base, scaling);
        Assert.Equal(hiddenAt16x, s.LrScale, 12);
        // Input 784 → d: ‖ΔW‖₂ = η·s·α ∝ sqrt(d/784) for every scaling.
        foreach (int d in new[] { Base, 8 * Base })
        {
            var input = Parametrization.For(ParametrizationKind.Spectral, Role.Input, OptimizerFamily.Muon, In, d, In, Base, scaling);
            double norm = input.LrScale * scaling.Factor(In, d);
            double normBase = scaling.Factor(In, Base);
            Assert.Equal(Math.Sqrt((double)d / Base), norm / normBase, 9);
        }
        // The head and vectors beside Muon get Adam's rows.
        Assert.Equal(Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Adam, 1024), Row(ParametrizationKind.Mup, Role.Output, OptimizerFamily.Muon, 1024));
    }

    [Fact]
    public void AttentionScaleIsInverseHeadDimAnchoredAtTheBase()
    {
        Assert.Equal((false, 1f), Parametrization.Attention(ParametrizationKind.Standard, 64, 16));
        var (invDh, mult) = Parametrization.Attention(ParametrizationKind.Mup, 64, 16);
        Assert.True(invDh);
        Assert.Equal(1 / MathF.Sqrt(16), mult / 16, 6);        // equals SP's 1/sqrt(d_head) at the base head dim
        Assert.Equal(4f / 64f, mult / 64, 6);                   // and falls as 1/d_head beyond it
    }
}
