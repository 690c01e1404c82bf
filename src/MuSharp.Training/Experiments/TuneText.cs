using System.Globalization;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>The printed summary of a tune: chosen values, the target's result per parametrization, the lr check and the compute ledger.</summary>
public static class TuneText
{
    /// <summary>The summary, one string per line.</summary>
    public static IReadOnlyList<string> Lines(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = new List<string> { $"tune {result.Name}: proxy {result.ProxyShape} → target {result.TargetShape}", "", "chosen values (proxy → target):" };
        foreach (var c in result.Choices)
            lines.Add($"  {c.Parametrization,-9} " + string.Join(", ", c.Rules.Select(r =>
                $"{r.Key} {TunePlan.Format(c.ProxyValues[r.Key])} → {TunePlan.Format(c.TargetValues[r.Key])} ({Kind(r)})"))
                + $"; proxy loss {c.ProxyLoss:0.0000} (best of {result.Proxy.Count(t => t.Parametrization == c.Parametrization)} trials)");

        lines.Add("");
        lines.Add("target result (final validation loss per seed; the final evaluation):");
        var means = new Dictionary<string, (double Mean, double Spread)>();
        foreach (var c in result.Choices)
        {
            var runs = result.Target.Where(t => t.Parametrization == c.Parametrization).OrderBy(t => t.Seed).ToList();
            var scores = runs.Select(t => t.Score).ToList();
            if (scores.Count == 0) continue;
            double mean = scores.Average(), spread = scores.Max() - scores.Min();
            means[c.Parametrization] = (mean, spread);
            string eval = runs.All(r => r.EvalLoss is not null)
                ? $"; {runs.Average(r => r.EvalLoss!.Value):0.0000} eval loss" + (runs.All(r => r.EvalAccuracy is not null) ? $", {runs.Average(r => r.EvalAccuracy!.Value):P2} accuracy" : "")
                : "";
            lines.Add($"  {c.Parametrization,-9} {Loss(mean)} mean, spread {Loss(spread)} over seeds ({string.Join(", ", runs.Select(r => $"s{r.Seed} {Loss(r.Score)}"))}){eval}");
        }
        if (means.TryGetValue("mup", out var mup) && means.TryGetValue("standard", out var sp))
        {
            double gap = sp.Mean - mup.Mean, spread = Math.Max(mup.Spread, sp.Spread);
            lines.Add($"  μP-transferred vs SP-transferred: {(gap > 0 ? "μP better" : "μP not better")} by {gap:+0.0000;-0.0000} (largest seed spread {spread:0.0000}: {(Math.Abs(gap) > spread ? "beyond" : "within")} it)");
        }

        if (result.Verify.Count > 0)
        {
            lines.Add("");
            lines.Add("learning-rate check at the target (seed-mean final validation loss; ×1 is the transferred lr):");
            foreach (var c in result.Choices)
            {
                var points = VerifyCurve(result, c.Parametrization);
                if (points.Count == 0) continue;
                var best = points.MinBy(p => p.Loss);
                double at1 = points.FirstOrDefault(p => p.Factor == 1).Loss;
                string cells = string.Join("  ", points.Select(p => $"×{TunePlan.Format(p.Factor)} {Loss(p.Loss)}{(p == best ? "*" : "")}"));
                lines.Add($"  {c.Parametrization,-9} {cells}  → transferred lr is {(at1 - best.Loss) / best.Loss:P2} above the best point");
            }
        }

        lines.Add("");
        lines.Add("compute ledger (training FLOPs ≈ 6·params·items + attention; wall = summed trial seconds):");
        lines.Add($"  {"param.",-9} {"what",-38} {"runs",5} {"FLOPs",11} {"wall",10}");
        foreach (var r in result.Ledger)
            lines.Add($"  {r.Parametrization,-9} {r.What + (r.Estimated ? " (est.)" : ""),-38} {r.Runs,5} {r.Flops.ToString("0.00e+00", CultureInfo.InvariantCulture),11} {r.Seconds,9:0.0}s");
        foreach (var g in result.Ledger.GroupBy(r => r.Parametrization))
        {
            var search = g.First(r => r.What == "proxy search");
            var same = g.First(r => r.Estimated);
            if (same.Flops > 0) lines.Add($"  {g.Key}: the proxy search costs {search.Flops / same.Flops:0.000} of a same-size search at the target (1/{same.Flops / search.Flops:0.0})");
        }
        return lines;
    }

    /// <summary>(lr factor, seed-mean final validation loss) at the target, ×1 taken from the stage-3 runs, by factor.</summary>
    public static List<(double Factor, double Loss)> VerifyCurve(TuneResult result, string parametrization)
    {
        ArgumentNullException.ThrowIfNull(result);
        var points = result.Verify.Where(t => t.Parametrization == parametrization)
            .GroupBy(t => result.VerifyFactors[t.Index]).Select(g => (Factor: g.Key, Loss: g.Average(t => t.Score))).ToList();
        var target = result.Target.Where(t => t.Parametrization == parametrization).ToList();
        if (points.Count > 0 && target.Count > 0) points.Add((1, target.Average(t => t.Score)));
        return [.. points.OrderBy(p => p.Factor)];
    }

    /// <summary>How a rule carries a value, in a few words.</summary>
    public static string Kind(TransferRule rule) => rule?.Kind switch
    {
        TransferKind.AsIs => "as is",
        TransferKind.Scaled => $"scaled ×{TunePlan.Format(rule.Factor)}",
        TransferKind.Copied => "copied",
        _ => "does not transfer",
    };

    private static string Loss(double x) => double.IsFinite(x) ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "diverged";
}
