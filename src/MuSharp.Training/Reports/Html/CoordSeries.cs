using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// Coordinate-check points turned into Vega-Lite rows for the log-log figures, and the facet layout they share:
/// one column per step, one row per "parametrization · optimizer". Values ≤ 0 or non-finite have no place on a
/// log axis (e.g. ‖x_t − x_0‖ at step 0 is exactly 0); they are left out and counted in the caption.
/// </summary>
internal static class CoordSeries
{
    private static readonly string[] Metrics = [CoordPoint.Activation, CoordPoint.Change, CoordPoint.Weight, CoordPoint.Update];

    /// <summary>Throws ArgumentException naming the first point with an unknown metric or a non-positive width.</summary>
    public static void Validate(IReadOnlyList<CoordPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            string where = $"coordinate point {i} ({p.Parametrization}, {p.Optimizer}, {p.Module}, step {p.Step}, width {p.Width})";
            if (!Metrics.Contains(p.Metric))
                throw new ArgumentException($"{where} has metric '{p.Metric}'; expected activation, change, weight or update.");
            if (p.Width <= 0)
                throw new ArgumentException($"{where} has width {p.Width}; widths must be positive.");
        }
    }

    /// <summary>The plottable points of the given metrics, and how many were left out for being ≤ 0 or non-finite.</summary>
    public static (List<CoordPoint> Kept, int Dropped) Plottable(IEnumerable<CoordPoint> points, params string[] metrics)
    {
        var selected = points.Where(p => metrics.Contains(p.Metric)).ToList();
        var kept = selected.Where(p => p.Value > 0 && double.IsFinite(p.Value)).ToList();
        return (kept, selected.Count - kept.Count);
    }

    public static JsonObject Data(IEnumerable<CoordPoint> points)
    {
        var values = new JsonArray();
        foreach (var p in points)
        {
            values.Add(new JsonObject
            {
                ["panel"] = VegaLite.Panel(p.Parametrization, p.Optimizer),
                ["module"] = p.Module,
                ["metric"] = p.Metric,
                ["step"] = p.Step,
                ["width"] = p.Width,
                ["value"] = p.Value,
            });
        }
        return new JsonObject { ["values"] = values };
    }

    /// <summary>Columns: steps in increasing order; rows: "parametrization · optimizer" in first-appearance order.</summary>
    public static JsonObject Facet(IReadOnlyList<CoordPoint> points) => new()
    {
        ["row"] = new JsonObject
        {
            ["field"] = "panel",
            ["type"] = "nominal",
            ["title"] = null,
            ["sort"] = VegaLite.Strings(points.Select(p => VegaLite.Panel(p.Parametrization, p.Optimizer)).Distinct()),
            ["header"] = VegaLite.RowHeader(),
        },
        ["column"] = new JsonObject
        {
            ["field"] = "step",
            ["type"] = "ordinal",
            ["title"] = null,
            ["sort"] = "ascending",
            ["header"] = new JsonObject { ["labelExpr"] = "'step ' + datum.value" },
        },
    };

    public static JsonObject WidthChannel(IReadOnlyList<CoordPoint> points) =>
        VegaLite.Log2Channel("width", "width", points.Select(p => (double)p.Width).Distinct().Order().ToList(), tickFormat: "d");

    public static JsonObject ValueChannel(string title) => new()
    {
        ["field"] = "value",
        ["type"] = "quantitative",
        ["aggregate"] = "mean",
        ["title"] = title,
        ["scale"] = VegaLite.Log2Scale(),
        ["axis"] = new JsonObject { ["format"] = ".3~g" },
    };

    public static JsonObject ModuleColor() => new()
    {
        ["field"] = "module",
        ["type"] = "nominal",
        ["title"] = "module",
        ["scale"] = new JsonObject { ["scheme"] = "tableau10" },
    };

    public static string DroppedNote(int dropped) =>
        dropped == 0 ? "" : $" {dropped} value{(dropped == 1 ? "" : "s")} ≤ 0 or non-finite (no place on a log axis) left out.";
}
