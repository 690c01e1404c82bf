using System.Globalization;
using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// What the batch-scaling laws assume, measured during real training: the gradient noise scale B_simple = tr Σ / |G|²
/// (theory §7.2, two-batch estimator) per step, and Adam's update RMS per step against theory §6's zero-signal value
/// sqrt((1−β1)/(1+β1)).
/// </summary>
public static class BatchScalingTrainingFigures
{
    public const string NoiseName = "batch-noise-scale", UpdateRmsName = "adam-update-rms";

    /// <summary>B_simple against step, or null without noise measurements. Values ≤ 0 (the estimator's |G|² can come out negative) are left out and counted.</summary>
    public static ReportFigure? NoiseScale(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        if (data.Noise.Count == 0) return null;
        var kept = data.Noise.Where(n => BatchScalingSpec.Positive(n.BSimple)).ToList();
        var rows = kept.Select(n => new JsonObject
        {
            ["task"] = n.Task, ["optimizer"] = n.Optimizer, ["batch"] = n.Batch, ["lr"] = n.Lr, ["step"] = n.Step,
            ["gradNormSq"] = n.GradNormSq, ["traceSigma"] = n.TraceSigma, ["bSimple"] = n.BSimple,
        }).ToList();
        var batches = BatchScalingSpec.Batches(data);
        var line = new JsonObject
        {
            ["mark"] = new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.4, ["opacity"] = 0.85 },
            ["encoding"] = new JsonObject
            {
                ["x"] = BatchScalingSpec.StepChannel(),
                ["y"] = BatchScalingSpec.Log10Channel("bSimple", "B_simple = tr Σ / |G|²"),
                ["color"] = BatchScalingSpec.BatchColor(batches),
                ["detail"] = new JsonObject { ["field"] = "lr", ["type"] = "nominal" },
                ["tooltip"] = BatchScalingSpec.Tooltip(("batch", "d", null), ("lr", ".3~e", "learning rate"), ("step", "d", null),
                    ("bSimple", ".4~g", "B_simple"), ("traceSigma", ".4~e", "tr Σ"), ("gradNormSq", ".4~e", "|G|²")),
            },
        };
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("Gradient noise scale during training",
                "B_simple = tr Σ / |G|² from the two-batch estimator, EMA-smoothed; one line per trial, colour = batch size"),
            ["vconcat"] = BatchScalingSpec.TaskRows(rows, BatchScalingSpec.Optimizers(data), () => [line.DeepClone()], 220, 170),
            ["resolve"] = BatchScalingSpec.RowsResolve(),
            ["config"] = VegaLite.Config(),
        };
        int dropped = data.Noise.Count - kept.Count;
        return new ReportFigure(NoiseName, "Gradient noise scale during training",
            "The simple noise scale B_simple = tr Σ / |G|² measured during training with the two-batch estimator (theory §7.2), "
            + "one line per trial, darker = larger batch, one panel per optimizer. It grows as the loss falls and the mean gradient "
            + "shrinks; batches well below it are in the linear (SGD) or √B (sign-like) regime of the optimal learning rate."
            + (dropped == 0 ? "" : $" {dropped} estimate{(dropped == 1 ? "" : "s")} ≤ 0 or non-finite (|G|² came out negative) left out."),
            spec);
    }

    /// <summary>Adam's update RMS against step, one line per β1 with its prediction as a dashed rule; null without measurements.</summary>
    public static ReportFigure? UpdateRms(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        if (data.UpdateRms.Count == 0) return null;
        var kept = data.UpdateRms.Where(u => double.IsFinite(u.Measured) && double.IsFinite(u.Predicted)).ToList();
        var values = new JsonArray();
        foreach (var u in kept)
        {
            values.Add(new JsonObject
            {
                ["task"] = u.Task, ["beta1"] = Beta(u.Beta1), ["step"] = u.Step, ["measured"] = u.Measured, ["predicted"] = u.Predicted,
                ["snr"] = double.IsFinite(u.Snr) ? u.Snr : null,
            });
        }
        var betas = kept.Select(u => u.Beta1).Distinct().Order().Select(Beta).ToList();
        var color = new JsonObject
        {
            ["field"] = "beta1",
            ["type"] = "nominal",
            ["title"] = "β1",
            ["scale"] = new JsonObject { ["domain"] = VegaLite.Strings(betas), ["scheme"] = "set1" },
        };
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("Adam update RMS", "solid: measured ‖u_t‖_RMS; dashed: zero-signal prediction sqrt((1−β1)/(1+β1))"),
            ["data"] = new JsonObject { ["values"] = values },
            ["facet"] = new JsonObject
            {
                ["column"] = new JsonObject { ["field"] = "task", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(kept.Select(u => u.Task).Distinct()) },
            },
            ["spec"] = new JsonObject
            {
                ["width"] = 320,
                ["height"] = 220,
                ["layer"] = new JsonArray
                {
                    new JsonObject
                    {
                        ["mark"] = new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.6 },
                        ["encoding"] = new JsonObject
                        {
                            ["x"] = BatchScalingSpec.StepChannel(),
                            ["y"] = new JsonObject { ["field"] = "measured", ["type"] = "quantitative", ["title"] = "update RMS" },
                            ["color"] = color,
                            ["tooltip"] = BatchScalingSpec.Tooltip(("beta1", null, "β1"), ("step", "d", null), ("measured", ".4f", "measured RMS"),
                                ("predicted", ".4f", "predicted (zero signal)"), ("snr", ".3~g", "‖μ‖²/‖σ‖² estimate")),
                        },
                    },
                    new JsonObject
                    {
                        ["mark"] = new JsonObject { ["type"] = "rule", ["strokeDash"] = new JsonArray(6, 4), ["strokeWidth"] = 1.4 },
                        ["encoding"] = new JsonObject
                        {
                            ["y"] = new JsonObject { ["field"] = "predicted", ["aggregate"] = "mean", ["type"] = "quantitative" },
                            ["color"] = color.DeepClone(),
                            ["tooltip"] = new JsonArray
                            {
                                new JsonObject { ["field"] = "beta1", ["type"] = "nominal", ["title"] = "β1" },
                                new JsonObject { ["field"] = "predicted", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ".4f", ["title"] = "sqrt((1−β1)/(1+β1))" },
                            },
                        },
                    },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(UpdateRmsName, "Adam update RMS",
            "The RMS of Adam's update u_t = m̂/(√v̂+ε) during training, one colour per β1, with theory §6's value for gradients without "
            + "signal, sqrt((1−β1)/(1+β1)) (0.229 at β1 = 0.9), as a dashed rule in the same colour. A measured RMS above its rule means "
            + "the mean gradient is visible through the noise; the tooltip gives the implied ‖μ‖²/‖σ‖².",
            spec);
    }

    private static string Beta(double beta1) => beta1.ToString("0.###", CultureInfo.InvariantCulture);
}
