using MuSharp.Reports;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>A batch-scaling sweep read back from its store: steps to target, B_simple and the per-optimizer summary.</summary>
public static class BatchScalingSweep
{
    /// <summary>The stored results of one batch-scaling sweep, measured and summarized.</summary>
    public sealed record Results(string Name, double Target, IReadOnlyList<BatchTrial> Trials, IReadOnlyList<BatchGroup> Groups,
        IReadOnlyList<NoiseScalePoint> Noise, int Failed);

    /// <summary>Reads the sweep's store, which must have been created from this very sweep file.</summary>
    public static Results Load(SweepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        Target(plan);
        if (!File.Exists(plan.DefaultDbPath))
            throw new FileNotFoundException($"batch-scaling: sweep {plan.Name} has no results yet ({plan.DefaultDbPath} does not exist); run 'musharp batch-scaling' without --summary first.", plan.DefaultDbPath);
        using var store = SweepStore.OpenExisting(plan.DefaultDbPath);
        store.Verify(plan);
        return Load(store);
    }

    /// <summary>Steps to target and B_simple per finished trial, then the groups; the base config comes from the store.</summary>
    public static Results Load(ISweepStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var baseConfig = store.BaseConfig();
        double target = baseConfig.TargetLoss
            ?? throw new ArgumentException($"{store.Location}: its base config has no targetLoss, so it is not a batch-scaling sweep; use musharp report for μTransfer sweeps.");
        var rows = store.Trials();
        var trials = new List<BatchTrial>();
        var noiseByTrial = new Dictionary<long, IReadOnlyList<NoiseRow>>();
        foreach (var row in rows.Where(r => r.Status is TrialStatus.Done or TrialStatus.Diverged))
        {
            double? steps = row.Status == TrialStatus.Done ? StepsToTarget.Of(store.Metrics(row.Id), target, row.Result.InitialValLoss) : null;
            var rowNoise = noiseByTrial[row.Id] = store.Noise(row.Id, row.Spec.BatchSize);
            trials.Add(new BatchTrial(row, steps, StepsToTarget.BSimpleAt(rowNoise, steps)));
        }
        var groups = BatchScalingSummary.Summarize(trials, baseConfig);
        // The noise figure shows the trials at each batch's optimal grid lr; all of them would be an unreadable tangle.
        var shown = groups.SelectMany(g => g.Optima.Select(o => (g.Optimizer, o.Batch, o.LrIndex))).ToHashSet();
        var noise = trials.Select(t => t.Row).Where(r => r.Status == TrialStatus.Done && shown.Contains((r.Spec.Optimizer, r.Spec.BatchSize, r.Spec.LrIndex)))
            .SelectMany(r => noiseByTrial[r.Id].Where(n => double.IsFinite(n.BSimple) && n.BSimple > 0).Select(n =>
                new NoiseScalePoint(r.Spec.Task, r.Spec.Optimizer, r.Spec.BatchSize, r.Spec.Lr, n.Step, n.EmaGradNormSq, n.EmaTraceSigma, n.BSimple)))
            .ToList();
        return new Results(store.Name, target, trials, groups, noise, rows.Count(r => r.Status == TrialStatus.Failed));
    }

    /// <summary>The base config's targetLoss: batch-scaling measures steps to it.</summary>
    public static double Target(SweepPlan plan) => plan.Axes.BaseConfig.TargetLoss
        ?? throw new ArgumentException($"sweep {plan.Axes.Source}: the base config has no targetLoss; batch-scaling measures the steps to a target validation loss (e.g. \"targetLoss\": 0.5).");

}
