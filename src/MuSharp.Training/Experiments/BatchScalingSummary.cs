using MuSharp.BatchScaling;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>A finished trial of a batch-scaling sweep with what was measured from its logs.</summary>
public sealed record BatchTrial(TrialRow Row, double? StepsToTarget, double? BSimpleAtTarget);

/// <summary>
/// One (batch, learning rate) cell: steps to the target as the geometric mean over seeds, null (∞) when a seed did
/// not reach it or diverged.
/// </summary>
public sealed record StepsCell(int Batch, int LrIndex, double Lr, double? Steps, int Finished, int Diverged);

/// <summary>
/// The learning rate that reaches the target in the fewest steps at one batch size (refined between grid points by a
/// parabola in log lr through log steps), the steps and samples it takes, and the B_simple measured in the trials at
/// <see cref="LrIndex"/>, the grid point nearest the refined optimum.
/// </summary>
public sealed record BatchLrOptimum(int Batch, double Lr, double Steps, double Samples, bool AtEdge, double? BSimple, int LrIndex);

/// <summary>
/// Learning rate vs batch size for one (task, optimizer): the measured optima, the fitted law
/// η*(B) = η_max/(1 + B_noise/B)^α, the steps–samples fit S = S_min(1 + B_noise/B), the B_simple measured in training,
/// and the theory's prediction for this optimizer with that B_simple and one fitted scale.
/// </summary>
public sealed record BatchGroup
{
    public required string Task { get; init; }
    public required string Optimizer { get; init; }
    public required int[] Batches { get; init; }
    public required IReadOnlyList<StepsCell> Cells { get; init; }
    public required IReadOnlyList<BatchLrOptimum> Optima { get; init; }

    /// <summary>α free; null with fewer than three optima.</summary>
    public OptimalLrFit? Fit { get; init; }

    /// <summary>α fixed at 1 (the SGD form of theory §7.2); null with fewer than two optima.</summary>
    public OptimalLrFit? FitAlpha1 { get; init; }
    public StepsSamplesFit? StepsFit { get; init; }

    /// <summary>Median over the optima of B_simple at the target (theory §7.2 two-batch estimator, EMA-smoothed).</summary>
    public double? BSimple { get; init; }

    /// <summary>The law the theory predicts for this optimizer, in words (which section, which form).</summary>
    public required string PredictionName { get; init; }

    /// <summary>lr = scale·shape(B): shape from the theory with the measured B_simple; null without B_simple or optima.</summary>
    public Func<double, double>? Prediction { get; init; }
    public double? PredictionRmsLogError { get; init; }
}

/// <summary>Pure functions from a batch-scaling sweep's trials to <see cref="BatchGroup"/>s.</summary>
public static class BatchScalingSummary
{
    /// <summary>Groups by (task, optimizer) in order of first appearance. <paramref name="baseConfig"/> supplies β's.</summary>
    public static IReadOnlyList<BatchGroup> Summarize(IReadOnlyList<BatchTrial> trials, TrainConfig baseConfig)
    {
        ArgumentNullException.ThrowIfNull(trials);
        ArgumentNullException.ThrowIfNull(baseConfig);
        return [.. trials.GroupBy(t => (t.Row.Spec.Task, t.Row.Spec.Optimizer)).Select(g => Group(g.Key.Task, g.Key.Optimizer, [.. g], baseConfig))];
    }

    private static BatchGroup Group(string task, string optimizer, List<BatchTrial> trials, TrainConfig config)
    {
        int[] batches = [.. trials.Select(t => t.Row.Spec.BatchSize).Distinct().Order()];
        var cells = trials.GroupBy(t => (t.Row.Spec.BatchSize, t.Row.Spec.LrIndex)).Select(Cell).OrderBy(c => c.Batch).ThenBy(c => c.LrIndex).ToList();

        var optima = new List<BatchLrOptimum>();
        foreach (int b in batches)
        {
            var row = cells.Where(c => c.Batch == b).ToList();
            if (!row.Any(c => c.Steps is not null)) continue;
            var best = LrCurve.RefineOptimum([.. row.Select(c => (c.Lr, c.Steps is double s ? Math.Log(s) : double.PositiveInfinity))]);
            // B_simple from the seeds of the grid point nearest the refined optimum (log distance).
            var nearest = row.Where(c => c.Steps is not null).MinBy(c => Math.Abs(Math.Log(c.Lr / best.Lr)))!;
            var noise = trials.Where(t => t.Row.Spec.BatchSize == b && t.Row.Spec.LrIndex == nearest.LrIndex && t.BSimpleAtTarget is not null)
                .Select(t => t.BSimpleAtTarget!.Value).ToList();
            double steps = Math.Exp(best.Value);
            optima.Add(new BatchLrOptimum(b, best.Lr, steps, steps * b, best.AtEdge, noise.Count > 0 ? GeometricMean(noise) : null, nearest.LrIndex));
        }

        var points = optima.Select(o => ((double)o.Batch, o.Lr)).ToList();
        double? bSimple = Median(optima.Where(o => o.BSimple is not null).Select(o => o.BSimple!.Value));
        var (name, shape) = PredictionShape(optimizer, config, bSimple);
        Func<double, double>? prediction = null;
        double? predictionError = null;
        if (shape != null && points.Count > 0)
        {
            double scale = OptimalLrFit.FitScale(points, shape);
            prediction = b => scale * shape(b);
            predictionError = Math.Sqrt(points.Average(p => Math.Pow(Math.Log(p.Lr) - Math.Log(prediction(p.Item1)), 2)));
        }
        return new BatchGroup
        {
            Task = task, Optimizer = optimizer, Batches = batches, Cells = cells, Optima = optima,
            Fit = points.Count >= 3 ? OptimalLrFit.Fit(points) : null,
            FitAlpha1 = points.Count >= 2 ? OptimalLrFit.Fit(points, fixedAlpha: 1) : null,
            StepsFit = optima.Count >= 2 ? StepsSamplesFit.Fit([.. optima.Select(o => ((double)o.Batch, o.Steps))]) : null,
            BSimple = bSimple, PredictionName = name, Prediction = prediction, PredictionRmsLogError = predictionError,
        };
    }

    /// <summary>
    /// The shape of η*(B) the theory predicts for <paramref name="optimizer"/> from the measured B_simple (B_noise ≈
    /// B_simple, i.e. H ∝ I for SGD; H diagonal for the sign-like optimizers), with the momentum of the config.
    /// </summary>
    public static (string Name, Func<double, double>? Shape) PredictionShape(string optimizer, TrainConfig config, double? bSimple)
    {
        ArgumentNullException.ThrowIfNull(config);
        double m = config.Momentum, b1 = config.Beta1;
        // theory §7.6: momentum β acts as a batch (1+β)/(1−β) times larger.
        double amplified = bSimple is double bs ? bs / BatchSizeLaws.MomentumAmplification(m) : double.NaN;
        return optimizer switch
        {
            "sgd" => ($"§7.2/§7.6 SGD (momentum {m:0.##}): η_max/(1 + (1−β)/(1+β)·B_simple/B)",
                bSimple is double s ? b => BatchSizeLaws.SgdMomentumOptimalLr(1, s, b, m) : null),
            "adamw" => ($"§7.6 Adam (β1 {b1:0.##}, diagonal H): 1/((1/β)(1−β1)/(1+β1) + β·2β1/(1+β1)), β = (1 + B_simple/B)^-1/2",
                bSimple is double s2 ? b => BatchSizeLaws.AdamDiagonalOptimalLr(1, b1, s2, b) : null),
            "muon" => ($"§7.5/§7.6 Muon (momentum {m:0.##}): η_max/sqrt(1 + (1−β)/(1+β)·B_simple/B)",
                bSimple is not null ? b => BatchSizeLaws.MuonOptimalLr(1, amplified, b) : null),
            "signsgd" => ($"§7.3/§7.6 SignSGD (momentum {m:0.##}): η_max/sqrt(1 + (1−β)/(1+β)·B_simple/B)",
                bSimple is not null ? b => BatchSizeLaws.SignSgdDiagonalOptimalLr(1, amplified, b) : null),
            _ => ($"no batch-size law in theory §7 for {optimizer}", null),
        };
    }

    private static StepsCell Cell(IGrouping<(int Batch, int LrIndex), BatchTrial> g)
    {
        var done = g.Where(t => t.Row.Status is TrialStatus.Done or TrialStatus.Diverged).ToList();
        int diverged = done.Count(t => t.Row.Status == TrialStatus.Diverged);
        bool allReached = done.Count > 0 && diverged == 0 && done.All(t => t.StepsToTarget is not null);
        double? steps = allReached ? GeometricMean(done.Select(t => Math.Max(t.StepsToTarget!.Value, 1e-9))) : null;
        return new StepsCell(g.Key.Batch, g.Key.LrIndex, g.First().Row.Spec.Lr, steps, done.Count, diverged);
    }

    private static double GeometricMean(IEnumerable<double> values) => Math.Exp(values.Average(Math.Log));

    private static double? Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return null;
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : Math.Sqrt(sorted[n / 2 - 1] * sorted[n / 2]);
    }
}
