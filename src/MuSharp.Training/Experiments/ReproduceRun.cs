using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MuSharp.BatchScaling;
using MuSharp.Data;
using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Reports;
using MuSharp.Reproduce;
using MuSharp.Scaling;
using MuSharp.Spectral;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>What `musharp reproduce` runs: quick or full effort, an optional subset of claim ids, the seed and a scratch folder.</summary>
public sealed record ReproduceOptions
{
    /// <summary>Quick: small widths, one seed, short runs and fewer Monte-Carlo draws (minutes on 2 cores); false: the docs' sizes.</summary>
    public bool Quick { get; init; } = true;

    /// <summary>Claim ids to run (<see cref="ReproduceRun.Ids"/>); null or empty = all.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    public ulong Seed { get; init; } = 1;

    /// <summary>Where the training claims put their short runs (deleted afterwards); null = a temporary folder.</summary>
    public string? ScratchDir { get; init; }
}

/// <summary>One row of the reproduce table: the claim's id, its computed result, the time it took and its figure.</summary>
public sealed record ReproduceRow(string Id, ClaimResult Result, double Seconds, ReportFigure Figure);

/// <summary>
/// The reproduce table: every claim's prediction, measurement and verdict (<see cref="TextTable"/> for the console,
/// <see cref="MarkdownTable"/> for docs, <see cref="Sections"/> for the report page).
/// </summary>
public sealed record ReproduceReport(IReadOnlyList<ReproduceRow> Rows, bool Quick, double Seconds)
{
    public int Reproduced => Rows.Count(r => r.Result.Verdict == ClaimVerdict.Reproduced);
    public int Missed => Rows.Count - Reproduced;

    /// <summary>"N of M claims reproduced, K missed (with causes) in S s (quick)".</summary>
    public string Summary => $"{Reproduced} of {Rows.Count} claims reproduced, {Missed} missed, in {Seconds:F0} s ({(Quick ? "quick" : "full")})";

    /// <summary>Aligned text: id, claim, source, prediction, measurement, tolerance, verdict (and cause for misses).</summary>
    public IReadOnlyList<string> TextTable()
    {
        int idWidth = Math.Max(2, Rows.Select(r => r.Id.Length).DefaultIfEmpty(2).Max());
        int claimWidth = Math.Min(60, Rows.Select(r => r.Result.Claim.Length).DefaultIfEmpty(5).Max());
        var lines = new List<string> { $"{"id".PadRight(idWidth)}  {"claim".PadRight(claimWidth)}  {"prediction",11}  {"measurement",11}  {"tolerance",10}  verdict" };
        foreach (var r in Rows)
        {
            var c = r.Result;
            string claim = c.Claim.Length > claimWidth ? c.Claim[..(claimWidth - 1)] + "…" : c.Claim.PadRight(claimWidth);
            lines.Add($"{r.Id.PadRight(idWidth)}  {claim}  {G4(c.Prediction),11}  {G4(c.Measurement),11}  {Tolerance(c),10}  {Verdict(c)}");
        }
        lines.Add(Summary);
        return lines;
    }

    /// <summary>Markdown: id, claim, source, prediction, measurement, tolerance, verdict, cause.</summary>
    public IReadOnlyList<string> MarkdownTable()
    {
        var lines = new List<string> { "| id | claim | source | prediction | measurement | tolerance | verdict |", "|---|---|---|---:|---:|---:|---|" };
        foreach (var r in Rows)
        {
            var c = r.Result;
            lines.Add($"| {r.Id} | {c.Claim} | {c.Source} | {G4(c.Prediction)} | {G4(c.Measurement)} | {Tolerance(c)} | {Verdict(c)} |");
        }
        return lines;
    }

    /// <summary>The report page's sections: the table, then one section per claim with its figure.</summary>
    public IReadOnlyList<ReportSection> Sections()
    {
        var table = new StringBuilder("<table class=\"verdicts\"><thead><tr><th>id</th><th>claim</th><th>source</th><th>prediction</th><th>measurement</th><th>tolerance</th><th>verdict</th></tr></thead><tbody>\n");
        foreach (var r in Rows)
        {
            var c = r.Result;
            string css = c.Verdict == ClaimVerdict.Reproduced ? "verdict-flat" : "verdict-growing";
            table.Append("<tr>").Append(Cell(r.Id)).Append(Cell(c.Claim)).Append(Cell(c.Source)).Append(Cell(G4(c.Prediction))).Append(Cell(G4(c.Measurement)))
                .Append(Cell(Tolerance(c))).Append("<td class=\"").Append(css).Append("\">").Append(WebUtility.HtmlEncode(Verdict(c))).AppendLine("</td></tr>");
        }
        table.AppendLine("</tbody></table>");
        var sections = new List<ReportSection> { new("claims", "Claims", [], table.ToString()) };
        sections.AddRange(Rows.Select(r => new ReportSection("claim-" + r.Id, r.Result.Claim, [r.Figure],
            $"<p>{WebUtility.HtmlEncode(r.Result.Source)}; {WebUtility.HtmlEncode(Verdict(r.Result))} ({r.Seconds:F1} s).</p>\n")));
        return sections;
    }

    private static string Cell(string text) => "<td>" + WebUtility.HtmlEncode(text) + "</td>";

    internal static string G4(double v) => v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Tolerance(ClaimResult c) => c.Absolute || c.Prediction == 0 ? "±" + G4(c.Tolerance) : "±" + (c.Tolerance * 100).ToString("G3", CultureInfo.InvariantCulture) + "%";

    private static string Verdict(ClaimResult c) => c.Verdict == ClaimVerdict.Reproduced ? "reproduced" : $"MISSED: {c.Cause}";
}

/// <summary>
/// `musharp reproduce`: every checkable claim of the seeds in one table. The 13 quick checks of
/// <see cref="ClaimChecks"/> (no training), plus claims that need short training or Monte-Carlo runs: the coordinate check
/// (spectral MLP input-layer slope against its prediction, μP flat), μTransfer drift, SoftSign and Muon η*(B) laws, Adam's
/// surge, the weight-RMS law in training and the spectral stability slopes. Each row has a figure for the report page.
/// (Named ReproduceRun, not Reproduce, so it cannot be mistaken for the namespace <c>MuSharp.Reproduce</c>.)
/// </summary>
public static class ReproduceRun
{
    private sealed record Entry(string Id, Func<Context, (ClaimResult Result, ReportFigure? Figure)> Run);

    private sealed record Context(ReproduceOptions Options, string Scratch, Action<string> Progress)
    {
        public bool Quick => Options.Quick;
        public ulong Seed => Options.Seed;
    }

    private static readonly Entry[] Entries =
    [
        Quick("adam-update-rms", ClaimChecks.AdamUpdateRms),
        Quick("gaussian-spectral-norm", ClaimChecks.GaussianSpectralNorm),
        Quick("ns-singular-value-map", ClaimChecks.NewtonSchulzSingularValueMap),
        Quick("polar-express", _ => ClaimChecks.PolarExpressCoefficients()),
        Quick("spectral-init-ratio", ClaimChecks.SpectralInitRatio),
        Quick("muon-spectral-update", ClaimChecks.MuonSpectralUpdateRatio),
        Quick("sgd-batch-law", ClaimChecks.SgdBatchLaw),
        Quick("signsgd-batch-law", ClaimChecks.SignSgdBatchLaw),
        new("softsign-batch-law", SoftSignBatchLaw),
        Quick("adam-batch-law", ClaimChecks.AdamBatchLaw),
        new("muon-batch-law", MuonBatchLaw),
        Quick("momentum-amplification", ClaimChecks.MomentumAmplification),
        new("adam-surge", AdamSurge),
        Quick("adamw-weight-rms", ClaimChecks.AdamWeightRmsSteadyState),
        new("weight-rms-training", WeightRmsInTraining),
        Quick("stability-bound", ClaimChecks.StabilityCertificates),
        Quick("mup-hidden-update-flat", ClaimChecks.MupKeepsHiddenUpdateFlat),
        new("spectral-stability-flat", SpectralStabilityFlat),
        new("coord-spectral-input", CoordSpectralInput),
        new("coord-mup-flat", CoordMupFlat),
        new("mutransfer-drift", TransferDrift),
    ];

    /// <summary>Every claim id, in table order.</summary>
    public static IReadOnlyList<string> Ids => [.. Entries.Select(e => e.Id)];

    /// <summary>
    /// Runs the chosen claims in order and returns the table. Throws ArgumentException naming an unknown id (and listing the
    /// known ones). A claim that throws is kept as a miss whose cause is the exception's message.
    /// </summary>
    public static ReproduceReport Run(ReproduceOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var only = options.Only is { Count: > 0 } o ? o : null;
        if (only?.FirstOrDefault(id => !Entries.Any(e => e.Id == id)) is string unknown)
            throw new ArgumentException($"reproduce: unknown claim '{unknown}'; claims are {string.Join(", ", Ids)}.");
        string scratch = options.ScratchDir ?? Path.Combine(Path.GetTempPath(), $"musharp-reproduce-{Environment.ProcessId}");
        var context = new Context(options, scratch, progress ?? (_ => { }));
        var total = Stopwatch.StartNew();
        var rows = new List<ReproduceRow>();
        try
        {
            foreach (var entry in Entries.Where(e => only == null || only.Contains(e.Id)))
            {
                context.Progress($"reproduce: {entry.Id} …");
                var clock = Stopwatch.StartNew();
                ClaimResult result;
                ReportFigure? figure;
                try { (result, figure) = entry.Run(context); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    (result, figure) = (new ClaimResult(entry.Id, "(the check failed to run)", double.NaN, double.NaN, ClaimVerdict.Missed, $"{e.GetType().Name}: {e.Message}"), null);
                }
                double seconds = clock.Elapsed.TotalSeconds;
                rows.Add(new ReproduceRow(entry.Id, result, seconds, figure ?? ClaimFigure(entry.Id, result)));
                context.Progress($"reproduce: {entry.Id}: predicted {ReproduceReport.G4(result.Prediction)}, measured {ReproduceReport.G4(result.Measurement)}, "
                    + (result.Verdict == ClaimVerdict.Reproduced ? "reproduced" : "MISSED: " + result.Cause) + $" ({seconds:F1} s)");
            }
        }
        finally
        {
            if (options.ScratchDir == null && Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
        return new ReproduceReport(rows, options.Quick, total.Elapsed.TotalSeconds);
    }

    /// <summary>Writes the report page: the summary, the table and one figure per claim.</summary>
    public static void WriteHtml(string path, ReproduceReport report, bool writeFigures = false)
    {
        ArgumentNullException.ThrowIfNull(report);
        HtmlReport.Write(path, "MuSharp reproduces the seeds' claims", [report.Summary], report.Sections(), writeFigures);
    }

    private static Entry Quick(string id, Func<ulong, ClaimResult> check) => new(id, c => (check(c.Seed), null));

    // ---- Monte-Carlo batch-size laws (theory §7) ----

    private static QuadraticProblem Planted(ulong seed) => QuadraticProblem.Planted(64, new Rng(seed + 2024), eigenMin: 1, eigenMax: 10, noiseStd: 1);

    /// <summary>SoftSignSGD η*(B) at B = B_simple against the per-coordinate mean field (theory §7.4); 25%, the mean field's measured worst error.</summary>
    private static (ClaimResult, ReportFigure?) SoftSignBatchLaw(Context c)
    {
        var p = Planted(c.Seed);
        const double eps = 1.0;
        int samples = c.Quick ? 10_000 : 40_000;
        var batches = QuadraticLab.LogGrid(p.BSimple / 16, p.BSimple * 16, 7);
        var mc = QuadraticLab.Sweep(p, batches, b => UpdateRules.SoftSignSgd(p, b, eps, new Rng(c.Seed + 5)), samples);
        var rows = new List<(double, double, string)>();
        for (int k = 0; k < batches.Length; k++)
        {
            rows.Add((batches[k], mc[k].OptimalLr, "Monte Carlo"));
            rows.Add((batches[k], QuadraticPredictions.SoftSignSgdPerCoordinate(p, batches[k], eps), "per-coordinate mean field"));
        }
        double measured = mc[3].OptimalLr, predicted = QuadraticPredictions.SoftSignSgdPerCoordinate(p, batches[3], eps);
        var result = ClaimResult.Compare("SoftSignSGD η*(B), per-coordinate mean field, ε = 1, B = B_simple", "kexue.fm 10563, 11280 (theory §7.4)",
            predicted, measured, 0.25, "the mean field E[f(x)] ≈ f of the moments");
        return (result, Series("softsign-batch-law", "SoftSignSGD: optimal lr vs batch", "batch B", "η*", rows, true, true,
            "One-step optimal lr on the planted quadratic: Monte Carlo against the per-coordinate mean field (theory §7.4)."));
    }

    /// <summary>
    /// Muon's η*(B) = η_max/sqrt(1 + B_simple/B) (theory §7.5) by Monte Carlo with exact msign: H[X] = X(GᵀG)^{1/2}, so
    /// η_max = 1 and η*(B) = E⟨G, msign(G̃_B)⟩/‖G‖_*, at B = B_simple; 10% (the mean field replaces GᵀG by its trace).
    /// </summary>
    private static (ClaimResult, ReportFigure?) MuonBatchLaw(Context c)
    {
        const int n = 32, m = 16;
        var rng = new Rng(c.Seed + 31);
        var g = new float[n * m];
        rng.FillNormal(g, 0f, 1f);
        double nuclear = Kernels.Lapack.SingularValues((float[])g.Clone(), n, m).Sum();
        double frobSq = g.Sum(x => (double)x * x);
        const double sigma = 1.0;
        double bSimple = m * n * sigma * sigma / frobSq;
        int samples = c.Quick ? 300 : 1500;
        var noisy = new float[g.Length];
        var phi = new float[g.Length];
        double Optimum(double batch)
        {
            double sum = 0;
            float scale = (float)(sigma / Math.Sqrt(batch));
            for (int s = 0; s < samples; s++)
            {
                rng.FillNormal(noisy, 0f, scale);
                for (int i = 0; i < g.Length; i++) noisy[i] += g[i];
                Msign.Exact(noisy, n, m, phi);
                double inner = 0;
                for (int i = 0; i < g.Length; i++) inner += (double)g[i] * phi[i];
                sum += inner;
            }
            return sum / samples / nuclear;
        }
        var rows = new List<(double, double, string)>();
        double atBSimple = double.NaN;
        foreach (double f in new[] { 0.25, 1, 4 })
        {
            double b = f * bSimple, eta = Optimum(b);
            if (f == 1) atBSimple = eta;
            rows.Add((b, eta, "Monte Carlo"));
            rows.Add((b, BatchSizeLaws.MuonOptimalLr(1, bSimple, b), "η_max/sqrt(1 + B_simple/B)"));
        }
        var result = ClaimResult.Compare("Muon η*(B) = η_max/sqrt(1 + B_simple/B), B = B_simple", "kexue.fm 11285 (theory §7.5)",
            BatchSizeLaws.MuonOptimalLr(1, bSimple, bSimple), atBSimple, 0.10, "the mean field replaces GᵀG by tr(GᵀG)/m·I");
        return (result, Series("muon-batch-law", "Muon: optimal lr vs batch", "batch B", "η*/η_max", rows, true, false,
            "Exact msign of a noisy 32×16 gradient; η* = E⟨G, msign(G̃)⟩/‖G‖_* against the law of theory §7.5."));
    }

    /// <summary>Adam's surge (theory §7.6): with a diagonal H and β₁ = 0.9 the optimal lr peaks at B = B_simple·β*²/(1−β*²) and falls beyond; the measured peak against it in log₂ (±1 = a factor 2).</summary>
    private static (ClaimResult, ReportFigure?) AdamSurge(Context c)
    {
        var rng = new Rng(99);
        var g = new double[64];
        for (int i = 0; i < g.Length; i++) g[i] = rng.NextNormal();
        var p = QuadraticProblem.Diagonal(g, [.. g.Select(x => 0.5 + Math.Abs(x))], [.. g.Select(Math.Abs)]);
        const double beta1 = 0.9;
        double predicted = BatchSizeLaws.AdamSurgePeakBatch(beta1, p.BSimple)!.Value;
        var batches = QuadraticLab.LogGrid(predicted / 16, predicted * 16, c.Quick ? 11 : 17);
        var mc = QuadraticLab.Sweep(p, batches, b => UpdateRules.Adam(p, b, beta1, 0.999, 0, new Rng(c.Seed + 3), thin: 2), c.Quick ? 5000 : 10_000);
        var peak = LrCurve.RefineOptimum([.. batches.Select((b, k) => (b, -mc[k].OptimalLr))]);
        var rows = new List<(double, double, string)>();
        for (int k = 0; k < batches.Length; k++)
        {
            rows.Add((batches[k], mc[k].OptimalLr, "Monte Carlo"));
            rows.Add((batches[k], QuadraticPredictions.Adam(p, batches[k], beta1), "mean field (§7.6)"));
        }
        var result = ClaimResult.CompareAbsolute("Adam surge: η*(B) peaks at B_simple·β*²/(1−β*²) (log₂ B)", "kexue.fm 11301 (theory §7.6)",
            Math.Log2(predicted), peak.AtEdge ? double.NaN : Math.Log2(peak.Lr), 1, peak.AtEdge ? "the optimum lies at the grid's edge" : "peak more than a factor 2 from the prediction");
        return (result, Series("adam-surge", "Adam's surge: optimal lr vs batch", "batch B", "η*", rows, true, true,
            $"β₁ = 0.9, β₂ = 0.999, diagonal H: η* rises, peaks near B = {predicted:G3} and falls (theory §7.6)."));
    }

    // ---- Training claims ----

    private static bool HasFashionMnist()
    {
        try { TrainingTasks.FashionMnist(); return true; }
        catch (DatasetNotFoundException) { return false; }
    }

    /// <summary>
    /// AdamW's weight-RMS law in training (theory §6): a blobs MLP trained with λ = 1 for 3–6 time constants 1/(ηλ); the
    /// median over hidden matrices of measured/predicted ‖W‖_RMS against 1, 15%.
    /// </summary>
    private static (ClaimResult, ReportFigure?) WeightRmsInTraining(Context c)
    {
        string dir = Path.Combine(c.Scratch, "weight-rms");
        int steps = c.Quick ? 300 : 600;
        var config = new TrainConfig
        {
            Task = TaskKind.Mlp, Dataset = "blobs", Hidden = [128, 128], Optimizer = OptimizerKind.AdamW, Lr = 0.01f, WeightDecay = 1f,
            BatchSize = 32, Steps = steps, LogEvery = steps, EvalEvery = steps, CheckpointEvery = steps, MonitorEvery = steps / 10, Seed = c.Seed,
            Name = "weight-rms",
        };
        Train.Run(config, dir, resume: false);
        var all = File.ReadAllLines(Path.Combine(dir, MonitorsCsv.FileName)).Skip(1).Select(l => l.Split(','))
            .Where(r => r[2] == "hidden" && r[10].Length > 0).ToList();
        var last = WeightRmsTable.Read(Path.Combine(dir, MonitorsCsv.FileName));
        double median = last.Select(r => r.Ratio).Order().ElementAt(last.Count / 2);
        var rows = new List<(double, double, string)>();
        foreach (var r in all)
        {
            double step = double.Parse(r[0], CultureInfo.InvariantCulture);
            rows.Add((step, double.Parse(r[5], CultureInfo.InvariantCulture), r[1] + " measured"));
            rows.Add((step, double.Parse(r[10], CultureInfo.InvariantCulture), r[1] + " predicted"));
        }
        var result = ClaimResult.Compare("AdamW weight RMS in training follows the law (median measured/predicted, hidden)", "kexue.fm 11307 (theory §6)",
            1, median, 0.15, "the law is derived for zero-mean gradients independent of the weights (μ = 0, theory §6); a trained model's gradients carry signal that sets the weights too");
        return (result, Series("weight-rms-training", "Weight RMS in training: measured vs the law", "step", "‖W‖_RMS", rows, false, false,
            $"Blobs MLP, AdamW η = 0.01, λ = 1, {steps} steps; the law r² ← (1−ηλ)²r² + η²(1 − ηλ/2) from the initial RMS (theory §6)."));
    }

    /// <summary>The spectral parametrization keeps every stability bound Θ(1) (theory §3, §4.1): the largest |bound slope| over units and metrics of a small MLP, ±0.15.</summary>
    private static (ClaimResult, ReportFigure?) SpectralStabilityFlat(Context c)
    {
        var spec = new StabilitySpec
        {
            Widths = c.Quick ? [32, 64, 128] : [64, 128, 256, 512, 1024], Parametrizations = [ParametrizationKind.Spectral],
            Options = new StabilitySweepOptions { MlpInputs = c.Quick ? 32 : 784, Seed = c.Seed, Measure = new StabilityOptions { Restarts = 2, Iterations = c.Quick ? 10 : 40, Seed = c.Seed } },
        };
        var report = StabilityRun.Run(spec);
        double worst = report.Slopes.Select(s => s.BoundSlope).MaxBy(Math.Abs);
        var result = ClaimResult.CompareAbsolute("spectral: every stability bound Θ(1) in width (max absolute slope)", "kexue.fm 11340, 10795 (theory §3.1, §4.1)",
            0, worst, StabilityReport.FlatTolerance);
        var figure = report.Section().Figures[0];
        return (result, figure with { Name = "spectral-stability-flat" });
    }

    private static CoordCheckOptions CoordOptions(Context c, ParametrizationKind kind, string dataset) => new()
    {
        Widths = c.Quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024, 2048],
        Seeds = c.Quick ? 1 : 3, Steps = c.Quick ? 2 : 3, Parametrizations = [kind], Optimizers = [OptimizerKind.AdamW], Spectral = false,
        Overrides = dataset == "blobs" ? [("dataset", "blobs"), ("batch-size", "64")] : [("batch-size", "64")],
        Out = Path.Combine(c.Scratch, "coord-" + kind.ToString().ToLowerInvariant()),
    };

    /// <summary>
    /// The coordinate check's spectral MLP (theory §3.2, §3.3): the input layer's activation slope at init against the slope
    /// <see cref="CoordPredictions"/> computes over the same widths (√d_out/(√d_in + √d_out) from a fixed d_in), ±0.1.
    /// </summary>
    private static (ClaimResult, ReportFigure?) CoordSpectralInput(Context c)
    {
        string dataset = HasFashionMnist() ? "fashion-mnist" : "blobs";
        var o = CoordOptions(c, ParametrizationKind.Spectral, dataset);
        var run = CoordCheckRun.Run(o, _ => { }).Single();
        var predictions = CoordPredictions.Mlp(ParametrizationKind.Spectral, OptimizerFamily.Adam,
            w => (MlpClassifier)TrainingTasks.Create(CoordCheckRun.Config(o, ParametrizationKind.Spectral, OptimizerKind.AdamW, w, 1)).Model, o.Widths);
        double predicted = predictions.Single(p => p.Module == "layer0" && p.Metric == CoordMetric.Activation).Slope;
        double measured = run.Slopes.Single(s => s.Module == "layer0" && s.Metric == CoordMetric.Activation && s.Step == 0).Slope;
        var result = ClaimResult.CompareAbsolute($"spectral MLP ({dataset}): input-layer activation slope matches the prediction", "kexue.fm 10795, arXiv 2310.17813 (theory §3.2, §3.3)",
            predicted, measured, 0.1);
        return (result, CoordFigure("coord-spectral-input", run, "Spectral MLP coordinate check",
            $"‖x‖_RMS per layer at each step against width ({dataset}, Adam); the input layer rises with the predicted slope {predicted:F2}."));
    }

    /// <summary>μP with Adam keeps hidden activations and their changes flat in width at steps ≥ 1 (theory §2.2): the largest |slope|, ±0.1.</summary>
    private static (ClaimResult, ReportFigure?) CoordMupFlat(Context c)
    {
        string dataset = HasFashionMnist() ? "fashion-mnist" : "blobs";
        var run = CoordCheckRun.Run(CoordOptions(c, ParametrizationKind.Mup, dataset), _ => { }).Single();
        double worst = run.Hidden().Select(s => s.Slope).MaxBy(Math.Abs);
        var result = ClaimResult.CompareAbsolute($"μP MLP ({dataset}): hidden activations and changes flat (max absolute slope)", "kexue.fm 10770, arXiv 2203.03466 (theory §2.2, §11.1)",
            0, worst, 0.1);
        return (result, CoordFigure("coord-mup-flat", run, "μP MLP coordinate check", $"‖x‖_RMS per layer at each step against width ({dataset}, Adam); flat lines are width-independent."));
    }

    /// <summary>
    /// μTransfer (theory §11): the μP MLP's optimal Adam lr does not move with width. Each width is trained over a log₂ lr
    /// grid from one base config; the drift |log₂(η*_wide/η*_narrow)| in grid steps against 0, ±1 step.
    /// </summary>
    private static (ClaimResult, ReportFigure?) TransferDrift(Context c)
    {
        string dataset = HasFashionMnist() ? "fashion-mnist" : "blobs";
        int[] widths = c.Quick ? [64, 256] : [128, 256, 512, 1024];
        int[] exponents = c.Quick ? [-10, -9, -8, -7, -6, -5, -4] : [-11, -10, -9, -8, -7, -6, -5, -4, -3];
        int steps = c.Quick ? 150 : 300;
        var rows = new List<(double, double, string)>();
        var best = new Dictionary<int, int>();
        foreach (int w in widths)
        {
            double bestLoss = double.PositiveInfinity;
            foreach (int e in exponents)
            {
                var config = new TrainConfig
                {
                    Task = TaskKind.Mlp, Dataset = dataset, Hidden = [w, w], Optimizer = OptimizerKind.AdamW, Lr = MathF.Pow(2, e),
                    Parametrization = ParametrizationKind.Mup, BaseWidth = widths[0], BatchSize = 128, Steps = steps, WarmupSteps = steps / 15,
                    Decay = Optim.DecayKind.Cosine, LogEvery = steps, EvalEvery = steps, EvalBatches = 5, CheckpointEvery = steps, Seed = c.Seed,
                    Name = $"w{w}-lr{e}",
                };
                double loss;
                try
                {
                    var task = TrainingTasks.Create(config);
                    string checkpoint = Path.Combine(c.Scratch, "transfer", config.Name + ".bin");
                    Directory.CreateDirectory(Path.GetDirectoryName(checkpoint)!);
                    TrainingLoop.Run(task, config.MakeOptimizer(task.Model.Parameters()), config.Loop(), checkpoint, false, []);
                    loss = task.Validate(config.EvalBatches).Loss;
                }
                catch (TrainingDivergedException) { loss = double.NaN; }
                if (double.IsFinite(loss)) rows.Add((Math.Pow(2, e), loss, $"width {w}"));
                if (loss < bestLoss) (bestLoss, best[w]) = (loss, e);
            }
            c.Progress($"  μP width {w}: best lr 2^{best[w]}");
        }
        double drift = best[widths[^1]] - best[widths[0]];
        var claim = ClaimResult.CompareAbsolute($"μTransfer: μP optimal Adam lr does not drift, widths {widths[0]}–{widths[^1]} (log₂ steps)", "arXiv 2203.03466, kexue.fm 10770 (theory §11.1–11.3)",
            0, drift, 1, "finite-width and short-run effects move the optimum");
        return (claim, Series("mutransfer-drift", "μTransfer: loss vs learning rate per width", "learning rate", "validation loss", rows, true, false,
            $"μP MLP on {dataset}, Adam, {steps} steps: the optimum should sit at the same lr for every width (theory §11)."));
    }

    // ---- Figures ----

    /// <summary>Lines of (x, y) per series, log₂ axes where asked.</summary>
    private static ReportFigure Series(string name, string title, string xTitle, string yTitle, IReadOnlyList<(double X, double Y, string Series)> rows,
        bool logX, bool logY, string caption)
    {
        var values = new JsonArray([.. rows.Where(r => double.IsFinite(r.X) && double.IsFinite(r.Y) && (!logY || r.Y > 0))
            .Select(r => (JsonNode?)new JsonObject { ["x"] = r.X, ["y"] = r.Y, ["series"] = r.Series })]);
        JsonObject Axis(string field, string axisTitle, bool log) => log
            ? new JsonObject { ["field"] = field, ["type"] = "quantitative", ["title"] = axisTitle, ["scale"] = VegaLite.Log2Scale(), ["axis"] = new JsonObject { ["format"] = ".3~g" } }
            : new JsonObject { ["field"] = field, ["type"] = "quantitative", ["title"] = axisTitle, ["scale"] = new JsonObject { ["zero"] = false } };
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title(title, caption),
            ["width"] = 420,
            ["height"] = 240,
            ["data"] = new JsonObject { ["values"] = values },
            ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true },
            ["encoding"] = new JsonObject
            {
                ["x"] = Axis("x", xTitle, logX),
                ["y"] = Axis("y", yTitle, logY),
                ["color"] = new JsonObject { ["field"] = "series", ["type"] = "nominal", ["title"] = null },
                ["tooltip"] = new JsonArray
                {
                    new JsonObject { ["field"] = "series", ["type"] = "nominal" },
                    new JsonObject { ["field"] = "x", ["type"] = "quantitative", ["format"] = ".4~g" },
                    new JsonObject { ["field"] = "y", ["type"] = "quantitative", ["format"] = ".4~g" },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(name, title, caption, spec);
    }

    /// <summary>Activation RMS against width per layer and step, from a coordinate-check case.</summary>
    private static ReportFigure CoordFigure(string name, CoordCase run, string title, string caption)
    {
        var rows = run.Stats.Where(s => s.Metric == CoordMetric.Activation)
            .GroupBy(s => (s.Module, s.Step, s.Width))
            .Select(g => ((double)g.Key.Width, g.Average(s => s.Value), $"{g.Key.Module} t={g.Key.Step}")).ToList();
        return Series(name, title, "width", "‖x‖_RMS", rows, true, true, caption);
    }

    /// <summary>The generic figure of a claim without series: prediction and measurement with the tolerance band.</summary>
    private static ReportFigure ClaimFigure(string id, ClaimResult c)
    {
        double low = c.Absolute || c.Prediction == 0 ? c.Prediction - c.Tolerance : c.Prediction * (1 - c.Tolerance);
        double high = c.Absolute || c.Prediction == 0 ? c.Prediction + c.Tolerance : c.Prediction * (1 + c.Tolerance);
        var values = new JsonArray
        {
            new JsonObject { ["what"] = "prediction", ["value"] = c.Prediction, ["low"] = low, ["high"] = high },
            new JsonObject { ["what"] = "measurement", ["value"] = double.IsFinite(c.Measurement) ? c.Measurement : null, ["low"] = low, ["high"] = high },
        };
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title(c.Claim, "tolerance band around the prediction; the point is the measurement"),
            ["width"] = 420,
            ["height"] = 80,
            ["data"] = new JsonObject { ["values"] = values },
            ["layer"] = new JsonArray
            {
                new JsonObject
                {
                    ["mark"] = new JsonObject { ["type"] = "rule", ["strokeWidth"] = 8, ["opacity"] = 0.3 },
                    ["encoding"] = new JsonObject
                    {
                        ["x"] = new JsonObject { ["field"] = "low", ["type"] = "quantitative", ["title"] = "value", ["scale"] = new JsonObject { ["zero"] = false } },
                        ["x2"] = new JsonObject { ["field"] = "high" },
                    },
                },
                new JsonObject
                {
                    ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 80 },
                    ["encoding"] = new JsonObject
                    {
                        ["x"] = new JsonObject { ["field"] = "value", ["type"] = "quantitative" },
                        ["color"] = new JsonObject { ["field"] = "what", ["type"] = "nominal", ["title"] = null },
                        ["tooltip"] = new JsonArray { new JsonObject { ["field"] = "what" }, new JsonObject { ["field"] = "value", ["type"] = "quantitative", ["format"] = ".5~g" } },
                    },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure("claim-" + id, c.Claim, $"{c.Source}: predicted {ReproduceReport.G4(c.Prediction)}, measured {ReproduceReport.G4(c.Measurement)}.", spec);
    }
}
