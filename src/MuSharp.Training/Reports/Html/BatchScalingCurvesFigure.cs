using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The raw sweep behind the optima: steps to the target validation loss against learning rate (log₂), one line per
/// batch size (darker = larger), one panel per optimizer and one row per task. Lines are seed means of trials that
/// reached the target; each batch size's refined optimum is a diamond. Trials that finished without reaching the
/// target, diverged or failed sit as marks in a strip along the top of their panel (one pixel row per batch size),
/// so the edges of the stable learning-rate range stay visible.
/// </summary>
public static class BatchScalingCurvesFigure
{
    public const string Name = "batch-lr-curves";

    // Pixel rows of the strip at the top of each panel: one per batch size, this far apart.
    private const double StripTop = 5, StripStep = 6;

    /// <summary>The figure, or null without trials. Throws ArgumentException naming a malformed trial.</summary>
    public static ReportFigure? Build(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        if (data.Trials.Count == 0) return null;
        var batches = BatchScalingSpec.Batches(data);
        var rank = batches.Select((b, i) => (b, i)).ToDictionary(p => p.b, p => p.i);

        var rows = new List<JsonObject>();
        foreach (var t in data.Trials)
        {
            string status = BatchScalingSpec.Shown(t);
            rows.Add(new JsonObject
            {
                ["kind"] = "trial",
                ["task"] = t.Task,
                ["optimizer"] = t.Optimizer,
                ["batch"] = t.Batch,
                ["lr"] = t.Lr,
                ["seed"] = t.Seed,
                ["steps"] = status == BatchScalingSpec.Reached ? t.StepsToTarget : null,
                ["loss"] = BatchScalingSpec.Positive(t.Loss) ? t.Loss : null,
                ["status"] = status,
                ["strip"] = StripTop + StripStep * rank[t.Batch],
            });
        }
        // Optima of tasks and optimizers that have trials: the refined minimum of each line.
        var swept = data.Trials.Select(t => (t.Task, t.Optimizer)).ToHashSet();
        foreach (var o in data.Optima.Where(o => swept.Contains((o.Task, o.Optimizer)) && BatchScalingSpec.Positive(o.OptimalLr) && BatchScalingSpec.Positive(o.Steps)))
        {
            rows.Add(new JsonObject
            {
                ["kind"] = "optimum",
                ["task"] = o.Task,
                ["optimizer"] = o.Optimizer,
                ["batch"] = o.Batch,
                ["lr"] = o.OptimalLr,
                ["steps"] = o.Steps,
                ["edge"] = o.AtEdge,
            });
        }

        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("Steps to target vs learning rate",
                "mean over seeds; ◆ refined optimum per batch size; top strip: ■ not reached, ▲ diverged, ✕ failed (one row per batch size)"),
            ["vconcat"] = BatchScalingSpec.TaskRows(rows, BatchScalingSpec.Optimizers(data), () => Layers(batches), 220, 180),
            ["resolve"] = BatchScalingSpec.RowsResolve(),
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(Name, "Steps to target vs learning rate",
            "Steps needed to reach the target validation loss against learning rate, one line per batch size (darker = larger), mean "
            + "over seeds. The diamond on each line is its optimum refined in log learning rate, the point plotted in the headline figure. "
            + "Trials that finished without reaching the target (■), diverged (▲) or failed (✕) are drawn in the strip at the top of "
            + "their panel, one row per batch size.",
            spec);
    }

    private static JsonArray Layers(List<int> batches) =>
    [
        MeanLines(batches), OptimumMarks(batches), NotReachedStrip(batches),
    ];

    private static JsonObject LrChannel() => VegaLite.Log2Channel("lr", "learning rate");

    // Padding keeps the top of the panel free for the strip, so no line runs through it.
    private static JsonObject StepsChannel(bool aggregate, int batches)
    {
        var channel = BatchScalingSpec.Log10Channel("steps", "steps to target", padding: StripTop + StripStep * batches + 4);
        if (aggregate) channel["aggregate"] = "mean";
        return channel;
    }

    private static JsonObject MeanLines(List<int> batches) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter($"datum.kind === 'trial' && datum.status === '{BatchScalingSpec.Reached}'") },
        ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true, ["strokeWidth"] = 1.6 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(),
            ["y"] = StepsChannel(aggregate: true, batches.Count),
            ["color"] = BatchScalingSpec.BatchColor(batches),
            ["tooltip"] = new JsonArray
            {
                new JsonObject { ["field"] = "batch", ["type"] = "ordinal" },
                new JsonObject { ["field"] = "lr", ["type"] = "quantitative", ["format"] = ".3~e" },
                new JsonObject { ["field"] = "steps", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ",.0f", ["title"] = "mean steps" },
                new JsonObject { ["field"] = "seed", ["aggregate"] = "count", ["type"] = "quantitative", ["title"] = "seeds" },
            },
        },
    };

    private static JsonObject OptimumMarks(List<int> batches) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter("datum.kind === 'optimum'") },
        ["mark"] = new JsonObject { ["type"] = "point", ["shape"] = "diamond", ["filled"] = true, ["size"] = 120, ["stroke"] = "black", ["strokeWidth"] = 1, ["opacity"] = 1 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(),
            ["y"] = StepsChannel(aggregate: false, batches.Count),
            ["color"] = BatchScalingSpec.BatchColor(batches),
            ["tooltip"] = BatchScalingSpec.Tooltip(("batch", "d", "batch (optimum)"), ("lr", ".3~e", "optimal lr"), ("steps", ",.0f", null), ("edge", null, "at lr-grid edge")),
        },
    };

    // y is the row's "strip" field in pixels from the top, unscaled, so the steps scale is left untouched.
    private static JsonObject NotReachedStrip(List<int> batches) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter($"datum.kind === 'trial' && datum.status !== '{BatchScalingSpec.Reached}'") },
        ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 40, ["opacity"] = 0.9 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(),
            ["y"] = new JsonObject { ["field"] = "strip", ["type"] = "quantitative", ["scale"] = null, ["axis"] = null },
            ["color"] = BatchScalingSpec.BatchColor(batches),
            ["shape"] = new JsonObject
            {
                ["field"] = "status",
                ["type"] = "nominal",
                ["title"] = "no steps to target",
                ["scale"] = new JsonObject
                {
                    ["domain"] = VegaLite.Strings([BatchScalingSpec.NotReached, TransferPoint.Diverged, TransferPoint.Failed]),
                    ["range"] = VegaLite.Strings(["square", "triangle-up", "cross"]),
                },
            },
            ["tooltip"] = BatchScalingSpec.Tooltip(("status", null, null), ("batch", "d", null), ("lr", ".3~e", null), ("seed", "d", null), ("loss", ".4f", "final loss")),
        },
    };
}
