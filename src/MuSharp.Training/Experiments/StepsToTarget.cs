using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// How many steps a run took to reach a target validation loss (theory §7.2: S at batch B, and E = B·S), read from
/// the evaluations it logged, and the gradient noise scale it measured on the way there.
/// </summary>
public static class StepsToTarget
{
    /// <summary>
    /// The fractional step at which the validation loss first reaches <paramref name="target"/>: linear in log loss
    /// between the last evaluation above the target and the first at or below it (the initial loss at step 0 counts as
    /// the evaluation before the first). Null when no evaluation reached the target.
    /// </summary>
    public static double? Of(IReadOnlyList<MetricRow> metrics, double target, double? initialLoss)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        double prevStep = 0, prevLoss = initialLoss ?? double.NaN;
        foreach (var m in metrics.Where(m => m.ValLoss is not null).OrderBy(m => m.Step))
        {
            double loss = m.ValLoss!.Value;
            if (loss <= target)
            {
                if (!(prevLoss > target) || !double.IsFinite(prevLoss)) return m.Step;
                double f = (Math.Log(prevLoss) - Math.Log(target)) / (Math.Log(prevLoss) - Math.Log(loss));
                return prevStep + f * (m.Step - prevStep);
            }
            (prevStep, prevLoss) = (m.Step, loss);
        }
        return null;
    }

    /// <summary>
    /// The EMA-smoothed B_simple of the last noise measurement at or before <paramref name="step"/> (the whole run
    /// when null); null when nothing finite was measured by then.
    /// </summary>
    public static double? BSimpleAt(IReadOnlyList<NoiseRow> noise, double? step)
    {
        ArgumentNullException.ThrowIfNull(noise);
        var row = noise.Where(n => (step is not double s || n.Step <= s) && double.IsFinite(n.BSimple) && n.BSimple > 0).MaxBy(n => n.Step);
        return row?.BSimple;
    }
}
