using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// Pieces the batch-scaling figures share: validation of the sweep's rows, colour scales that give an optimizer (and
/// a batch size) the same colour in every figure, log channels, tooltips and one row of optimizer panels per task.
/// </summary>
internal static class BatchScalingSpec
{
    public const string Fit = "fit", Prediction = "prediction", StepsFit = "steps-fit";

    /// <summary>How a trial is drawn: reached the target, finished without reaching it, diverged or failed.</summary>
    public const string Reached = "reached", NotReached = "not reached";

    /// <summary>Throws ArgumentException naming the first trial, optimum or curve point that cannot be drawn.</summary>
    public static void Validate(BatchScalingData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(data.Trials);
        ArgumentNullException.ThrowIfNull(data.Optima);
        ArgumentNullException.ThrowIfNull(data.Curves);
        ArgumentNullException.ThrowIfNull(data.Noise);
        ArgumentNullException.ThrowIfNull(data.UpdateRms);
        ArgumentNullException.ThrowIfNull(data.Quadratic);
        for (int i = 0; i < data.Trials.Count; i++)
        {
            var t = data.Trials[i];
            string where = $"batch trial {i} ({t.Task}, {t.Optimizer}, batch {t.Batch}, lr {VegaLite.Invariant(t.Lr)}, seed {t.Seed})";
            if (t.Status is not (TransferPoint.Done or TransferPoint.Diverged or TransferPoint.Failed))
                throw new ArgumentException($"{where} has status '{t.Status}'; expected done, diverged or failed.");
            if (!(t.Lr > 0) || !double.IsFinite(t.Lr))
                throw new ArgumentException($"{where} has a learning rate that is not positive and finite; the learning-rate axis is logarithmic.");
            if (t.Batch <= 0) throw new ArgumentException($"{where} has batch {t.Batch}; batch sizes must be positive.");
        }
        for (int i = 0; i < data.Optima.Count; i++)
        {
            var o = data.Optima[i];
            if (o.Batch <= 0)
                throw new ArgumentException($"batch optimum {i} ({o.Task}, {o.Optimizer}) has batch {o.Batch}; batch sizes must be positive.");
        }
        for (int i = 0; i < data.Curves.Count; i++)
        {
            var c = data.Curves[i];
            if (c.Curve is not (Fit or Prediction or StepsFit))
                throw new ArgumentException($"batch curve point {i} ({c.Task}, {c.Optimizer}, '{c.Label}') has curve '{c.Curve}'; expected fit, prediction or steps-fit.");
        }
    }

    /// <summary>A trial's drawn status; a done trial with a non-finite loss diverged at its last evaluation.</summary>
    public static string Shown(BatchTrialPoint t) => t.Status switch
    {
        TransferPoint.Done when t.Loss is double l && !double.IsFinite(l) => TransferPoint.Diverged,
        TransferPoint.Done => Positive(t.StepsToTarget) ? Reached : NotReached,
        _ => t.Status,
    };

    /// <summary>Whether <paramref name="v"/> has a place on a log axis.</summary>
    public static bool Positive(double? v) => v is double x && x > 0 && double.IsFinite(x);

    /// <summary>Every optimizer of the sweep in first-appearance order, so each keeps its colour across figures.</summary>
    public static List<string> Optimizers(BatchScalingData data) =>
        data.Trials.Select(t => t.Optimizer).Concat(data.Optima.Select(o => o.Optimizer))
            .Concat(data.Curves.Select(c => c.Optimizer)).Concat(data.Noise.Select(n => n.Optimizer)).Distinct().ToList();

    /// <summary>Every batch size of the trials and noise measurements, ascending: the domain of the batch colour.</summary>
    public static List<int> Batches(BatchScalingData data) =>
        data.Trials.Select(t => t.Batch).Concat(data.Optima.Select(o => o.Batch)).Concat(data.Noise.Select(n => n.Batch)).Distinct().Order().ToList();

    public static JsonObject OptimizerColor(IReadOnlyList<string> optimizers) => new()
    {
        ["field"] = "optimizer",
        ["type"] = "nominal",
        ["title"] = "optimizer",
        ["scale"] = new JsonObject { ["domain"] = VegaLite.Strings(optimizers), ["scheme"] = "tableau10" },
    };

    /// <summary>Batch size as a sequential colour: darker = larger batch.</summary>
    public static JsonObject BatchColor(IReadOnlyList<int> batches) => new()
    {
        ["field"] = "batch",
        ["type"] = "ordinal",
        ["title"] = "batch",
        ["scale"] = new JsonObject
        {
            ["domain"] = VegaLite.Numbers(batches.Select(b => (double)b)),
            ["scheme"] = new JsonObject { ["name"] = "viridis", ["extent"] = new JsonArray(0.85, 0.0) },
        },
    };

    /// <summary>Batch size on a log₂ axis with a tick at each measured batch size (when few).</summary>
    public static JsonObject BatchChannel(IReadOnlyCollection<double> ticks) => VegaLite.Log2Channel("batch", "batch size", ticks, tickFormat: "d");

    /// <summary>
    /// A quantitative channel on a log₁₀ scale with SI-prefixed labels (steps, samples, noise scales). Without
    /// <paramref name="nice"/> the domain ends at the data instead of whole decades; <paramref name="padding"/>
    /// keeps that many pixels free at both ends (room for the not-reached strip).
    /// </summary>
    public static JsonObject Log10Channel(string field, string title, bool nice = true, double padding = 0)
    {
        var scale = new JsonObject { ["type"] = "log" };
        if (!nice) scale["nice"] = false;
        if (padding > 0) scale["padding"] = padding;
        return new JsonObject
        {
            ["field"] = field,
            ["type"] = "quantitative",
            ["title"] = title,
            ["scale"] = scale,
            ["axis"] = new JsonObject { ["format"] = "~s" },
        };
    }

    /// <summary>Training step on a linear axis.</summary>
    public static JsonObject StepChannel() => new() { ["field"] = "step", ["type"] = "quantitative", ["title"] = "step" };

    public static JsonObject Filter(string expression) => new() { ["filter"] = expression };

    /// <summary>Tooltip fields: a format makes the field quantitative, none nominal.</summary>
    public static JsonArray Tooltip(params (string Field, string? Format, string? Title)[] fields)
    {
        var list = new JsonArray();
        foreach (var (field, format, title) in fields)
        {
            var item = new JsonObject { ["field"] = field, ["type"] = format == null ? "nominal" : "quantitative" };
            if (format != null) item["format"] = format;
            if (title != null) item["title"] = title;
            list.Add(item);
        }
        return list;
    }

    /// <summary>
    /// One row per task (first-appearance order), each a facet with one column per optimizer over that task's rows.
    /// Columns get their own x scale (optimizers use very different learning rates); a row shares its y scale.
    /// Every row object must carry "task" and "optimizer".
    /// </summary>
    public static JsonArray TaskRows(IReadOnlyList<JsonObject> rows, IReadOnlyList<string> optimizers, Func<JsonArray> layer, int width, int height)
    {
        var vconcat = new JsonArray();
        foreach (string task in rows.Select(r => (string)r["task"]!).Distinct().ToList())
        {
            var inRow = rows.Where(r => (string)r["task"]! == task).ToList();
            var present = optimizers.Where(o => inRow.Any(r => (string)r["optimizer"]! == o));
            vconcat.Add(new JsonObject
            {
                ["title"] = new JsonObject { ["text"] = task, ["anchor"] = "start", ["fontSize"] = 13 },
                ["data"] = new JsonObject { ["values"] = new JsonArray([.. inRow]) },
                ["facet"] = new JsonObject
                {
                    ["column"] = new JsonObject { ["field"] = "optimizer", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(present) },
                },
                ["spec"] = new JsonObject { ["width"] = width, ["height"] = height, ["layer"] = layer() },
                ["resolve"] = new JsonObject { ["scale"] = new JsonObject { ["x"] = "independent" } },
            });
        }
        return vconcat;
    }

    /// <summary>The resolution of a vconcat of <see cref="TaskRows"/>: own axes per row, one legend per channel.</summary>
    public static JsonObject RowsResolve() => new()
    {
        ["scale"] = new JsonObject { ["x"] = "independent", ["y"] = "independent", ["color"] = "shared", ["shape"] = "shared" },
    };

    /// <summary>
    /// A figure of one 300×240 panel per task, side by side: the shared frame of the optimum and trade-off figures.
    /// <paramref name="independent"/> lists the axes ("x", "y") each panel scales on its own.
    /// </summary>
    public static JsonObject TaskColumns(string title, string subtitle, JsonArray values, IEnumerable<string> tasks, JsonArray layers, params string[] independent) => new()
    {
        ["$schema"] = VegaLite.Schema,
        ["title"] = VegaLite.Title(title, subtitle),
        ["data"] = new JsonObject { ["values"] = values },
        ["facet"] = new JsonObject
        {
            ["column"] = new JsonObject { ["field"] = "task", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(tasks) },
        },
        ["spec"] = new JsonObject { ["width"] = 300, ["height"] = 240, ["layer"] = layers },
        ["resolve"] = new JsonObject { ["scale"] = new JsonObject(independent.Select(a => KeyValuePair.Create(a, (JsonNode?)"independent"))) },
        ["config"] = VegaLite.Config(),
    };
}
