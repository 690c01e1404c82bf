using System.Globalization;
using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// Pieces shared by the figure specs: the schema, log₂ scales whose ticks read 2^k, facet headers and the common
/// config. Specs are plain <see cref="JsonObject"/>s so tests can inspect exactly what the browser receives.
/// </summary>
internal static class VegaLite
{
    public const string Schema = "https://vega.github.io/schema/vega-lite/v6.json";

    // Tick label for a log₂ axis: "2^-7" where the value is a power of two, else three significant digits.
    private const string PowerOfTwoLabel =
        "abs(log(datum.value) / LN2 - round(log(datum.value) / LN2)) < 1e-6 ? '2^' + round(log(datum.value) / LN2) : format(datum.value, '.3~g')";

    /// <summary>A log scale with base 2, so a doubling of width (or learning rate) is one equal step.</summary>
    public static JsonObject Log2Scale() => new() { ["type"] = "log", ["base"] = 2 };

    /// <summary>
    /// A quantitative channel on a log₂ scale. With <paramref name="ticks"/> (the distinct data values, when few)
    /// the axis puts a tick at each one; powers of two are labelled 2^k.
    /// </summary>
    public static JsonObject Log2Channel(string field, string title, IReadOnlyCollection<double>? ticks = null, string? tickFormat = null)
    {
        // Unflushed labels: flushing the end labels inward makes them collide with their neighbours, and the
        // overlap pass then hides 2^-8 and the largest value.
        var axis = new JsonObject { ["title"] = title, ["labelFlush"] = false, ["labelAngle"] = -40, ["labelOverlap"] = false };
        if (tickFormat != null) axis["format"] = tickFormat;
        else axis["labelExpr"] = PowerOfTwoLabel;
        if (ticks != null && ticks.Count is > 0 and <= 16) axis["values"] = Numbers(ticks);
        return new JsonObject { ["field"] = field, ["type"] = "quantitative", ["scale"] = Log2Scale(), ["axis"] = axis };
    }

    public static JsonArray Numbers(IEnumerable<double> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    public static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    /// <summary>Row facet header: horizontal, left-aligned, bold (the default rotates row labels by 90°).</summary>
    public static JsonObject RowHeader() => new() { ["labelAngle"] = 0, ["labelAlign"] = "left", ["labelFontWeight"] = "bold", ["labelFontSize"] = 12 };

    public static JsonObject Title(string text, string subtitle) => new() { ["text"] = text, ["subtitle"] = subtitle, ["anchor"] = "start" };

    /// <summary>Config shared by every figure: white background (for the PNGs), light grid, readable facet labels.</summary>
    public static JsonObject Config() => new()
    {
        ["background"] = "white",
        ["view"] = new JsonObject { ["stroke"] = "#bbb" },
        ["axis"] = new JsonObject { ["gridOpacity"] = 0.5, ["labelFontSize"] = 10, ["titleFontSize"] = 11 },
        ["header"] = new JsonObject { ["labelFontSize"] = 12, ["titleFontSize"] = 12 },
        ["legend"] = new JsonObject { ["labelFontSize"] = 11, ["titleFontSize"] = 11 },
    };

    /// <summary>"parametrization · optimizer", the row label of coordinate-check panels.</summary>
    public static string Panel(string first, string second) => first + " · " + second;

    public static string Invariant(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
