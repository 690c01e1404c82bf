using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MuSharp.Reports;

/// <summary>
/// Writes a μTransfer / coordinate-check / batch-scaling report as one self-contained HTML file: the vega, vega-lite and vega-embed
/// builds are inlined, each chart's data is inside its spec, and nothing is fetched, so the file works opened from
/// disk without a network. Charts render as SVG in the browser.
/// <para>
/// Status contract: the page has <c>&lt;p id="render-status"&gt;</c>. Once every chart's vegaEmbed promise has settled
/// it reads <c>rendered R of N charts, E errors</c> and carries <c>data-settled="true"</c>, <c>data-total</c>,
/// <c>data-rendered</c> and <c>data-errors</c>; script errors and unhandled promise rejections (also later ones) raise
/// E, and each error's message is listed in <c>&lt;ul id="render-errors"&gt;</c>. Success is R = N and E = 0.
/// </para>
/// </summary>
public static partial class HtmlReport
{
    /// <summary>
    /// Writes the report to <paramref name="path"/> (creating its folder). With <paramref name="writeFigures"/> each
    /// chart is also written as figures/NAME.svg and figures/NAME.png next to the HTML (needs node and rsvg-convert).
    /// Throws ArgumentException for malformed data, FileNotFoundException (telling to run scripts/setup.sh) when the
    /// vega builds or the figure tools are missing.
    /// </summary>
    public static void Write(string path, ReportData data, bool writeFigures = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(data);
        Write(path, data.Title, data.SummaryLines, Sections(data), writeFigures, data.TransferSummary);
    }

    /// <summary>
    /// Writes a page of ready-made <paramref name="sections"/> (a stability or reproduce report) under <paramref name="title"/>,
    /// with <paramref name="summaryLines"/> verbatim at the top; otherwise as <see cref="Write(string, ReportData, bool)"/>.
    /// </summary>
    /// <param name="path">The HTML file.</param>
    /// <param name="title">The page title.</param>
    /// <param name="summaryLines">Text shown verbatim at the top (when no <paramref name="transferSummary"/> is given).</param>
    /// <param name="sections">The report's sections.</param>
    /// <param name="writeFigures">Also write figures/NAME.svg and .png.</param>
    /// <param name="transferSummary">A μTransfer sweep's groups, drawn as HTML tables in place of the summary lines.</param>
    public static void Write(string path, string title, IReadOnlyList<string> summaryLines, IReadOnlyList<ReportSection> sections, bool writeFigures = false,
        IReadOnlyList<Sweeps.TransferGroup>? transferSummary = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(sections);
        bool anyFigure = sections.Any(s => s.Figures.Count > 0);
        // A report without charts (only a summary or verdicts) needs no vega at all.
        var vega = anyFigure ? VegaPackages.Locate() : null;
        string html = Render(title, summaryLines, sections, vega, transferSummary);

        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        File.WriteAllText(full, html, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (!writeFigures) return;
        foreach (var figure in sections.SelectMany(s => s.Figures))
            FigureRenderer.WriteSvgAndPng(figure.Spec, Path.Combine(dir, "figures", figure.Name), vega);
    }

    /// <summary>The sections a report of <paramref name="data"/> shows; those without content are left out.</summary>
    public static IReadOnlyList<ReportSection> Sections(ReportData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(data.Transfer);
        ArgumentNullException.ThrowIfNull(data.Coord);
        ArgumentNullException.ThrowIfNull(data.Verdicts);
        var sections = new List<ReportSection>();
        if (TransferFigure.Build(data.Transfer) is { } transfer)
            sections.Add(new ReportSection("transfer", "μTransfer", [transfer]));

        var coord = new[] { CoordCheckFigure.Build(data.Coord, CoordPoint.Activation), CoordCheckFigure.Build(data.Coord, CoordPoint.Change) }
            .OfType<ReportFigure>().ToList();
        string table = data.Verdicts.Count == 0 ? "" : "<h3>Verdicts</h3>\n" + VerdictTable.ToHtml(data.Verdicts);
        if (coord.Count > 0 || table.Length > 0)
            sections.Add(new ReportSection("coord-check", "Coordinate check", coord, table));

        if (SpectralRatioFigure.Build(data.Coord) is { } spectral)
            sections.Add(new ReportSection("spectral", "Spectral ratios", [spectral]));

        if (data.BatchScaling is { } batch) sections.AddRange(BatchScalingSections.Build(batch));
        if (data.Tune is { } tune) sections.AddRange(TuneSections.Build(tune));
        return sections;
    }

    /// <summary>
    /// The page's HTML. <paramref name="vega"/> may be null only when no section has a figure. Internal so tests can
    /// render hand-made (also deliberately broken) specs.
    /// </summary>
    internal static string Render(string title, IReadOnlyList<string> summaryLines, IReadOnlyList<ReportSection> sections, VegaPackages? vega,
        IReadOnlyList<Sweeps.TransferGroup>? summary = null)
    {
        ArgumentNullException.ThrowIfNull(summaryLines);
        var figures = sections.SelectMany(s => s.Figures).ToList();
        if (figures.Count > 0 && vega == null) throw new ArgumentException("a report with figures needs the vega packages; pass VegaPackages.Locate().");
        foreach (var f in figures)
        {
            if (!FileSafeName().IsMatch(f.Name))
                throw new ArgumentException($"figure name '{f.Name}' is not file-safe; use lower-case letters, digits and '-'.");
        }
        if (figures.Select(f => f.Name).Distinct().Count() != figures.Count)
            throw new ArgumentException("two figures share a name; every figure needs its own (it names its container and figure file).");

        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\">");
        html.AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\">");
        html.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append("<meta name=\"generator\" content=\"musharp report (").Append(VegaPackages.Versions).AppendLine(")\">");
        html.Append("<title>").Append(Encode(title)).AppendLine("</title>");
        html.Append("<style>\n").Append(Css).Append(VerdictTable.Css).Append(BatchScalingTable.Css).Append(SummaryHtml.Css).AppendLine("</style>");
        // The status script comes first so that an error while loading the libraries is counted too.
        html.Append("<script>\n").Append(StatusScript.Replace("__TOTAL__", figures.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)).AppendLine("</script>");
        if (vega != null)
        {
            foreach (var (name, code) in vega.ReadBrowserBuilds())
                html.Append("<script>/* ").Append(name).Append(" */\n").Append(InlineScript(code)).AppendLine("\n</script>");
        }
        html.AppendLine("</head>");
        html.AppendLine("<body>");
        html.Append("<h1>").Append(Encode(title)).AppendLine("</h1>");
        html.Append("<p id=\"render-status\" data-settled=\"false\" data-total=\"").Append(figures.Count).Append("\" data-rendered=\"0\" data-errors=\"0\">rendering ")
            .Append(figures.Count).AppendLine(" charts…</p>");
        html.AppendLine("<ul id=\"render-errors\"></ul>");
        if (summary is { Count: > 0 })
            html.AppendLine("<section id=\"summary\"><h2>Summary</h2>").Append(SummaryHtml.ToHtml(summary)).AppendLine("</section>");
        else if (summaryLines.Count > 0)
        {
            html.AppendLine("<section id=\"summary\"><h2>Summary</h2>");
            html.Append("<pre>").Append(Encode(string.Join('\n', summaryLines))).AppendLine("</pre></section>");
        }
        foreach (var section in sections)
        {
            html.Append("<section id=\"").Append(Encode(section.Id)).Append("\"><h2>").Append(Encode(section.Heading)).AppendLine("</h2>");
            foreach (var f in section.Figures)
            {
                html.Append("<figure><div class=\"chart\" id=\"chart-").Append(f.Name).AppendLine("\"></div>");
                html.Append("<figcaption>").Append(Encode(f.Caption)).AppendLine("</figcaption></figure>");
            }
            html.Append(section.TrailingHtml);
            html.AppendLine("</section>");
        }
        // The default JSON encoder escapes <, > and & as \u003C etc., so no string in a spec can close the script element.
        var specs = new JsonArray([.. figures.Select(f => (JsonNode?)new JsonObject { ["id"] = "chart-" + f.Name, ["spec"] = f.Spec.DeepClone() })]);
        html.Append("<script type=\"application/json\" id=\"report-specs\">").Append(specs.ToJsonString()).AppendLine("</script>");
        html.Append("<script>\n").Append(EmbedScript).AppendLine("</script>");
        html.Append("<footer>Written by musharp report with ").Append(VegaPackages.Versions).AppendLine(" inlined; works offline.</footer>");
        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    // "</script" inside the library code would end the script element early; "<\/script" means the same in JS
    // strings, template literals and regular expressions, the only places it can occur.
    private static string InlineScript(string code) => ScriptEnd().Replace(code, @"<\/$1");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex FileSafeName();

    [GeneratedRegex("</(script)", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptEnd();

    private const string Css = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 22px; margin-bottom: 4px; }
        h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 32px; }
        h3 { font-size: 15px; }
        pre { background: #f6f6f6; padding: 10px 12px; overflow-x: auto; font-size: 13px; }
        figure { margin: 12px 0 24px; }
        figcaption { max-width: 900px; font-size: 13px; color: #555; margin-top: 6px; }
        #render-status { font-size: 12px; color: #777; }
        #render-status.failed, #render-errors { color: #a00; }
        footer { margin-top: 40px; font-size: 11px; color: #999; }

        """;

    // Counts charts and errors and keeps #render-status current (see the class summary for the contract).
    private const string StatusScript = """
        (function () {
          var r = window.muReport = { total: __TOTAL__, rendered: 0, errors: 0, settled: false };
          r.update = function () {
            var el = document.getElementById('render-status');
            if (!el) return;
            el.textContent = r.settled
              ? 'rendered ' + r.rendered + ' of ' + r.total + ' charts, ' + r.errors + ' errors'
              : 'rendering ' + r.total + ' charts… (' + r.errors + ' errors so far)';
            el.dataset.settled = String(r.settled);
            el.dataset.rendered = String(r.rendered);
            el.dataset.errors = String(r.errors);
            el.className = r.errors > 0 ? 'failed' : '';
          };
          r.fail = function (message) {
            r.errors++;
            var list = document.getElementById('render-errors');
            if (list) { var li = document.createElement('li'); li.textContent = String(message); list.appendChild(li); }
            r.update();
          };
          window.addEventListener('error', function (e) { r.fail(e.message || 'script error'); });
          window.addEventListener('unhandledrejection', function (e) {
            r.fail((e.reason && e.reason.message) || String(e.reason));
          });
        })();

        """;

    // Embeds every chart, then marks the status settled; a missing library or a bad spec counts as an error.
    private const string EmbedScript = """
        (function () {
          var r = window.muReport;
          var settle = function () { r.settled = true; r.update(); };
          try {
            var specs = JSON.parse(document.getElementById('report-specs').textContent);
            var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
            Promise.allSettled(specs.map(function (s) {
              return vegaEmbed('#' + s.id, s.spec, options).then(
                function () { r.rendered++; },
                function (e) { r.fail(s.id + ': ' + ((e && e.message) || e)); });
            })).then(settle);
          } catch (e) {
            r.fail(e.message || String(e));
            settle();
          }
        })();

        """;
}
