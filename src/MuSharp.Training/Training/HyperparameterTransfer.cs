using System.Globalization;
using System.Reflection;
using System.Text.Json;
using MuSharp.Scaling;

namespace MuSharp.Training;

/// <summary>
/// Which <see cref="TrainConfig"/> keys transfer from a proxy to a target, and how, along width (m_N = N/N_proxy),
/// depth (m_L = L/L_proxy) and the data budget (steps × batch × context), under each parametrization and depth rule.
/// The target is built with baseWidth = the proxy's width and baseDepth = the proxy's layers, so under μP and the
/// spectral parametrization the per-layer rows of <see cref="Parametrization"/> and <see cref="DepthRules"/> do the
/// scaling and most values are carried as is (theory §2.2, §10.2, §11.1). A key not listed has no rule: shapes,
/// lengths, seeds and choices are not hyperparameters to carry.
/// </summary>
public static class HyperparameterTransfer
{
    private const string Optimization = "optimizer hyperparameter (theory §11.2)";
    private const string Schedule = "LR schedule (theory §11.2)";
    private const string Multiplier = "parameter multiplier (theory §11.2)";

    // Each key with how it transfers across width under μP/spectral (as is, or by a rule), as a function of m_N.
    private static readonly Dictionary<string, Func<double, OptimizerKind, (TransferKind Kind, string Rule, double Factor)>> Width =
        new(StringComparer.Ordinal)
        {
            ["lr"] = (_, _) => (TransferKind.AsIs, "per-layer lr scale of the parametrization table at baseWidth = proxy width (theory §2.2)", 1),
            ["auxLr"] = (_, _) => (TransferKind.AsIs, "AdamW beside Muon, per-layer lr scale of the table (theory §2.2)", 1),
            ["initStdMultiplier"] = (_, _) => (TransferKind.AsIs, "per-layer init variance on top of the table's std (theory §11.2)", 1),
            ["outputMultiplier"] = (_, _) => (TransferKind.AsIs, Multiplier + " on top of the readout's 1/m_N", 1),
            ["attentionMultiplier"] = (_, _) => (TransferKind.AsIs, Multiplier + " on top of the 1/d_head logit scale", 1),
            ["beta1"] = (_, _) => (TransferKind.AsIs, Optimization, 1),
            ["beta2"] = (_, _) => (TransferKind.AsIs, Optimization, 1),
            ["momentum"] = (_, _) => (TransferKind.AsIs, Optimization, 1),
            ["warmupFraction"] = (_, _) => (TransferKind.AsIs, Schedule, 1),
            ["warmupSteps"] = (_, _) => (TransferKind.AsIs, Schedule, 1),
            ["decayFraction"] = (_, _) => (TransferKind.AsIs, Schedule, 1),
            ["minLrRatio"] = (_, _) => (TransferKind.AsIs, Schedule, 1),
            ["weightDecay"] = (_, _) => (TransferKind.AsIs, "decoupled: each hidden weight shrinks by η·λ per step at every width (theory §10.2, §10.3)", 1),
            ["eps"] = (m, optimizer) => optimizer == OptimizerKind.Sgd
                ? (TransferKind.AsIs, "unused by SGD", 1)
                : (TransferKind.Scaled, "Adam's ε·m_N^{−1} (CompleteP Table 1, theory §10.2)", 1 / m),
        };

    /// <summary>The keys that have a rule, in the table's order.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. Width.Keys];

    /// <summary>
    /// The rule for <paramref name="key"/> from <paramref name="proxy"/> to <paramref name="target"/> (both full
    /// configs; the target's parametrization and depth rule decide). Throws one line when the key is not a config key
    /// or has no rule.
    /// </summary>
    public static TransferRule For(string key, TrainConfig proxy, TrainConfig target)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        ArgumentNullException.ThrowIfNull(target);
        RequireKnown(key);
        if (!Width.TryGetValue(key, out var widthRule))
            throw new ArgumentException($"'{key}' has no transfer rule (HyperparameterTransfer covers {string.Join(", ", Keys)}); it cannot be searched on a proxy.");

        double mN = (double)WidthOf(target) / WidthOf(proxy);
        var kind = target.Parametrization ?? ParametrizationKind.Standard;
        var rule = new TransferRule(key, TransferKind.AsIs, "same width", 1);
        if (mN != 1)
        {
            if (kind == ParametrizationKind.Standard)
                rule = new(key, TransferKind.Copied, "SP has no width rule: copied unchanged, the baseline μTransfer is measured against (theory §2.2)");
            else
            {
                var (k, text, factor) = widthRule(mN, target.Optimizer);
                rule = new(key, k, text, factor);
            }
        }
        if (LayersOf(target) != LayersOf(proxy)) rule = rule.And(Depth(key, target));
        if (DataBudget(target) != DataBudget(proxy)) rule = rule.And(Data(key, proxy, target));
        return rule;
    }

    /// <summary>
    /// <see cref="For"/>, refusing a key that does not transfer: one line naming the key and why.
    /// </summary>
    public static TransferRule Require(string key, TrainConfig proxy, TrainConfig target)
    {
        var rule = For(key, proxy, target);
        if (rule.Kind == TransferKind.None)
            throw new ArgumentException($"'{key}' cannot be transferred from the proxy to the target: {rule.Rule}.");
        return rule;
    }

    /// <summary>Throws one line unless <paramref name="key"/> is a <see cref="TrainConfig"/> key (camelCase, as in the JSON).</summary>
    public static void RequireKnown(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (Property(key) is null)
            throw new ArgumentException($"'{key}' is not a training config key; keys are camelCase, e.g. lr, outputMultiplier, initStdMultiplier.");
    }

    /// <summary>The config property named <paramref name="key"/> (camelCase, exact), or null.</summary>
    public static PropertyInfo? Property(string key) => typeof(TrainConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .FirstOrDefault(p => p.CanWrite && JsonNamingPolicy.CamelCase.ConvertName(p.Name) == key);

    /// <summary>The numeric value of <paramref name="key"/> in <paramref name="config"/>; a float reads as its shortest decimal (0.1f as 0.1).</summary>
    public static double Value(TrainConfig config, string key)
    {
        var p = Property(key) ?? throw new ArgumentException($"'{key}' is not a training config key.");
        object? value = p.GetValue(config);
        return value is float f ? double.Parse(f.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : Convert.ToDouble(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The width the parametrization scales: the MLP's first hidden width, the GPT's d_model.</summary>
    public static int WidthOf(TrainConfig config) => config?.Task == TaskKind.Gpt ? config.DModel : config!.Hidden[0];

    /// <summary>The depth: the GPT's blocks, the MLP's hidden layers.</summary>
    public static int LayersOf(TrainConfig config) => config?.Task == TaskKind.Gpt ? config.Layers : config!.Hidden.Length;

    /// <summary>Training items of a run: steps × batch (× context for the GPT); 0 steps (one MLP epoch) counts as 0.</summary>
    public static long DataBudget(TrainConfig config) =>
        (long)config!.Steps * config.BatchSize * (config.Task == TaskKind.Gpt ? config.ContextLength : 1);

    // Across depth: the GPT's depth rules make lr and init carry (theory §10.2); without one only TP5's empirical transfer.
    private static TransferRule Depth(string key, TrainConfig target)
    {
        bool rule = target.Task == TaskKind.Gpt && target.Depth != DepthScaling.None;
        if (!rule)
            return key == "initStdMultiplier"
                ? new(key, TransferKind.None, "without a depth rule the optimal init std changes with depth (theory §11.3); set depth sqrt or complete")
                : new(key, TransferKind.Copied, "no depth rule: copied unchanged, depth transfer is empirical only (theory §11.2)");
        return key switch
        {
            "lr" or "auxLr" => new(key, TransferKind.AsIs, "block lr m_L^{α−1} at baseDepth = proxy layers (theory §10.2)"),
            "initStdMultiplier" => new(key, TransferKind.AsIs, "init unchanged with depth, branches scaled m_L^{−α} (theory §10.2)"),
            "eps" => new(key, TransferKind.None, "Adam's ε would need m_L^{−α} inside the blocks only (theory §10.2), and MuSharp has one ε"),
            _ => new(key, TransferKind.AsIs, "unchanged with depth under the depth rule (theory §10.2)"),
        };
    }

    // Across training length and batch: weight decay depends on the amount of data (theory §11.2); warmup in steps
    // does not follow a change of length.
    private static TransferRule Data(string key, TrainConfig proxy, TrainConfig target) => key switch
    {
        "weightDecay" => new(key, TransferKind.None,
            "regularisation depends on the amount of data (theory §11.2); give the target the proxy's steps and batch to search it"),
        "warmupSteps" when proxy.Steps != target.Steps => new(key, TransferKind.None,
            $"warmup in steps does not follow the length ({proxy.Steps} → {target.Steps} steps); search warmupFraction instead"),
        _ => new(key, TransferKind.Copied, "training length and batch: transfer is empirical only (theory §11.2)"),
    };
}
