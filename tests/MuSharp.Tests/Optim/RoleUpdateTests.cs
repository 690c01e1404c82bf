using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Optim;

/// <summary>The per-role steepest-descent directions of theory §4.3 and the <see cref="SteepestDescent"/> optimizer.</summary>
public class RoleUpdateTests
{
    private const float Lr = 0.03f;

    private static float[] Gaussian(int n, ulong seed)
    {
        var x = new float[n];
        new Rng(seed).FillNormal(x, 0f, 1f);
        return x;
    }

    private static double Rms(IEnumerable<float> x)
    {
        var a = x.ToArray();
        return Math.Sqrt(a.Sum(v => (double)v * v) / a.Length);
    }

    /// <summary>Δ = θ_after − θ_before of one SteepestDescent step (β = 0) on a parameter with gradient g.</summary>
    private static float[] OneStep(Parameter p, float[] g, bool gain = false)
    {
        var before = (float[])p.Data.Clone();
        p.Grad = g;
        new SteepestDescent([p], momentum: 0f, gains: gain ? [p] : null).Step(Lr);
        return p.Data.Select((v, i) => v - before[i]).ToArray();
    }

    [Fact]
    public void EachEmbeddingRowUpdateHasRmsLr()
    {
        // E [|V| = 11, d = 37]: ΔE_i = −η G_i/‖G_i‖_RMS (theory §4.3). Row 3 has zero gradient (token not seen).
        const int vocab = 11, d = 37;
        var p = Parameter.Matrix("tok", Role.Embedding, vocab, d, new Rng(1), 1f);
        var g = Gaussian(vocab * d, 2);
        for (int i = 0; i < vocab; i++) for (int j = 0; j < d; j++) g[i * d + j] *= i + 1; // rows of different sizes
        Array.Clear(g, 3 * d, d);
        var delta = OneStep(p, g);
        for (int i = 0; i < vocab; i++)
        {
            var row = delta.Skip(i * d).Take(d).ToArray();
            Assert.Equal(i == 3 ? 0 : Lr, Rms(row), 5);
            for (int j = 0; j < d; j++) Assert.True(row[j] * g[i * d + j] <= 0, "update must descend");
        }
    }

    [Fact]
    public void EachHeadColumnUpdateHasRmsLrOverFanIn()
    {
        // W [d = 37, |V| = 7] = [FanIn, FanOut]: ΔW_{:,j} = −(η/d) G_{:,j}/‖G_{:,j}‖_RMS (theory §4.3).
        const int d = 37, vocab = 7;
        var p = Parameter.Matrix("head", Role.Output, d, vocab, new Rng(3), 0.1f);
        var g = Gaussian(d * vocab, 4);
        for (int i = 0; i < d; i++) for (int j = 0; j < vocab; j++) g[i * vocab + j] *= j + 1; // columns of different sizes
        var delta = OneStep(p, g);
        for (int j = 0; j < vocab; j++)
        {
            var column = Enumerable.Range(0, d).Select(i => delta[i * vocab + j]);
            Assert.Equal(Lr / d, Rms(column), 6);
        }
        // The rows are not normalized: with column scales 1..7, the row RMS values differ.
        var rowRms = Enumerable.Range(0, d).Select(i => Rms(delta.Skip(i * vocab).Take(vocab))).ToArray();
        Assert.True(rowRms.Max() > 1.5 * rowRms.Min());
    }

    [Fact]
    public void GainUpdatesArePlusOrMinusLr()
    {
        var p = Parameter.Vector("ln.gain", 37, 1f);
        var g = Gaussian(37, 5);
        var delta = OneStep(p, g, gain: true);
        for (int i = 0; i < 37; i++) Assert.Equal(-Lr * MathF.Sign(g[i]), delta[i], 6);
    }

    [Fact]
    public void BiasUpdateHasRmsLr()
    {
        var p = Parameter.Vector("fc.bias", 37, 0f);
        var g = Gaussian(37, 6);
        for (int i = 0; i < 37; i++) g[i] *= 1 + i; // not sign-like: the update is not ±η per coordinate
        var delta = OneStep(p, g);
        Assert.Equal(Lr, Rms(delta), 6);
        Assert.NotEqual(Lr, MathF.Abs(delta[0]), 3);
        double cosine = delta.Zip(g, (a, b) => (double)a * b).Sum() / Math.Sqrt(delta.Sum(a => (double)a * a) * g.Sum(b => (double)b * b));
        Assert.Equal(-1, cosine, 5);
    }

    [Fact]
    public void ZeroVectorGradientGivesZeroDirection()
    {
        var phi = new float[5];
        Array.Fill(phi, 9f);
        RoleUpdates.Bias(new float[5], phi);
        Assert.All(phi, v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(Role.Hidden)]
    [InlineData(Role.Input)]
    public void MatrixRoleWithoutARuleNamesTheParameter(Role role)
    {
        var emb = Parameter.Matrix("tok", Role.Embedding, 4, 3, new Rng(1), 1f);
        var w = Parameter.Matrix("blocks.0.mlp.up", role, 3, 5, new Rng(2), 1f);
        var ex = Assert.Throws<ArgumentException>(() => new SteepestDescent([emb, w]));
        Assert.Contains("'blocks.0.mlp.up'", ex.Message);
        Assert.Contains("Muon", ex.Message);
    }

    [Fact]
    public void GainsMustBeVectorParametersOfTheOptimizer()
    {
        var emb = Parameter.Matrix("tok", Role.Embedding, 4, 3, new Rng(1), 1f);
        var ex = Assert.Throws<ArgumentException>(() => new SteepestDescent([emb], gains: [emb]));
        Assert.Contains("'tok'", ex.Message);
    }

    private static Parameter[] Model() =>
    [
        Parameter.Matrix("tok", Role.Embedding, 5, 37, new Rng(7), 1f),
        Parameter.Matrix("head", Role.Output, 37, 5, new Rng(8), 0.1f),
        Parameter.Vector("ln.gain", 37, 1f),
        Parameter.Vector("ln.bias", 37, 0f),
    ];

    private static void SetGrads(Parameter[] ps, ulong seed)
    {
        foreach (var p in ps) p.Grad = Gaussian(p.Size, seed++ * 31);
    }

    [Fact]
    public void StepAfterRestoreEqualsUninterruptedStep()
    {
        var a = Model();
        var straight = new SteepestDescent(a, momentum: 0.9f, weightDecay: 0.1f, gains: [a[2]]);
        for (int t = 0; t < 3; t++) { SetGrads(a, (ulong)(10 * t + 1)); straight.Step(Lr); }

        var b = Model();
        var first = new SteepestDescent(b, momentum: 0.9f, weightDecay: 0.1f, gains: [b[2]]);
        for (int t = 0; t < 2; t++) { SetGrads(b, (ulong)(10 * t + 1)); first.Step(Lr); }
        var restored = new SteepestDescent(b, momentum: 0.9f, weightDecay: 0.1f, gains: [b[2]]);
        restored.LoadState(first.State, first.StepCount);
        SetGrads(b, 21);
        restored.Step(Lr);

        for (int k = 0; k < a.Length; k++) Assert.Equal(a[k].Data, b[k].Data);
        Assert.Equal(["m:head", "m:ln.bias", "m:ln.gain", "m:tok"], first.State.Keys.Order());

        // Without the restored momentum, the third step differs.
        var c = Model();
        var again = new SteepestDescent(c, momentum: 0.9f, weightDecay: 0.1f, gains: [c[2]]);
        for (int t = 0; t < 2; t++) { SetGrads(c, (ulong)(10 * t + 1)); again.Step(Lr); }
        SetGrads(c, 21);
        new SteepestDescent(c, momentum: 0.9f, weightDecay: 0.1f, gains: [c[2]]).Step(Lr);
        Assert.NotEqual(a[0].Data, c[0].Data);
    }
}
