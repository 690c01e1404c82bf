using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The steps–samples trade-off (theory §7.2): steps S against samples E = B·S at each batch size's optimum, log–log,
/// one panel per task, one colour per optimizer. The fitted S = S_min(1+B_noise/B) becomes, with E = B·S, the
/// hyperbola (S/S_min − 1)(E/E_min − 1) = 1 with E_min = B_noise·S_min; its asymptotes S = S_min (no batch makes
/// training shorter) and E = E_min (no batch makes it cheaper) are dotted rules. Batches near B_noise sit at the knee.
/// </summary>
public static class BatchScalingTradeoffFigure
{
    public const string Name = "batch-steps-samples";

    /// <summary>The figure, or null without optima and steps-fit curves. Throws ArgumentException naming a malformed row.</summary>
    public static ReportFigure? Build(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        var curves = data.Curves.Where(c => c.Curve == BatchScalingSpec.StepsFit).ToList();
        if (data.Optima.Count == 0 && curves.Count == 0) return null;

        var values = new JsonArray();
        int dropped = 0;
        foreach (var o in data.Optima)
        {
            if (!BatchScalingSpec.Positive(o.Steps) || !BatchScalingSpec.Positive(o.Samples)) { dropped++; continue; }
            values.Add(new JsonObject
            {
                ["kind"] = "optimum", ["task"] = o.Task, ["optimizer"] = o.Optimizer, ["batch"] = o.Batch,
                ["steps"] = o.Steps, ["samples"] = o.Samples, ["lr"] = o.OptimalLr, ["edge"] = o.AtEdge,
            });
        }
        foreach (var series in curves.GroupBy(c => (c.Task, c.Optimizer, c.Label)))
        {
            var points = series.Where(c => BatchScalingSpec.Positive(c.Batch) && BatchScalingSpec.Positive(c.Value)).ToList();
            dropped += series.Count() - points.Count;
            foreach (var c in points)
            {
                values.Add(new JsonObject
                {
                    ["kind"] = "curve", ["task"] = c.Task, ["optimizer"] = c.Optimizer, ["label"] = c.Label,
                    ["batch"] = c.Batch, ["steps"] = c.Value, ["samples"] = c.Batch * c.Value,
                });
            }
            if (Asymptotes(points) is var (sMin, eMin))
            {
                values.Add(new JsonObject
                {
                    ["kind"] = "asymptote", ["task"] = series.Key.Task, ["optimizer"] = series.Key.Optimizer, ["label"] = series.Key.Label,
                    ["sMin"] = sMin, ["eMin"] = eMin, ["bNoise"] = eMin / sMin,
                });
            }
        }
        var optimizers = BatchScalingSpec.Optimizers(data);
        var tasks = data.Optima.Select(o => o.Task).Concat(curves.Select(c => c.Task)).Distinct();

        var spec = BatchScalingSpec.TaskColumns("Steps vs samples trade-off",
            "● optimum per batch size; line: fitted S = S_min(1+B_noise/B) drawn at E = B·S, the hyperbola (S/S_min − 1)(E/E_min − 1) = 1; dotted: S_min and E_min",
            values, tasks, new JsonArray { Hyperbolas(optimizers), OptimumPoints(optimizers), Rule("sMin", "y", optimizers), Rule("eMin", "x", optimizers) }, "x", "y");
        return new ReportFigure(Name, "Steps vs samples trade-off",
            "Steps S and samples E = B·S needed to reach the target at each batch size's optimal learning rate, log–log, one colour per "
            + "optimizer (larger batches lie further right and lower). The line is the fit S = S_min(1+B_noise/B) drawn as (E, S): "
            + "the hyperbola (S/S_min − 1)(E/E_min − 1) = 1 with E_min = B_noise·S_min. Dotted rules mark its asymptotes S_min (the "
            + "fewest steps any batch size can give) and E_min (the fewest samples); B = B_noise, at the knee, costs 2·S_min steps and 2·E_min samples."
            + CoordSeries.DroppedNote(dropped),
            spec);
    }

    /// <summary>
    /// S_min and E_min = S_min·B_noise of a steps-fit curve S = S_min + E_min/B, recovered by least squares in 1/B;
    /// null when the curve has fewer than two batch sizes or does not have that shape (a non-positive coefficient).
    /// </summary>
    internal static (double SMin, double EMin)? Asymptotes(IReadOnlyList<BatchCurvePoint> curve)
    {
        var xs = curve.Select(c => 1 / c.Batch).ToList();
        if (xs.Distinct().Count() < 2) return null;
        double mx = xs.Average(), my = curve.Average(c => c.Value), sxy = 0, sxx = 0;
        for (int i = 0; i < xs.Count; i++)
        {
            sxy += (xs[i] - mx) * (curve[i].Value - my);
            sxx += (xs[i] - mx) * (xs[i] - mx);
        }
        double eMin = sxy / sxx, sMin = my - eMin * mx;
        return sMin > 0 && eMin > 0 ? (sMin, eMin) : null;
    }

    private static JsonObject Samples() => BatchScalingSpec.Log10Channel("samples", "samples E = B·S", nice: false, padding: 12);

    private static JsonObject Steps() => BatchScalingSpec.Log10Channel("steps", "steps S", nice: false, padding: 12);

    private static JsonObject Hyperbolas(List<string> optimizers) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter("datum.kind === 'curve'") },
        ["mark"] = new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.8, ["clip"] = true },
        ["encoding"] = new JsonObject
        {
            ["x"] = Samples(),
            ["y"] = Steps(),
            ["order"] = new JsonObject { ["field"] = "batch", ["type"] = "quantitative" },
            ["color"] = BatchScalingSpec.OptimizerColor(optimizers),
            ["detail"] = new JsonObject { ["field"] = "label", ["type"] = "nominal" },
            ["tooltip"] = BatchScalingSpec.Tooltip(("label", null, "fit"), ("optimizer", null, null), ("batch", ".4~g", null),
                ("steps", ",.0f", null), ("samples", ",.0f", null)),
        },
    };

    private static JsonObject OptimumPoints(List<string> optimizers) => new()
    {
        ["transform"] = new JsonArray { BatchScalingSpec.Filter("datum.kind === 'optimum'") },
        ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 60, ["opacity"] = 0.95 },
        ["encoding"] = new JsonObject
        {
            ["x"] = Samples(),
            ["y"] = Steps(),
            ["color"] = BatchScalingSpec.OptimizerColor(optimizers),
            ["tooltip"] = BatchScalingSpec.Tooltip(("optimizer", null, null), ("batch", "d", null), ("lr", ".3~e", "optimal lr"),
                ("steps", ",.0f", null), ("samples", ",.0f", null), ("edge", null, "at lr-grid edge")),
        },
    };

    // A dotted asymptote: a horizontal rule at S_min (channel y) or a vertical one at E_min (channel x).
    private static JsonObject Rule(string field, string channel, List<string> optimizers)
    {
        var position = channel == "y" ? Steps() : Samples();
        position["field"] = field;
        return new JsonObject
        {
            ["transform"] = new JsonArray { BatchScalingSpec.Filter("datum.kind === 'asymptote'") },
            ["mark"] = new JsonObject { ["type"] = "rule", ["strokeDash"] = new JsonArray(2, 3), ["strokeWidth"] = 1.2, ["opacity"] = 0.8 },
            ["encoding"] = new JsonObject
            {
                [channel] = position,
                ["color"] = BatchScalingSpec.OptimizerColor(optimizers),
                ["tooltip"] = BatchScalingSpec.Tooltip(("label", null, "fit"), ("sMin", ",.0f", "S_min"), ("eMin", ",.0f", "E_min"), ("bNoise", ".4~g", "B_noise")),
            },
        };
    }
}
