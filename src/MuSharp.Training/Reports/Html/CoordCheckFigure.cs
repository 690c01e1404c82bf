using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// A coordinate-check figure for one activation metric: the metric against width on log₂-log₂ axes, one line per
/// module, one panel per training step (columns) and per parametrization · optimizer (rows). A flat line (slope 0)
/// means the quantity is width-independent, which μP and the spectral parametrization promise and SP breaks.
/// </summary>
public static class CoordCheckFigure
{
    /// <summary>
    /// The figure for <paramref name="metric"/> (activation or change), or null when no point has that metric.
    /// Throws ArgumentException naming a malformed point.
    /// </summary>
    public static ReportFigure? Build(IReadOnlyList<CoordPoint> points, string metric)
    {
        CoordSeries.Validate(points);
        var (title, axis, meaning) = metric switch
        {
            CoordPoint.Activation => ("Coordinate check: activation size vs width", "‖x‖_RMS", "the RMS size of each module's output"),
            CoordPoint.Change => ("Coordinate check: activation change vs width", "‖x_t − x_0‖_RMS", "how far each module's output moved from its value at initialization"),
            _ => throw new ArgumentException($"coordinate-check figure for metric '{metric}' does not exist; use activation or change (weight and update are in the spectral figure)."),
        };
        if (!points.Any(p => p.Metric == metric)) return null;
        var (kept, dropped) = CoordSeries.Plottable(points, metric);

        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title(title, $"{axis} per module; flat = width-independent"),
            ["data"] = CoordSeries.Data(kept),
            ["facet"] = CoordSeries.Facet(kept),
            ["spec"] = new JsonObject
            {
                ["width"] = 170,
                ["height"] = 140,
                ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true },
                ["encoding"] = new JsonObject
                {
                    ["x"] = CoordSeries.WidthChannel(kept),
                    ["y"] = CoordSeries.ValueChannel(axis),
                    ["color"] = CoordSeries.ModuleColor(),
                    ["tooltip"] = new JsonArray
                    {
                        new JsonObject { ["field"] = "module", ["type"] = "nominal" },
                        new JsonObject { ["field"] = "width", ["type"] = "quantitative" },
                        new JsonObject { ["field"] = "value", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ".4~e", ["title"] = axis },
                    },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure("coord-" + metric, title,
            $"{axis}: {meaning}, against width on log₂–log₂ axes, one line per module. A flat line (slope 0) is width-independent; "
            + "a line rising by one grid step per doubling grows like √width or faster." + CoordSeries.DroppedNote(dropped),
            spec);
    }
}
