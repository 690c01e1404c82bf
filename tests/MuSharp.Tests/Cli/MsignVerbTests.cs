using MuSharp.Cli.Experiments;
using MuCli = MuSharp.Cli.Cli;

namespace MuSharp.Tests.Cli;

/// <summary>Tests that redirect the process-wide Console run alone, so no other test's output lands in the capture.</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture;

[Collection(nameof(ConsoleCapture))]
public sealed class MsignVerbTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Capture(args);

    [Fact]
    public void SmallShapePrintsOneRowPerStepWithTheExpectedColumns()
    {
        var (code, output, _) = Run("msign", "--rows", "24", "--cols", "12", "--schedule", "pe", "--steps", "4", "--seed", "3", "--bench");
        Assert.Equal(0, code);
        foreach (string column in new[] { "step", "sigma_min", "sigma_max", "frob_err", "time_ms", "svd/ns" })
            Assert.Contains(column, output);
        Assert.Contains("[24, 12]", output);
        Assert.Contains("newton-schulz x4", output);
        for (int k = 1; k <= 4; k++) Assert.Matches($@"\W{k}\s+\W\s+\d\.\d{{6}}", output);
    }

    [Fact]
    public void MeasureFollowsTheScheduleTowardsExactMsign()
    {
        // Polar Express (§5.3) on a well-conditioned Gaussian reaches msign within a few steps (§5.4: T = 8 → [1, 1]).
        var rows = MsignReport.Measure(new MsignReport.Options(Rows: 40, Cols: 20, Schedule: "pe", Steps: 8));
        Assert.Equal(8, rows.Count);
        Assert.All(rows, r => Assert.True(r.SigmaMin > 0 && r.SigmaMin <= r.SigmaMax && r.Milliseconds >= 0));
        Assert.InRange(rows[^1].SigmaMin, 0.99, 1.01);
        Assert.InRange(rows[^1].SigmaMax, 0.99, 1.01);
        Assert.True(rows[^1].FrobeniusError < 0.05 * rows[0].FrobeniusError);
    }

    [Fact]
    public void DefaultStepsComeFromTheSchedule() =>
        Assert.Equal(5, MsignReport.Measure(new MsignReport.Options(Rows: 8, Cols: 6)).Count);   // Keller Jordan: 5

    [Theory]
    [InlineData("--schedule", "newton")]
    [InlineData("--rows", "0")]
    [InlineData("--steps", "x")]
    [InlineData("--colour", "red")]
    public void BadArgumentsGiveOneLineAndExitCode2(string option, string value)
    {
        var (code, _, error) = Run("msign", option, value);
        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("musharp: ", error);
        Assert.Contains(option, error);
    }
}
