using System.Text.Json.Nodes;
using MuSharp.Reports;
using MuSharp.Tests.Data;

namespace MuSharp.Tests.Reports;

/// <summary>Static figures through node (vega, renderer none → SVG) and rsvg-convert (SVG → PNG).</summary>
[Trait("Category", "Slow")]
public sealed class FigureRendererTests
{
    private static readonly byte[] PngMagic = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void WritesSvgWithMarksAndPng()
    {
        using var dir = new TempDir();
        var spec = TransferFigure.Build(ReportSamples.Transfer())!.Spec;
        var (svg, png) = FigureRenderer.WriteSvgAndPng(spec, dir.File("figs/transfer"));

        Assert.Equal(dir.File("figs/transfer.svg"), svg);
        string text = File.ReadAllText(svg);
        Assert.StartsWith("<svg", text, StringComparison.Ordinal);
        Assert.Contains("mark-line", text, StringComparison.Ordinal);
        Assert.Contains("mark-symbol", text, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 10_000, $"PNG is only {bytes.Length} bytes");
        Assert.Equal(PngMagic, bytes[..8]);
    }

    [Fact]
    public void BrokenSpecFailsWithTheRenderersMessage()
    {
        using var dir = new TempDir();
        var spec = new JsonObject { ["data"] = new JsonObject { ["values"] = new JsonArray() }, ["mark"] = "no-such-mark" };
        var e = Assert.Throws<InvalidDataException>(() => FigureRenderer.WriteSvgAndPng(spec, dir.File("broken")));
        Assert.StartsWith($"rendering {dir.File("broken.svg")} failed: render-vega: ", e.Message, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(e.Message, "rendering"));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReportWritesEveryFigureBesideTheHtml()
    {
        using var dir = new TempDir();
        HtmlReport.Write(dir.File("report.html"), ReportSamples.Full(), writeFigures: true);
        foreach (string name in (string[])["transfer", "coord-activation", "coord-change", "spectral"])
        {
            Assert.StartsWith("<svg", File.ReadAllText(dir.File($"figures/{name}.svg")), StringComparison.Ordinal);
            Assert.Equal(PngMagic, File.ReadAllBytes(dir.File($"figures/{name}.png"))[..8]);
        }
    }
}
