using System.Text.RegularExpressions;
using MuSharp.Reports;
using MuSharp.Tests.Data;

namespace MuSharp.Tests.Reports;

/// <summary>
/// The batch-scaling figures in real headless Chromium (the page's own status line, see HtmlReport) and as static
/// SVG/PNG through node and rsvg-convert.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class BatchScalingRenderTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void BatchScalingOnlyReportRendersEveryChart()
    {
        var data = new ReportData("Batch scaling <lab>", [], [], [], [], ReportSamples.BatchScaling());
        string dom = RenderInChromium(data, 6);
        Assert.Contains("<table class=\"batch optima\">", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"transfer\"", dom, StringComparison.Ordinal);
    }

    [Fact]
    public void TransferAndBatchScalingReportRendersEveryChart() =>
        RenderInChromium(ReportSamples.Full() with { BatchScaling = ReportSamples.BatchScaling() }, 10);

    [Fact]
    public void HeadlineFigureWritesSvgAndPng()
    {
        using var dir = new TempDir();
        var spec = BatchScalingOptimumFigure.Build(ReportSamples.BatchScaling())!.Spec;
        var (svg, png) = FigureRenderer.WriteSvgAndPng(spec, dir.File("figs/batch-optimal-lr"));
        string text = File.ReadAllText(svg);
        Assert.StartsWith("<svg", text, StringComparison.Ordinal);
        Assert.Contains("mark-line", text, StringComparison.Ordinal);
        Assert.Contains("mark-symbol", text, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"PNG is only {bytes.Length} bytes");
        Assert.Equal(PngMagic, bytes[..8]);
    }

    [Fact]
    public void ReportWritesEveryBatchFigureBesideTheHtml()
    {
        using var dir = new TempDir();
        HtmlReport.Write(dir.File("report.html"), new ReportData("b", [], [], [], [], ReportSamples.BatchScaling()), writeFigures: true);
        foreach (string name in (string[])["batch-optimal-lr", "batch-lr-curves", "batch-steps-samples", "batch-noise-scale", "adam-update-rms", "quadratic-lr"])
        {
            Assert.StartsWith("<svg", File.ReadAllText(dir.File($"figures/{name}.svg")), StringComparison.Ordinal);
            Assert.Equal(PngMagic, File.ReadAllBytes(dir.File($"figures/{name}.png"))[..8]);
        }
    }

    // Writes the report, opens it in Chromium and checks the status line and that every chart drew marks.
    private static string RenderInChromium(ReportData data, int expected)
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        HtmlReport.Write(path, data);
        var figures = HtmlReport.Sections(data).SelectMany(s => s.Figures).ToList();
        Assert.Equal(expected, figures.Count);

        string dom = HeadlessChromium.DumpDom(path);
        var status = BrowserRenderTests.Status(dom);
        Assert.True(status.Text == $"rendered {expected} of {expected} charts, 0 errors", $"status: '{status.Text}'; errors: {BrowserRenderTests.Errors(dom)}");
        Assert.Equal("true", status.Settled);
        foreach (var f in figures)
        {
            int start = dom.IndexOf($"id=\"chart-{f.Name}\"", StringComparison.Ordinal);
            Assert.True(start >= 0, $"no container for chart {f.Name}");
            string chart = dom[start..dom.IndexOf("</figure>", start, StringComparison.Ordinal)];
            Assert.Contains("<svg", chart, StringComparison.Ordinal);
            Assert.True(MarkGroup().Count(chart) >= 2, $"chart {f.Name} has fewer than two mark groups");
            Assert.True(PathElement().Count(chart) >= 10, $"chart {f.Name} holds only {PathElement().Count(chart)} <path> elements");
        }
        return dom;
    }

    [GeneratedRegex("class=\"mark-(line|symbol|rule)")]
    private static partial Regex MarkGroup();

    [GeneratedRegex("<path")]
    private static partial Regex PathElement();
}
