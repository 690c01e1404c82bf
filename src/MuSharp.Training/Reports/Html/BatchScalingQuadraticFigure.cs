using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The laws checked where they are exact: on a planted quadratic with known H and gradient noise Σ, the one-step
/// optimal learning rate found by Monte-Carlo (points) against theory §7's formula (line), per batch size on
/// log₂–log₂ axes, one panel per case (SGD, SignSGD, momentum, a "surge" Hessian, Adam), wrapped three to a row.
/// </summary>
public static class BatchScalingQuadraticFigure
{
    public const string Name = "quadratic-lr";

    public const string MonteCarlo = "Monte-Carlo", Theory = "theory";

    /// <summary>The figure, or null without quadratic points. Points with a batch, measurement or prediction ≤ 0 are left out and counted.</summary>
    public static ReportFigure? Build(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        if (data.Quadratic.Count == 0) return null;
        var values = new JsonArray();
        int dropped = 0;
        foreach (var q in data.Quadratic)
        {
            if (!BatchScalingSpec.Positive(q.Batch) || !BatchScalingSpec.Positive(q.Measured) || !BatchScalingSpec.Positive(q.Predicted)) { dropped++; continue; }
            values.Add(new JsonObject
            {
                ["case"] = q.Case, ["batch"] = q.Batch, ["measured"] = q.Measured, ["predicted"] = q.Predicted, ["ratio"] = q.Measured / q.Predicted,
            });
        }
        var batches = data.Quadratic.Where(q => BatchScalingSpec.Positive(q.Batch)).Select(q => q.Batch).Distinct().Order().ToList();
        var cases = data.Quadratic.Select(q => q.Case).Distinct().ToList();

        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("Planted quadratic: Monte-Carlo vs theory", "● one-step optimal lr by Monte-Carlo; line: theory §7's prediction"),
            ["data"] = new JsonObject { ["values"] = values },
            ["facet"] = new JsonObject { ["field"] = "case", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(cases) },
            ["columns"] = 3,
            ["spec"] = new JsonObject
            {
                ["width"] = 200,
                ["height"] = 160,
                ["layer"] = new JsonArray { Layer("predicted", Theory, batches), Layer("measured", MonteCarlo, batches) },
            },
            ["resolve"] = new JsonObject { ["scale"] = new JsonObject { ["x"] = "independent", ["y"] = "independent" } },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(Name, "Planted quadratic: Monte-Carlo vs theory",
            "On a quadratic loss with planted Hessian and gradient noise, the learning rate minimizing the expected loss after one step, "
            + "found by Monte-Carlo (points), against theory §7's formula (line), per batch size. SGD follows η_max/(1+B_noise/B), "
            + "sign-like updates η_max/√(1+B_simple/B); momentum multiplies the effective batch by (1+β1)/(1−β1); with a Hessian "
            + "aligned to the gradient's signs (and for Adam with β1 > 1/3) the optimum rises, then falls again (the surge)."
            + CoordSeries.DroppedNote(dropped),
            spec);
    }

    // The theory as a line, the Monte-Carlo measurement as points; the colour's datum gives both a legend entry.
    private static JsonObject Layer(string field, string series, List<double> batches) => new()
    {
        ["mark"] = series == Theory
            ? new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.6 }
            : new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 45, ["opacity"] = 0.95 },
        ["encoding"] = new JsonObject
        {
            // Planted batch sizes are fractional (B_noise ≈ 1.5), so the axis is log10 with short general labels, per panel.
            ["x"] = new JsonObject
            {
                ["field"] = "batch", ["type"] = "quantitative", ["title"] = "batch size", ["scale"] = new JsonObject { ["type"] = "log" },
                ["axis"] = new JsonObject { ["format"] = ".2~g", ["tickCount"] = 5, ["labelOverlap"] = "greedy" },
            },
            ["y"] = new JsonObject
            {
                ["field"] = field,
                ["type"] = "quantitative",
                ["title"] = "optimal learning rate",
                ["scale"] = VegaLite.Log2Scale(),
                // A panel may span less than one octave; few, thinned labels keep it readable.
                ["axis"] = new JsonObject { ["format"] = ".2~g", ["tickCount"] = 5, ["labelOverlap"] = "greedy" },
            },
            ["color"] = new JsonObject
            {
                ["datum"] = series,
                ["type"] = "nominal",
                ["title"] = null,
                ["scale"] = new JsonObject { ["domain"] = VegaLite.Strings([MonteCarlo, Theory]), ["range"] = VegaLite.Strings(["#d62728", "#555555"]) },
            },
            ["tooltip"] = BatchScalingSpec.Tooltip(("case", null, null), ("batch", ".4~g", null), ("measured", ".4~e", "Monte-Carlo lr"),
                ("predicted", ".4~e", "theory lr"), ("ratio", ".3f", "measured / theory")),
        },
    };
}
