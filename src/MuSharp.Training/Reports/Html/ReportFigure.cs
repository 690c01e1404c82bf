using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// One chart of a report: a self-contained Vega-Lite spec (data inlined) with the file-safe <see cref="Name"/>
/// used for its container id and for figures/NAME.svg|png, and the caption printed under it.
/// </summary>
public sealed record ReportFigure(string Name, string Title, string Caption, JsonObject Spec);
