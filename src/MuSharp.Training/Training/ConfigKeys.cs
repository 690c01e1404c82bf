using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Training;

/// <summary>
/// One key of <see cref="TrainConfig"/>: its camelCase name, the property behind it, its meaning and the values it
/// accepts. The type and default come from the property itself, so the list of keys cannot drift from the record.
/// </summary>
public sealed class ConfigKey
{
    private readonly Func<object?, bool> accepts;

    internal ConfigKey(PropertyInfo property, string meaning, string range, Func<object?, bool> accepts)
    {
        Property = property;
        Name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
        Meaning = meaning;
        Range = range;
        this.accepts = accepts;
    }

    /// <summary>The key as written in a config file (camelCase).</summary>
    public string Name { get; }

    /// <summary>The same key as a command-line option (kebab-case): <c>--batch-size</c>.</summary>
    public string Option => "--" + JsonNamingPolicy.KebabCaseLower.ConvertName(Name);

    public PropertyInfo Property { get; }

    /// <summary>What the key does, in one sentence.</summary>
    public string Meaning { get; }

    /// <summary>The values it accepts, phrased to follow "must be": "an integer from 1 to 16777216".</summary>
    public string Range { get; }

    /// <summary>The value type in words: integer, number, true|false, text, a list of integers, or the accepted names.</summary>
    public string TypeName => ConfigValues.TypeName(Property.PropertyType);

    /// <summary>The default, formatted as it would be written on the command line.</summary>
    public string Default => ConfigValues.Format(Property.GetValue(TrainConfig.Defaults));

    internal string? Check(object? value) => accepts(value) ? null : $"must be {Range}, got {ConfigValues.Format(value)}";
}

/// <summary>
/// Every <see cref="TrainConfig"/> key with its meaning and accepted range: the one table that <c>musharp train
/// --list-keys</c>, the typed loader (<see cref="TrainConfig.Load"/>) and <see cref="TrainConfig.Validate"/> read.
/// A test checks that every settable property of the record has a row here.
/// </summary>
public static class ConfigKeys
{
    private const int MaxWidth = 1 << 24, MaxCount = 1 << 30;

    private static readonly (string Name, string Meaning, string Range, Func<object?, bool> Accepts)[] Table =
    [
        ("task", "the model: mlp (a classifier) or gpt (a character-level transformer)", "mlp or gpt", Any),
        ("name", "the run's folder under runsDir", "a folder name (no / and at most 100 characters)",
            v => v is string s && s.Length is > 0 and <= 100 && s.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && s is not ("." or "..")),
        ("seed", "seeds the initialization and the order of the data", "an integer ≥ 0", Any),
        ("dataset", "the data: fashion-mnist or blobs for the MLP; brown, kjv or synthetic for the GPT",
            "one of fashion-mnist, blobs, brown, kjv, synthetic", v => v is string s && Datasets.Contains(s)),
        ("validationSize", "MLP: training images held out for validation", "an integer from 1 to 50000", IntIn(1, 50_000)),
        ("hidden", "MLP: the hidden layer widths, e.g. [1024,1024]", $"a non-empty list of up to 64 widths from 1 to {MaxWidth}",
            v => v is int[] { Length: > 0 and <= 64 } h && h.All(x => x is >= 1 and <= MaxWidth)),
        ("contextLength", "GPT: tokens per training sequence", "an integer from 1 to 65536", IntIn(1, 65_536)),
        ("dModel", "GPT: the model width d_model", $"an integer from 1 to {MaxWidth}", IntIn(1, MaxWidth)),
        ("layers", "GPT: transformer blocks", "an integer from 1 to 1000", IntIn(1, 1000)),
        ("heads", "GPT: attention heads per block (they must divide dModel)", "an integer from 1 to 4096", IntIn(1, 4096)),
        ("positions", "GPT: learned position embeddings or rotary (rope)", "learned or rope", Any),
        ("norm", "GPT: layernorm or rmsnorm", "layernorm or rmsnorm", Any),
        ("tiedHead", "GPT: share the embedding matrix with the output head", "true or false", Any),
        ("optimizer", "the optimizer (muon: Muon on matrices, AdamW at auxLr on the rest)", "one of " + Names<OptimizerKind>(), Any),
        ("lr", "the peak learning rate", "a positive finite number", FloatPositive),
        ("momentum", "SGD momentum; signum's and SoftSignSGD's β; Muon's momentum", "a number in [0, 1)", FloatIn(0, 1)),
        ("nesterov", "Nesterov momentum (SGD, Muon)", "true or false", Any),
        ("weightDecay", "decoupled weight decay", "a finite number ≥ 0", v => v is float f && f >= 0 && float.IsFinite(f)),
        ("beta1", "Adam's first-moment decay (Lion: its interpolation weight)", "a number in [0, 1)", FloatIn(0, 1)),
        ("beta2", "Adam's second-moment decay (Lion: its momentum)", "a number in [0, 1)", FloatIn(0, 1)),
        ("eps", "Adam's and SoftSignSGD's ε", "a positive finite number", FloatPositive),
        ("warmupSteps", "steps of linear warm-up from 0 to lr", $"an integer from 0 to {MaxCount}", IntIn(0, MaxCount)),
        ("decay", "the schedule after warm-up", "one of " + Names<DecayKind>(), Any),
        ("minLrRatio", "the lr a decay ends at, as a fraction of lr", "a number in [0, 1]", v => v is float f && f is >= 0 and <= 1),
        ("decayFraction", "warmupStableDecay: the last fraction of steps that decays", "a number in (0, 1]", v => v is float f && f is > 0 and <= 1),
        ("batchSize", "examples (MLP) or sequences (GPT) per step", $"an integer from 1 to {MaxWidth}", IntIn(1, MaxWidth)),
        ("parametrization", "how width scales init and learning rates: standard, mup or spectral (null = standard)",
            "one of standard, mup, spectral (or null)", Any),
        ("baseWidth", "the width the parametrization is anchored at (MLP: first hidden width; GPT: dModel); 0 = this model's own",
            $"an integer from 0 to {MaxWidth}", IntIn(0, MaxWidth)),
        ("depth", "GPT: how residual branches and block learning rates scale with depth: none, sqrt (depth-μP) or complete (CompleteP)",
            "one of none, sqrt, complete", Any),
        ("baseDepth", "GPT: the layers the hyperparameters were tuned at (depth rules are relative to it); 0 = this model's own",
            "an integer from 0 to 1000", IntIn(0, 1000)),
        ("initStdMultiplier", "multiplies every initialization std (a tunable hyperparameter that transfers under μP)",
            "a positive finite number", v => v is double d && d > 0 && double.IsFinite(d)),
        ("outputMultiplier", "multiplies the readout's output (a tunable hyperparameter that transfers under μP)",
            "a positive finite number", v => v is double d && d > 0 && double.IsFinite(d)),
        ("attentionMultiplier", "GPT: multiplies the attention logit scale", "a positive finite number",
            v => v is double d && d > 0 && double.IsFinite(d)),
        ("warmupFraction", "warm-up as a fraction of steps (used when warmupSteps is 0)", "a number in [0, 1)",
            v => v is double d && d is >= 0 and < 1),
        ("steps", "training steps; 0 = one epoch (MLP only)", $"an integer from 0 to {MaxCount}", IntIn(0, MaxCount)),
        ("maxMinutes", "stop with a checkpoint after this many minutes; 0 = no limit", "a finite number ≥ 0 (minutes)",
            v => v is double d && d >= 0 && double.IsFinite(d)),
        ("logEvery", "steps between lines in metrics.csv", $"an integer from 1 to {MaxCount}", IntIn(1, MaxCount)),
        ("evalEvery", "steps between validations", $"an integer from 1 to {MaxCount}", IntIn(1, MaxCount)),
        ("evalBatches", "validation batches per evaluation", "an integer from 1 to 100000", IntIn(1, 100_000)),
        ("evalBatchSize", "GPT: sequences per validation batch; 0 = batchSize", $"an integer from 0 to {MaxWidth}", IntIn(0, MaxWidth)),
        ("finalEvalBatches", "GPT: validation batches in the final evaluation", "an integer from 1 to 100000", IntIn(1, 100_000)),
        ("checkpointEvery", "steps between checkpoints", $"an integer from 1 to {MaxCount}", IntIn(1, MaxCount)),
        ("monitorEvery", "steps between per-layer update monitors (monitors.csv; one SVD per matrix); 0 = off",
            $"an integer from 0 to {MaxCount}", IntIn(0, MaxCount)),
        ("evalGrowth", "also validate on a geometric schedule: after step s by ⌈s·evalGrowth⌉; 0 = off", "0 or a finite number > 1",
            v => v is double d && (d == 0 || (d > 1 && double.IsFinite(d)))),
        ("targetLoss", "stop at the first validation loss at or below this; null = never", "a positive finite number (or null)",
            v => v is null || (v is double d && d > 0 && double.IsFinite(d))),
        ("patience", "stop after this many validations without a new best; 0 = never", $"an integer from 0 to {MaxCount}", IntIn(0, MaxCount)),
        ("noiseEvery", "steps between gradient-noise-scale measurements (noise.csv); 0 = off", $"an integer from 0 to {MaxCount}", IntIn(0, MaxCount)),
        ("noiseChunks", "chunks the batch is split into for the noise scale (must divide batchSize)", "an integer from 2 to 1024", IntIn(2, 1024)),
        ("noiseHessian", "also estimate B_noise from Hessian-vector products at each noise step", "true or false", Any),
        ("runsDir", "the folder that holds run folders", "a non-empty path", v => v is string { Length: > 0 }),
        ("divergenceFactor", "stop when the training loss exceeds this × the run's first loss (NaN/Inf always stops); 0 = only NaN/Inf",
            "0 or a finite number > 1", v => v is double d && (d == 0 || (d > 1 && double.IsFinite(d)))),
        ("microBatches", "gradient accumulation: each batch back-propagated in this many equal micro-batches (must divide batchSize); 1 = off",
            "an integer from 1 to 65536", IntIn(1, 65_536)),
        ("precision", "the GEMMs' precision: fp32, or bf16 mixed precision (fp32 weights, optimizer state and loss)", "fp32 or bf16", Any),
        ("nsPrecision", "muon: the precision of Newton–Schulz's matrix products", "fp32 or bf16", Any),
        ("nsPrescaling", "muon/norMuon: how the momentum is scaled before Newton–Schulz (frobenius, spectral, aol, schatten)",
            "one of frobenius, spectral, aol, schatten", Any),
        ("gramNewtonSchulz", "muon/norMuon: run Newton–Schulz on the small Gram matrix of a rectangular shape", "true or false", Any),
        ("cautiousWeightDecay", "decay only where the update and the weight agree in sign (adamw, muon, norMuon)", "true or false", Any),
        ("norMuonBeta2", "norMuon: the per-neuron second-moment decay", "a number in [0, 1)", FloatIn(0, 1)),
        ("qkClipTau", "GPT: QK-clip rescales W_q and W_k of a head whose max attention logit exceeds this; 0 = off",
            "0 or a positive finite number", v => v is double d && d >= 0 && double.IsFinite(d)),
        ("auxLr", "muon: AdamW's learning rate on embeddings, head and vectors", "a positive finite number", FloatPositive),
        ("muonScaling", "muon: how the orthogonalized update is scaled", "one of " + Names<MuSharp.Optim.MuonScaling>(), Any),
        ("nsSchedule", "muon: the Newton–Schulz coefficient schedule", "one of kj, su, sux3, youjiacheng, pe, cubic, taylor",
            v => v is string s && NsScheduleNames.Contains(s)),
        ("nsSteps", "muon: Newton–Schulz steps; 0 = the schedule's default", "an integer from 0 to 100", IntIn(0, 100)),
    ];

    private static readonly string[] Datasets = ["fashion-mnist", "blobs", "brown", "kjv", "synthetic"];
    private static readonly string[] NsScheduleNames = ["kj", "su", "sux3", "youjiacheng", "pe", "cubic", "taylor"];

    /// <summary>Every key, in the order of the table (grouped by topic).</summary>
    public static IReadOnlyList<ConfigKey> All { get; } = Build();

    private static readonly Dictionary<string, ConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The key named <paramref name="name"/> in camelCase (any case) or kebab-case, or null.</summary>
    public static ConfigKey? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.GetValueOrDefault(name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal));
    }

    /// <summary>The closest key name to a misspelt one (edit distance ≤ 3), for "did you mean" hints.</summary>
    public static string? Suggest(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string plain = name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var best = All.Select(k => (k.Name, d: Distance(plain, k.Name.ToLowerInvariant()))).MinBy(x => x.d);
        return best.d <= 3 ? best.Name : null;
    }

    /// <summary>The keys as an aligned text table (key, type, default, meaning), as <c>musharp train --list-keys</c> prints it.</summary>
    public static string Describe()
    {
        var rows = All.Select(k => (k.Name, k.Option, k.TypeName, k.Default, k.Meaning)).ToList();
        int name = Math.Max(3, rows.Max(r => r.Name.Length)), option = rows.Max(r => r.Option.Length),
            type = Math.Min(28, rows.Max(r => r.TypeName.Length)), def = Math.Min(16, rows.Max(r => r.Default.Length));
        var text = new System.Text.StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{"key".PadRight(name)}  {"option".PadRight(option)}  {"type".PadRight(type)}  {"default".PadRight(def)}  meaning");
        foreach (var r in rows)
            text.AppendLine(CultureInfo.InvariantCulture, $"{r.Name.PadRight(name)}  {r.Option.PadRight(option)}  {r.TypeName.PadRight(type)}  {r.Default.PadRight(def)}  {r.Meaning}");
        return text.ToString();
    }

    private static List<ConfigKey> Build()
    {
        var keys = new List<ConfigKey>();
        foreach (var (name, meaning, range, accepts) in Table)
        {
            var property = typeof(TrainConfig).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)
                ?? throw new InvalidOperationException($"ConfigKeys: TrainConfig has no property '{name}'.");
            keys.Add(new ConfigKey(property, meaning, range, accepts));
        }
        return keys;
    }

    private static bool Any(object? value) => true;

    private static Func<object?, bool> IntIn(int min, int max) => v => v is int n && n >= min && n <= max;

    private static Func<object?, bool> FloatIn(float min, float maxExclusive) => v => v is float f && f >= min && f < maxExclusive;

    private static bool FloatPositive(object? v) => v is float f && f > 0 && float.IsFinite(f);

    private static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", ConfigValues.EnumNames(typeof(TEnum)));

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}

/// <summary>Typed conversion of one config value from JSON, with messages that speak of values, not .NET types.</summary>
internal static class ConfigValues
{
    public static IEnumerable<string> EnumNames(Type type) => Enum.GetNames(type).Select(n => n.ToLowerInvariant());

    public static string TypeName(Type type)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        string name = inner switch
        {
            _ when inner == typeof(int) || inner == typeof(long) || inner == typeof(ulong) => "integer",
            _ when inner == typeof(float) || inner == typeof(double) => "number",
            _ when inner == typeof(bool) => "true|false",
            _ when inner == typeof(string) => "text",
            _ when inner == typeof(int[]) => "[integers]",
            { IsEnum: true } => string.Join("|", EnumNames(inner)),
            _ => inner.Name,
        };
        return inner == type ? name : name + "|null";
    }

    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => s.Length == 0 ? "\"\"" : s,
        bool b => b ? "true" : "false",
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        int[] a => "[" + string.Join(",", a) + "]",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Converts <paramref name="node"/> to <paramref name="type"/>; null and a message ("must be an integer") when it can't.</summary>
    public static (object? Value, string? Error) Convert(JsonNode? node, Type type, string range)
    {
        var inner = Nullable.GetUnderlyingType(type);
        if (node is null) return inner is null && type != typeof(string) ? (null, $"must be {range}, got null") : (null, null);
        type = inner ?? type;
        string got = node.ToJsonString();
        string wrong = $"must be {range}, got {got}";
        if (type == typeof(int[]))
        {
            if (node is not JsonArray array) return (null, wrong);
            var values = new int[array.Count];
            for (int i = 0; i < array.Count; i++)
            {
                if (Integer(array[i]) is not decimal d || d < int.MinValue || d > int.MaxValue) return (null, wrong);
                values[i] = (int)d;
            }
            return (values, null);
        }
        if (node is not JsonValue value) return (null, wrong);
        var kind = value.GetValueKind();
        if (type == typeof(string)) return kind == JsonValueKind.String ? (value.GetValue<string>(), null) : (null, wrong);
        if (type == typeof(bool)) return kind is JsonValueKind.True or JsonValueKind.False ? (kind == JsonValueKind.True, null) : (null, wrong);
        if (type.IsEnum)
        {
            string? text = kind == JsonValueKind.String ? value.GetValue<string>() : null;
            var match = text is null ? null : Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text.Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
            return match is null ? (null, wrong) : (Enum.Parse(type, match), null);
        }
        if (kind != JsonValueKind.Number) return (null, wrong);
        if (type == typeof(float) || type == typeof(double))
        {
            if (!double.TryParse(got, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return (null, wrong);
            return type == typeof(float) ? ((float)d, null) : (d, null);
        }
        if (Integer(node) is not decimal whole) return (null, wrong);
        if (type == typeof(int)) return whole is >= int.MinValue and <= int.MaxValue ? ((int)whole, null) : (null, wrong);
        if (type == typeof(long)) return whole is >= long.MinValue and <= long.MaxValue ? ((long)whole, null) : (null, wrong);
        if (type == typeof(ulong)) return whole is >= 0 and <= ulong.MaxValue ? ((ulong)whole, null) : (null, wrong);
        return (null, wrong);
    }

    // A JSON number with no fractional part, exactly (decimal holds 28 digits, so 1e30 is out of every integer range anyway).
    private static decimal? Integer(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        if (!decimal.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out decimal d)) return null;
        return decimal.Truncate(d) == d ? d : null;
    }

    /// <summary>A command-line value as JSON: numbers, true/false, null and [lists] as themselves; anything else as text.</summary>
    public static JsonNode? FromCommandLine(string value, Type type)
    {
        var inner = Nullable.GetUnderlyingType(type) ?? type;
        if (inner == typeof(string) || inner.IsEnum) return value == "null" && inner != type ? null : JsonValue.Create(value);
        if (inner == typeof(int[]) && !value.TrimStart().StartsWith('[')) value = "[" + value + "]"; // --hidden 512,512
        try { return JsonNode.Parse(value); }
        catch (JsonException) { return JsonValue.Create(value); }
    }
}
