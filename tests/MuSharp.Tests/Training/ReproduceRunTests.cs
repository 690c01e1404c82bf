using MuSharp.Experiments;
using MuSharp.Reproduce;
using MuSharp.Tests.Data;
using MuSharp.Tests.Reports;
using Xunit.Abstractions;

namespace MuSharp.Tests.Training;

/// <summary>The library behind `musharp reproduce`: claim ids, the only filter, computed verdicts, tables and the report page.</summary>
public sealed class ReproduceRunTests(ITestOutputHelper output)
{
    private static void AssertComputed(ReproduceRow row)
    {
        var r = row.Result;
        Assert.False(string.IsNullOrWhiteSpace(r.Source), $"{row.Id}: no source");
        Assert.True(double.IsFinite(r.Prediction), $"{row.Id}: prediction {r.Prediction}");
        var again = r.Absolute
            ? ClaimResult.CompareAbsolute(r.Claim, r.Source, r.Prediction, r.Measurement, r.Tolerance, r.Cause)
            : ClaimResult.Compare(r.Claim, r.Source, r.Prediction, r.Measurement, r.Tolerance, r.Cause);
        Assert.Equal(again.Verdict, r.Verdict);
        if (r.Verdict == ClaimVerdict.Missed) Assert.False(string.IsNullOrEmpty(r.Cause), $"{row.Id}: a miss without its cause");
        Assert.Equal(row.Id, row.Figure.Name.Replace("claim-", "", StringComparison.Ordinal));
    }

    [Fact]
    public void IdsAreUniqueAndTheFilterRefusesUnknownOnes()
    {
        Assert.Equal(21, ReproduceRun.Ids.Count);
        Assert.Equal(ReproduceRun.Ids.Count, ReproduceRun.Ids.Distinct().Count());
        var ex = Assert.Throws<ArgumentException>(() => ReproduceRun.Run(new ReproduceOptions { Only = ["polar-express", "no-such-claim"] }));
        Assert.Contains("no-such-claim", ex.Message, StringComparison.Ordinal);
        Assert.Contains("mutransfer-drift", ex.Message, StringComparison.Ordinal);
    }

    // The claims added beside ClaimChecks that need no dataset: each runs, in table order, with a computed verdict. The
    // Monte-Carlo laws and the stability slope are expected to reproduce; the weight-RMS law in training is an honest miss.
    [Fact]
    public void QuickSubsetComputesEveryVerdict()
    {
        string[] only = ["muon-batch-law", "softsign-batch-law", "adam-surge", "weight-rms-training", "spectral-stability-flat", "polar-express"];
        var report = ReproduceRun.Run(new ReproduceOptions { Only = only }, output.WriteLine);
        foreach (var line in report.TextTable()) output.WriteLine(line);
        Assert.Equal(ReproduceRun.Ids.Where(only.Contains), report.Rows.Select(r => r.Id));
        foreach (var row in report.Rows) AssertComputed(row);
        foreach (string id in (string[])["muon-batch-law", "softsign-batch-law", "adam-surge", "spectral-stability-flat", "polar-express"])
            Assert.Equal(ClaimVerdict.Reproduced, report.Rows.Single(r => r.Id == id).Result.Verdict);
        Assert.Equal(only.Length + 2, report.TextTable().Count);
        Assert.Equal(only.Length + 2, report.MarkdownTable().Count);
        Assert.Equal(only.Length + 1, report.Sections().Count);
    }

    [Fact]
    public void ReportPageRendersAFigurePerClaim()
    {
        var report = ReproduceRun.Run(new ReproduceOptions { Only = ["polar-express", "adam-surge"] });
        using var dir = new TempDir();
        string path = dir.File("reproduce.html");
        ReproduceRun.WriteHtml(path, report);
        string dom = HeadlessChromium.DumpDom(path);
        Assert.Equal(("rendered 2 of 2 charts, 0 errors", "true"), BrowserRenderTests.Status(dom));
        Assert.Contains("2 of 2 claims reproduced", dom, StringComparison.Ordinal);
    }

    // Every claim of the quick set, training included (Fashion-MNIST when installed, else blobs).
    [Fact]
    [Trait("Category", "Slow")]
    public void FullQuickSetHasAVerdictForEveryClaim()
    {
        var report = ReproduceRun.Run(new ReproduceOptions(), output.WriteLine);
        foreach (var line in report.TextTable()) output.WriteLine(line);
        foreach (var line in report.MarkdownTable()) output.WriteLine(line);
        Assert.Equal(ReproduceRun.Ids, report.Rows.Select(r => r.Id));
        foreach (var row in report.Rows) AssertComputed(row);
        Assert.True(report.Reproduced >= report.Rows.Count - 3, report.Summary);
    }
}
