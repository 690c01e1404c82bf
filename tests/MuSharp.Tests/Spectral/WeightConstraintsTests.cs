using MuSharp.Kernels;
using MuSharp.Spectral;
using static MuSharp.Tests.Spectral.SpectralTestMatrices;

namespace MuSharp.Tests.Spectral;

public class WeightConstraintsTests
{
    [Fact]
    public void PreDecayKeepsTheSpectralNormBounded()
    {
        // §4.4: with ‖delta‖₂ ≤ decay·τ, Pre Decay keeps ‖W_t‖₂ ≤ max(‖W₀‖₂, τ) for every t. 1000 random steps
        // from a W₀ far above τ (it must shrink) and a growth-prone update (it must not grow past τ).
        const int R = 12, C = 8, Steps = 1000;
        const float Tau = 2f, Decay = 0.05f;
        var w = Gaussian(R, C, 5);
        double bound = Math.Max(SingularValues(w, R, C)[0], Tau);
        var rng = new Rng(99);
        var g = new float[w.Length];
        var delta = new float[w.Length];
        var next = new float[w.Length];
        double last = 0;
        for (int t = 0; t < Steps; t++)
        {
            // delta = −decay·τ·msign(W + noise): a Muon-like step of spectral norm exactly decay·τ that mostly
            // grows W along its own singular directions, the worst case for the bound.
            rng.FillNormal(g, 0f, 1f);
            for (int i = 0; i < g.Length; i++) g[i] += w[i];
            Msign.Exact(g, R, C, delta);
            for (int i = 0; i < delta.Length; i++) delta[i] *= -Decay * Tau;
            WeightConstraints.PreDecay(w, delta, R, C, Decay, next);
            (w, next) = (next, w);
            last = SpectralOps.SpectralNorm(w, R, C);
            Assert.True(last <= bound * (1 + 1e-5), $"step {t}: ‖W‖₂ = {last} > max(‖W₀‖₂, τ) = {bound}");
        }
        Assert.True(last > 0.9 * Tau, $"aligned updates should hold ‖W‖₂ near τ, got {last}");
        Assert.True(bound > Tau && last < bound * 0.9, "W₀ above τ should have decayed");
    }

    [Fact]
    public void WithoutDecayTheSameUpdatesBreakTheBound()
    {
        // Control for the test above: decay = 0 leaves W unclipped, and the same aligned steps −0.1·msign(W)
        // (spectral norm 0.1, which the bound's premise only allows with decay ≥ 0.05) grow ‖W‖₂ past max(‖W₀‖₂, τ).
        const int R = 12, C = 8;
        var w = Gaussian(R, C, 5);
        double bound = Math.Max(SingularValues(w, R, C)[0], 2.0);
        var (delta, next) = (new float[w.Length], new float[w.Length]);
        for (int t = 0; t < 100; t++)
        {
            Msign.Exact(w, R, C, delta);
            for (int i = 0; i < delta.Length; i++) delta[i] *= -0.1f;
            WeightConstraints.PreDecay(w, delta, R, C, 0f, next);
            (w, next) = (next, w);
        }
        Assert.True(SingularValues(w, R, C)[0] > bound + 5, "aligned steps without decay should grow ‖W‖₂ by about 10");
    }

    [Fact]
    public void PostClipMatchesMClipAndTopVariantClipsSigmaOne()
    {
        const int R = 16, C = 10;
        var w = Gaussian(R, C, 8);
        var s = SingularValues(w, R, C);
        float tau = (float)(0.5 * (s[0] + s[1])); // only σ₁ exceeds τ, so SVD1 is exact here
        var exact = new float[w.Length];
        var top = new float[w.Length];
        WeightConstraints.PostClip(w, R, C, tau, exact);
        Assert.True(RelativeError(exact, SpectralMap(w, R, C, x => Math.Min(x, tau))) < 1e-5);
        float sigma = WeightConstraints.PostClipTop(w, R, C, tau, 500, new float[C], top);
        Assert.Equal(s[0], sigma, 3);
        Assert.True(MaxAbsDiff(exact, top) < 1e-3, $"one-singular-value Post Clip vs exact: {MaxAbsDiff(exact, top)}");
        Assert.Equal(tau, SingularValues(top, R, C)[0], 3);
    }

    [Fact]
    public void SpectralWeightDecayShrinksOnlyTheTopSingularValue()
    {
        // §4.4: W − decay·σ₁·u₁·v₁ᵀ − delta; with delta = 0, σ₁ becomes (1 − decay)·σ₁ and the rest stay put.
        const int R = 16, C = 10;
        const float Decay = 0.1f;
        var w = Gaussian(R, C, 13);
        var s = SingularValues(w, R, C);
        var dst = new float[w.Length];
        var v = new float[C];
        WeightConstraints.SpectralWeightDecay(w, new float[w.Length], R, C, Decay, 500, v, dst);
        var after = SingularValues(dst, R, C).OrderDescending().ToArray();
        var expected = s.Skip(1).Append((1 - Decay) * s[0]).OrderDescending().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], after[i], 3);
        // delta is subtracted as given.
        var delta = Gaussian(R, C, 14);
        var withDelta = new float[w.Length];
        WeightConstraints.SpectralWeightDecay(w, delta, R, C, Decay, 500, v, withDelta);
        Assert.True(MaxAbsDiff(dst.Select((x, i) => x - delta[i]).ToArray(), withDelta) < 1e-4,
            $"delta not subtracted as given: {MaxAbsDiff(dst.Select((x, i) => x - delta[i]).ToArray(), withDelta)}");
    }
}
