using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Sweeps;

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

    /// <summary>Batch sizes swept; empty = the base's batchSize, not an axis (and not in trial keys).</summary>
    public int[] BatchSizes { get; init; } = [];

    /// <summary>Learning-rate grids by optimizer name as written in the sweep file; an optimizer not listed uses <see cref="Lrs"/>.</summary>
    public IReadOnlyDictionary<string, double[]> OptimizerLrs { get; init; } = new Dictionary<string, double[]>();

    /// <summary>0, or a cap of ⌈maxSamples/batch⌉ steps per trial.</summary>
    public long MaxSamples { get; init; }
}

/// <summary>
/// One trial: the base config with lr, seed, parametrization, optimizer and width overridden. <see cref="Id"/> is its
/// position in the plan (1-based) and <see cref="Key"/> names it as optimizer/parametrization/wWIDTH/lrINDEX/sSEED
/// (with /bBATCH after the width when batch size is an axis).
/// </summary>
public sealed record TrialSpec(long Id, string Key, string Task, string Optimizer, string Parametrization, int Width,
    double Lr, int LrIndex, ulong Seed, string ConfigJson, int BatchSize)
{
    /// <summary>The <c>trials</c> columns that hold a spec, in the order of the record's parameters.</summary>
    internal static readonly string[] Columns = ["id", "key", "task", "optimizer", "parametrization", "width", "lr", "lr_index", "seed", "config_json", "batch_size"];

    /// <summary>The values of <see cref="Columns"/>.</summary>
    internal object[] Values() => [Id, Key, Task, Optimizer, Parametrization, Width, Lr, LrIndex, (long)Seed, ConfigJson, BatchSize];
}

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
        // Any valid lr does to read how TrainConfig spells an optimizer or parametrization name.
        const double ProbeLr = 1e-3;
        ArgumentNullException.ThrowIfNull(axes);
        // Names as TrainConfig reads them ("AdamW" and "adamw" are one optimizer), checked once each on the first trial.
        string[] optimizers = CanonicalNames(axes.Optimizers, "optimizers", axes.Source,
            o => SweepConfig.Lower(TrialConfig(axes, 1, axes.Seeds[0], o, axes.Parametrizations[0], axes.Widths[0], ProbeLr).Optimizer));
        string[] parametrizations = CanonicalNames(axes.Parametrizations, "parametrizations", axes.Source,
            p => SweepConfig.Lower(TrialConfig(axes, 1, axes.Seeds[0], optimizers[0], p, axes.Widths[0], ProbeLr).Parametrization ?? MuSharp.Scaling.ParametrizationKind.Standard));
        var optimizerLrs = OptimizerGrids(axes, optimizers);
        int?[] batches = axes.BatchSizes.Length == 0 ? [null] : [.. axes.BatchSizes.Select(b => (int?)b)];
        var trials = new List<TrialSpec>();
        foreach (ulong seed in axes.Seeds)
            foreach (string opt in optimizers)
                foreach (string par in parametrizations)
                    foreach (int width in axes.Widths)
                        foreach (int? batch in batches)
                        {
                            double[] lrs = optimizerLrs[opt];
                            for (int lrIndex = 0; lrIndex < lrs.Length; lrIndex++)
                            {
                                long id = trials.Count + 1;
                                var config = TrialConfig(axes, id, seed, opt, par, width, lrs[lrIndex], batch);
                                string b = batch is int n ? $"/b{n}" : "";
                                trials.Add(new TrialSpec(id, $"{opt}/{par}/w{width}{b}/lr{lrIndex}/s{seed}", SweepConfig.Lower(config.Task),
                                    opt, par, width, lrs[lrIndex], lrIndex, seed, config.ToJson(), config.BatchSize));
                            }
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
        // Keys of the batch-size axis only when used, so the identity (hash) of a width-only sweep is unchanged.
        if (axes.BatchSizes.Length > 0) resolved["batchSizes"] = new JsonArray([.. axes.BatchSizes.Select(b => JsonValue.Create(b))]);
        if (axes.OptimizerLrs.Count > 0)
            resolved["lrGrids"] = new JsonObject(optimizers.Select(o =>
                KeyValuePair.Create(o, (JsonNode?)new JsonArray([.. optimizerLrs[o].Select(lr => JsonValue.Create(lr))]))));
        if (axes.MaxSamples > 0) resolved["maxSamples"] = axes.MaxSamples;
        string json = resolved.ToJsonString();
        string hash = HashOf(json);
        return new SweepPlan(axes with { Optimizers = optimizers, Parametrizations = parametrizations }, trials, json, hash);
    }

    // Each optimizer's grid: its own lrGrids entry (matched by canonical name, as "AdamW" and "adamw" are one optimizer),
    // else the shared lrs; an entry naming no swept optimizer is a typo, not something to ignore.
    private static Dictionary<string, double[]> OptimizerGrids(SweepAxes axes, string[] optimizers)
    {
        var grids = new Dictionary<string, double[]>();
        foreach (var (name, lrs) in axes.OptimizerLrs)
        {
            string canonical = optimizers.FirstOrDefault(o => string.Equals(o, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"sweep {axes.Source}: lrGrids names '{name}', which is not among the optimizers ({string.Join(", ", optimizers)}).");
            grids[canonical] = lrs;
        }
        foreach (string o in optimizers)
            if (!grids.ContainsKey(o))
                grids[o] = axes.Lrs.Length > 0 ? axes.Lrs
                    : throw new ArgumentException($"sweep {axes.Source}: no learning rates for optimizer {o}; add it to lrGrids or give a shared \"lrGrid\".");
        return grids;
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

    private static TrainConfig TrialConfig(SweepAxes axes, long id, ulong seed, string optimizer, string parametrization, int width, double lr, int? batch = null)
    {
        var node = (JsonObject)axes.Base.DeepClone();
        Set(node, "name", $"{axes.Name}-t{id}");
        Set(node, "lr", (float)lr);
        Set(node, "seed", seed);
        Set(node, "optimizer", optimizer);
        Set(node, "parametrization", parametrization);
        Set(node, "baseWidth", axes.BaseWidth);
        if (axes.Steps > 0) Set(node, "steps", axes.Steps);
        if (batch is int b) Set(node, "batchSize", b);
        if (axes.MaxSamples > 0)
        {
            int steps = axes.Steps > 0 ? axes.Steps : axes.BaseConfig.Steps;
            long cap = (axes.MaxSamples + (batch ?? axes.BaseConfig.BatchSize) - 1) / (batch ?? axes.BaseConfig.BatchSize);
            Set(node, "steps", (int)Math.Min(steps > 0 ? steps : int.MaxValue, cap));
        }
        // MLP: every hidden layer takes the width, keeping the base's depth; GPT: the residual width d_model.
        if (axes.BaseConfig.Task == TaskKind.Mlp) Set(node, "hidden", new JsonArray([.. axes.BaseConfig.Hidden.Select(_ => JsonValue.Create(width))]));
        else Set(node, "dModel", width);

        string where = $"sweep {axes.Source}: trial width {width}{(batch is int bs ? $", batch {bs}" : "")}, lr {lr}, optimizer {optimizer}, parametrization {parametrization}";
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
    internal static void Set(JsonObject node, string key, JsonNode? value)
    {
        foreach (var existing in node.Select(p => p.Key).Where(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)).ToList())
            node.Remove(existing);
        node[key] = value;
    }

    // Keys sorted at every level, so reordering the base config's keys does not count as a change of the sweep.
    internal static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));

    /// <summary>A plan's identity: the SHA-256 of its canonical resolved JSON, as the store compares it.</summary>
    internal static string HashOf(string json) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
}
