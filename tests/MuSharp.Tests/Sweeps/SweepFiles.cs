using System.Text.Json;

namespace MuSharp.Tests.Sweeps;

/// <summary>Tiny sweep files for tests: a blobs MLP (two hidden layers) whose runs go under the test's own folder.</summary>
internal static class SweepFiles
{
    public static string BaseJson(string runsDir, int logEvery = 5, int checkpointEvery = 10, int evalEvery = 10) => $$"""
        { "task": "mlp", "dataset": "blobs", "hidden": [8, 8], "optimizer": "sgd", "momentum": 0.9, "batchSize": 32,
          "logEvery": {{logEvery}}, "evalEvery": {{evalEvery}}, "evalBatches": 1, "checkpointEvery": {{checkpointEvery}}, "runsDir": {{JsonSerializer.Serialize(runsDir)}} }
        """;

    /// <summary>Writes DIR/NAME.json: the blobs base plus <paramref name="axes"/> (JSON members, comma-separated).</summary>
    public static string Write(string dir, string name, string axes, int steps = 20, string? baseJson = null)
    {
        string path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, $$"""{ "name": "{{name}}", "base": {{baseJson ?? BaseJson(dir)}}, "steps": {{steps}}, {{axes}} }""");
        return path;
    }
}
