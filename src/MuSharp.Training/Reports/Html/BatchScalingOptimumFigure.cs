using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The headline batch-scaling figure: the measured optimal learning rate against batch size on log₂–log₂ axes, one
/// panel per task, one colour per optimizer. Optima are dots (hollow triangles where the optimum sits at the edge of
/// the learning-rate grid, so it is only a bound); the fitted law η_max/(1+B_noise/B)^α is a solid line and the
/// theory's prediction from the B_simple measured in training a dashed one (theory §7.2–7.6). SGD's optimum grows
/// linearly in B below B_noise, Adam's and Muon's like √B, and all saturate above it.
/// </summary>
public static class BatchScalingOptimumFigure
{
    public const string Name = "batch-optimal-lr";

    public const string Interior = "interior", Edge = "lr-grid edge";

    /// <summary>The figure, or null without optima and lr curves. Throws ArgumentException naming a malformed row.</summary>
    public static ReportFigure? Build(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        var curves = data.Curves.Where(c => c.Curve is BatchScalingSpec.Fit or BatchScalingSpec.Prediction).ToList();
        if (data.Optima.Count == 0 && curves.Count == 0) return null;

        var values = new JsonArray();
        int dropped = 0;
        foreach (var o in data.Optima)
        {
            if (!BatchScalingSpec.Positive(o.OptimalLr)) { dropped++; continue; }
            values.Add(new JsonObject
            {
                ["kind"] = "optimum",
                ["task"] = o.Task,
                ["optimizer"] = o.Optimizer,
                ["batch"] = o.Batch,
                ["lr"] = o.OptimalLr,
                ["steps"] = BatchScalingSpec.Positive(o.Steps) ? o.Steps : null,
                ["samples"] = BatchScalingSpec.Positive(o.Samples) ? o.Samples : null,
                ["position"] = o.AtEdge ? Edge : Interior,
            });
        }
        foreach (var c in curves)
        {
            if (!BatchScalingSpec.Positive(c.Value) || !BatchScalingSpec.Positive(c.Batch)) { dropped++; continue; }
            values.Add(new JsonObject
            {
                ["kind"] = "curve",
                ["task"] = c.Task,
                ["optimizer"] = c.Optimizer,
                ["curve"] = c.Curve,
                ["label"] = c.Label,
                ["batch"] = c.Batch,
                ["lr"] = c.Value,
            });
        }
        var optimizers = BatchScalingSpec.Optimizers(data);
        var ticks = data.Optima.Select(o => (double)o.Batch).Concat(data.Trials.Select(t => (double)t.Batch)).Distinct().Order().ToList();
        var tasks = data.Optima.Select(o => o.Task).Concat(curves.Select(c => c.Task)).Distinct();

        var spec = BatchScalingSpec.TaskColumns("Optimal learning rate vs batch size",
            "● measured optimum, △ at the edge of the lr grid; solid: fit η_max/(1+B_noise/B)^α, dashed: prediction from the measured B_simple",
            values, tasks, new JsonArray { Curves(ticks, optimizers), Optima(ticks, optimizers, filled: true), Optima(ticks, optimizers, filled: false) }, "y");
        return new ReportFigure(Name, "Optimal learning rate vs batch size",
            "The learning rate that reaches the target validation loss in the fewest steps, against batch size on log₂–log₂ axes, "
            + "one colour per optimizer. Dots are measured optima (hollow triangles sit at the edge of the learning-rate grid, so the true "
            + "optimum may lie beyond); solid lines fit η_max/(1+B_noise/B)^α to them, dashed lines are the theory's law with the "
            + "B_simple measured during training. Slope 1 (SGD) or ½ (sign-like updates: Adam, Muon) at small batch, flat above B_noise."
            + CoordSeries.DroppedNote(dropped),
            spec);
    }

    private static JsonObject LrChannel() => VegaLite.Log2Channel("lr", "optimal learning rate");

    private static JsonObject Curves(List<double> ticks, List<string> optimizers) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter("datum.kind === 'curve'") },
        ["mark"] = new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.8, ["clip"] = true },
        ["encoding"] = new JsonObject
        {
            ["x"] = BatchScalingSpec.BatchChannel(ticks),
            ["y"] = LrChannel(),
            ["color"] = BatchScalingSpec.OptimizerColor(optimizers),
            ["strokeDash"] = new JsonObject
            {
                ["field"] = "curve",
                ["type"] = "nominal",
                ["title"] = "curve",
                ["scale"] = new JsonObject
                {
                    ["domain"] = VegaLite.Strings([BatchScalingSpec.Fit, BatchScalingSpec.Prediction]),
                    ["range"] = new JsonArray(new JsonArray(1, 0), new JsonArray(6, 4)),
                },
            },
            ["detail"] = new JsonObject { ["field"] = "label", ["type"] = "nominal" },
            ["tooltip"] = BatchScalingSpec.Tooltip(("label", null, "curve"), ("optimizer", null, null), ("batch", ".4~g", null), ("lr", ".3~e", "learning rate")),
        },
    };

    // Interior optima are filled dots; optima at the grid edge are hollow triangles (a bound, not a measurement).
    private static JsonObject Optima(List<double> ticks, List<string> optimizers, bool filled) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter($"datum.kind === 'optimum' && datum.position {(filled ? "===" : "!==")} '{Interior}'") },
        ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = filled, ["size"] = 70, ["strokeWidth"] = 1.8, ["opacity"] = 0.95 },
        ["encoding"] = new JsonObject
        {
            ["x"] = BatchScalingSpec.BatchChannel(ticks),
            ["y"] = LrChannel(),
            ["color"] = BatchScalingSpec.OptimizerColor(optimizers),
            ["shape"] = new JsonObject
            {
                ["field"] = "position",
                ["type"] = "nominal",
                ["title"] = "optimum",
                ["scale"] = new JsonObject { ["domain"] = VegaLite.Strings([Interior, Edge]), ["range"] = VegaLite.Strings(["circle", "triangle-up"]) },
            },
            ["tooltip"] = BatchScalingSpec.Tooltip(("optimizer", null, null), ("batch", "d", null), ("lr", ".3~e", "optimal lr"),
                ("steps", ",.0f", "steps to target"), ("samples", ",.0f", null), ("position", null, "optimum")),
        },
    };
}
