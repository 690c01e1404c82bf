using System.Text.Json;

namespace MuSharp.Tests.Tuning;

/// <summary>Tiny tune files for tests: a blobs MLP proxy (width 8) and target (width 32), runs under the test's folder.</summary>
internal static class TuneFiles
{
    public static string Write(string dir, string name, string search, string proxy = """{ "hidden": [8, 8] }""",
        string target = """{ "hidden": [32, 32] }""", string extra = "")
    {
        string path = Path.Combine(dir, name + ".json");
        File.WriteAllText(path, $$"""
            { "name": "{{name}}",
              "base": { "task": "mlp", "dataset": "blobs", "optimizer": "adamw", "batchSize": 32, "steps": 12, "logEvery": 4,
                        "evalEvery": 6, "evalBatches": 1, "checkpointEvery": 100, "runsDir": {{JsonSerializer.Serialize(dir)}} },
              "proxy": {{proxy}}, "target": {{target}}, "search": {{search}}{{extra}} }
            """);
        return path;
    }

    public const string LrGrid = """{ "method": "grid", "axes": { "lr": { "values": [0.001, 0.01, 0.1] }, "outputMultiplier": { "values": [0.5, 2] } } }""";
}
