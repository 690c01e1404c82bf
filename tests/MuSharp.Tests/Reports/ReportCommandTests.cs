using MuSharp.Cli.Experiments;
using MuSharp.Scaling;
using MuSharp.Sweeps;
using MuSharp.Tests.Data;
using MuSharp.Tests.Sweeps;
using MuSharp.Training;

namespace MuSharp.Tests.Reports;

/// <summary><c>musharp report</c> end to end: a real stored sweep plus a real coordinate check, rendered in headless Chromium.</summary>
[Trait("Category", "Slow")]
public sealed class ReportCommandTests
{
    [Fact]
    public void ReportOfAStoredSweepAndItsCoordinateCheckRendersInChromium()
    {
        using var dir = new TempDir();
        string config = SweepFiles.Write(dir.Path, "r", "\"widths\": [8, 32], \"lrs\": [0.01, 0.1, 1000], \"parametrizations\": [\"standard\", \"mup\"]", steps: 10);
        Assert.Equal(0, MuSharp.Cli.Cli.Run(["transfer", "--config", config, "--workers", "2"]));
        string runDir = Path.Combine(dir.Path, "r");
        CoordCheckRun.Run(new CoordCheckOptions
        {
            Overrides = [("dataset", "blobs"), ("batch-size", "32"), ("hidden", "[16,16]")],
            Widths = [16, 32, 64], Seeds = 1, Steps = 2, Parametrizations = [ParametrizationKind.Standard, ParametrizationKind.Mup],
            Optimizers = [OptimizerKind.AdamW], Out = Path.Combine(runDir, SweepReport.CoordDir),
        }, _ => { });

        Assert.Equal(0, MuSharp.Cli.Cli.Run(["report", runDir]));
        string html = Path.Combine(runDir, "report.html");
        string page = File.ReadAllText(html);
        Assert.Contains("μTransfer: r", page, StringComparison.Ordinal);
        Assert.Contains("diverged", page, StringComparison.Ordinal); // lr 1000 diverges and is shown, not dropped

        string dom = HeadlessChromium.DumpDom(html);
        var status = BrowserRenderTests.Status(dom);
        Assert.True(status.Text == "rendered 4 of 4 charts, 0 errors", $"status '{status.Text}'; errors: {BrowserRenderTests.Errors(dom)}");
        foreach (string chart in new[] { "transfer", "coord-activation", "coord-change", "spectral" })
            Assert.Contains($"id=\"chart-{chart}\"", dom, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSweepAndMalformedCoordFilesGiveOneLineErrors()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => SweepReport.Write(Path.Combine(dir.Path, "nope.db")));
        Assert.Contains("run musharp transfer first", e.Message);
        File.WriteAllText(dir.File(CoordCsv.StatsFile), "header\n1,2\n");
        File.WriteAllText(dir.File(CoordCsv.SlopesFile), "header\n");
        var bad = Assert.Throws<InvalidDataException>(() => SweepReport.ReadCoordCheck(dir.Path));
        Assert.Contains("rerun musharp coord-check", bad.Message);
    }
}
