using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MuSharp.Experiments;

namespace MuSharp.Reports;

/// <summary>
/// The report sections of a tune (theory §11.1): the proxy search (loss against learning rate, one colour per
/// parametrization), the chosen values and their transfer rules, the target's training curves, the learning-rate
/// check at the target when it ran, and the compute ledger.
/// </summary>
public static class TuneSections
{
    public const string SearchFigure = "tune-proxy-search", CurvesFigure = "tune-target-curves", VerifyFigure = "tune-target-lr";

    /// <summary>The sections, in reading order.</summary>
    public static IReadOnlyList<ReportSection> Build(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sections = new List<ReportSection>
        {
            new("tune-search", "Proxy search", Present(Search(result)), "<h3>Chosen values</h3>\n" + ChoiceTable(result)),
            new("tune-target", "Target runs", Present(Curves(result), Verify(result))),
            new("tune-ledger", "Compute ledger", [], LedgerTable(result)),
        };
        return sections;
    }

    /// <summary>Final validation loss of every finished proxy trial against its learning rate, by parametrization.</summary>
    public static ReportFigure? Search(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Proxy.Where(t => double.IsFinite(t.Score)).Select(t =>
        {
            var row = new JsonObject { ["parametrization"] = t.Parametrization, ["lr"] = t.Lr, ["loss"] = t.Score, ["point"] = t.Index, ["seed"] = t.Seed };
            foreach (var (k, v) in t.Values) row["hp_" + k] = v;
            return row;
        }).ToList();
        if (rows.Count == 0) return null;
        var tooltip = new JsonArray { Field("parametrization", "nominal"), Field("lr", "quantitative", ".3~e"), Field("loss", "quantitative", ".4f") };
        foreach (string k in result.Keys.Where(k => k != "lr")) tooltip.Add(new JsonObject { ["field"] = "hp_" + k, ["type"] = "quantitative", ["title"] = k, ["format"] = ".4~g" });
        var spec = Chart("Proxy search: final validation loss vs learning rate", $"{result.ProxyShape}; every finished trial; other searched keys in the tooltip", rows, new JsonObject
        {
            ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 50, ["opacity"] = 0.8 },
            ["encoding"] = new JsonObject
            {
                ["x"] = VegaLite.Log2Channel("lr", "learning rate"),
                ["y"] = new JsonObject { ["field"] = "loss", ["type"] = "quantitative", ["title"] = "final validation loss", ["scale"] = new JsonObject { ["zero"] = false } },
                ["color"] = Field("parametrization", "nominal"),
                ["tooltip"] = tooltip,
            },
        });
        return new ReportFigure(SearchFigure, "Proxy search", "Each point is one proxy trial (diverged trials are left out). The chosen point of each parametrization has the lowest seed-mean loss.", spec);
    }

    /// <summary>The target's training loss (lines) and validation loss (points) against step, per parametrization and seed.</summary>
    public static ReportFigure? Curves(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = new List<JsonObject>();
        foreach (var t in result.Target)
            foreach (var m in t.Curve)
            {
                string run = $"{t.Parametrization} s{t.Seed}";
                if (double.IsFinite(m.TrainLoss)) rows.Add(new JsonObject { ["run"] = run, ["parametrization"] = t.Parametrization, ["step"] = m.Step, ["loss"] = m.TrainLoss, ["split"] = "train" });
                if (m.ValLoss is double v && double.IsFinite(v)) rows.Add(new JsonObject { ["run"] = run, ["parametrization"] = t.Parametrization, ["step"] = m.Step, ["loss"] = v, ["split"] = "validation" });
            }
        if (rows.Count == 0) return null;
        JsonObject Layer(string split, JsonObject mark) => new()
        {
            ["transform"] = new JsonArray { new JsonObject { ["filter"] = $"datum.split === '{split}'" } },
            ["mark"] = mark,
            ["encoding"] = new JsonObject
            {
                ["x"] = Field("step", "quantitative"),
                ["y"] = new JsonObject { ["field"] = "loss", ["type"] = "quantitative", ["title"] = "loss", ["scale"] = new JsonObject { ["zero"] = false } },
                ["color"] = Field("parametrization", "nominal"),
                ["detail"] = Field("run", "nominal"),
                ["tooltip"] = new JsonArray { Field("run", "nominal"), Field("step", "quantitative"), Field("loss", "quantitative", ".4f"), Field("split", "nominal") },
            },
        };
        var spec = Chart("Target: loss vs step", $"{result.TargetShape}; lines: training loss, points: validation loss; one line per seed", rows, new JsonObject
        {
            ["layer"] = new JsonArray
            {
                Layer("train", new JsonObject { ["type"] = "line", ["strokeWidth"] = 1.2, ["opacity"] = 0.7 }),
                Layer("validation", new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 40 }),
            },
        });
        return new ReportFigure(CurvesFigure, "Target runs", "The target trained once per seed with each parametrization's transferred values.", spec);
    }

    /// <summary>Seed-mean final validation loss at the target against the lr factor (×1 = transferred), when stage 4 ran.</summary>
    public static ReportFigure? Verify(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var rows = result.Choices.SelectMany(c => TuneText.VerifyCurve(result, c.Parametrization).Where(p => double.IsFinite(p.Loss))
            .Select(p => new JsonObject { ["parametrization"] = c.Parametrization, ["factor"] = p.Factor, ["loss"] = p.Loss })).ToList();
        if (rows.Count == 0) return null;
        var spec = Chart("Target: loss vs lr factor", "×1 is the transferred learning rate; seed means; diverged points left out", rows, new JsonObject
        {
            ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true },
            ["encoding"] = new JsonObject
            {
                ["x"] = VegaLite.Log2Channel("factor", "lr / transferred lr"),
                ["y"] = new JsonObject { ["field"] = "loss", ["type"] = "quantitative", ["title"] = "final validation loss", ["scale"] = new JsonObject { ["zero"] = false } },
                ["color"] = Field("parametrization", "nominal"),
                ["tooltip"] = new JsonArray { Field("parametrization", "nominal"), Field("factor", "quantitative", ".3~g"), Field("loss", "quantitative", ".4f") },
            },
        });
        return new ReportFigure(VerifyFigure, "Learning-rate check at the target", "Where the transferred learning rate lands in a small sweep at the target.", spec);
    }

    /// <summary>The chosen values: per parametrization and key, proxy value, target value and the rule.</summary>
    public static string ChoiceTable(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder("<table><thead><tr><th>parametrization</th><th>key</th><th>proxy</th><th>target</th><th>transfer</th><th>rule</th></tr></thead><tbody>\n");
        foreach (var c in result.Choices)
            foreach (var r in c.Rules)
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Parametrization)}</td><td>{E(r.Key)}</td><td>{TunePlan.Format(c.ProxyValues[r.Key])}</td>")
                    .Append(CultureInfo.InvariantCulture, $"<td>{TunePlan.Format(c.TargetValues[r.Key])}</td><td>{E(TuneText.Kind(r))}</td><td>{E(r.Rule)}</td></tr>\n");
        return html.Append("</tbody></table>\n").ToString();
    }

    /// <summary>The ledger as a table, FLOPs in scientific notation and wall time in seconds.</summary>
    public static string LedgerTable(TuneResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder("<table><thead><tr><th>parametrization</th><th>what</th><th>runs</th><th>training FLOPs</th><th>wall (s)</th></tr></thead><tbody>\n");
        foreach (var r in result.Ledger)
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(r.Parametrization)}</td><td>{E(r.What)}{(r.Estimated ? " (estimated)" : "")}</td><td>{r.Runs}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td>{r.Flops:0.00e+00}</td><td>{r.Seconds:0.0}</td></tr>\n");
        return html.Append("</tbody></table>\n").ToString();
    }

    private static JsonObject Chart(string title, string subtitle, List<JsonObject> rows, JsonObject body)
    {
        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title(title, subtitle),
            ["width"] = 420,
            ["height"] = 260,
            ["data"] = new JsonObject { ["values"] = new JsonArray([.. rows]) },
            ["config"] = VegaLite.Config(),
        };
        foreach (var (k, v) in body) spec[k] = v?.DeepClone();
        return spec;
    }

    private static JsonObject Field(string field, string type, string? format = null)
    {
        var o = new JsonObject { ["field"] = field, ["type"] = type };
        if (format != null) o["format"] = format;
        return o;
    }

    private static List<ReportFigure> Present(params ReportFigure?[] figures) => [.. figures.OfType<ReportFigure>()];

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
