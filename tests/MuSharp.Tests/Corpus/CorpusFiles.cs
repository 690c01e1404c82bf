using System.Security.Cryptography;

namespace MuSharp.Tests.Corpus;

/// <summary>
/// The files the bad-input corpus points at: good and broken configs, finished, early, corrupt and truncated run
/// folders, good and corrupt sweep stores. Folders are world-readable so the permission cases can run as nobody.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CorpusFiles : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("musharp-corpus-").FullName;

    public string Runs => Path.Combine(Root, "runs");

    /// <summary>Options that make a train run small and dataset-free (Gaussian blobs).</summary>
    public static readonly string[] Tiny = ["--dataset", "blobs", "--hidden", "[8]", "--steps", "4", "--checkpoint-every", "2", "--log-every", "1"];

    public CorpusFiles()
    {
        File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Runs);
        Write("good.json", """{ "task": "mlp", "dataset": "blobs", "hidden": [8], "steps": 4, "checkpointEvery": 2 }""");
        Write("bad.json", """{ "lr": """);
        Write("array.json", "[1, 2]");
        Write("unknown-key.json", """{ "learningRate": 0.1 }""");
        Write("empty.json", "");
        Directory.CreateDirectory(Path.Combine(Root, "folder"));
        Write("plain-file", "not a folder");

        // A finished run, an early one (no checkpoint yet), and runs whose checkpoint is garbage or cut short.
        var config = TrainConfig.Load(Path.Combine(Root, "good.json"), [("runs-dir", Runs), ("name", "done")]);
        Assert.True(Train.Run(config, Path.Combine(Runs, "done"), resume: false).Completed);
        Train.Run(config with { Name = "halted" }, Path.Combine(Runs, "halted"), resume: false, haltAfterStep: 3);
        Directory.CreateDirectory(Path.Combine(Runs, "early"));
        File.WriteAllText(Path.Combine(Runs, "early", Train.ConfigFile), (config with { Name = "early" }).ToJson());
        foreach (string name in new[] { "corrupt", "truncated" })
        {
            Directory.CreateDirectory(Path.Combine(Runs, name));
            File.WriteAllText(Path.Combine(Runs, name, Train.ConfigFile), (config with { Name = name }).ToJson());
        }
        File.WriteAllBytes(Path.Combine(Runs, "corrupt", Train.CheckpointFile), [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))]);
        byte[] real = File.ReadAllBytes(Path.Combine(Runs, "done", Train.CheckpointFile));
        File.WriteAllBytes(Path.Combine(Runs, "truncated", Train.CheckpointFile), real[..(real.Length / 2)]);
        Directory.CreateDirectory(Path.Combine(Runs, "not-a-run"));

        // Sweeps: a healthy store with every trial pending, and a store that is not SQLite at all.
        Write("sweep.json", Sweep("smoke", Path.Combine(Root, "sweeps")));
        Write("sweep-no-target.json", Sweep("nt", Path.Combine(Root, "sweeps")));
        Write("sweep-bad-base.json", """{ "name": "bb", "base": { "task": "mlp", "dataset": "blobs", "hidden": [8], "lr": "fast" }, "widths": [8], "lrs": [0.1] }""");
        Write("sweep-target.json", Sweep("bs", Path.Combine(Root, "sweeps"), target: true));
        var plan = SweepConfig.Load(Path.Combine(Root, "sweep.json"));
        HealthyDb = plan.DefaultDbPath;
        SweepStore.Open(HealthyDb, plan).Dispose();
        File.WriteAllBytes(Path.Combine(Root, "corrupt.db"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 13 + 5))]);
        Write("empty.db", "");
    }

    /// <summary>The store created from sweep.json (pending trials only).</summary>
    public string HealthyDb { get; }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(Root, name), text);

    private static string Sweep(string name, string runs, bool target = false) => $$"""
        { "name": "{{name}}", "base": { "task": "mlp", "dataset": "blobs", "hidden": [8], "optimizer": "sgd", "batchSize": 32,
          "runsDir": "{{runs}}"{{(target ? ", \"targetLoss\": 0.5" : "")}} },
          {{(target ? "\"batchSizes\": [8, 16]," : "")}} "widths": [8, 16], "lrs": [0.1, 0.3], "steps": 4 }
        """;

    /// <summary>Path → SHA-256 of every file under the finished run and the healthy store: what no bad input may change.</summary>
    public Dictionary<string, string> Finished()
    {
        var files = Directory.GetFiles(Path.Combine(Runs, "done")).Append(HealthyDb);
        return files.ToDictionary(f => f, f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
    }

    public void Dispose()
    {
        foreach (string dir in Directory.GetDirectories(Root, "*", SearchOption.AllDirectories).Prepend(Root))
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        foreach (string file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(file, (UnixFileMode)0b110_110_110);
        Directory.Delete(Root, recursive: true);
    }
}
