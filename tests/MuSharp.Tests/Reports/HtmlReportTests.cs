using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MuSharp.Reports;
using MuSharp.Tests.Data;

namespace MuSharp.Tests.Reports;

public sealed partial class HtmlReportTests
{
    [Fact]
    public void ReportIsSelfContained()
    {
        using var dir = new TempDir();
        string path = dir.File("sub/report.html");
        HtmlReport.Write(path, ReportSamples.Full());
        string html = File.ReadAllText(path);

        // The three builds are inlined, in load order; nothing is loaded from elsewhere.
        int vega = html.IndexOf("/* vega.min.js */", StringComparison.Ordinal);
        int lite = html.IndexOf("/* vega-lite.min.js */", StringComparison.Ordinal);
        int embed = html.IndexOf("/* vega-embed.min.js */", StringComparison.Ordinal);
        Assert.True(vega > 0 && vega < lite && lite < embed, "vega, vega-lite, vega-embed are inlined in that order");
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.Contains("renderer: 'svg'", html, StringComparison.Ordinal);
        Assert.Contains("<p id=\"render-status\" data-settled=\"false\" data-total=\"4\"", html, StringComparison.Ordinal);
        Assert.Contains("<h1>Synthetic sweep &lt;&amp;&gt;</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<pre>best lr per width:\n  mup: 2^-6 at 64, 128, 256</pre>", html, StringComparison.Ordinal);

        // Data travels inside the specs.
        var specs = JsonNode.Parse(SpecsBlock().Match(html).Groups[1].Value)!.AsArray();
        Assert.Equal(["chart-transfer", "chart-coord-activation", "chart-coord-change", "chart-spectral"], specs.Select(s => (string)s!["id"]!));
        foreach (var s in specs)
            Assert.Contains($"<div class=\"chart\" id=\"{(string)s!["id"]!}\"></div>", html, StringComparison.Ordinal);
        Assert.Equal(ReportSamples.Transfer().Count, specs[0]!["spec"]!["vconcat"]!.AsArray().Sum(r => r!["data"]!["values"]!.AsArray().Count));
    }

    [Fact]
    public void EmptyListsLeaveTheirSectionsOut()
    {
        var transferOnly = HtmlReport.Sections(new ReportData("t", ReportSamples.Transfer(), [], [], []));
        Assert.Equal(["transfer"], transferOnly.Select(s => s.Id));

        var verdictsOnly = HtmlReport.Sections(new ReportData("t", [], [], ReportSamples.Verdicts(), []));
        var section = Assert.Single(verdictsOnly);
        Assert.Equal("coord-check", section.Id);
        Assert.Empty(section.Figures);
        Assert.Contains("<table class=\"verdicts\">", section.TrailingHtml, StringComparison.Ordinal);

        // Without figures no vega is needed, and the page says there was nothing to render.
        string html = HtmlReport.Render("t", ["only text"], verdictsOnly, vega: null);
        Assert.DoesNotContain("vega.min.js", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"summary\"", HtmlReport.Render("t", [], verdictsOnly, null), StringComparison.Ordinal);
        Assert.Empty(HtmlReport.Sections(new ReportData("t", [], [], [], [])));
    }

    [Fact]
    public void SpecStringsCannotCloseTheScriptElement()
    {
        var data = new ReportData("t", [], [new("mup", "sgd", "</script><b>x", "activation", 1, 64, 1.0)], [], []);
        string html = HtmlReport.Render(data.Title, [], HtmlReport.Sections(data), VegaPackages.Locate());
        Assert.DoesNotContain("</script><b>", html, StringComparison.Ordinal);
        Assert.Contains("\\u003C/script\\u003E\\u003Cb\\u003Ex", html, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingVegaBuildsSayToRunSetup()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => VegaPackages.Locate(dir.Path));
        Assert.Contains("are not installed in " + dir.Path, e.Message, StringComparison.Ordinal);
        Assert.EndsWith("run scripts/setup.sh to install them.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void FigureNamesMustBeFileSafeAndDistinct()
    {
        var figure = TransferFigure.Build(ReportSamples.Transfer())!;
        var vega = VegaPackages.Locate();
        var bad = Assert.Throws<ArgumentException>(() => HtmlReport.Render("t", [], [new("s", "S", [figure with { Name = "../x" }])], vega));
        Assert.Contains("figure name '../x' is not file-safe", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => HtmlReport.Render("t", [], [new("s", "S", [figure, figure])], vega));
    }

    [GeneratedRegex("""(src|href)\s*=\s*["']?(https?:|//)""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [GeneratedRegex("""<script type="application/json" id="report-specs">(.*?)</script>""", RegexOptions.Singleline)]
    private static partial Regex SpecsBlock();
}
