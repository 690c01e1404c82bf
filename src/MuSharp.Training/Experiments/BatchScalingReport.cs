using MuSharp.Reports;
using MuSharp.Sweeps;

namespace MuSharp.Experiments;

/// <summary>Turns batch-scaling results into the report's <see cref="BatchScalingData"/>: points, optima and curves.</summary>
public static class BatchScalingReport
{
    // Curves are drawn at this many batch sizes per factor of 2, spanning the measured batches.
    private const int CurvePointsPerOctave = 8;

    public static ReportData Data(string title, IReadOnlyList<BatchScalingSweep.Results> sweeps, IReadOnlyList<UpdateRmsSeries> updateRms,
        IReadOnlyList<QuadraticLrPoint> quadratic, IReadOnlyList<string> summary)
    {
        ArgumentNullException.ThrowIfNull(sweeps);
        ArgumentNullException.ThrowIfNull(updateRms);
        var trials = new List<BatchTrialPoint>();
        var optima = new List<BatchOptimumPoint>();
        var curves = new List<BatchCurvePoint>();
        var noise = new List<NoiseScalePoint>();
        foreach (var sweep in sweeps)
        {
            foreach (var t in sweep.Trials)
                trials.Add(new BatchTrialPoint(t.Row.Spec.Task, t.Row.Spec.Optimizer, t.Row.Spec.BatchSize, t.Row.Spec.Lr, t.Row.Spec.Seed,
                    t.Row.Status == TrialStatus.Done ? t.Row.Result.FinalValLoss : null, t.StepsToTarget, SweepStore.StatusName(t.Row.Status)));
            noise.AddRange(sweep.Noise);
            foreach (var g in sweep.Groups)
            {
                optima.AddRange(g.Optima.Select(o => new BatchOptimumPoint(g.Task, g.Optimizer, o.Batch, o.Lr, o.Steps, o.Samples, o.AtEdge)));
                if (g.Batches.Length == 0) continue;
                var grid = CurveGrid(g.Batches[0], g.Batches[^1]);
                if (g.Fit is { } f)
                    curves.AddRange(grid.Select(b => new BatchCurvePoint(g.Task, g.Optimizer, "fit",
                        $"fit: B_noise {f.BNoise:G3}, α {f.Alpha:F2}", b, f.Predict(b))));
                if (g.Prediction is { } p && g.BSimple is double bs)
                    curves.AddRange(grid.Select(b => new BatchCurvePoint(g.Task, g.Optimizer, "prediction",
                        $"theory, B_simple {bs:G3}", b, p(b))));
                if (g.StepsFit is { } sf)
                    curves.AddRange(grid.Select(b => new BatchCurvePoint(g.Task, g.Optimizer, "steps-fit",
                        $"S = S_min(1 + B_noise/B): S_min {sf.SMin:F0}, B_noise {sf.BNoise:G3}", b, sf.SMin * (1 + sf.BNoise / b))));
            }
        }
        var rms = updateRms.SelectMany(s => s.Points.Select(p => new UpdateRmsPoint("mlp", s.Beta1, p.Step, p.Rms, s.Predicted,
            MuSharp.BatchScaling.AdamUpdateRms.InverseSnr(p.Rms, s.Beta1)))).ToList();
        return new ReportData(title, [], [], [], summary, new BatchScalingData(trials, optima, curves, noise, rms, quadratic));
    }

    private static double[] CurveGrid(double min, double max)
    {
        int n = Math.Max(2, (int)Math.Ceiling(Math.Log2(max / min) * CurvePointsPerOctave) + 1);
        return [.. Enumerable.Range(0, n).Select(i => min * Math.Pow(max / min, i / (double)(n - 1)))];
    }
}
