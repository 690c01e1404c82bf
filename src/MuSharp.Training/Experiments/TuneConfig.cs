using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// A μTransfer tune as written in its JSON file (camelCase keys, unknown keys rejected; theory §11): a base training
/// config (<c>base</c> inline, or <c>baseConfig</c>, a path relative to the tune file), the keys that make it the
/// proxy and the target (<c>proxy</c>, <c>target</c>: e.g. <c>{"dModel": 64, "layers": 2}</c>), the search run on the
/// proxy, the parametrizations compared, the seeds, and the learning-rate factors of the target check (--verify).
/// <see cref="Resolve"/> validates it into a <see cref="TunePlan"/>.
/// </summary>
public sealed record TuneConfig
{
    public string Name { get; init; } = "";
    public JsonObject? Base { get; init; }
    public string? BaseConfig { get; init; }
    public JsonObject Proxy { get; init; } = [];
    public JsonObject Target { get; init; } = [];
    public SearchSpace Search { get; init; } = new();

    /// <summary>Each is searched, transferred and trained separately: μP beside SP at the same target by default.</summary>
    public string[] Parametrizations { get; init; } = ["mup", "standard"];
    public ulong[] ProxySeeds { get; init; } = [1];
    public ulong[] TargetSeeds { get; init; } = [1, 2];

    /// <summary>Stage 4 (--verify): the transferred lr times each factor at the target (×1 is the stage-3 run).</summary>
    public double[] VerifyLrFactors { get; init; } = [0.25, 0.5, 1, 2, 4];

    /// <summary>Worker processes; 0 = one per core.</summary>
    public int Workers { get; init; }

    /// <summary>A trial ending above this × its initial validation loss (or non-finite) counts as diverged.</summary>
    public double DivergenceFactor { get; init; } = SweepConfig.DefaultDivergenceFactor;

    /// <summary>Reads and resolves the tune file at <paramref name="path"/>; every error is one line naming the file.</summary>
    public static TunePlan Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"tune config {path} does not exist; see src/MuSharp.Cli/configs/tune-mlp-quick.json for an example.", path);
        TuneConfig config;
        try { config = JsonSerializer.Deserialize<TuneConfig>(File.ReadAllText(path), TrainConfig.Json) ?? throw new JsonException("the file holds null"); }
        catch (JsonException e) { throw new ArgumentException($"tune {path}: {e.Message.Split(" Path:")[0]} Check the key names and value types."); }
        return config.Resolve(path);
    }

    /// <summary>Validates everything and expands the search; <paramref name="source"/> names the file in messages and anchors baseConfig.</summary>
    public TunePlan Resolve(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try { return TunePlan.Create(this, source, ResolveBase(source)); }
        catch (ArgumentException e) when (!e.Message.StartsWith($"tune {source}:", StringComparison.Ordinal))
        {
            throw new ArgumentException($"tune {source}: {e.Message}");
        }
    }

    private JsonObject ResolveBase(string source)
    {
        if (Base != null && BaseConfig != null) throw new ArgumentException("give either \"base\" (an inline training config) or \"baseConfig\" (a path), not both.");
        if (Base != null) return (JsonObject)Base.DeepClone();
        if (BaseConfig == null) throw new ArgumentException("no base training config; give \"base\": { ... } or \"baseConfig\": \"mlp-fashion.json\".");
        string path = Path.IsPathRooted(BaseConfig) ? BaseConfig : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, BaseConfig);
        if (!File.Exists(path)) throw new ArgumentException($"baseConfig {path} does not exist (relative paths are taken from the tune file's folder).");
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw new ArgumentException($"baseConfig {path} is not valid JSON: {e.Message}"); }
    }
}
