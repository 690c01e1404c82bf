using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MuSharp.Data;
using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Reports;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// What a stability run certifies (theory §4.1–4.3, §14.1–14.2): the model family, the widths (MLP: every hidden layer;
/// GPT: d_model with the head count fixed), the parametrizations, and the sweep's model shape, Δω (one AdamW step) and
/// search effort (<see cref="StabilitySweepOptions"/>).
/// </summary>
public sealed record StabilitySpec
{
    public TaskKind Task { get; init; } = TaskKind.Mlp;
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512, 1024];
    public IReadOnlyList<ParametrizationKind> Parametrizations { get; init; } = [ParametrizationKind.Standard, ParametrizationKind.Mup, ParametrizationKind.Spectral];
    public StabilitySweepOptions Options { get; init; } = new();

    /// <summary>The widths a task is swept over by default: MLP 64–1024, GPT 64–256.</summary>
    public static IReadOnlyList<int> DefaultWidths(TaskKind task) => task == TaskKind.Gpt ? [64, 128, 256] : [64, 128, 256, 512, 1024];

    /// <summary>
    /// The spec of a training config: its task; MLP input and class counts of its dataset (fashion-mnist 784/10, blobs 16/4)
    /// and its number of hidden layers; GPT layers, heads, context, norm, positions and tied head (vocabulary 32 of random
    /// tokens: the certificates do not read data); Δω is one AdamW step at the config's lr from its seed.
    /// </summary>
    public static StabilitySpec FromConfig(TrainConfig config, IReadOnlyList<int>? widths = null, IReadOnlyList<ParametrizationKind>? parametrizations = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (inputs, classes) = config.Dataset switch
        {
            "blobs" => (16, 4),
            "fashion-mnist" => (FashionMnist.Pixels, FashionMnist.ClassCount),
            _ when config.Task == TaskKind.Gpt => (0, 0),
            _ => throw new ArgumentException($"stability: dataset '{config.Dataset}' is not one for the MLP (fashion-mnist or blobs)."),
        };
        var options = new StabilitySweepOptions
        {
            Lr = config.Lr, Seed = config.Seed,
            MlpInputs = inputs > 0 ? inputs : 784, MlpClasses = classes > 0 ? classes : 10, MlpHiddenLayers = config.Hidden.Length,
            Gpt = new GptConfig
            {
                VocabSize = 32, ContextLength = config.ContextLength, Layers = config.Layers, Heads = config.Heads,
                Norm = config.Norm, Positions = config.Positions, TiedHead = config.TiedHead,
            },
        };
        var spec = new StabilitySpec
        {
            Task = config.Task, Widths = widths ?? DefaultWidths(config.Task), Options = options,
            Parametrizations = parametrizations ?? [ParametrizationKind.Standard, ParametrizationKind.Mup, ParametrizationKind.Spectral],
        };
        spec.Validate();
        return spec;
    }

    /// <summary>Throws ArgumentException naming what is wrong: fewer than two widths, a non-positive width, a GPT width the heads do not divide.</summary>
    public void Validate()
    {
        if (Widths.Count < 2 || Widths.Any(w => w <= 0))
            throw new ArgumentException($"stability: widths must list at least two positive widths for a slope, got [{string.Join(", ", Widths)}].");
        if (Parametrizations.Count == 0) throw new ArgumentException("stability: parametrizations must not be empty.");
        if (Task == TaskKind.Gpt && Widths.FirstOrDefault(w => w % Options.Gpt.Heads != 0) is int bad and > 0)
            throw new ArgumentException($"stability: GPT width {bad} is not divisible by heads {Options.Gpt.Heads}.");
    }
}

/// <summary>
/// A stability run's certificates at every width and parametrization and their log-log width slopes: the table
/// `musharp stability` prints (<see cref="TextTable"/>), the one docs/stability.md shows (<see cref="MarkdownTable"/>), the
/// verdict per parametrization (<see cref="Summary"/>) and the report section (<see cref="Section"/>).
/// </summary>
public sealed record StabilityReport(StabilitySpec Spec, IReadOnlyList<StabilityPoint> Points, IReadOnlyList<StabilitySlope> Slopes)
{
    /// <summary>|slope| up to which a bound counts as Θ(1) in <see cref="Summary"/>: three to five widths, one seed.</summary>
    public const double FlatTolerance = 0.15;

    /// <summary>Units in model order.</summary>
    public IReadOnlyList<string> Units => [.. Points.Select(p => p.Result.Unit).Distinct()];

    public int WidestWidth => Spec.Widths.Max();

    /// <summary>Whether every certified bound is at least its measurement (float rounding allows 1e-5 relative).</summary>
    public bool BoundsHold => Points.All(p => Enum.GetValues<StabilityMetric>().All(m => p.Result.Bound[m] >= p.Result.Measured[m] * (1 - 1e-5)));

    /// <summary>The slope of one unit and metric under one parametrization.</summary>
    public StabilitySlope Slope(ParametrizationKind kind, string unit, StabilityMetric metric) =>
        Slopes.Single(s => s.Kind == kind && s.Unit == unit && s.Metric == metric);

    /// <summary>
    /// One line per parametrization: whether every unit's certified forward, dependency and update bound is Θ(1) in width
    /// (|slope| ≤ <see cref="FlatTolerance"/>), else the units and metrics that grow or shrink, steepest first.
    /// </summary>
    public IReadOnlyList<string> Summary()
    {
        var lines = new List<string>();
        foreach (var kind in Spec.Parametrizations)
        {
            var off = Slopes.Where(s => s.Kind == kind && !(Math.Abs(s.BoundSlope) <= FlatTolerance)).OrderByDescending(s => Math.Abs(s.BoundSlope)).ToList();
            string name = Name(kind);
            lines.Add(off.Count == 0
                ? $"{name}: all three metrics Θ(1) in every unit (|bound slope| ≤ {FlatTolerance})"
                : $"{name}: not Θ(1): " + string.Join(", ", off.Take(4).Select(s => $"{s.Unit} {Metric(s.Metric)} {Signed(s.BoundSlope)}")) + (off.Count > 4 ? $" and {off.Count - 4} more" : ""));
        }
        lines.Add(BoundsHold ? "bound ≥ measured in every unit, metric, width and parametrization" : "BOUND BELOW MEASURED somewhere: a certificate is wrong");
        return lines;
    }

    /// <summary>Aligned plain text: per unit and metric the bound / measured slopes for each parametrization, then the values at the widest model.</summary>
    public IReadOnlyList<string> TextTable()
    {
        var kinds = Spec.Parametrizations;
        var lines = new List<string>
        {
            $"{Describe()}; slope of log(value) vs log(width), bound / measured; values at width {WidestWidth}, bound / measured",
            $"{"unit",-14} {"metric",-10} " + string.Join(" ", kinds.Select(k => $"{Name(k) + " slope",-15}")) + " " + string.Join(" ", kinds.Select(k => $"{Name(k) + " value",-17}")),
        };
        foreach (var (unit, metric) in Rows())
        {
            var slopes = kinds.Select(k => Slope(k, unit, metric)).Select(s => $"{Signed(s.BoundSlope) + " / " + Signed(s.MeasuredSlope),-15}");
            var values = kinds.Select(k => Widest(k, unit)).Select(r => $"{G3(r.Bound[metric]) + " / " + G3(r.Measured[metric]),-17}");
            lines.Add($"{unit,-14} {Metric(metric),-10} {string.Join(" ", slopes)} {string.Join(" ", values)}");
        }
        return lines;
    }

    /// <summary>The table of docs/stability.md: unit, metric, slopes per parametrization, values at the widest model.</summary>
    public IReadOnlyList<string> MarkdownTable()
    {
        var kinds = Spec.Parametrizations;
        var lines = new List<string>
        {
            $"| unit | metric | {string.Join(" | ", kinds.Select(Name))} | {string.Join(" | ", kinds.Select((k, i) => i == 0 ? $"{Name(k)} at w={WidestWidth}" : Name(k)))} |",
            "|---|---|" + string.Concat(Enumerable.Repeat("---|", 2 * kinds.Count)),
        };
        foreach (var (unit, metric) in Rows())
        {
            var slopes = kinds.Select(k => Slope(k, unit, metric)).Select(s => $"{Signed(s.BoundSlope)} / {Signed(s.MeasuredSlope)}");
            var values = kinds.Select(k => Widest(k, unit)).Select(r => $"{G3(r.Bound[metric])} / {G3(r.Measured[metric])}");
            lines.Add($"| {unit} | {Metric(metric)} | {string.Join(" | ", slopes)} | {string.Join(" | ", values)} |");
        }
        return lines;
    }

    /// <summary>
    /// The report section: a figure of bound (solid) and measured (dashed) against width per unit (rows) and metric
    /// (columns), one colour per parametrization, log₂–log₂; then the summary and the slope table.
    /// </summary>
    public ReportSection Section(string id = "stability")
    {
        var rows = new JsonArray();
        foreach (var p in Points)
            foreach (var metric in Enum.GetValues<StabilityMetric>())
                foreach (var (kind, value) in new[] { ("bound", p.Result.Bound[metric]), ("measured", p.Result.Measured[metric]) })
                    if (value > 0 && double.IsFinite(value))
                        rows.Add(new JsonObject
                        {
                            ["parametrization"] = Name(p.Kind), ["unit"] = p.Result.Unit, ["metric"] = Metric(metric),
                            ["width"] = p.Width, ["kind"] = kind, ["value"] = value,
                        });
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title($"Stability certificates vs width ({Describe()})", "solid: certified bound; dashed: measured by gradient ascent; flat = Θ(1)"),
            ["data"] = new JsonObject { ["values"] = rows },
            ["facet"] = new JsonObject
            {
                ["row"] = new JsonObject { ["field"] = "unit", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(Units), ["header"] = VegaLite.RowHeader() },
                ["column"] = new JsonObject { ["field"] = "metric", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(["forward", "dependency", "update"]) },
            },
            ["resolve"] = new JsonObject { ["scale"] = new JsonObject { ["y"] = "independent" } },
            ["spec"] = new JsonObject
            {
                ["width"] = 150,
                ["height"] = 110,
                ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true },
                ["encoding"] = new JsonObject
                {
                    ["x"] = VegaLite.Log2Channel("width", "width", [.. Spec.Widths.Select(w => (double)w)]),
                    ["y"] = new JsonObject { ["field"] = "value", ["type"] = "quantitative", ["title"] = "RMS", ["scale"] = VegaLite.Log2Scale(), ["axis"] = new JsonObject { ["format"] = ".3~g" } },
                    ["color"] = new JsonObject { ["field"] = "parametrization", ["type"] = "nominal", ["sort"] = VegaLite.Strings(Spec.Parametrizations.Select(Name)) },
                    ["strokeDash"] = new JsonObject { ["field"] = "kind", ["type"] = "nominal", ["sort"] = VegaLite.Strings(["bound", "measured"]), ["title"] = null },
                    ["detail"] = new JsonObject { ["field"] = "kind", ["type"] = "nominal" },
                    ["tooltip"] = new JsonArray
                    {
                        new JsonObject { ["field"] = "parametrization", ["type"] = "nominal" },
                        new JsonObject { ["field"] = "kind", ["type"] = "nominal" },
                        new JsonObject { ["field"] = "width", ["type"] = "quantitative" },
                        new JsonObject { ["field"] = "value", ["type"] = "quantitative", ["format"] = ".4~g" },
                    },
                },
            },
            ["config"] = VegaLite.Config(),
        };
        string name = "stability-" + (Spec.Task == TaskKind.Gpt ? "gpt" : "mlp");
        var figure = new ReportFigure(name, "Stability certificates vs width",
            "Forward max‖f(x)‖_RMS, dependency max‖f(x₁) − f(x₂)‖_RMS and update max‖f(x; ω+Δω) − f(x; ω)‖_RMS over inputs on the RMS sphere "
            + "(theory §4.1), per unit against width. Solid lines are certified upper bounds composed from spectral norms; dashed lines are "
            + "lower bounds found by projected gradient ascent. A flat line keeps the metric Θ(1) as the model widens.", spec);
        var html = new StringBuilder();
        html.Append("<pre>").Append(WebUtility.HtmlEncode(string.Join('\n', Summary()))).AppendLine("</pre>");
        html.AppendLine("<table class=\"verdicts\"><thead><tr><th>unit</th><th>metric</th>"
            + string.Concat(Spec.Parametrizations.Select(k => $"<th>{Name(k)} slope (bound / measured)</th>")) + "</tr></thead><tbody>");
        foreach (var (unit, metric) in Rows())
        {
            html.Append("<tr><td>").Append(WebUtility.HtmlEncode(unit)).Append("</td><td>").Append(Metric(metric)).Append("</td>");
            foreach (var kind in Spec.Parametrizations)
            {
                var s = Slope(kind, unit, metric);
                string css = Math.Abs(s.BoundSlope) <= FlatTolerance ? "verdict-flat" : s.BoundSlope > 0 ? "verdict-growing" : "verdict-shrinking";
                html.Append("<td class=\"").Append(css).Append("\">").Append(WebUtility.HtmlEncode($"{Signed(s.BoundSlope)} / {Signed(s.MeasuredSlope)}")).Append("</td>");
            }
            html.AppendLine("</tr>");
        }
        html.AppendLine("</tbody></table>");
        return new ReportSection(id, $"Stability certificates: {Describe()}", [figure], html.ToString());
    }

    /// <summary>"MLP 784-w-w-10, widths 64…1024" or "GPT 2 layers, 4 heads, 8 tokens, d_model 64…256".</summary>
    public string Describe()
    {
        var o = Spec.Options;
        string widths = $"{Spec.Widths.Min()}…{Spec.Widths.Max()}";
        return Spec.Task == TaskKind.Gpt
            ? $"GPT {o.Gpt.Layers} layers, {o.Gpt.Heads} heads, {Math.Min(o.Measure.Tokens, o.Gpt.ContextLength)} tokens, d_model {widths}"
            : $"MLP {o.MlpInputs}-{string.Join("-", Enumerable.Repeat("w", o.MlpHiddenLayers))}-{o.MlpClasses}, widths {widths}";
    }

    private IEnumerable<(string Unit, StabilityMetric Metric)> Rows() =>
        Units.SelectMany(u => Enum.GetValues<StabilityMetric>().Select(m => (u, m)));

    private StabilityResult Widest(ParametrizationKind kind, string unit) =>
        Points.Single(p => p.Kind == kind && p.Width == WidestWidth && p.Result.Unit == unit).Result;

    internal static string Name(ParametrizationKind kind) => kind switch
    {
        ParametrizationKind.Standard => "SP",
        ParametrizationKind.Mup => "μP",
        _ => "spectral",
    };

    private static string Metric(StabilityMetric m) => m.ToString().ToLowerInvariant();

    private static string G3(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>"+0.12" / "−0.12" / "+0.00" (never "−0.00").</summary>
    internal static string Signed(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        double r = Math.Round(v, 2);
        return (r < 0 ? "−" : "+") + Math.Abs(r).ToString("0.00", CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// `musharp stability`: builds the spec's models at every width and parametrization, certifies them
/// (<see cref="StabilitySweep"/>) and returns the report; the CLI prints <see cref="StabilityReport.TextTable"/> and
/// <see cref="StabilityReport.Summary"/>, and <see cref="WriteHtml"/> writes the page.
/// </summary>
public static class StabilityRun
{
    public static StabilityReport Run(StabilitySpec spec, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var points = new List<StabilityPoint>();
        foreach (var kind in spec.Parametrizations)
        {
            progress?.Invoke($"stability: {StabilityReport.Name(kind)}, widths {string.Join(", ", spec.Widths)}");
            points.AddRange(spec.Task == TaskKind.Gpt
                ? StabilitySweep.Gpt(spec.Widths, [kind], spec.Options)
                : StabilitySweep.Mlp(spec.Widths, [kind], spec.Options));
        }
        return new StabilityReport(spec, points, StabilitySweep.Slopes(points));
    }

    /// <summary>Writes the report page (one section per report) to <paramref name="path"/>; see <see cref="HtmlReport.Write(string, string, IReadOnlyList{string}, IReadOnlyList{ReportSection}, bool, IReadOnlyList{Sweeps.TransferGroup})"/>.</summary>
    public static void WriteHtml(string path, IReadOnlyList<StabilityReport> reports, bool writeFigures = false)
    {
        ArgumentNullException.ThrowIfNull(reports);
        HtmlReport.Write(path, "Stability certificates", [.. reports.SelectMany(r => r.Summary().Select(l => $"{r.Describe()}: {l}"))],
            [.. reports.Select((r, i) => r.Section(i == 0 ? "stability" : $"stability-{i}"))], writeFigures);
    }
}
