namespace MuSharp.Reports;

/// <summary>
/// One &lt;section&gt; of a report: a heading, its figures in order, then optional HTML (e.g. the verdict table).
/// <see cref="Id"/> is the section's element id.
/// </summary>
public sealed record ReportSection(string Id, string Heading, IReadOnlyList<ReportFigure> Figures, string TrailingHtml = "");
