using System.Text.Json;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// The μTransfer workflow end to end (theory §11.1): stage 1 searches the hyperparameters on the proxy (many stored
/// trials); stage 2 picks each parametrization's best point and maps it to the target through
/// <see cref="HyperparameterTransfer"/> (the target anchored at the proxy: baseWidth, baseDepth); stage 3 trains the
/// target once per seed; stage 4 (optional) sweeps the learning rate around the transferred one at the target. Each
/// stage is a stored sweep (runs/NAME/STAGE/sweep.db): rerunning continues where it stopped, finished trials are
/// never rerun. The ledger prices the proxy search, the target runs and a same-size search at the target in FLOPs.
/// </summary>
public static class Tune
{
    public const string ProxyStage = "proxy", TargetStage = "target", VerifyStage = "verify";

    /// <summary>Runs what is pending and returns the result; null when interrupted (rerun to continue).</summary>
    public static TuneResult? Run(TunePlan plan, TuneOptions options)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(options);
        var log = options.Log;
        log($"tune {plan.Name}: proxy {Shape(plan.Arms[0].Proxy)} → target {Shape(plan.Arms[0].Target)}; {plan.Points.Count} search points × "
            + $"{plan.Config.ProxySeeds.Length} seed(s) × {plan.Arms.Count} parametrization(s): {string.Join(", ", plan.Arms.Select(a => a.Parametrization))}");
        foreach (var arm in plan.Arms)
            foreach (var rule in arm.Rules)
                log($"  {arm.Parametrization}: {rule.Key} {TuneText.Kind(rule)} — {rule.Rule}");

        log("stage 1: proxy search");
        var proxyPlan = plan.ProxyPlan();
        if (!RunStage(proxyPlan, plan.Db(ProxyStage), options)) return null;
        var proxy = Read(plan, proxyPlan, ProxyStage, options, withCurves: false);
        var choices = Choose(plan, proxy);

        log("stage 2: transfer");
        foreach (var c in choices)
            log($"  {c.Parametrization}: proxy best p{c.Point} (loss {c.ProxyLoss:0.0000}) {TunePlan.Describe(c.ProxyValues)} → target {TunePlan.Describe(c.TargetValues)}");

        log("stage 3: target runs");
        var targetPlan = plan.TargetPlan(choices);
        if (!RunStage(targetPlan, plan.Db(TargetStage), options)) return null;
        var target = Read(plan, targetPlan, TargetStage, options, withCurves: true);

        IReadOnlyList<TuneTrial> verify = [];
        if (options.Verify && plan.Config.VerifyLrFactors.Any(f => f != 1))
        {
            log("stage 4: learning-rate check at the target");
            var verifyPlan = plan.VerifyPlan(choices);
            if (!RunStage(verifyPlan, plan.Db(VerifyStage), options)) return null;
            verify = Read(plan, verifyPlan, VerifyStage, options, withCurves: false);
        }
        return new TuneResult(plan.Name, Shape(plan.Arms[0].Proxy), Shape(plan.Arms[0].Target), plan.Keys, proxy, choices, target, verify,
            Ledger(plan, proxy, target, options.Tasks ?? TrainingTasks.Create), plan.Config.VerifyLrFactors);
    }

    /// <summary>
    /// Stage 2: per parametrization, the point with the lowest seed-mean final validation loss (a diverged or failed
    /// seed counts as +∞; ties go to the earlier point), mapped to the target by each key's rule.
    /// </summary>
    public static IReadOnlyList<TuneChoice> Choose(TunePlan plan, IReadOnlyList<TuneTrial> proxy)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(proxy);
        var choices = new List<TuneChoice>();
        foreach (var arm in plan.Arms)
        {
            var best = proxy.Where(t => t.Parametrization == arm.Parametrization).GroupBy(t => t.Index)
                .Select(g => (Point: g.Key, Loss: g.Average(t => t.Score))).OrderBy(p => p.Loss).ThenBy(p => p.Point).FirstOrDefault();
            if (proxy.All(t => t.Parametrization != arm.Parametrization) || double.IsPositiveInfinity(best.Loss))
                throw new ArgumentException($"tune {plan.Source}: no {arm.Parametrization} proxy trial finished without diverging; widen or lower the search ranges.");
            var values = plan.Points[best.Point];
            var mapped = arm.Rules.ToDictionary(r => r.Key, r => r.Apply(values[r.Key]));
            choices.Add(new TuneChoice(arm.Parametrization, best.Point, values, mapped, arm.Rules, best.Loss));
        }
        return choices;
    }

    /// <summary>"w128 L2" (MLP: first hidden width and hidden layers; GPT: d_model and blocks), with steps and batch.</summary>
    public static string Shape(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string shape = config.Task == TaskKind.Gpt ? $"d{config.DModel} L{config.Layers}" : $"w{config.Hidden[0]} L{config.Hidden.Length}";
        return $"{shape}, {(config.Steps > 0 ? config.Steps + " steps" : "1 epoch")} × batch {config.BatchSize}";
    }

    private static bool RunStage(SweepPlan stage, string db, TuneOptions options)
    {
        if (options.Shared is { } shared)
        {
            // Enqueueing an existing sweep verifies it and adds nothing; the stage is done when every trial has its result.
            options.Log("  " + SharedSweep.Enqueue(stage, shared, options.RetryFailed));
            int left;
            using (var queue = PostgresSweepStore.OpenExisting(shared, stage.Name)) left = queue.Trials().Count(r => !r.IsFinished);
            if (left == 0) return true;
            options.Log($"  {left} trial{(left == 1 ? "" : "s")} of {stage.Name} still to run: start workers (musharp worker --sweep {stage.Name}) and rerun '{options.Rerun}' when they finish");
            return false;
        }
        if (options.Launch is { } launch)
            return SweepCoordinator.Run(stage, db, options.Workers, options.RetryFailed, options.Rerun, launch) == 0;
        using var store = SweepStore.Open(db, stage);
        if (options.RetryFailed) store.RetryFailed();
        return SweepWorker.Work(store, options.Cancel, options.Tasks);
    }

    /// <summary>A stage's trials from its store (local, or the shared one of <paramref name="options"/>), with the searched values read back from each trial's config.</summary>
    public static IReadOnlyList<TuneTrial> Read(TunePlan plan, SweepPlan stagePlan, string stage, TuneOptions options, bool withCurves)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stagePlan);
        ArgumentNullException.ThrowIfNull(options);
        using ISweepStore store = options.Shared is { } shared ? PostgresSweepStore.OpenExisting(shared, stagePlan.Name) : SweepStore.OpenExisting(plan.Db(stage));
        return [.. store.Trials().Select(r =>
        {
            var config = JsonSerializer.Deserialize<TrainConfig>(r.Spec.ConfigJson, TrainConfig.Json)!;
            var values = plan.Keys.ToDictionary(k => k, k => HyperparameterTransfer.Value(config, k));
            return new TuneTrial(stage, r.Spec.Parametrization, r.Spec.LrIndex, r.Spec.Seed, r.Spec.Lr, values, r.Status, r.Result.FinalValLoss,
                r.Result.FinalEvalLoss, r.Result.FinalEvalAccuracy, r.Result.Seconds, withCurves ? store.Metrics(r.Id) : []);
        })];
    }

    // Per parametrization: the proxy search as run, one target run, all target runs, and the proxy search's size at the target.
    private static List<LedgerRow> Ledger(TunePlan plan, IReadOnlyList<TuneTrial> proxy, IReadOnlyList<TuneTrial> target, Func<TrainConfig, ITrainingTask> tasks)
    {
        var rows = new List<LedgerRow>();
        foreach (var arm in plan.Arms)
        {
            double proxyFlops = FlopCount.PerRun(tasks(arm.Proxy), arm.Proxy), targetFlops = FlopCount.PerRun(tasks(arm.Target), arm.Target);
            var p = proxy.Where(t => t.Parametrization == arm.Parametrization).ToList();
            var t = target.Where(t => t.Parametrization == arm.Parametrization).ToList();
            double targetSeconds = t.Count == 0 ? 0 : t.Average(x => x.Seconds ?? 0);
            rows.Add(new(arm.Parametrization, "proxy search", p.Count, p.Count * proxyFlops, p.Sum(x => x.Seconds ?? 0), false));
            rows.Add(new(arm.Parametrization, "one target run", 1, targetFlops, targetSeconds, false));
            rows.Add(new(arm.Parametrization, "target runs (all seeds)", t.Count, t.Count * targetFlops, t.Sum(x => x.Seconds ?? 0), false));
            rows.Add(new(arm.Parametrization, "same-size search at the target", p.Count, p.Count * targetFlops, p.Count * targetSeconds, true));
        }
        return rows;
    }
}
