namespace MuSharp.Tests.Packaging;

/// <summary>The musharp .NET tool installed from a local feed into a temporary tool path, and run.</summary>
[Trait("Category", "Package")]
[Collection(PackageCollection.Name)]
public sealed class ToolPackageTests(PackageFeed feed)
{
    [Fact]
    public void TheToolInstallsFromTheFeedAndPrintsItsVersionAndTrains()
    {
        feed.Pack("MuSharp.Cli", "MuSharp.Tool");
        string tools = Path.Combine(feed.Root, "tools");
        var install = Dotnet.Run(feed.Root, TimeSpan.FromMinutes(2), "tool", "install", "--tool-path", tools,
            "--add-source", feed.Feed, "MuSharp.Tool", "--version", feed.Version);
        Assert.True(install.Code == 0, $"dotnet tool install failed ({install.Code}):\n{install.Output}");
        string musharp = Path.Combine(tools, OperatingSystem.IsWindows() ? "musharp.exe" : "musharp");

        var version = Dotnet.Exec(musharp, feed.Root, TimeSpan.FromMinutes(1), "--version");
        Assert.True(version.Code == 0, $"musharp --version failed ({version.Code}):\n{version.Output}");
        Assert.StartsWith(feed.Version, version.StdOut.Trim()); // 0.9.0-tHEX, then +COMMIT when built from git

        // The bundled configs travel with the tool (batch-scaling looks up its sweeps next to the executable).
        Assert.NotEmpty(Directory.GetFiles(tools, "transfer-blobs-smoke.json", SearchOption.AllDirectories));

        string config = Path.Combine(feed.Root, "tiny-blobs.json");
        File.WriteAllText(config, """
            {
              "name": "tool-smoke", "task": "mlp", "dataset": "blobs", "hidden": [32, 32],
              "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "batchSize": 32,
              "logEvery": 1, "evalEvery": 10, "evalBatches": 1, "checkpointEvery": 10
            }
            """);
        string runs = Path.Combine(feed.Root, "runs");
        var train = Dotnet.Exec(musharp, feed.Root, TimeSpan.FromMinutes(2), "train", "--config", config, "--steps", "20", "--runs-dir", runs);
        Assert.True(train.Code == 0, $"musharp train failed ({train.Code}):\n{train.Output}");
        string metrics = Path.Combine(runs, "tool-smoke", "metrics.csv");
        Assert.True(File.Exists(metrics), $"no {metrics}:\n{train.Output}");
        Assert.Equal(21, File.ReadAllLines(metrics).Length); // header + one row per step
        Assert.True(File.Exists(Path.Combine(runs, "tool-smoke", "final.json")));
    }
}
