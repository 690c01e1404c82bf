using System.Text.RegularExpressions;
using MuSharp.Reports;
using MuSharp.Sweeps;
using MuSharp.Tests.Data;

namespace MuSharp.Tests.Reports;

/// <summary>
/// The transfer summary as the CLI prints it (fixed-point, decimal-aligned, the optimum's star in a column of its own)
/// and as the report shows it (HTML tables built from the typed groups), checked in headless Chromium.
/// </summary>
public sealed partial class SummaryTablesTests
{
    private static readonly double[] Grid = [0.001, 0.004, 0.016, 0.064];
    private static long nextId;

    private static TrialRow Row(int width, int lrIndex, double? loss, TrialStatus status = TrialStatus.Done, string parametrization = "mup") => new(
        new TrialSpec(Interlocked.Increment(ref nextId), "", "mlp", "sgd", parametrization, width, Grid[lrIndex], lrIndex, 1, "{}", 32),
        new TrialResult { Status = status, FinalValLoss = loss }, null, null, null, 1);

    // Losses from 1.4 down to 4e-7, the range that printed as 1.103E-05*5.941E-06* before; w64's optimum is lr index 2.
    private static IReadOnlyList<TransferGroup> Groups() => TransferSummary.Summarize(
    [
        Row(16, 0, 1.409), Row(64, 0, 1.142), Row(256, 0, 0.4586),
        Row(16, 1, 0.0002689), Row(64, 1, 0.0003152), Row(256, 1, 4.313e-7),
        Row(16, 2, 0.5218), Row(64, 2, 1.103e-5), Row(256, 2, 5.941e-6),
        Row(16, 3, null, TrialStatus.Diverged), Row(64, 3, 2.5), Row(256, 3, null, TrialStatus.Diverged),
        Row(16, 0, 0.9, parametrization: "standard"), Row(64, 0, 0.8, parametrization: "standard"),
    ], baseWidth: 16);

    [Fact]
    public void FixedPointKeepsSignificantDigitsWithoutExponent()
    {
        Assert.Equal("1.409", FixedPoint.Significant(1.409, 4));
        Assert.Equal("0.0002689", FixedPoint.Significant(0.00026894, 4));
        Assert.Equal("0.0000004313", FixedPoint.Significant(4.313e-7, 4));
        Assert.Equal("10.00", FixedPoint.Significant(9.99996, 4));
        Assert.Equal("12346", FixedPoint.Significant(12345.6, 4));
        Assert.Equal("0.001", FixedPoint.Significant(0.001, 3, trimZeros: true));
        Assert.Equal("0.00100", FixedPoint.Significant(0.001, 3));
        Assert.Equal("inf", FixedPoint.Significant(double.PositiveInfinity, 4));
        Assert.Equal("-", FixedPoint.Significant((double?)null, 4));
        Assert.Equal("+0.00", FixedPoint.WithSign(-0.001));
    }

    [Fact]
    public void TextTableLinesUpDecimalPoints()
    {
        var table = new TextTable(new TextColumn("name", TextAlign.Left), new TextColumn("value", TextAlign.Point));
        table.Add("a", "1.5");
        table.Add("bb", "0.00025");
        table.Add("c", "inf");
        var lines = table.Lines();
        Assert.Equal(4, lines.Count);
        int point = lines[1].IndexOf('.', StringComparison.Ordinal);
        Assert.Equal(point, lines[2].IndexOf('.', StringComparison.Ordinal));
        Assert.Equal(point - 1, lines[3].IndexOf("inf", StringComparison.Ordinal) + 2); // "inf" ends where the integer part does
        Assert.Throws<ArgumentException>(() => table.Add("x", "1", "extra"));
    }

    [Fact]
    public void PrintedSummaryIsFixedPointWithSeparateStars()
    {
        string text = SummaryTable.Format(Groups());
        Assert.DoesNotContain("E-", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d\*", text);                       // a star never touches its number
        Assert.Contains("0.00001103 *", text, StringComparison.Ordinal);
        Assert.Contains("0.0000004313 *", text, StringComparison.Ordinal);
        var block = text.Split('\n').SkipWhile(l => !l.StartsWith("mlp · sgd · mup", StringComparison.Ordinal)).Skip(1).Take(6).ToList();
        Assert.StartsWith("lr", block[0].TrimStart(), StringComparison.Ordinal);
        // Every loss of the w64 column has its decimal point at the same offset.
        string[] w64 = ["1.142", "0.0003152", "0.00001103", "2.500"];
        var points = block.Skip(1).Take(4).Select((l, i) => l.IndexOf(w64[i], StringComparison.Ordinal) + w64[i].IndexOf('.', StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(points, p => p < 1);
        Assert.Single(points.Distinct());
        Assert.StartsWith("optimum", block[5], StringComparison.Ordinal);
        Assert.Contains("drift 1 grid step", block[5], StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlSummaryHasOneTablePerGroupWithTheOptimaMarked()
    {
        string html = SummaryHtml.ToHtml(Groups());
        Assert.Equal(2, TableElement().Count(html));
        Assert.Equal(5, LrRow().Count(html));                                  // 4 lrs of mup, 1 of standard
        Assert.Contains("<td class=\"num optimum\">0.00001103 *</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num diverged\">inf</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<pre>", html, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ReportShowsSummaryTablesInTheBrowser()
    {
        using var dir = new TempDir();
        string path = dir.File("report.html");
        var groups = Groups();
        HtmlReport.Write(path, new ReportData("summary", [], [], [], SummaryTable.Format(groups).Split('\n'), TransferSummary: groups));
        Assert.DoesNotContain("<pre>", File.ReadAllText(path), StringComparison.Ordinal);

        string dom = HeadlessChromium.DumpDom(path);
        Assert.Equal("rendered 0 of 0 charts, 0 errors", BrowserRenderTests.Status(dom).Text);
        var mup = Table(dom, "summary-mlp-sgd-mup");
        Assert.Equal(["lr", "w16", "w64", "w256", "wider is better"], Cells(HeaderRow().Match(mup).Value));
        var rows = RowElement().Matches(mup).Select(m => Cells(m.Value)).ToList();
        Assert.Equal(6, rows.Count);                                           // header, 4 learning rates, optimum
        Assert.Equal(["0.001", "1.409", "1.142", "0.4586", "yes"], rows[1]);
        Assert.Equal(["0.004", "0.0002689 *", "0.0003152", "0.0000004313 *", "no"], rows[2]);
        Assert.Equal(["0.064", "inf", "2.500", "inf", "no"], rows[4]);
        Assert.Equal(["optimum", "0.004", "0.016", "0.004", "drift 1 grid step"], rows[5]);
        Assert.Equal(3, Regex.Count(Table(dom, "summary-mlp-sgd-standard"), "<tr"));
    }

    private static string Table(string dom, string id)
    {
        int start = dom.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"the report has no table {id}");
        return dom[start..dom.IndexOf("</table>", start, StringComparison.Ordinal)];
    }

    private static List<string> Cells(string row) => [.. CellElement().Matches(row).Select(m => m.Groups[1].Value.Trim())];

    [GeneratedRegex("<table class=\"summary\"")]
    private static partial Regex TableElement();

    [GeneratedRegex("<tr class=\"lr-row\">")]
    private static partial Regex LrRow();

    [GeneratedRegex("<tr[^>]*>.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex RowElement();

    [GeneratedRegex("<thead>.*?</thead>", RegexOptions.Singleline)]
    private static partial Regex HeaderRow();

    [GeneratedRegex("<t[hd](?:\\s[^>]*)?>(.*?)</t[hd]>", RegexOptions.Singleline)]
    private static partial Regex CellElement();
}
