using System.Reflection;

namespace MuSharp.Tests.Cli;

/// <summary>The tool's surface: help and version on every verb, the key list, runaway runs, resume edge cases, internal errors.</summary>
[Collection(nameof(ConsoleCapture))]
public sealed class CliSurfaceTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-surface-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string> Verbs() => ["train", "msign", "coord-check", "transfer", "transfer-worker", "report", "batch-scaling"];

    [Theory]
    [MemberData(nameof(Verbs))]
    public void EveryVerbAnswersHelpWithItsOptionsAndDefaults(string verb)
    {
        foreach (string flag in new[] { "--help", "-h" })
        {
            var (code, output, error) = CliProcess.Run(verb, flag);
            Assert.Equal(0, code);
            Assert.Empty(error);
            if (verb == "transfer-worker") continue; // hidden: System.CommandLine prints no help for hidden commands
            Assert.Contains("Options:", output, StringComparison.Ordinal);
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TopLevelListsTheVisibleVerbsAndTheVersion()
    {
        var (code, output, _) = CliProcess.Run("--help");
        Assert.Equal(0, code);
        foreach (string verb in new[] { "train", "msign", "coord-check", "transfer", "report", "batch-scaling" }) Assert.Contains(verb, output, StringComparison.Ordinal);
        Assert.DoesNotContain("transfer-worker", output, StringComparison.Ordinal);
        (code, output, _) = CliProcess.Run("--version");
        Assert.Equal(0, code);
        Assert.Equal(MuSharp.Cli.ToolVersion.Informational, output.Trim());
        Assert.Contains("[default: 128]", CliProcess.Run("train", "--help").Out, StringComparison.Ordinal); // batchSize
        Assert.Contains("[default: 96]", CliProcess.Run("msign", "--help").Out, StringComparison.Ordinal);  // rows
    }

    [Fact]
    public void ListKeysShowsEverySettablePropertyWithTypeDefaultAndMeaning()
    {
        var settable = typeof(TrainConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => p.Name).Order();
        Assert.Equal(settable, ConfigKeys.All.Select(k => k.Property.Name).Order());
        var (code, output, _) = CliProcess.Run("train", "--list-keys");
        Assert.Equal(0, code);
        foreach (var key in ConfigKeys.All)
        {
            string line = output.Split('\n').Single(l => l.StartsWith(key.Name + " ", StringComparison.Ordinal));
            Assert.Contains(key.Option, line, StringComparison.Ordinal);
            Assert.Contains(key.Meaning, line, StringComparison.Ordinal);
            Assert.Contains(key.Default, line, StringComparison.Ordinal);
        }
        Assert.Matches(@"(?m)^divergenceFactor +--divergence-factor ", output);
    }

    [Fact]
    public void AFileAndAnOptionGiveTheSameValueAndTheirErrorsNameWhatTheUserWrote()
    {
        string file = Path.Combine(root, "c.json");
        File.WriteAllText(file, """{ "batchSize": 64, "hidden": [16, 8], "decay": "cosine", "parametrization": null }""");
        var fromFile = TrainConfig.Load(file, []);
        var fromOptions = TrainConfig.Load(null, [("batch-size", "64"), ("hidden", "16,8"), ("decay", "cosine"), ("parametrization", "null")]);
        Assert.Equal(fromFile.ToJson(), fromOptions.ToJson());
        Assert.Equal("option --seed: must be an integer ≥ 0, got -1.", Assert.Throws<ArgumentException>(() => TrainConfig.Load(null, [("seed", "-1")])).Message);
        File.WriteAllText(file, """{ "batchSize": "large" }""");
        Assert.Equal($"config {file}: key 'batchSize': must be an integer from 1 to 16777216, got \"large\".",
            Assert.Throws<ArgumentException>(() => TrainConfig.Load(file, [])).Message);
        Assert.Contains("key 'beta2'", Assert.Throws<ArgumentException>(() => new TrainConfig { Beta2 = 1.5f }.Validate()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHugeLearningRateStopsTheRunNamingTheStepWithNoCheckpointToResume()
    {
        var (code, output, error) = CliProcess.Run("train", "--dataset", "blobs", "--hidden", "[32,32]", "--optimizer", "sgd", "--lr", "1e6",
            "--steps", "50", "--checkpoint-every", "40", "--runs-dir", root, "--name", "boom");
        Assert.Equal(3, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Matches(@"at step \d+", error);
        Assert.Contains("no checkpoint was written yet, so start the run again", error, StringComparison.Ordinal);
        Assert.DoesNotContain("last good checkpoint", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(root, "boom", Train.FinalFile)), output);
    }

    [Fact]
    public void DivergenceAfterACheckpointNamesItAndLeavesItAsItWas()
    {
        var config = TrainRunTests.TinyMlp(60, lr: "3", ("checkpoint-every", "1"), ("divergence-factor", "1.5"));
        var e = Assert.Throws<TrainingDivergedException>(() => Train.Run(config, Path.Combine(root, "d"), resume: false));
        Assert.Contains("divergenceFactor", e.Message, StringComparison.Ordinal);
        Assert.Contains("last good checkpoint", e.Message, StringComparison.Ordinal);
        Assert.Contains($"at step {e.Step}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumingAFinishedRunSaysSoAndExitsZero()
    {
        var config = TrainRunTests.TinyMlp(6, extra: [("runs-dir", root), ("name", "f")]);
        string run = Path.Combine(root, "f");
        Assert.True(Train.Run(config, run, resume: false).Completed);
        string final = File.ReadAllText(Path.Combine(run, Train.FinalFile));
        var (code, output, error) = CliProcess.Run("train", "--resume", run);
        Assert.Equal(0, code);
        Assert.Empty(error);
        Assert.Contains("already finished", output, StringComparison.Ordinal);
        Assert.Equal(final, File.ReadAllText(Path.Combine(run, Train.FinalFile)));
    }

    [Fact]
    public void ElapsedTimeContinuesAcrossAResume()
    {
        var config = TrainRunTests.TinyMlp(12);
        string run = Path.Combine(root, "e");
        Train.Run(config, run, resume: false, haltAfterStep: 9);
        Train.Run(config, run, resume: true);
        var rows = File.ReadLines(Path.Combine(run, Train.MetricsFile)).ToList();
        int col = rows[0].Split(',').ToList().IndexOf("elapsed_s");
        var elapsed = rows.Skip(1).Select(r => double.Parse(r.Split(',')[col], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        for (int i = 1; i < elapsed.Count; i++) Assert.True(elapsed[i] >= elapsed[i - 1], string.Join(", ", elapsed));
    }

    [Fact]
    public void AnUnexpectedErrorIsOneLinePointingAtALogWithTheStackTrace()
    {
        var (oldErr, err) = (Console.Error, new StringWriter());
        Console.SetError(err);
        int code;
        try { code = MuSharp.Cli.Cli.Unexpected(new InvalidOperationException("boom")); }
        finally { Console.SetError(oldErr); }
        Assert.Equal(70, code);
        string line = Assert.Single(err.ToString().TrimEnd().Split('\n'));
        string log = System.Text.RegularExpressions.Regex.Match(line, @"details in (\S+\.log)").Groups[1].Value;
        Assert.Contains("boom", File.ReadAllText(log), StringComparison.Ordinal);
        Assert.Contains(nameof(InvalidOperationException), File.ReadAllText(log), StringComparison.Ordinal);
        File.Delete(log);
    }
}
