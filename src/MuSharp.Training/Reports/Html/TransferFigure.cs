using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// The μTransfer figure: validation loss against learning rate (log₂ axis), one line per width (darker = wider),
/// one panel per parametrization (columns) and one row of panels per (task, optimizer). Lines are the mean over
/// seeds of finished trials, with each seed as a faint dot; the best learning rate of each width is a diamond;
/// diverged and failed trials sit as marks along the top of their panel, one strip per width, so they are never
/// dropped silently. Under μP the diamonds line up vertically across widths; under SP they drift.
/// </summary>
public static class TransferFigure
{
    public const string Name = "transfer";

    // Pixel rows of the not-done strip at the top of each panel: one per width, this far apart.
    private const double StripTop = 5, StripStep = 7;

    /// <summary>The figure, or null when there are no trials. Throws ArgumentException naming a malformed trial.</summary>
    public static ReportFigure? Build(IReadOnlyList<TransferPoint> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        if (trials.Count == 0) return null;
        for (int i = 0; i < trials.Count; i++) Validate(trials[i], i);
        var optima = Optima(trials);
        var widthRank = trials.Select(t => t.Width).Distinct().Order().Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);

        // Rows keep first-appearance order, as the sweep listed them; each row shares its loss axis across columns.
        var rows = trials.Select(t => (t.Task, t.Optimizer)).Distinct().ToList();
        var vconcat = new JsonArray();
        foreach (var (task, optimizer) in rows)
        {
            var inRow = trials.Where(t => t.Task == task && t.Optimizer == optimizer).ToList();
            vconcat.Add(Row(task, optimizer, inRow, optima, widthRank));
        }

        var spec = new JsonObject
        {
            ["$schema"] = VegaLite.Schema,
            ["title"] = VegaLite.Title("μTransfer: validation loss vs learning rate",
                "mean over seeds; ◆ best learning rate per width; ▲ diverged, ✕ failed (top strip, one row per width)"),
            ["vconcat"] = vconcat,
            ["resolve"] = new JsonObject { ["scale"] = new JsonObject { ["x"] = "independent", ["y"] = "independent", ["color"] = "shared", ["shape"] = "shared" } },
            ["config"] = VegaLite.Config(),
        };
        return new ReportFigure(Name, "μTransfer",
            "Validation loss against learning rate, one line per width (darker = wider), mean over seeds with single seeds as faint dots. "
            + "A diamond marks each width's best learning rate among those where every seed finished; with a width-independent "
            + "parametrization the diamonds line up vertically. Diverged (▲) and failed (✕) trials are drawn in the strip at the top of their panel.",
            spec);
    }

    /// <summary>
    /// The (task, optimizer, parametrization, width, lr) cells holding each width's best learning rate: the lowest
    /// seed-mean loss among learning rates where every seed finished (a learning rate that diverges for some seeds
    /// is not a usable optimum even if the surviving seeds did well). A width with no such learning rate has none.
    /// </summary>
    internal static HashSet<(string Task, string Optimizer, string Parametrization, int Width, double Lr)> Optima(IEnumerable<TransferPoint> trials)
    {
        var best = new HashSet<(string, string, string, int, double)>();
        foreach (var series in trials.GroupBy(t => (t.Task, t.Optimizer, t.Parametrization, t.Width)))
        {
            var cells = series.GroupBy(t => t.Lr)
                .Where(c => c.All(IsFinished))
                .Select(c => (Lr: c.Key, Mean: c.Average(t => t.Loss!.Value)))
                .ToList();
            if (cells.Count == 0) continue;
            var top = cells.MinBy(c => c.Mean);
            best.Add((series.Key.Task, series.Key.Optimizer, series.Key.Parametrization, series.Key.Width, top.Lr));
        }
        return best;
    }

    // A "done" trial with a non-finite loss diverged at its last evaluation; it is drawn and counted as diverged.
    private static bool IsFinished(TransferPoint t) => t.Status == TransferPoint.Done && t.Loss is double l && double.IsFinite(l);

    private static string ShownStatus(TransferPoint t) => t.Status == TransferPoint.Done && !IsFinished(t) ? TransferPoint.Diverged : t.Status;

    private static void Validate(TransferPoint t, int index)
    {
        string where = $"transfer trial {index} ({t.Task}, {t.Optimizer}, {t.Parametrization}, width {t.Width}, lr {VegaLite.Invariant(t.Lr)}, seed {t.Seed})";
        if (t.Status is not (TransferPoint.Done or TransferPoint.Diverged or TransferPoint.Failed))
            throw new ArgumentException($"{where} has status '{t.Status}'; expected done, diverged or failed.");
        if (t.Status == TransferPoint.Done && t.Loss is null)
            throw new ArgumentException($"{where} is done but has no loss; give its validation loss or mark it diverged or failed.");
        if (!(t.Lr > 0) || !double.IsFinite(t.Lr))
            throw new ArgumentException($"{where} has a learning rate that is not positive and finite; the learning-rate axis is logarithmic.");
        if (t.Width <= 0)
            throw new ArgumentException($"{where} has width {t.Width}; widths must be positive.");
    }

    private static JsonObject Row(string task, string optimizer, List<TransferPoint> trials,
        HashSet<(string, string, string, int, double)> optima, Dictionary<int, int> widthRank)
    {
        var values = new JsonArray();
        foreach (var t in trials)
        {
            bool finished = IsFinished(t);
            values.Add(new JsonObject
            {
                ["parametrization"] = t.Parametrization,
                ["width"] = t.Width,
                ["lr"] = t.Lr,
                ["seed"] = t.Seed,
                ["loss"] = finished ? t.Loss : null,
                ["status"] = ShownStatus(t),
                ["optimum"] = finished && optima.Contains((task, optimizer, t.Parametrization, t.Width, t.Lr)),
                ["strip"] = StripTop + StripStep * widthRank[t.Width],
            });
        }
        var lrs = trials.Select(t => t.Lr).Distinct().Order().ToList();
        var columns = trials.Select(t => t.Parametrization).Distinct().ToList();

        var layer = new JsonArray { SeedDots(lrs), MeanLines(lrs), OptimumMarks(lrs), NotDoneStrip(lrs) };
        return new JsonObject
        {
            ["title"] = new JsonObject { ["text"] = VegaLite.Panel(task, optimizer), ["anchor"] = "start", ["fontSize"] = 13 },
            ["data"] = new JsonObject { ["values"] = values },
            ["facet"] = new JsonObject
            {
                ["column"] = new JsonObject { ["field"] = "parametrization", ["type"] = "nominal", ["title"] = null, ["sort"] = VegaLite.Strings(columns) },
            },
            ["spec"] = new JsonObject
            {
                ["width"] = 220,
                ["height"] = 170,
                ["layer"] = layer,
            },
        };
    }

    private static JsonObject WidthColor() => new()
    {
        ["field"] = "width",
        ["type"] = "ordinal",
        ["title"] = "width",
        ["scale"] = new JsonObject { ["scheme"] = new JsonObject { ["name"] = "viridis", ["extent"] = new JsonArray(0.85, 0.0) } },
    };

    private static JsonObject LrChannel(List<double> lrs) => VegaLite.Log2Channel("lr", "learning rate", lrs);

    private static JsonObject Finished() => new() { ["filter"] = "datum.status === 'done'" };

    private static JsonObject SeedDots(List<double> lrs) => new()
    {
        ["transform"] = new JsonArray { Finished() },
        ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 14, ["opacity"] = 0.35 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(lrs),
            ["y"] = LossChannel(aggregate: false),
            ["color"] = WidthColor(),
            ["tooltip"] = Tooltip(("width", null), ("lr", ".3~e"), ("seed", null), ("loss", ".4f")),
        },
    };

    private static JsonObject MeanLines(List<double> lrs) => new()
    {
        ["transform"] = new JsonArray { Finished() },
        ["mark"] = new JsonObject { ["type"] = "line", ["point"] = true, ["strokeWidth"] = 1.6 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(lrs),
            ["y"] = LossChannel(aggregate: true),
            ["color"] = WidthColor(),
            ["tooltip"] = new JsonArray
            {
                new JsonObject { ["field"] = "width", ["type"] = "ordinal" },
                new JsonObject { ["field"] = "lr", ["type"] = "quantitative", ["format"] = ".3~e" },
                new JsonObject { ["field"] = "loss", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ".4f", ["title"] = "mean loss" },
                new JsonObject { ["field"] = "seed", ["aggregate"] = "count", ["type"] = "quantitative", ["title"] = "seeds" },
            },
        },
    };

    private static JsonObject OptimumMarks(List<double> lrs) => new()
    {
        ["transform"] = new JsonArray { new JsonObject { ["filter"] = "datum.optimum" } },
        ["mark"] = new JsonObject { ["type"] = "point", ["shape"] = "diamond", ["filled"] = true, ["size"] = 150, ["stroke"] = "black", ["strokeWidth"] = 1, ["opacity"] = 1 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(lrs),
            ["y"] = LossChannel(aggregate: true),
            ["color"] = WidthColor(),
            ["tooltip"] = new JsonArray
            {
                new JsonObject { ["field"] = "width", ["type"] = "ordinal", ["title"] = "width (best lr)" },
                new JsonObject { ["field"] = "lr", ["type"] = "quantitative", ["format"] = ".3~e" },
                new JsonObject { ["field"] = "loss", ["aggregate"] = "mean", ["type"] = "quantitative", ["format"] = ".4f", ["title"] = "mean loss" },
            },
        },
    };

    // Diverged/failed trials: a strip of marks at the top of the panel, one pixel row per width (widest lowest).
    // Their y is the row's "strip" field in pixels from the top, unscaled, so the loss scale is left untouched.
    private static JsonObject NotDoneStrip(List<double> lrs) => new()
    {
        ["transform"] = new JsonArray { new JsonObject { ["filter"] = "datum.status !== 'done'" } },
        ["mark"] = new JsonObject { ["type"] = "point", ["filled"] = true, ["size"] = 45, ["opacity"] = 0.9 },
        ["encoding"] = new JsonObject
        {
            ["x"] = LrChannel(lrs),
            ["y"] = new JsonObject { ["field"] = "strip", ["type"] = "quantitative", ["scale"] = null, ["axis"] = null },
            ["color"] = WidthColor(),
            ["shape"] = new JsonObject
            {
                ["field"] = "status",
                ["type"] = "nominal",
                ["title"] = "not done",
                ["scale"] = new JsonObject { ["domain"] = VegaLite.Strings([TransferPoint.Diverged, TransferPoint.Failed]), ["range"] = VegaLite.Strings(["triangle-up", "cross"]) },
            },
            ["tooltip"] = Tooltip(("status", null), ("width", null), ("lr", ".3~e"), ("seed", null)),
        },
    };

    private static JsonObject LossChannel(bool aggregate)
    {
        var channel = new JsonObject
        {
            ["field"] = "loss",
            ["type"] = "quantitative",
            ["title"] = "validation loss",
            ["scale"] = new JsonObject { ["zero"] = false },
        };
        if (aggregate) channel["aggregate"] = "mean";
        return channel;
    }

    private static JsonArray Tooltip(params (string Field, string? Format)[] fields)
    {
        var list = new JsonArray();
        foreach (var (field, format) in fields)
        {
            var item = new JsonObject { ["field"] = field, ["type"] = format == null ? "nominal" : "quantitative" };
            if (format != null) item["format"] = format;
            list.Add(item);
        }
        return list;
    }
}
