using MuSharp.BatchScaling;
using MuSharp.Diagnostics;
using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;
using MuSharp.Spectral;

namespace MuSharp.Reproduce;

/// <summary>
/// The seeds' claims that need no training run, each checked in seconds with a verdict computed from prediction and
/// measurement (<see cref="ClaimResult.Compare"/>). Sources are the posts (kexue.fm archive numbers) and papers named in
/// docs/theory.md; the tolerance of each check is stated with its reason.
/// </summary>
public static class ClaimChecks
{
    /// <summary>Every claim below, in order; <paramref name="seed"/> drives every random draw.</summary>
    public static IReadOnlyList<ClaimResult> All(ulong seed = 1) =>
    [
        AdamUpdateRms(seed), GaussianSpectralNorm(seed), NewtonSchulzSingularValueMap(seed), PolarExpressCoefficients(),
        SpectralInitRatio(seed), MuonSpectralUpdateRatio(seed), SgdBatchLaw(seed), SignSgdBatchLaw(seed), AdamBatchLaw(seed),
        MomentumAmplification(seed), AdamWeightRmsSteadyState(seed), StabilityCertificates(seed), MupKeepsHiddenUpdateFlat(seed),
    ];

    /// <summary>Adam's update RMS at μ = 0 is sqrt((1−β₁)/(1+β₁)) = 0.2294 for β₁ = 0.9, independent of β₂ (theory §6). 5%: the mean-field error (sim 0.224).</summary>
    public static ClaimResult AdamUpdateRms(ulong seed = 1)
    {
        double predicted = BatchScaling.AdamUpdateRms.Predicted(0.9, 0);
        double measured = BatchScaling.AdamUpdateRms.Simulate(4000, 2000, 0.9, 0.95, 0, 1, new Rng(seed));
        return ClaimResult.Compare("Adam update RMS, β₁ = 0.9, μ = 0", "kexue.fm 11267 (theory §6)", predicted, measured, 0.05);
    }

    /// <summary>A 512×128 standard Gaussian matrix has ‖W‖₂ ≈ √512 + √128 (theory §3.3); 3%: finite-size values sit ~1% below.</summary>
    public static ClaimResult GaussianSpectralNorm(ulong seed = 1)
    {
        var w = new float[512 * 128];
        new Rng(seed).FillNormal(w, 0f, 1f);
        double measured = Lapack.SingularValues(w, 512, 128)[0];
        return ClaimResult.Compare("Gaussian ‖W‖₂ = √n + √m (512×128)", "kexue.fm 11335, 10795 (theory §3.3)", Math.Sqrt(512) + Math.Sqrt(128), measured, 0.03);
    }

    /// <summary>
    /// Newton–Schulz acts on each singular value as its scalar polynomial (theory §5.2): the largest singular value of
    /// the 5-step Keller Jordan output equals max_i f(σ_i/‖M‖_F) computed from the input's singular values; 1e-4 is float rounding.
    /// </summary>
    public static ClaimResult NewtonSchulzSingularValueMap(ulong seed = 1)
    {
        const int rows = 96, cols = 48;
        var m = new float[rows * cols];
        new Rng(seed).FillNormal(m, 0f, 1f);
        double frob = Math.Sqrt(m.Sum(x => (double)x * x));
        double predicted = Lapack.SingularValues(m, rows, cols).Max(s => NsSchedule.KellerJordan.Map(s / frob, 5));
        var o = new float[m.Length];
        Msign.NewtonSchulz(m, rows, cols, NsSchedule.KellerJordan, 5, o);
        double measured = Lapack.SingularValues(o, rows, cols)[0];
        return ClaimResult.Compare("NS maps each σ by its polynomial (KJ, 5 steps, max σ)", "kexue.fm 10592, 10922 (theory §5.2)", predicted, measured, 1e-4);
    }

    /// <summary>Polar Express's greedy minimax composition reproduces the published coefficients (theory §5.3); 1e-9 relative on the worst of 18.</summary>
    public static ClaimResult PolarExpressCoefficients()
    {
        double[][] published =
        [
            [8.28721201814563, -23.595886519098837, 17.300387312530933],
            [4.107059111542203, -2.9478499167379106, 0.5448431082926601],
            [3.9486908534822946, -2.908902115962949, 0.5518191394370137],
            [3.3184196573706015, -2.488488024314874, 0.51004894012372],
            [2.300652019954817, -1.6689039845747493, 0.4188073119525673],
            [1.891301407787398, -1.2679958271945868, 0.37680408948524835],
        ];
        var computed = PolarExpress.Compose(1e-3, 6, 1.0);
        double worst = 0;
        for (int t = 0; t < 6; t++)
        {
            double[] c = [computed[t].A, computed[t].B, computed[t].C];
            for (int k = 0; k < 3; k++) worst = Math.Max(worst, Math.Abs(c[k] / published[t][k] - 1));
        }
        return ClaimResult.Compare("Polar Express coefficients (6 steps, worst relative error)", "arXiv 2505.16932, kexue.fm 10996 (theory §5.3)", 0, worst, 1e-9);
    }

    /// <summary>The spectral init σ = sqrt(d_out/d_in)/(√d_in + √d_out) gives ‖W‖₂·sqrt(d_in/d_out) ≈ 1 (theory §3.2); the ratio furthest from 1 over three shapes, 5%.</summary>
    public static ClaimResult SpectralInitRatio(ulong seed = 1)
    {
        var rng = new Rng(seed);
        double worst = 1;
        foreach (var (din, dout) in new[] { (784, 256), (256, 256), (256, 10) })
        {
            var w = new float[din * dout];
            rng.FillNormal(w, 0f, (float)Parametrization.SpectralInitStd(din, dout));
            double ratio = Lapack.SingularValues(w, din, dout)[0] * Math.Sqrt((double)din / dout);
            if (Math.Abs(ratio - 1) > Math.Abs(worst - 1)) worst = ratio;
        }
        return ClaimResult.Compare("spectral init: ‖W‖₂·sqrt(d_in/d_out) = 1", "kexue.fm 10795, arXiv 2310.17813 (theory §3.2)", 1, worst, 0.05,
            "finite-size: ‖W‖₂ of a Gaussian sits below √n + √m for small or very rectangular shapes");
    }

    /// <summary>Muon with α = sqrt(d_out/d_in) and exact msign moves W by ‖ΔW‖₂·sqrt(d_in/d_out) = η exactly (theory §4.2, §4.5); 1e-4 is float rounding.</summary>
    public static ClaimResult MuonSpectralUpdateRatio(ulong seed = 1)
    {
        const float lr = 0.05f;
        var p = new Parameter("w", Role.Hidden, 64, 192, new float[64 * 192], [64, 192]);
        p.Grad = new float[p.Size];
        new Rng(seed).FillNormal(p.Grad, 0f, 1f);
        new Muon([p], new MuonConfig { ExactMsign = true, Scaling = MuonScaling.Spectral, Momentum = 0f }).Step(lr);
        double measured = Lapack.SingularValues(p.Data, 64, 192)[0] * Math.Sqrt(64.0 / 192);
        return ClaimResult.Compare("Muon (spectral α) update: ‖ΔW‖₂·sqrt(d_in/d_out) = η", "kexue.fm 11605, 11416 (theory §4.2, §4.5)", lr, measured, 1e-4);
    }

    private static QuadraticProblem Planted(ulong seed) => QuadraticProblem.Planted(64, new Rng(seed + 2024), eigenMin: 1, eigenMax: 10, noiseStd: 1);

    /// <summary>SGD's one-step optimum η* = η_max/(1 + B_noise/B) at B = B_noise on a planted quadratic (theory §7.2; exact for quadratics), 5% (&gt; 7 MC standard errors).</summary>
    public static ClaimResult SgdBatchLaw(ulong seed = 1)
    {
        var p = Planted(seed);
        var mc = QuadraticLab.OptimalLr(p, UpdateRules.Sgd(p, p.BNoise, new Rng(seed + 7)), 20_000);
        return ClaimResult.Compare("SGD η*(B) = η_max/(1 + B_noise/B), B = B_noise", "kexue.fm 10542, arXiv 1812.06162 (theory §7.2)",
            BatchSizeLaws.SgdOptimalLr(p.EtaMax, p.BNoise, p.BNoise), mc.OptimalLr, 0.05);
    }

    /// <summary>SignSGD's mean-field optimum (route B, theory §7.3) at B = B_simple, 10% (mean-field error measured ≤ 4.5% from B_simple/4 up).</summary>
    public static ClaimResult SignSgdBatchLaw(ulong seed = 1)
    {
        var p = Planted(seed);
        var mc = QuadraticLab.OptimalLr(p, UpdateRules.SignSgd(p, p.BSimple, new Rng(seed + 5)), 20_000);
        return ClaimResult.Compare("SignSGD η*(B), mean field, B = B_simple", "kexue.fm 11280 (theory §7.3)",
            QuadraticPredictions.SignSgdMeanField(p, p.BSimple), mc.OptimalLr, 0.10, "the mean field E[sign x] ≈ E[x]/sqrt(E[x²]) overestimates erf at low SNR");
    }

    /// <summary>Adam's mean-field optimum with momentum (theory §7.6) at B = B_simple, 15% (mean field plus momentum correlation).</summary>
    public static ClaimResult AdamBatchLaw(ulong seed = 1)
    {
        var p = Planted(seed);
        var mc = QuadraticLab.OptimalLr(p, UpdateRules.Adam(p, p.BSimple, 0.9, 0.999, 0, new Rng(seed + 9)), 20_000);
        return ClaimResult.Compare("Adam η*(B), mean field, β₁ = 0.9, B = B_simple", "kexue.fm 11301 (theory §7.6)",
            QuadraticPredictions.Adam(p, p.BSimple, 0.9), mc.OptimalLr, 0.15, "the mean-field treatment of m²/v");
    }

    /// <summary>
    /// Momentum multiplies the batch by (1+β₁)/(1−β₁) (theory §7.6): the B_noise fitted to SGDM's Monte-Carlo optima at
    /// four batches, against B_noise/(that factor) with β₁ = 0.9 (19×); 10% (MC error of the fit).
    /// </summary>
    public static ClaimResult MomentumAmplification(ulong seed = 1)
    {
        const double beta1 = 0.9;
        var p = Planted(seed);
        double amplification = BatchSizeLaws.MomentumAmplification(beta1), bEff = p.BNoise / amplification;
        double num = 0, den = 0;
        foreach (double f in new[] { 0.25, 0.5, 1, 2 })
        {
            double b = f * bEff;
            var mc = QuadraticLab.OptimalLr(p, UpdateRules.SgdMomentum(p, b, beta1, new Rng(seed + 11)), 20_000);
            num += (p.EtaMax / mc.OptimalLr - 1) / b;       // η_max/η* − 1 = B_eff/B, least squares through 0
            den += 1 / (b * b);
        }
        return ClaimResult.Compare("momentum amplifies the batch by (1+β₁)/(1−β₁), β₁ = 0.9", "kexue.fm 11301 (theory §7.6)",
            amplification, p.BNoise / (num / den), 0.10);
    }

    /// <summary>AdamW's weight RMS settles at sqrt(η/2λ) (theory §6, S11307): N = 1000, η = 1e-3, λ = 1, 20 time constants; 5%.</summary>
    public static ClaimResult AdamWeightRmsSteadyState(ulong seed = 1)
    {
        var rms = BatchScaling.AdamWeightRms.Simulate(1000, 20_000, 1e-3f, 1f, 0.9f, 0.95f, 0.1f, new Rng(seed), [20_000]);
        return ClaimResult.Compare("AdamW weight RMS → sqrt(η/2λ)", "kexue.fm 11307 (theory §6)", BatchScaling.AdamWeightRms.SteadyState(1e-3, 1), rms[0], 0.05);
    }

    /// <summary>
    /// The composed stability bounds dominate the measured maxima (theory §4.1–4.3, §14.1–14.2) on a small MLP and a small GPT
    /// after one AdamW step: the smallest bound/measured ratio over every unit and metric, predicted ≥ 1 (reported as
    /// 1 when it is; float rounding allows 1e-5).
    /// </summary>
    public static ClaimResult StabilityCertificates(ulong seed = 1)
    {
        var options = new StabilitySweepOptions { MlpInputs = 32, Seed = seed, Measure = new StabilityOptions { Restarts = 2, Iterations = 15, Seed = seed } };
        var points = StabilitySweep.Mlp([32], [ParametrizationKind.Mup], options)
            .Concat(StabilitySweep.Gpt([32], [ParametrizationKind.Mup], options with { Gpt = options.Gpt with { Layers = 1 } }));
        double worst = points.SelectMany(p => Enum.GetValues<StabilityMetric>().Select(m => p.Result.Bound[m] / p.Result.Measured[m])).Min();
        return ClaimResult.Compare("certified bound ≥ measured (min bound/measured, capped at 1)", "kexue.fm 11340, 11605, 11647 (theory §4.1–4.3)",
            1, Math.Min(worst, 1), 1e-5);
    }

    /// <summary>
    /// "Which parametrization keeps the update Θ(1)" as a measurement (theory §4.1, §2.2): the MLP hidden layer's measured
    /// update slope against width (32–128) under μP, predicted 0; ±0.15 (three widths, one seed).
    /// </summary>
    public static ClaimResult MupKeepsHiddenUpdateFlat(ulong seed = 1)
    {
        var options = new StabilitySweepOptions { MlpInputs = 32, Seed = seed, Measure = new StabilityOptions { Restarts = 2, Iterations = 15, Seed = seed } };
        var slopes = StabilitySweep.Slopes(StabilitySweep.Mlp([32, 64, 128], [ParametrizationKind.Mup], options));
        double measured = slopes.Single(s => s.Unit == "layer1" && s.Metric == StabilityMetric.Update).MeasuredSlope;
        return ClaimResult.Compare("μP: hidden update slope vs width = 0", "kexue.fm 10770, 11340 (theory §2.2, §4.1)", 0, measured, 0.15);
    }
}
