using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The spectral-condition figure: ‖W‖₂·√(d_in/d_out) (solid) and ‖ΔW‖₂·√(d_in/d_out) (dashed) against width on
/// log₂-log₂ axes, one colour per module, one panel per step (columns) and per parametrization · optimizer (rows).
/// The spectral parametrization keeps both Θ(1) in width, so its lines are flat; SP's weights drift.
/// </summary>
public static class SpectralRatioFigure
{
    public const string Name = "spectral";

    private const string Axis = "‖·‖₂·√(d_in/d_out)";

    /// <summary>The figure, or null when no point has metric weight or update. Throws ArgumentException naming a malformed point.</summary>
    public static ReportFigure? Build(IReadOnlyList<CoordPoint> points)
    {
        CoordSeries.Validate(points);
        if (!points.Any(p => p.Metric is CoordPoint.Weight or CoordPoint.Update)) return null;
        var (kept, dropped) = CoordSeries.Plottable(points, CoordPoint.Weight, CoordPoint.Update);
        var metricDomain = VegaLite.Strings([CoordPoint.Weight, CoordPoint.Update]);

        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("Spectral ratios vs width", "‖W‖₂·√(d_in/d_out) solid, ‖ΔW‖₂·√(d_in/d_out) dashed; flat = Θ(1) in width"),
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
                    ["y"] = CoordSeries.ValueChannel(Axis),
                    ["color"] = CoordSeries.ModuleColor(),
                    ["strokeDash"] = new JsonObject
                    {
                        ["field"] = "metric",
                        ["type"] = "nominal",
                        ["title"] = "metric",
                        ["scale"] = new JsonObject { ["domain"] = metricDomain, ["range"] = new JsonArray(new JsonArray(1, 0), new JsonArray(5, 3)) },
                    },
                    ["shape"] = new JsonObject
                    {
                        ["field"] = "metric",
                        ["type"] = "nominal",
                        ["title"] = "metric",
                        ["scale"] = new JsonObject { ["domain"] = metricDomain.DeepClone(), ["range"] = VegaLite.Strings(["circle", "square"]) },
                    },
                    ["tooltip"] = new JsonArray
                    {
                        new JsonObject { ["field"] = "module", ["type"] = "nominal" },
                        new JsonObject { ["field"] = "metric", ["type"] = "nominal" },
                        new JsonObject { ["field"] = "width", ["type"] = "quantitative" },
                        new JsonObject { ["field"] = "value", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ".4~e", ["title"] = Axis },
                    },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(Name, "Spectral ratios",
            "Spectral norm of each weight matrix (solid) and of its latest update (dashed), scaled by √(d_in/d_out), against width on "
            + "log₂–log₂ axes. The spectral condition asks for both to stay Θ(1) as width grows: flat lines." + CoordSeries.DroppedNote(dropped),
            spec);
    }
}
