using MuSharp.Tests.Cli;

namespace MuSharp.Tests.Corpus;

/// <summary>One bad input: the arguments (built from the corpus files) and the words its one-line message must contain.</summary>
public sealed record BadInput(string Id, Func<CorpusFiles, string[]> Args, Func<CorpusFiles, string[]> Names);

/// <summary>
/// The bad-input corpus, run in this process: every verb, every config key with a wrong type, an out-of-range and an
/// absurd value (as an option, and with a wrong type in a file), missing and wrong-kind paths, corrupt checkpoints and
/// stores. Each case must exit 2 with exactly one line on stderr that names what is wrong, no stack trace, and leave
/// the finished run and the stored sweep byte for byte as they were. Permission and environment cases, which need a
/// child process, are in <see cref="PermissionCorpus"/>.
/// </summary>
[Collection(nameof(ConsoleCapture))]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BadInputCorpus(CorpusFiles files) : IClassFixture<CorpusFiles>
{
    // Per key: a wrong type, an out-of-range value and an absurd one, as typed on the command line.
    internal static readonly Dictionary<string, (string WrongType, string OutOfRange, string Absurd)> KeyValues = new()
    {
        ["task"] = ("7", "cnn", ""), ["name"] = ("", "a/b", new string('x', 300)), ["seed"] = ("abc", "-1", "1e30"),
        ["dataset"] = ("3", "mnist", ""), ["validationSize"] = ("abc", "0", "1e12"), ["hidden"] = ("abc", "[0]", "[100000000000]"),
        ["contextLength"] = ("x", "0", "100000000"), ["dModel"] = ("x", "0", "1e9"), ["layers"] = ("1.5", "0", "100000"),
        ["heads"] = ("x", "0", "1e6"), ["positions"] = ("1", "absolute", ""), ["norm"] = ("1", "batchnorm", ""),
        ["tiedHead"] = ("yes", "2", "null"), ["optimizer"] = ("1", "adamx", ""), ["lr"] = ("fast", "-1", "1e39"),
        ["momentum"] = ("x", "1", "-1e30"), ["nesterov"] = ("maybe", "1", "null"), ["weightDecay"] = ("x", "-0.1", "1e39"),
        ["beta1"] = ("x", "1", "1.5"), ["beta2"] = ("x", "1.5", "-1e30"), ["eps"] = ("x", "0", "1e39"),
        ["warmupSteps"] = ("x", "-1", "1e12"), ["decay"] = ("1", "exponential", ""), ["minLrRatio"] = ("x", "1.5", "-1e30"),
        ["decayFraction"] = ("x", "0", "1e30"), ["batchSize"] = ("x", "0", "1e12"), ["parametrization"] = ("1", "mupp", ""),
        ["baseWidth"] = ("x", "-1", "1e12"), ["steps"] = ("x", "-5", "1e12"), ["maxMinutes"] = ("x", "-1", "1e400"),
        ["logEvery"] = ("x", "0", "1e12"), ["evalEvery"] = ("x", "0", "1e12"), ["evalBatches"] = ("x", "0", "1e12"),
        ["evalBatchSize"] = ("x", "-1", "1e12"), ["finalEvalBatches"] = ("x", "0", "1e12"), ["checkpointEvery"] = ("x", "0", "1e12"),
        ["monitorEvery"] = ("x", "-1", "1e12"), ["evalGrowth"] = ("x", "0.5", "1e400"), ["targetLoss"] = ("x", "0", "-1e400"),
        ["patience"] = ("x", "-1", "1e12"), ["noiseEvery"] = ("x", "-1", "1e12"), ["noiseChunks"] = ("x", "1", "1e12"),
        ["noiseHessian"] = ("maybe", "2", "null"), ["runsDir"] = ("", "{file}", "/proc/musharp-runs"),
        ["divergenceFactor"] = ("x", "0.5", "1e400"), ["auxLr"] = ("x", "0", "1e39"), ["muonScaling"] = ("1", "huge", ""),
        ["nsSchedule"] = ("1", "newton", ""), ["nsSteps"] = ("x", "-1", "1000"),
        ["nsPrescaling"] = ("3", "newton", ""), ["gramNewtonSchulz"] = ("maybe", "2", "null"), ["cautiousWeightDecay"] = ("maybe", "2", "null"),
        ["norMuonBeta2"] = ("x", "1", "-1e30"), ["qkClipTau"] = ("x", "-1", "1e400"), ["precision"] = ("1", "fp16", ""), ["microBatches"] = ("x", "0", "1e12"), ["nsPrecision"] = ("2", "int8", ""), ["depth"] = ("1", "cubic", ""), ["baseDepth"] = ("x", "-1", "1e12"), ["initStdMultiplier"] = ("x", "0", "1e400"),
        ["outputMultiplier"] = ("x", "-1", "1e400"), ["attentionMultiplier"] = ("x", "0", "-1e400"), ["warmupFraction"] = ("x", "1", "1e400"),
    };

    private static BadInput Case(string id, Func<CorpusFiles, string[]> args, params string[] names) => new(id, args, f => [.. names.Select(n => n.Replace("{root}", f.Root, StringComparison.Ordinal))]);

    private static BadInput Case(string id, Func<CorpusFiles, string[]> args, Func<CorpusFiles, string[]> names) => new(id, args, names);

    internal static IEnumerable<BadInput> All()
    {
        // Every key as an option: wrong type, out of range, absurd.
        foreach (var key in ConfigKeys.All)
        {
            var (wrong, range, absurd) = KeyValues[key.Name];
            foreach (var (kind, value) in new[] { ("type", wrong), ("range", range), ("absurd", absurd) })
                yield return Case($"train {key.Option} {kind}", f => [.. CorpusFiles.Tiny, "--runs-dir", f.Runs, key.Option, value.Replace("{file}", f.PathOf("plain-file"), StringComparison.Ordinal)],
                    key.Option);
            // The same key with a wrong type in a config file names the file and the key.
            yield return Case($"train config-file {key.Name} type", f =>
            {
                string path = f.PathOf($"key-{key.Name}.json");
                bool text = key.TypeName is "text" || key.Property.PropertyType.IsEnum || Nullable.GetUnderlyingType(key.Property.PropertyType)?.IsEnum == true;
                File.WriteAllText(path, $"{{ \"{key.Name}\": {(text ? "7" : "\"abc\"")} }}");
                return ["--config", path];
            }, f => [$"key '{key.Name}'", f.PathOf($"key-{key.Name}.json")]);
        }

        // train: the cases of issue 11 and the paths around a run.
        yield return Case("train gpt d-model not divisible by heads", f => ["--task", "gpt", "--dataset", "synthetic", "--steps", "5", "--d-model", "30", "--heads", "4"], "heads");
        yield return Case("train mlp hidden a million", f => ["--dataset", "blobs", "--hidden", "[1000000,1000000]", "--runs-dir", f.Runs], "needs about", "available");
        yield return Case("train gpt d-model a million", f => ["--task", "gpt", "--dataset", "synthetic", "--steps", "5", "--d-model", "1000000", "--heads", "1", "--runs-dir", f.Runs], "needs about", "dModel", "available");
        yield return Case("train gpt context longer than the corpus", f => ["--task", "gpt", "--dataset", "synthetic", "--steps", "5", "--d-model", "8", "--heads", "1", "--layers", "1", "--batch-size", "1", "--context-length", "60000", "--runs-dir", f.Runs], "contextLength");
        yield return Case("train batch of a billion", f => ["--dataset", "blobs", "--batch-size", "16000000", "--hidden", "[100000]", "--runs-dir", f.Runs], "needs about", "batchSize");
        yield return Case("train config is a folder", f => ["--config", f.PathOf("folder")], "--config", "{root}/folder", "is a folder");
        yield return Case("train config missing", f => ["--config", f.PathOf("missing.json")], "--config", "{root}/missing.json", "does not exist");
        yield return Case("train config not json", f => ["--config", f.PathOf("bad.json")], "{root}/bad.json", "not valid JSON");
        yield return Case("train config empty", f => ["--config", f.PathOf("empty.json")], "{root}/empty.json");
        yield return Case("train config is an array", f => ["--config", f.PathOf("array.json")], "{root}/array.json", "JSON object");
        yield return Case("train config unknown key", f => ["--config", f.PathOf("unknown-key.json")], "learningRate", "--list-keys");
        yield return Case("train unknown option", f => ["--learning-rate", "0.1"], "--learning-rate", "--help");
        yield return Case("train option without value", f => ["--lr"], "--lr");
        yield return Case("train stray argument", f => ["fashion"], "fashion");
        yield return Case("train key given twice", f => ["--lr", "0.1", "--lr", "0.2"], "--lr");
        yield return Case("train mlp on a text corpus", f => ["--dataset", "brown"], "dataset", "brown");
        yield return Case("train gpt on blobs", f => ["--task", "gpt", "--dataset", "blobs", "--steps", "5"], "dataset", "blobs");
        yield return Case("train gpt without steps", f => ["--task", "gpt", "--dataset", "synthetic"], "steps");
        yield return Case("train noise chunks not dividing the batch", f => [.. CorpusFiles.Tiny, "--noise-every", "2", "--noise-chunks", "3", "--batch-size", "32"], "noiseChunks", "batchSize");
        yield return Case("train rope with an odd head dimension", f => ["--task", "gpt", "--dataset", "synthetic", "--steps", "5", "--positions", "rope", "--d-model", "12", "--heads", "4"], "RoPE");
        yield return Case("train tied head with mup", f => ["--task", "gpt", "--dataset", "synthetic", "--steps", "5", "--tied-head", "true", "--parametrization", "mup"], "tiedHead");
        yield return Case("train base width not dividing", f => ["--dataset", "blobs", "--hidden", "[96,64]", "--base-width", "64"], "divisible");
        yield return Case("train over a finished run", f => ["--config", f.PathOf("good.json"), "--runs-dir", f.Runs, "--name", "done"], "{root}/runs/done", "finished");
        yield return Case("train over a checkpoint", f => ["--config", f.PathOf("good.json"), "--runs-dir", f.Runs, "--name", "halted"], "{root}/runs/halted", "--resume");
        yield return Case("train runs-dir is a file", f => [.. CorpusFiles.Tiny, "--runs-dir", f.PathOf("plain-file")], "--runs-dir", "{root}/plain-file");
        yield return Case("resume missing folder", f => ["--resume", f.PathOf("runs/nothing")], "--resume", "{root}/runs/nothing");
        yield return Case("resume a file", f => ["--resume", f.PathOf("plain-file")], "--resume", "{root}/plain-file");
        yield return Case("resume a folder that is no run", f => ["--resume", f.PathOf("runs/not-a-run")], "--resume", "config.json");
        yield return Case("resume before the first checkpoint", f => ["--resume", f.PathOf("runs/early")], "{root}/runs/early", "start it again");
        yield return Case("resume a corrupt checkpoint", f => ["--resume", f.PathOf("runs/corrupt")], "{root}/runs/corrupt/checkpoint.bin");
        yield return Case("resume a truncated checkpoint", f => ["--resume", f.PathOf("runs/truncated")], "{root}/runs/truncated/checkpoint.bin");
        yield return Case("resume with a config", f => ["--resume", f.PathOf("runs/halted"), "--config", f.PathOf("good.json")], "--resume", "--config");
        yield return Case("resume with a changed model", f => ["--resume", f.PathOf("runs/halted"), "--hidden", "[16]"], "{root}/runs/halted/checkpoint.bin");

        // The tool itself.
        yield return Case("unknown verb", f => ["frobnicate"], "frobnicate");
        yield return Case("misspelt --version", f => ["--versio"], "--versio");
        yield return Case("version with a verb", f => ["train", "--version"], "--version");

        // msign.
        foreach (var (option, value) in new[] { ("--rows", "0"), ("--rows", "x"), ("--cols", "100000"), ("--cols", "-3"), ("--steps", "-1"), ("--steps", "1000"),
                     ("--seed", "-1"), ("--seed", "1e30"), ("--schedule", "newton"), ("--schedule", "") })
            yield return Case($"msign {option} {value}", f => ["msign", option, value], option);
        yield return Case("msign unknown option", f => ["msign", "--colour", "red"], "--colour");
        yield return Case("msign missing value", f => ["msign", "--rows"], "--rows");

        // coord-check.
        foreach (var (option, value) in new[] { ("--widths", "64"), ("--widths", "a,b"), ("--widths", "0,64"), ("--widths", "64,100000000"), ("--seeds", "0"),
                     ("--steps", "0"), ("--steps", "1e9"), ("--parametrizations", "mup,bogus"), ("--optimizers", "adamx"), ("--tolerance", "-1"), ("--tolerance", "x") })
            yield return Case($"coord-check {option} {value}", f => ["coord-check", option, value], option);
        yield return Case("coord-check config missing", f => ["coord-check", "--config", f.PathOf("missing.json")], "--config", "{root}/missing.json");
        yield return Case("coord-check config is a folder", f => ["coord-check", "--config", f.PathOf("folder")], "--config", "{root}/folder");
        yield return Case("coord-check out is a file", f => ["coord-check", "--dataset", "blobs", "--widths", "8,16", "--out", f.PathOf("plain-file")], "--out", "{root}/plain-file");
        yield return Case("coord-check key option bad", f => ["coord-check", "--batch-size", "0"], "--batch-size");
        yield return Case("coord-check a million wide", f => ["coord-check", "--dataset", "blobs", "--widths", "64,1000000", "--hidden", "[8,8]"], "needs about");

        // transfer.
        yield return Case("transfer config missing", f => ["transfer", "--config", f.PathOf("missing.json")], "--config", "{root}/missing.json");
        yield return Case("transfer config is a folder", f => ["transfer", "--config", f.PathOf("folder")], "--config", "{root}/folder", "is a folder");
        yield return Case("transfer config not json", f => ["transfer", "--config", f.PathOf("bad.json")], "{root}/bad.json");
        yield return Case("transfer base with a bad value", f => ["transfer", "--config", f.PathOf("sweep-bad-base.json")], "{root}/sweep-bad-base.json");
        yield return Case("transfer without config", f => ["transfer"], "--config");
        yield return Case("transfer workers negative", f => ["transfer", "--config", f.PathOf("sweep.json"), "--workers", "-1"], "--workers");
        yield return Case("transfer workers text", f => ["transfer", "--config", f.PathOf("sweep.json"), "--workers", "many"], "--workers");
        yield return Case("transfer summary without a sweep", f => ["transfer", "--summary"], "--config", "--db");
        yield return Case("transfer summary missing db", f => ["transfer", "--summary", "--db", f.PathOf("missing.db")], "{root}/missing.db");
        yield return Case("transfer summary corrupt db", f => ["transfer", "--summary", "--db", f.PathOf("corrupt.db")], "{root}/corrupt.db");
        yield return Case("transfer summary empty db", f => ["transfer", "--summary", "--db", f.PathOf("empty.db")], "{root}/empty.db");
        yield return Case("transfer into a corrupt db", f => ["transfer", "--config", f.PathOf("sweep.json"), "--db", f.PathOf("corrupt.db")], "{root}/corrupt.db");
        yield return Case("transfer db is a folder", f => ["transfer", "--config", f.PathOf("sweep.json"), "--db", f.PathOf("folder")], "{root}/folder");
        yield return Case("transfer changed sweep file", f => ["transfer", "--config", f.PathOf("sweep-target.json"), "--db", f.HealthyDb], f => [f.HealthyDb]);
        yield return Case("transfer unknown option", f => ["transfer", "--widths", "8"], "--widths");

        // report.
        yield return Case("report missing sweep", f => ["report", f.PathOf("missing.db")], "{root}/missing.db");
        yield return Case("report folder without a sweep", f => ["report", f.PathOf("folder")], "{root}/folder");
        yield return Case("report corrupt db", f => ["report", f.PathOf("corrupt.db")], "{root}/corrupt.db");
        yield return Case("report without a sweep", f => ["report"], "SWEEP");
        yield return Case("report coord folder missing", f => ["report", f.HealthyDb, "--coord", f.PathOf("nothing")], "--coord", "{root}/nothing");
        yield return Case("report out is a folder", f => ["report", f.HealthyDb, "--out", f.PathOf("folder")], "--out", "{root}/folder");
        yield return Case("report two sweeps", f => ["report", f.HealthyDb, f.HealthyDb], f => [f.HealthyDb]);

        // batch-scaling.
        yield return Case("batch-scaling config missing", f => ["batch-scaling", "--config", f.PathOf("missing.json")], "--config", "{root}/missing.json");
        yield return Case("batch-scaling config is a folder", f => ["batch-scaling", "--config", f.PathOf("folder")], "--config", "{root}/folder");
        yield return Case("batch-scaling sweep without a target", f => ["batch-scaling", "--config", f.PathOf("sweep-no-target.json"), "--out", f.PathOf("bs-out")], "targetLoss");
        yield return Case("batch-scaling summary before any run", f => ["batch-scaling", "--summary", "--config", f.PathOf("sweep-target.json"), "--out", f.PathOf("bs-out")], "sweep.db");
        yield return Case("batch-scaling out is a file", f => ["batch-scaling", "--config", f.PathOf("sweep-target.json"), "--out", f.PathOf("plain-file")], "--out", "{root}/plain-file");
        yield return Case("batch-scaling workers negative", f => ["batch-scaling", "--workers", "-2"], "--workers");

        // transfer-worker (hidden, started by the coordinator).
        yield return Case("transfer-worker without db", f => ["transfer-worker"], "--db");
        yield return Case("transfer-worker missing db", f => ["transfer-worker", "--db", f.PathOf("missing.db")], "{root}/missing.db");
    }

    private static readonly Dictionary<string, BadInput> ById = All().ToDictionary(c => c.Id);

    public static TheoryData<string> Ids() => [.. ById.Keys];

    [Fact]
    public void TheCorpusHasAtLeast150CasesAndEveryKeyHasItsThreeBadValues()
    {
        Assert.True(ById.Count >= 150, $"{ById.Count} cases");
        Assert.Equal(ConfigKeys.All.Select(k => k.Name).Order(), KeyValues.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void BadInputExitsTwoWithOneLineNamingIt(string id)
    {
        var c = ById[id];
        string[] args = c.Args(files);
        if (args.Length == 0 || args[0] is not ("msign" or "coord-check" or "transfer" or "report" or "batch-scaling" or "transfer-worker" or "frobnicate") && !args[0].StartsWith("--vers", StringComparison.Ordinal) && args[0] != "train")
            args = ["train", .. args];
        var before = files.Finished();
        var (code, _, error) = CliProcess.Run(args);
        Expect.OneLineNaming(code, error, c.Names(files));
        Assert.Equal(before, files.Finished());
    }
}

/// <summary>What every bad-input case must print.</summary>
internal static class Expect
{
    public static void OneLineNaming(int code, string error, IEnumerable<string> names)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == 2 && lines.Length == 1, $"exit {code}, stderr:\n{error}");
        string line = lines[0];
        Assert.StartsWith("musharp: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        foreach (string name in names) Assert.True(line.Contains(name, StringComparison.Ordinal), $"'{name}' not in: {line}");
    }
}
