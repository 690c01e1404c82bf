using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MuSharp.Reports;
using MuSharp.Tests.Data;
using Xunit.Abstractions;

namespace MuSharp.Tests.Reports;

/// <summary>
/// Opens written reports in real headless Chromium and reads the page's own status line (see HtmlReport): every chart
/// must render as an SVG with marks and no script error may occur; a deliberately broken spec must be reported.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class BrowserRenderTests(ITestOutputHelper output)
{
    [Fact]
    public void FullReportRendersEveryChartWithoutErrors()
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        var data = ReportSamples.Full();
        HtmlReport.Write(path, data);
        var figures = HtmlReport.Sections(data).SelectMany(s => s.Figures).ToList();
        Assert.Equal(4, figures.Count);

        var clock = Stopwatch.StartNew();
        string dom = HeadlessChromium.DumpDom(path);
        output.WriteLine($"chromium --dump-dom took {clock.Elapsed.TotalSeconds:0.0} s");

        var status = Status(dom);
        Assert.True(status.Text == $"rendered {figures.Count} of {figures.Count} charts, 0 errors", $"status: '{status.Text}'; errors: {Errors(dom)}");
        Assert.Equal("true", status.Settled);
        foreach (var f in figures)
        {
            string chart = Chart(dom, f.Name);
            Assert.Contains("<svg", chart, StringComparison.Ordinal);
            Assert.Contains("mark-line", chart, StringComparison.Ordinal);
            Assert.Contains("mark-symbol", chart, StringComparison.Ordinal);
            Assert.True(PathElement().Count(chart) >= 10, $"chart {f.Name} holds only {PathElement().Count(chart)} <path> elements");
        }
    }

    [Fact]
    public void BrokenSpecIsCountedAsAnError()
    {
        using var dir = new TempDir();
        string path = dir.File("broken.html");
        var good = TransferFigure.Build(ReportSamples.Transfer())!;
        var broken = new ReportFigure("broken", "Broken", "an unknown mark type",
            new JsonObject { ["data"] = new JsonObject { ["values"] = new JsonArray() }, ["mark"] = "no-such-mark" });
        var sections = new[] { new ReportSection("s", "Section", [good, broken]) };
        File.WriteAllText(path, HtmlReport.Render("broken", [], sections, VegaPackages.Locate()));

        string dom = HeadlessChromium.DumpDom(path);
        var status = Status(dom);
        Assert.Equal("rendered 1 of 2 charts, 1 errors", status.Text);
        Assert.Contains("chart-broken", Errors(dom), StringComparison.Ordinal);
    }

    [Fact]
    public void ScriptErrorAfterRenderingIsCounted()
    {
        using var dir = new TempDir();
        string path = dir.File("throws.html");
        var sections = new[] { new ReportSection("s", "Section", [], "<script>setTimeout(function () { throw new Error('late failure'); }, 50);</script>") };
        File.WriteAllText(path, HtmlReport.Render("throws", [], sections, VegaPackages.Locate()));

        var status = Status(HeadlessChromium.DumpDom(path));
        Assert.Equal("rendered 0 of 0 charts, 1 errors", status.Text);
    }

    internal static (string Text, string Settled) Status(string dom)
    {
        var m = StatusElement().Match(dom);
        Assert.True(m.Success, "the dumped DOM has no #render-status element");
        return (m.Groups["text"].Value.Trim(), m.Groups["settled"].Value);
    }

    internal static string Errors(string dom)
    {
        var m = ErrorList().Match(dom);
        return m.Success ? m.Groups[1].Value : "";
    }

    // The chart's container up to the end of its <figure>.
    private static string Chart(string dom, string name)
    {
        int start = dom.IndexOf($"id=\"chart-{name}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no container for chart {name}");
        int end = dom.IndexOf("</figure>", start, StringComparison.Ordinal);
        return dom[start..end];
    }

    [GeneratedRegex("<p id=\"render-status\"[^>]*data-settled=\"(?<settled>[a-z]+)\"[^>]*>(?<text>[^<]*)</p>")]
    private static partial Regex StatusElement();

    [GeneratedRegex("<ul id=\"render-errors\"[^>]*>(.*?)</ul>", RegexOptions.Singleline)]
    private static partial Regex ErrorList();

    [GeneratedRegex("<path")]
    private static partial Regex PathElement();
}
