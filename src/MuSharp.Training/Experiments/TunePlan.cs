using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// One parametrization's side of a tune: the proxy and target configs before any searched value is set (the target
/// anchored at the proxy: baseWidth = proxy width, baseDepth = proxy layers) and the transfer rule of each searched key.
/// </summary>
public sealed record TuneArm(string Parametrization, TrainConfig Proxy, TrainConfig Target, IReadOnlyList<TransferRule> Rules);

/// <summary>
/// A validated tune: its arms, the search points, and the stored sweeps of its stages (proxy search, target runs,
/// target lr check), each a <see cref="SweepPlan"/> in its own folder under runs/NAME/ so that it is resumable and
/// run by the ordinary sweep workers. Searched values live in each trial's config and key.
/// </summary>
public sealed class TunePlan
{
    private readonly JsonObject baseNode;

    private TunePlan(TuneConfig config, string source, JsonObject baseNode, IReadOnlyList<TuneArm> arms,
        IReadOnlyList<IReadOnlyDictionary<string, double>> points)
    {
        (Config, Source, this.baseNode, Arms, Points) = (config, source, baseNode, arms, points);
        Directory = Path.Combine(arms[0].Proxy.RunsDir, config.Name);
    }

    public TuneConfig Config { get; }
    public string Source { get; }
    public IReadOnlyList<TuneArm> Arms { get; }

    /// <summary>The proxy search's points, shared by every parametrization.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Points { get; }

    /// <summary>runs/NAME: proxy/, target/ and verify/ (each a sweep.db with its trials/), and report.html.</summary>
    public string Directory { get; }

    public string Name => Config.Name;

    /// <summary>The searched keys, in the search's order.</summary>
    public IReadOnlyList<string> Keys => [.. Config.Search.Axes.Keys];

    /// <summary>The database of a stage: runs/NAME/STAGE/sweep.db.</summary>
    public string Db(string stage) => Path.Combine(Directory, stage, SweepPlan.DbFileName);

    internal static TunePlan Create(TuneConfig config, string source, JsonObject baseNode)
    {
        if (string.IsNullOrWhiteSpace(config.Name) || config.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw new ArgumentException($"name '{config.Name}' is not a valid folder name; give the tune a \"name\" such as \"tune-mlp\".");
        if (config.Parametrizations.Length == 0) throw new ArgumentException("parametrizations is empty; leave it out for [\"mup\", \"standard\"].");
        if (config.ProxySeeds.Length == 0 || config.TargetSeeds.Length == 0) throw new ArgumentException("proxySeeds and targetSeeds must each list at least one seed.");
        if (config.VerifyLrFactors.Any(f => !(f > 0) || double.IsInfinity(f)) || config.VerifyLrFactors.Length == 0)
            throw new ArgumentException("verifyLrFactors must list positive factors, e.g. [0.25, 0.5, 1, 2, 4].");
        if (config.Workers < 0) throw new ArgumentException($"workers must be ≥ 0 (0 = one per core), got {config.Workers}.");
        if (!(config.DivergenceFactor >= 1) || double.IsInfinity(config.DivergenceFactor))
            throw new ArgumentException($"divergenceFactor must be a finite number ≥ 1, got {config.DivergenceFactor}.");
        foreach (string key in config.Search.Axes.Keys)
        {
            HyperparameterTransfer.RequireKnown(key);
            var type = HyperparameterTransfer.Property(key)!.PropertyType;
            if (type != typeof(int) && type != typeof(float) && type != typeof(double))
                throw new ArgumentException($"'{key}' is not a numeric key, so it cannot be a search axis.");
        }
        var points = config.Search.Expand();

        var arms = new List<TuneArm>();
        foreach (string parametrization in config.Parametrizations)
        {
            var proxy = Build(baseNode, config.Proxy, parametrization, null, "proxy");
            var target = Build(baseNode, config.Target, parametrization, proxy, "target");
            int pw = HyperparameterTransfer.WidthOf(proxy), tw = HyperparameterTransfer.WidthOf(target);
            int pl = HyperparameterTransfer.LayersOf(proxy), tl = HyperparameterTransfer.LayersOf(target);
            if (tw < pw || tl < pl)
                throw new ArgumentException($"the target (width {tw}, {tl} layers) is smaller than the proxy (width {pw}, {pl} layers); the proxy is the small model.");
            if (proxy.Task != target.Task) throw new ArgumentException($"the proxy is a {proxy.Task} and the target a {target.Task}; give both the same task.");
            var rules = config.Search.Axes.Keys.Select(k => HyperparameterTransfer.Require(k, proxy, target)).ToList();
            arms.Add(new TuneArm(SweepConfig.Lower(proxy.Parametrization ?? Scaling.ParametrizationKind.Standard), proxy, target, rules));
        }
        if (arms.Select(a => a.Parametrization).Distinct().Count() != arms.Count) throw new ArgumentException("parametrizations: one is listed twice.");
        return new TunePlan(config, source, baseNode, arms, points);
    }

    /// <summary>Stage 1: every point × proxy seed at the proxy shape, for each parametrization.</summary>
    public SweepPlan ProxyPlan()
    {
        var trials = new List<(TuneArm Arm, string Key, TrainConfig Config, int Index)>();
        foreach (ulong seed in Config.ProxySeeds)
            foreach (var arm in Arms)
                for (int k = 0; k < Points.Count; k++)
                    trials.Add((arm, $"{arm.Parametrization}/p{k}/{Describe(Points[k])}/s{seed}", With(arm.Proxy, Points[k], seed, "proxy", trials.Count + 1), k));
        return Plan("proxy", Arms[0].Proxy, trials);
    }

    /// <summary>Stage 3: each parametrization's transferred values at the target, once per target seed.</summary>
    public SweepPlan TargetPlan(IReadOnlyList<TuneChoice> choices)
    {
        var trials = new List<(TuneArm Arm, string Key, TrainConfig Config, int Index)>();
        foreach (ulong seed in Config.TargetSeeds)
            foreach (var choice in choices)
            {
                var arm = Arm(choice.Parametrization);
                trials.Add((arm, $"{arm.Parametrization}/target/{Describe(choice.TargetValues)}/s{seed}",
                    With(arm.Target, choice.TargetValues, seed, "target", trials.Count + 1), choice.Point));
            }
        return Plan("target", Arms[0].Target, trials);
    }

    /// <summary>Stage 4: the transferred lr times each verify factor other than 1 at the target, once per target seed.</summary>
    public SweepPlan VerifyPlan(IReadOnlyList<TuneChoice> choices)
    {
        var trials = new List<(TuneArm Arm, string Key, TrainConfig Config, int Index)>();
        var factors = Config.VerifyLrFactors;
        foreach (ulong seed in Config.TargetSeeds)
            foreach (var choice in choices)
                for (int f = 0; f < factors.Length; f++)
                {
                    if (factors[f] == 1) continue;
                    var arm = Arm(choice.Parametrization);
                    var config = With(arm.Target, choice.TargetValues, seed, "verify", trials.Count + 1);
                    config = config with { Lr = (float)(config.Lr * factors[f]) };
                    trials.Add((arm, $"{arm.Parametrization}/lr-x{Format(factors[f])}/{Describe(choice.TargetValues)}/s{seed}", config, f));
                }
        return Plan("verify", Arms[0].Target, trials);
    }

    public TuneArm Arm(string parametrization) => Arms.FirstOrDefault(a => a.Parametrization == parametrization)
        ?? throw new ArgumentException($"tune {Source}: no parametrization '{parametrization}'.");

    /// <summary>key=value pairs as in trial keys: "lr=0.003,outputMultiplier=2".</summary>
    public static string Describe(IReadOnlyDictionary<string, double> values) =>
        values is null ? "" : string.Join(",", values.Select(v => $"{v.Key}={Format(v.Value)}"));

    public static string Format(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static TrainConfig Build(JsonObject baseNode, JsonObject overrides, string parametrization, TrainConfig? proxy, string what)
    {
        var node = (JsonObject)baseNode.DeepClone();
        foreach (var (key, value) in overrides) SweepPlan.Set(node, key, value?.DeepClone());
        SweepPlan.Set(node, "parametrization", parametrization);
        TrainConfig config = Deserialize(node, what);
        proxy ??= config;
        node = (JsonObject)node.DeepClone();
        SweepPlan.Set(node, "baseWidth", HyperparameterTransfer.WidthOf(proxy));
        if (config.Task == TaskKind.Gpt) SweepPlan.Set(node, "baseDepth", HyperparameterTransfer.LayersOf(proxy));
        config = Deserialize(node, what);
        try { config.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"{what}: {e.Message}"); }
        return config;
    }

    private static TrainConfig Deserialize(JsonObject node, string what)
    {
        try { return node.Deserialize<TrainConfig>(TrainConfig.Json) ?? throw new JsonException("null config"); }
        catch (JsonException e) { throw new ArgumentException($"{what} config: {e.Message.Split(" Path:")[0]} Check the key names and value types."); }
    }

    // The template with searched values, seed and name set; int keys take the rounded value.
    private TrainConfig With(TrainConfig template, IReadOnlyDictionary<string, double> values, ulong seed, string stage, int id)
    {
        var node = JsonNode.Parse(template.ToJson())!.AsObject();
        foreach (var (key, value) in values)
        {
            var type = HyperparameterTransfer.Property(key)!.PropertyType;
            SweepPlan.Set(node, key, type == typeof(int) ? JsonValue.Create((int)Math.Round(value)) : JsonValue.Create(value));
        }
        SweepPlan.Set(node, "seed", seed);
        SweepPlan.Set(node, "name", $"{Name}-{stage}-t{id}");
        var config = Deserialize(node, stage);
        try { config.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"tune {Source}: {stage} trial {Describe(values)}: {e.Message}"); }
        return config;
    }

    private SweepPlan Plan(string stage, TrainConfig template, List<(TuneArm Arm, string Key, TrainConfig Config, int Index)> trials)
    {
        var specs = trials.Select((t, i) => new TrialSpec(i + 1, t.Key, SweepConfig.Lower(t.Config.Task), SweepConfig.Lower(t.Config.Optimizer),
            t.Arm.Parametrization, HyperparameterTransfer.WidthOf(t.Config), t.Config.Lr, t.Index, t.Config.Seed, t.Config.ToJson(), t.Config.BatchSize)).ToList();
        int baseWidth = HyperparameterTransfer.WidthOf(Arms[0].Proxy);
        var resolved = new JsonObject
        {
            ["name"] = $"{Name}-{stage}",
            ["stage"] = stage,
            ["base"] = SweepPlan.Canonical(baseNode),
            ["baseWidth"] = baseWidth,
            ["divergenceFactor"] = Config.DivergenceFactor,
            ["trials"] = new JsonArray([.. specs.Select(s => (JsonNode)new JsonObject { ["key"] = s.Key, ["config"] = SweepPlan.Canonical(JsonNode.Parse(s.ConfigJson)) })]),
        };
        string json = resolved.ToJsonString();
        var axes = new SweepAxes
        {
            Name = $"{Name}-{stage}", Source = Source, Base = baseNode, BaseConfig = template,
            Widths = [.. specs.Select(s => s.Width).Distinct().Order()], Lrs = [.. specs.Select(s => s.Lr).Distinct().Order()],
            Seeds = [.. specs.Select(s => s.Seed).Distinct().Order()], Optimizers = [.. specs.Select(s => s.Optimizer).Distinct()],
            Parametrizations = [.. Arms.Select(a => a.Parametrization)], Steps = template.Steps, BaseWidth = baseWidth,
            DivergenceFactor = Config.DivergenceFactor, Workers = Config.Workers,
        };
        return new SweepPlan(axes, specs, json, SweepPlan.HashOf(json));
    }
}
