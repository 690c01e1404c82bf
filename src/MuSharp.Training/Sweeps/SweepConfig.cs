using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>A log-spaced learning-rate grid: min·factorᵏ for k = 0, 1, … while ≤ max.</summary>
public sealed record LrGrid(double Min, double Max, double Factor = 2);

/// <summary>
/// A μTransfer sweep as written in its JSON file (camelCase keys, unknown keys rejected): a base training config
/// (<c>base</c> inline, or <c>baseConfig</c>, a path relative to the sweep file) and the axes crossed over it —
/// widths × learning rates × seeds × parametrizations × optimizers. <see cref="Load"/> validates it and resolves
/// it into a <see cref="SweepPlan"/> with every trial's full <see cref="TrainConfig"/>.
/// </summary>
public sealed record SweepConfig
{
    /// <summary>Default of <see cref="DivergenceFactor"/>: ending at over twice the initial loss is a blow-up, not slow training.</summary>
    public const double DefaultDivergenceFactor = 2;

    // A grid this long is almost certainly a typo (factor 1.001); trials are minutes each.
    private const int MaxGridPoints = 200;

    public string Name { get; init; } = "";
    public JsonObject? Base { get; init; }
    public string? BaseConfig { get; init; }
    public int[]? Widths { get; init; }
    public double[]? Lrs { get; init; }
    public LrGrid? LrGrid { get; init; }
    public ulong[]? Seeds { get; init; }
    public string[]? Parametrizations { get; init; }
    public string[]? Optimizers { get; init; }

    /// <summary>
    /// Batch sizes crossed with the other axes (the learning-rate vs batch-size sweeps of theory §7); null keeps the
    /// base's batchSize and leaves batch out of trial keys.
    /// </summary>
    public int[]? BatchSizes { get; init; }

    /// <summary>A learning-rate grid per optimizer name (SGD, Adam and Muon optima are decades apart); others use lrs/lrGrid.</summary>
    public Dictionary<string, LrGrid>? LrGrids { get; init; }

    /// <summary>Caps each trial at ⌈maxSamples/batch⌉ steps (a fixed data budget across batch sizes); 0 = no cap.</summary>
    public long MaxSamples { get; init; }

    /// <summary>Trial length; overrides the base's steps. 0 keeps the base's.</summary>
    public int Steps { get; init; }

    /// <summary>Worker processes; 0 = one per core (see <see cref="WorkerPool"/>). Not part of the sweep's identity.</summary>
    public int Workers { get; init; }

    /// <summary>Width the parametrization is anchored at (TrainConfig.baseWidth); 0 = the smallest width.</summary>
    public int BaseWidth { get; init; }

    /// <summary>A trial whose final validation loss is non-finite or above this × its initial loss counts as diverged.</summary>
    public double DivergenceFactor { get; init; } = DefaultDivergenceFactor;

    /// <summary>Reads, validates and resolves the sweep file at <paramref name="path"/>; every error is one line naming the file.</summary>
    public static SweepPlan Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"sweep config {path} does not exist; see src/MuSharp.Cli/configs/transfer-blobs-smoke.json for an example.", path);
        SweepConfig config;
        try { config = JsonSerializer.Deserialize<SweepConfig>(File.ReadAllText(path), TrainConfig.Json) ?? throw new JsonException("the file holds null"); }
        catch (JsonException e) { throw new ArgumentException($"sweep {path}: {e.Message.Split(" Path:")[0]} Check the key names and value types."); }
        return config.Resolve(path);
    }

    /// <summary>Validates the axes and expands the trials; <paramref name="source"/> names the file in messages and anchors <c>baseConfig</c>.</summary>
    public SweepPlan Resolve(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException Error(string message) => new($"sweep {source}: {message}");

        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            throw Error($"name '{Name}' is not a valid folder name; give the sweep a \"name\" such as \"mlp-transfer\".");
        var baseNode = ResolveBase(source, Error);

        if (Widths is not { Length: > 0 }) throw Error("no widths; give \"widths\": [64, 128, 256].");
        foreach (int w in Widths)
            if (w <= 0) throw Error($"widths: {w} is not a positive width.");
        int[] widths = Distinct(Widths, "widths", Error);
        double[] lrs = Lrs is null && LrGrid is null && LrGrids is { Count: > 0 } ? [] : Distinct(ResolveLrs(Lrs, LrGrid, "", Error), "lrs", Error);
        var lrGrids = (LrGrids ?? []).ToDictionary(p => p.Key, p => Distinct(ResolveLrs(null, p.Value, $"lrGrids.{p.Key}: ", Error), $"lrGrids.{p.Key}", Error));
        int[] batchSizes = BatchSizes is null ? [] : Distinct(BatchSizes, "batchSizes", Error);
        if (BatchSizes is { Length: 0 }) throw Error("batchSizes is empty; leave it out to use the base's batchSize.");
        foreach (int b in batchSizes)
            if (b <= 0) throw Error($"batchSizes: {b} is not a positive batch size.");
        if (MaxSamples < 0) throw Error($"maxSamples must be ≥ 0 (0 = no cap), got {MaxSamples}.");
        ulong[] seeds = Distinct(Seeds ?? [1], "seeds", Error);
        if (seeds.Length == 0) throw Error("seeds is empty; leave it out for the default [1].");
        if (seeds.Any(s => s > long.MaxValue)) throw Error($"seeds must be at most {long.MaxValue} (SQLite integers are signed 64-bit).");
        if (Steps < 0) throw Error($"steps must be ≥ 0 (0 = the base's), got {Steps}.");
        if (Workers < 0) throw Error($"workers must be ≥ 0 (0 = automatic), got {Workers}.");
        if (BaseWidth < 0) throw Error($"baseWidth must be ≥ 0 (0 = the smallest width), got {BaseWidth}.");
        if (!(DivergenceFactor >= 1) || double.IsInfinity(DivergenceFactor))
            throw Error($"divergenceFactor must be a finite number ≥ 1 (default {DefaultDivergenceFactor}), got {DivergenceFactor}.");

        var baseConfig = TrainConfig.FromJson(baseNode, $"sweep {source}: base config");
        if (baseConfig.Task == TaskKind.Mlp && baseConfig.Hidden.Length == 0)
            throw Error("the base MLP has no hidden layers, so there is no width to sweep; give it \"hidden\": [64].");
        string[] optimizers = Optimizers ?? [Lower(baseConfig.Optimizer)];
        string[] parametrizations = Parametrizations ?? ["standard"];
        if (optimizers.Length == 0) throw Error("optimizers is empty; leave it out to use the base's optimizer.");
        if (parametrizations.Length == 0) throw Error("parametrizations is empty; leave it out for [\"standard\"].");

        return SweepPlan.Expand(new SweepAxes
        {
            Name = Name, Source = source, Base = baseNode, BaseConfig = baseConfig, Widths = widths, Lrs = lrs, Seeds = seeds,
            Optimizers = optimizers, Parametrizations = parametrizations, Steps = Steps,
            BatchSizes = batchSizes, OptimizerLrs = lrGrids, MaxSamples = MaxSamples,
            BaseWidth = BaseWidth > 0 ? BaseWidth : widths[0], DivergenceFactor = DivergenceFactor, Workers = Workers,
        });
    }

    private JsonObject ResolveBase(string source, Func<string, ArgumentException> error)
    {
        if (Base != null && BaseConfig != null) throw error("give either \"base\" (an inline training config) or \"baseConfig\" (a path), not both.");
        if (Base != null) return (JsonObject)Base.DeepClone();
        if (BaseConfig == null) throw error("no base training config; give \"base\": { ... } or \"baseConfig\": \"mlp-fashion-sgd.json\".");
        string path = Path.IsPathRooted(BaseConfig) ? BaseConfig : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(source))!, BaseConfig);
        if (!File.Exists(path)) throw error($"baseConfig {path} does not exist (relative paths are taken from the sweep file's folder).");
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (JsonException e) { throw error($"baseConfig {path} is not valid JSON: {e.Message}"); }
    }

    private static double[] ResolveLrs(double[]? list, LrGrid? gridSpec, string where, Func<string, ArgumentException> error)
    {
        if (list != null && gridSpec != null) throw error("give either \"lrs\" (a list) or \"lrGrid\" ({min, max, factor}), not both.");
        if (list != null)
        {
            if (list.Length == 0) throw error("the learning-rate grid is empty; give \"lrs\": [1e-3, 3e-3] or \"lrGrid\": {\"min\": 1e-4, \"max\": 1e-1}.");
            foreach (double lr in list)
                if (!(lr > 0) || double.IsInfinity(lr)) throw error($"lrs: {lr} is not a positive learning rate.");
            return list;
        }
        if (gridSpec is not { } g) throw error("no learning rates; give \"lrs\": [1e-3, 3e-3] or \"lrGrid\": {\"min\": 1e-4, \"max\": 1e-1, \"factor\": 2}.");
        if (!(g.Min > 0) || !double.IsFinite(g.Min) || !double.IsFinite(g.Max))
            throw error($"{where}lrGrid: min and max must be positive and finite, got min {g.Min}, max {g.Max}.");
        if (g.Min > g.Max) throw error($"{where}lrGrid: min ({g.Min}) > max ({g.Max}), so the learning-rate grid is empty; swap them.");
        if (!(g.Factor > 1) || double.IsInfinity(g.Factor)) throw error($"{where}lrGrid: factor must be > 1 (e.g. 2 or 3.16), got {g.Factor}.");
        var grid = new List<double>();
        for (int k = 0; ; k++)
        {
            // Rounded to 12 significant digits so 1e-3·3ᵏ prints as 0.009, not 0.009000000000000001.
            double v = double.Parse((g.Min * Math.Pow(g.Factor, k)).ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (v > g.Max * (1 + 1e-9)) break;
            grid.Add(v);
            if (grid.Count > MaxGridPoints) throw error($"{where}lrGrid gives more than {MaxGridPoints} learning rates; raise factor or narrow min..max.");
        }
        return [.. grid];
    }

    // Sorted ascending (the grid position of an lr is its lr_index); a repeated value is an error, not a silent merge.
    private static T[] Distinct<T>(IEnumerable<T> values, string axis, Func<string, ArgumentException> error)
    {
        var sorted = values.Order().ToArray();
        for (int i = 1; i < sorted.Length; i++)
            if (EqualityComparer<T>.Default.Equals(sorted[i], sorted[i - 1])) throw error($"{axis}: {sorted[i]} is listed twice.");
        return sorted;
    }

    internal static string Lower<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();
}
