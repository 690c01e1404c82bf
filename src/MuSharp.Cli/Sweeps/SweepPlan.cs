using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Cli.Config;
using MuSharp.Scaling;

namespace MuSharp.Cli.Sweeps;

/// <summary>The validated axes of a sweep, before they are crossed into trials.</summary>
public sealed record SweepAxes
{
    public required string Name { get; init; }
    public required string Source { get; init; }
    public required JsonObject Base { get; init; }
    public required TrainConfig BaseConfig { get; init; }
    public required int[] Widths { get; init; }
    public required double[] Lrs { get; init; }
    public required ulong[] Seeds { get; init; }
    public required string[] Optimizers { get; init; }
    public required string[] Parametrizations { get; init; }
    public required int Steps { get; init; }
    public required int BaseWidth { get; init; }
    public required double DivergenceFactor { get; init; }
    public required int Workers { get; init; }
}

/// <summary>
/// One trial: the base config with lr, seed, parametrization, optimizer and width overridden. <see cref="Id"/> is its
/// position in the plan (1-based) and <see cref="Key"/> names it as optimizer/parametrization/wWIDTH/lrINDEX/sSEED.
/// </summary>
public sealed record TrialSpec(long Id, string Key, string Task, string Optimizer, string Parametrization, int Width,
    double Lr, int LrIndex, ulong Seed, string ConfigJson);

/// <summary>
/// A resolved sweep: its axes, every trial, and its identity — the canonical resolved JSON and its SHA-256, which
/// the store compares so that a changed sweep file is never merged into an old database.
/// </summary>
public sealed record SweepPlan(SweepAxes Axes, IReadOnlyList<TrialSpec> Trials, string ResolvedJson, string Hash)
{
    public const string DbFileName = "sweep.db";

    public string Name => Axes.Name;

    /// <summary>runs/NAME/sweep.db, with runs/ taken from the base config's runsDir.</summary>
    public string DefaultDbPath => Path.Combine(Axes.BaseConfig.RunsDir, Axes.Name, DbFileName);

    /// <summary>
    /// Crosses the axes (order: seed, optimizer, parametrization, width, lr — so the first seed's whole picture comes
    /// first and narrow trials run before wide ones) and validates each trial by deserializing it as a TrainConfig.
    /// </summary>
    public static SweepPlan Expand(SweepAxes axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        // Names as TrainConfig reads them ("AdamW" and "adamw" are one optimizer), checked once each on the first trial.
        string[] optimizers = CanonicalNames(axes.Optimizers, "optimizers", axes.Source,
            o => SweepConfig.Lower(TrialConfig(axes, 1, axes.Seeds[0], o, axes.Parametrizations[0], axes.Widths[0], axes.Lrs[0]).Optimizer));
        string[] parametrizations = CanonicalNames(axes.Parametrizations, "parametrizations", axes.Source,
            p => SweepConfig.Lower(TrialConfig(axes, 1, axes.Seeds[0], optimizers[0], p, axes.Widths[0], axes.Lrs[0]).Parametrization ?? MuSharp.Scaling.ParametrizationKind.Standard));
        var trials = new List<TrialSpec>();
        foreach (ulong seed in axes.Seeds)
            foreach (string opt in optimizers)
                foreach (string par in parametrizations)
                    foreach (int width in axes.Widths)
                        for (int lrIndex = 0; lrIndex < axes.Lrs.Length; lrIndex++)
                        {
                            long id = trials.Count + 1;
                            var config = TrialConfig(axes, id, seed, opt, par, width, axes.Lrs[lrIndex]);
                            trials.Add(new TrialSpec(id, $"{opt}/{par}/w{width}/lr{lrIndex}/s{seed}", SweepConfig.Lower(config.Task),
                                opt, par, width, axes.Lrs[lrIndex], lrIndex, seed, config.ToJson()));
                        }

        var resolved = new JsonObject
        {
            ["name"] = axes.Name,
            ["base"] = Canonical(axes.Base),
            ["widths"] = new JsonArray([.. axes.Widths.Select(w => JsonValue.Create(w))]),
            ["lrs"] = new JsonArray([.. axes.Lrs.Select(lr => JsonValue.Create(lr))]),
            ["seeds"] = new JsonArray([.. axes.Seeds.Select(s => JsonValue.Create(s))]),
            ["optimizers"] = new JsonArray([.. optimizers.Select(o => JsonValue.Create(o))]),
            ["parametrizations"] = new JsonArray([.. parametrizations.Select(p => JsonValue.Create(p))]),
            ["steps"] = axes.Steps,
            ["baseWidth"] = axes.BaseWidth,
            ["divergenceFactor"] = axes.DivergenceFactor,
        };
        string json = resolved.ToJsonString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        return new SweepPlan(axes with { Optimizers = optimizers, Parametrizations = parametrizations }, trials, json, hash);
    }

    private static string[] CanonicalNames(string[] names, string axis, string source, Func<string, string> canonical)
    {
        var seen = new List<string>();
        foreach (string name in names.Select(canonical))
        {
            if (seen.Contains(name)) throw new ArgumentException($"sweep {source}: {axis}: {name} is listed twice.");
            seen.Add(name);
        }
        return [.. seen];
    }

    private static TrainConfig TrialConfig(SweepAxes axes, long id, ulong seed, string optimizer, string parametrization, int width, double lr)
    {
        var node = (JsonObject)axes.Base.DeepClone();
        Set(node, "name", $"{axes.Name}-t{id}");
        Set(node, "lr", (float)lr);
        Set(node, "seed", seed);
        Set(node, "optimizer", optimizer);
        Set(node, "parametrization", parametrization);
        Set(node, "baseWidth", axes.BaseWidth);
        if (axes.Steps > 0) Set(node, "steps", axes.Steps);
        // MLP: every hidden layer takes the width, keeping the base's depth; GPT: the residual width d_model.
        if (axes.BaseConfig.Task == TaskKind.Mlp) Set(node, "hidden", new JsonArray([.. axes.BaseConfig.Hidden.Select(_ => JsonValue.Create(width))]));
        else Set(node, "dModel", width);

        string where = $"sweep {axes.Source}: trial width {width}, lr {lr}, optimizer {optimizer}, parametrization {parametrization}";
        TrainConfig config;
        try { config = node.Deserialize<TrainConfig>(TrainConfig.Json) ?? throw new JsonException("null config"); }
        catch (JsonException e) when (e.Path == "$.optimizer")
        {
            throw new ArgumentException($"sweep {axes.Source}: optimizers: '{optimizer}' is not an optimizer; use one of {Names<OptimizerKind>()}.");
        }
        catch (JsonException e) when (e.Path == "$.parametrization")
        {
            throw new ArgumentException($"sweep {axes.Source}: parametrizations: '{parametrization}' is not a parametrization; use one of {Names<ParametrizationKind>()}.");
        }
        catch (JsonException e) { throw new ArgumentException($"{where}: {e.Message.Split(" Path:")[0]} Check the base config's keys."); }
        try { config.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"{where}: {e.Message}"); }
        return config;
    }

    // Keys are matched case-insensitively when a config is read, so an override must replace "LR" as well as "lr".
    private static void Set(JsonObject node, string key, JsonNode? value)
    {
        foreach (var existing in node.Select(p => p.Key).Where(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)).ToList())
            node.Remove(existing);
        node[key] = value;
    }

    // Keys sorted at every level, so reordering the base config's keys does not count as a change of the sweep.
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));
}
