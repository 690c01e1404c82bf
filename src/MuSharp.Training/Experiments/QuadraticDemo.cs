using MuSharp.BatchScaling;
using MuSharp.Reports;

namespace MuSharp.Experiments;

/// <summary>
/// The planted-quadratic checks of theory §7 (test ideas 1–4) as report data: for each case, the Monte-Carlo one-step
/// optimal learning rate over a log grid of batch sizes beside the theory's prediction. The same harness, with
/// tolerances, is what the tests assert; this is the picture of it. Seeds are fixed, so the figure is reproducible.
/// </summary>
public static class QuadraticDemo
{
    private const int N = 64, Samples = 20_000, GridPoints = 13;

    public static IReadOnlyList<QuadraticLrPoint> Run()
    {
        var points = new List<QuadraticLrPoint>();
        void Case(string name, QuadraticProblem p, double low, double high, Func<QuadraticProblem, double, Rng, UpdateDraw> rule, Func<double, double> predicted)
        {
            double[] batches = QuadraticLab.LogGrid(low, high, GridPoints);
            var measured = QuadraticLab.Sweep(p, batches, b => rule(p, b, new Rng(3)), Samples);
            for (int k = 0; k < batches.Length; k++) points.Add(new QuadraticLrPoint(name, batches[k], measured[k].OptimalLr, predicted(batches[k])));
        }

        // §7.2: SGD on a planted H (eigenvalues 1…10 in a random basis): η_max/(1 + B_noise/B), exact for a quadratic.
        var planted = QuadraticProblem.Planted(N, new Rng(2024), eigenMin: 1, eigenMax: 10, noiseStd: 1);
        Case("sgd (§7.2)", planted, planted.BNoise / 16, planted.BNoise * 16, UpdateRules.Sgd, b => QuadraticPredictions.Sgd(planted, b));
        // §7.6: SGD with momentum 0.9 at stationarity: the batch is amplified (1+β)/(1−β) = 19×.
        Case("sgd momentum 0.9 (§7.6)", planted, planted.BNoise / 256, planted.BNoise, (p, b, r) => UpdateRules.SgdMomentum(p, b, 0.9, r),
            b => QuadraticPredictions.SgdMomentum(planted, b, 0.9));
        // §7.3 route B: SignSGD with per-coordinate mean field (no κ² averaging).
        Case("signsgd (§7.3 mean field)", planted, planted.BSimple / 64, planted.BSimple * 64, UpdateRules.SignSgd,
            b => QuadraticPredictions.SignSgdMeanField(planted, b));

        // Every coordinate at the same SNR (σ_i = |g_i|, B_simple = 1), so the averaged surge formulas apply exactly.
        var rng = new Rng(99);
        var g = new double[N];
        for (int i = 0; i < N; i++) g[i] = rng.NextNormal();
        var sigma = g.Select(Math.Abs).ToArray();
        // §7.3: H = I + 16·s sᵀ/N makes Σ_{i≠j} H_ij sign(g_i g_j) > ΣH_ii: the optimal lr peaks, then falls.
        var coupled = QuadraticProblem.SignCoupled(g, sigma, c: 16);
        double signPeak = BatchSizeLaws.SignSgdSurgePeakBatch(coupled.SumHii, coupled.OffDiagSignSum, coupled.BSimple)!.Value;
        Case("signsgd surge (§7.3)", coupled, signPeak / 16, signPeak * 16, UpdateRules.SignSgd, b => QuadraticPredictions.SignSgdMeanField(coupled, b));
        // §7.6: Adam β1 = 0.9 surges even with a diagonal H, past ((1−β1)/(3β1−1))·B_simple.
        var diagonal = QuadraticProblem.Diagonal(g, g.Select(x => 0.5 + Math.Abs(x)).ToArray(), sigma);
        double adamPeak = BatchSizeLaws.AdamSurgePeakBatch(0.9, diagonal.BSimple)!.Value;
        Case("adam β1 0.9 surge (§7.6)", diagonal, adamPeak / 16, adamPeak * 16, (p, b, r) => UpdateRules.Adam(p, b, 0.9, 0.999, 0, r),
            b => QuadraticPredictions.Adam(diagonal, b, 0.9));
        return points;
    }
}
