using MuSharp.Reports;

namespace MuSharp.Tests.Reports;

public sealed class VerdictTableTests
{
    [Fact]
    public void RowsAreSortedColouredAndShowSignedSlopes()
    {
        string html = VerdictTable.ToHtml(ReportSamples.Verdicts());
        Assert.Contains("<td class=\"slope\">+0.010</td><td class=\"verdict-flat\">flat</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"slope\">+0.500</td><td class=\"verdict-growing\">growing</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"slope\">−0.500</td><td class=\"verdict-shrinking\">shrinking</td>", html, StringComparison.Ordinal);
        int mup = html.IndexOf("<td>mup</td>", StringComparison.Ordinal), sp = html.IndexOf("<td>sp</td>", StringComparison.Ordinal);
        Assert.True(mup < sp, "rows are sorted by parametrization");
        foreach (string verdict in (string[])["flat", "growing", "shrinking"])
            Assert.Contains($"td.verdict-{verdict} {{", VerdictTable.Css, StringComparison.Ordinal);
    }

    [Fact]
    public void TextIsEscaped()
    {
        string html = VerdictTable.ToHtml([new("mup", "adamw", "<b>attn</b>", "activation", 5, 0, "flat")]);
        Assert.Contains("<td>&lt;b&gt;attn&lt;/b&gt;</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownVerdictIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => VerdictTable.ToHtml([new("mup", "adamw", "h", "activation", 5, 0.7, "exploding")]));
        Assert.Equal("coordinate verdict 0 (mup, adamw, h, activation, step 5) is 'exploding'; expected flat, growing or shrinking.", e.Message);
    }
}
