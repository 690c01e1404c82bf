using MuCli = MuSharp.Cli.Cli;

namespace MuSharp.Tests.Cli;

/// <summary>musharp stability and musharp reproduce: the library's tables reach the console, bad input is refused.</summary>
[Collection(nameof(ConsoleCapture))]
public sealed class StabilityReproduceVerbTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-verbs-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Capture(args);

    [Fact]
    public void ReproducePrintsTheClaimTableWithComputedVerdicts()
    {
        var (code, output, err) = Run("reproduce", "--quick", "--only", "adam-update-rms,gaussian-spectral-norm", "--out", Path.Combine(dir, "r.html"));
        Assert.True(code == 0, err);
        Assert.Matches(@"adam-update-rms\s+Adam update RMS.*\s0\.2294\s+0\.2\d{3}\s+±5%\s+reproduced", output);
        Assert.Contains("2 of 2 claims reproduced", output, StringComparison.Ordinal);
    }

    [Fact]
    public void StabilityCertifiesEveryUnitAndWritesItsReport()
    {
        string report = Path.Combine(dir, "s.html");
        var (code, output, err) = Run("stability", "--widths", "16,32", "--hidden", "[16,16]", "--dataset", "blobs", "--out", report);
        Assert.True(code == 0, err);
        Assert.Contains("bound ≥ measured in every unit", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^model\s+update\s", output);
        Assert.True(File.Exists(report) || err.Contains("no HTML report", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("reproduce", "--only", "no-such-claim", "option --only")]
    [InlineData("stability", "--widths", "64", "option --widths")]
    public void BadInputExitsTwoWithOneLine(string verb, string option, string value, string named)
    {
        var (code, _, err) = Run(verb, option, value);
        Assert.Equal(2, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
    }
}
