using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Training;

public enum TaskKind { Mlp, Gpt }

/// <summary>
/// The optimizer a run uses. Adam without decoupled decay is <see cref="AdamW"/> with weightDecay 0.
/// Hyperparameters are shared where their meaning matches: momentum is signum's and SoftSignSGD's β
/// (0 gives plain SignSGD), eps is SoftSignSGD's ε, and beta1/beta2 are Lion's interpolation and momentum
/// weights (the Lion paper uses β₂ = 0.99; the default 0.999 is AdamW's).
/// </summary>
public enum OptimizerKind { Sgd, AdamW, SignSgd, SoftSignSgd, Lion, Muon }

/// <summary>
/// Everything a training run needs, with defaults. Loaded from a JSON file (camelCase keys) and then
/// overridden from the command line (<c>--batch-size 64</c> sets <c>batchSize</c>).
/// </summary>
public sealed record TrainConfig
{
    public TaskKind Task { get; init; } = TaskKind.Mlp;
    public string Name { get; init; } = "run";
    public ulong Seed { get; init; } = 1;

    // Data. Dataset is "fashion-mnist" for the MLP; "brown", "kjv" or "synthetic" for the GPT.
    public string Dataset { get; init; } = "fashion-mnist";
    public int ValidationSize { get; init; } = 5000;

    // MLP: hidden widths between the 784 inputs and 10 classes.
    public int[] Hidden { get; init; } = [1024, 1024];

    // GPT.
    public int ContextLength { get; init; } = 128;
    public int DModel { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;
    public NormKind Norm { get; init; } = NormKind.LayerNorm;
    public bool TiedHead { get; init; }

    // Optimization.
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;
    public float Lr { get; init; } = 1e-3f;
    public float Momentum { get; init; } = 0.9f;
    public bool Nesterov { get; init; }
    public float WeightDecay { get; init; }
    public float Beta1 { get; init; } = 0.9f;
    public float Beta2 { get; init; } = 0.999f;
    public float Eps { get; init; } = 1e-8f;
    public int WarmupSteps { get; init; }
    public DecayKind Decay { get; init; } = DecayKind.Constant;
    public float MinLrRatio { get; init; }
    public float DecayFraction { get; init; } = 0.2f;
    public int BatchSize { get; init; } = 128;

    // Width scaling (docs/theory.md §2, §3): the parametrization and the base width it is anchored at.
    // null is the standard parametrization (see MakeInit for its init stream).
    public ParametrizationKind? Parametrization { get; init; }

    /// <summary>Width of the base model (MLP: first hidden width; GPT: d_model); 0 = this model's own width.</summary>
    public int BaseWidth { get; init; }

    /// <summary>Training steps; 0 means one epoch (MLP only).</summary>
    public int Steps { get; init; }

    /// <summary>Stop early (with a checkpoint and final evaluation) after this many minutes; 0 = no limit.</summary>
    public double MaxMinutes { get; init; }

    // Bookkeeping.
    public int LogEvery { get; init; } = 10;
    public int EvalEvery { get; init; } = 200;
    public int EvalBatches { get; init; } = 20;

    /// <summary>
    /// GPT: sequences per validation batch; 0 = batchSize. Set it when batch size is swept, so every trial is judged
    /// on the same validation tokens (the MLP always validates in batches of 1000 images).
    /// </summary>
    public int EvalBatchSize { get; init; }

    /// <summary>Validation batches in the GPT's final evaluation (the MLP always uses the whole test set).</summary>
    public int FinalEvalBatches { get; init; } = 100;
    public int CheckpointEvery { get; init; } = 200;

    /// <summary>
    /// Write per-parameter update monitors (RMS, spectral-condition ratios, singular-value entropy; theory §3.1, §5.1,
    /// §6) to monitors.csv every this many steps; 0 = off. Each monitored step costs one SVD per matrix.
    /// </summary>
    public int MonitorEvery { get; init; }

    /// <summary>
    /// Also validate at a geometric schedule: after an evaluation at step s the next comes no later than step
    /// ⌈s·evalGrowth⌉ (and at every evalEvery). 0 = off. Steps-to-target measurements (theory §7.2, S and E) use it to
    /// resolve the step at which a target loss is crossed to a few percent over many decades of steps.
    /// </summary>
    public double EvalGrowth { get; init; }

    /// <summary>Stop the run (with a checkpoint and final evaluation) at the first validation loss ≤ this; null = never.</summary>
    public double? TargetLoss { get; init; }

    /// <summary>
    /// Stop the run (with a checkpoint and final evaluation) when the validation loss has not improved on its best
    /// for this many evaluations in a row; 0 = never. With evalGrowth it ends runs that plateau above a target loss
    /// (lr too high to converge) once their step count has grown by evalGrowth^patience without progress. The count
    /// starts afresh after a resume (the best loss is not checkpointed).
    /// </summary>
    public int Patience { get; init; }

    /// <summary>
    /// Measure the gradient noise scale (theory §7.2, two-batch estimator) every this many steps by splitting the
    /// training batch into <see cref="NoiseChunks"/> equal chunks; written to noise.csv. 0 = off.
    /// </summary>
    public int NoiseEvery { get; init; }

    /// <summary>Chunks the batch is split into when the noise scale is measured (B_small = batch/chunks, B_big = batch).</summary>
    public int NoiseChunks { get; init; } = 4;

    /// <summary>
    /// Also estimate B_noise = tr(ΣH)/gᵀHg (theory §7.2) at each noise step, from Hessian-vector products by finite
    /// differences on the same batch: 2(noiseChunks + 1) extra forward and backward passes per measurement.
    /// </summary>
    public bool NoiseHessian { get; init; }

    public string RunsDir { get; init; } = "runs";

    public Schedule Schedule => new(Lr, WarmupSteps, Decay, MinLrRatio, DecayFraction);

    /// <summary>The loop's options: length, schedule, logging, validation, checkpoints, monitors, noise scale and stop rules.</summary>
    public LoopOptions Loop(bool evaluateAtStart = false) => new()
    {
        Steps = Steps, Schedule = Schedule, BatchSize = BatchSize, LogEvery = LogEvery, EvalEvery = EvalEvery, EvalBatches = EvalBatches,
        CheckpointEvery = CheckpointEvery, EvaluateAtStart = evaluateAtStart, MonitorEvery = MonitorEvery, EvalGrowth = EvalGrowth,
        TargetLoss = TargetLoss, Patience = Patience, NoiseEvery = NoiseEvery, NoiseChunks = NoiseChunks, NoiseHessian = NoiseHessian,
        MaxMinutes = MaxMinutes, MicroBatches = MicroBatches,
    };

    /// <summary>Gradient accumulation over this many equal micro-batches of each batch, summed in order (<see cref="LoopOptions.MicroBatches"/>); 1 = off.</summary>
    public int MicroBatches { get; init; } = 1;

    // Muon (optimizer "muon"): Hidden and Input matrices get Muon at lr; embeddings, the head and vectors get AdamW at auxLr.
    public float AuxLr { get; init; } = 3e-3f;
    public MuonScaling MuonScaling { get; init; } = MuonScaling.KellerJordan;
    public string NsSchedule { get; init; } = "kj";

    /// <summary>Newton–Schulz steps; 0 takes the schedule's default (5 for kj).</summary>
    public int NsSteps { get; init; }

    public Optimizer MakeOptimizer(IEnumerable<Parameter> parameters) => Optimizer switch
    {
        OptimizerKind.Muon => MakeMuon(parameters),
        OptimizerKind.Sgd => new Sgd(parameters, Momentum, Nesterov, WeightDecay),
        OptimizerKind.AdamW => new AdamW(parameters, Beta1, Beta2, Eps, WeightDecay),
        OptimizerKind.SignSgd => new SignSgd(parameters, Momentum, WeightDecay),
        OptimizerKind.SoftSignSgd => new SoftSignSgd(parameters, Eps, Momentum, WeightDecay),
        OptimizerKind.Lion => new Lion(parameters, Beta1, Beta2, WeightDecay),
        _ => throw new ArgumentException($"config: unknown optimizer {Optimizer}."),
    };

    private GroupedOptimizer MakeMuon(IEnumerable<Parameter> parameters)
    {
        var (matrices, others) = GroupedOptimizer.SplitByRole(parameters);
        var muon = new Muon(matrices, new MuonConfig
        {
            Momentum = Momentum, Nesterov = Nesterov, Scaling = MuonScaling, WeightDecay = WeightDecay,
            Schedule = Spectral.NsSchedule.ByName(NsSchedule, NsSteps), NsSteps = NsSteps > 0 ? NsSteps : null,
        });
        return new GroupedOptimizer([new(muon), new(new AdamW(others, Beta1, Beta2, Eps, WeightDecay), AuxLr / Lr)]);
    }

    public GptConfig Gpt(int vocabSize)
    {
        int baseD = BaseWidth > 0 ? BaseWidth : DModel;
        var (invDh, attention) = Scaling.Parametrization.Attention(Parametrization ?? ParametrizationKind.Standard, DModel / Heads, baseD / Heads);
        return new()
        {
            VocabSize = vocabSize, ContextLength = ContextLength, DModel = DModel, Layers = Layers, Heads = Heads,
            Positions = Positions, Norm = Norm, TiedHead = TiedHead, BaseDModel = baseD,
            AttentionScaleInvDh = invDh, AttentionMultiplier = attention,
        };
    }

    /// <summary>MLP layer sizes [input, hidden..., classes] and the base model's, hidden widths scaled by baseWidth/hidden[0].</summary>
    public (int[] Sizes, int[] BaseSizes) MlpSizes(int inputs, int classes)
    {
        int width = Hidden[0], baseWidth = BaseWidth > 0 ? BaseWidth : width;
        return ([inputs, .. Hidden, classes], [inputs, .. Hidden.Select(h => Dim.Scaled(h, width, baseWidth).Base), classes]);
    }

    /// <summary>The optimizer family the parametrization table is keyed by (theory §2.2 rows).</summary>
    public OptimizerFamily Family => Optimizer switch
    {
        OptimizerKind.Sgd => OptimizerFamily.Sgd,
        OptimizerKind.Muon => OptimizerFamily.Muon,
        _ => OptimizerFamily.Adam,
    };

    /// <summary>
    /// How the model is built: the configured parametrization (none given means standard) for this optimizer family.
    /// The init stream is seeded with <see cref="Seed"/>, or Seed + 7 when a parametrization is named, the streams that
    /// stored sweeps and runs were drawn from before models took their parametrization at construction.
    /// </summary>
    public Init MakeInit() => new(new Rng(Parametrization is null ? Seed : Seed + 7), Parametrization ?? ParametrizationKind.Standard, Family, MuonScaling);

    public void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentException($"config: batchSize must be positive, got {BatchSize}.");
        if (Steps < 0) throw new ArgumentException($"config: steps must be ≥ 0, got {Steps}.");
        if (Steps == 0 && Task == TaskKind.Gpt) throw new ArgumentException("config: steps must be set for the GPT task (e.g. --steps 2000).");
        if (LogEvery <= 0 || EvalEvery <= 0 || CheckpointEvery <= 0 || EvalBatches <= 0 || FinalEvalBatches <= 0)
            throw new ArgumentException("config: logEvery, evalEvery, checkpointEvery, evalBatches and finalEvalBatches must be positive.");
        if (MonitorEvery < 0) throw new ArgumentException($"config: monitorEvery must be ≥ 0 (0 = off), got {MonitorEvery}.");
        if (!(EvalGrowth == 0 || EvalGrowth > 1) || double.IsInfinity(EvalGrowth))
            throw new ArgumentException($"config: evalGrowth must be 0 (off) or a finite factor > 1 such as 1.05, got {EvalGrowth}.");
        if (TargetLoss is double target && (!(target > 0) || double.IsInfinity(target)))
            throw new ArgumentException($"config: targetLoss must be a positive loss such as 0.5, got {target}.");
        if (EvalBatchSize < 0) throw new ArgumentException($"config: evalBatchSize must be ≥ 0 (0 = batchSize), got {EvalBatchSize}.");
        if (Patience < 0) throw new ArgumentException($"config: patience must be ≥ 0 (0 = off), got {Patience}.");
        if (NoiseEvery < 0) throw new ArgumentException($"config: noiseEvery must be ≥ 0 (0 = off), got {NoiseEvery}.");
        if (MicroBatches < 1 || BatchSize % MicroBatches != 0)
            throw new ArgumentException($"config: microBatches must be ≥ 1 and divide batchSize {BatchSize}, got {MicroBatches}.");
        if (NoiseEvery > 0 && (NoiseChunks < 2 || BatchSize % NoiseChunks != 0))
            throw new ArgumentException($"config: noiseChunks must be ≥ 2 and divide batchSize {BatchSize} (the noise scale needs equal chunks), got {NoiseChunks}.");
        if (Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Length == 0)
            throw new ArgumentException($"config: name '{Name}' is not a valid folder name.");
        Schedule.Validate();
        if (Optimizer == OptimizerKind.Muon)
        {
            if (!(AuxLr > 0) || float.IsInfinity(AuxLr)) throw new ArgumentException($"config: auxLr (AdamW's lr beside Muon) must be positive, got {AuxLr}.");
            if (NsSteps < 0) throw new ArgumentException($"config: nsSteps must be ≥ 0 (0 = the schedule's default), got {NsSteps}.");
            try { Spectral.NsSchedule.ByName(NsSchedule, Math.Max(NsSteps, 1)); }
            catch (ArgumentException e) { throw new ArgumentException("config: nsSchedule: " + e.Message); }
        }
        if (BaseWidth < 0) throw new ArgumentException($"config: baseWidth must be ≥ 0 (0 = the model's own width), got {BaseWidth}.");
        if (Task == TaskKind.Gpt)
        {
            Gpt(1).Validate();
            if (TiedHead && Parametrization is ParametrizationKind.Mup or ParametrizationKind.Spectral)
                throw new ArgumentException($"config: a tied head cannot take the {Parametrization} readout scaling; set tiedHead false.");
        }
        else
        {
            if (Hidden.Length == 0 || Hidden.Any(h => h <= 0)) throw new ArgumentException($"config: hidden must list positive widths, got [{string.Join(", ", Hidden)}].");
            MlpSizes(1, 1);
        }
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    /// <summary>
    /// Reads <paramref name="path"/> (or defaults when null), applies <c>key=value</c> overrides and validates.
    /// Values are parsed as JSON when they parse (numbers, true, [1,2]) and taken as strings otherwise.
    /// </summary>
    public static TrainConfig Load(string? path, IReadOnlyList<(string Key, string Value)> overrides)
    {
        JsonObject node;
        if (path is null) node = [];
        else
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"config file {path} does not exist; see src/MuSharp.Cli/configs/ for examples.", path);
            try { node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object"); }
            catch (JsonException e) { throw new ArgumentException($"config file {path} is not valid JSON: {e.Message}"); }
        }
        foreach (var (key, value) in overrides)
        {
            string name = KebabToCamel(key);
            JsonNode? v;
            try { v = JsonNode.Parse(value); }
            catch (JsonException) { v = JsonValue.Create(value); }
            node[name] = v;
        }
        TrainConfig config;
        try { config = node.Deserialize<TrainConfig>(Json) ?? new TrainConfig(); }
        catch (JsonException e) { throw new ArgumentException($"config{(path is null ? "" : " " + path)}: {Explain(e)}"); }
        config.Validate();
        return config;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A bad value of an enum-valued key lists the accepted names; anything else keeps System.Text.Json's words.</summary>
    private static string Explain(JsonException e)
    {
        string key = e.Path?.TrimStart('$', '.') ?? "";
        var property = typeof(TrainConfig).GetProperty(key, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
        var type = property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type is { IsEnum: true })
            return $"'{key}' must be one of {string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.CamelCase.ConvertName(n).ToLowerInvariant()))}.";
        return $"{e.Message.Split(" Path:")[0]} Check the key names and value types.";
    }

    internal static string KebabToCamel(string key)
    {
        var parts = key.Split('-', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 0 ? key : parts[0] + string.Concat(parts.Skip(1).Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
    }
}
