using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;
using MuSharp.Spectral;

namespace MuSharp.Training;

public enum TaskKind { Mlp, Gpt }

/// <summary>
/// The optimizer a run uses. Adam without decoupled decay is <see cref="AdamW"/> with weightDecay 0.
/// Hyperparameters are shared where their meaning matches: momentum is signum's and SoftSignSGD's β
/// (0 gives plain SignSGD), eps is SoftSignSGD's ε, and beta1/beta2 are Lion's interpolation and momentum
/// weights (the Lion paper uses β₂ = 0.99; the default 0.999 is AdamW's). <see cref="NorMuon"/> (theory §12.1) is routed like
/// <see cref="Muon"/>: Hidden and Input matrices get NorMuon at lr, the rest AdamW at auxLr.
/// </summary>
public enum OptimizerKind { Sgd, AdamW, SignSgd, SoftSignSgd, Lion, Muon, NorMuon }

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

    /// <summary>Warmup as a fraction of <see cref="Steps"/> (in [0, 1)); used when warmupSteps is 0, so it carries across training lengths.</summary>
    public double WarmupFraction { get; init; }
    public DecayKind Decay { get; init; } = DecayKind.Constant;
    public float MinLrRatio { get; init; }
    public float DecayFraction { get; init; } = 0.2f;
    public int BatchSize { get; init; } = 128;

    // Width scaling (docs/theory.md §2, §3): the parametrization and the base width it is anchored at.
    // null is the standard parametrization (see MakeInit for its init stream).
    public ParametrizationKind? Parametrization { get; init; }

    /// <summary>Width of the base model (MLP: first hidden width; GPT: d_model); 0 = this model's own width.</summary>
    public int BaseWidth { get; init; }

    /// <summary>
    /// How residual branches and block learning rates scale with depth (theory §10): none, sqrt (depth-μP, branch
    /// m_L^{−1/2}) or complete (CompleteP, branch m_L^{−1}), with m_L = layers / baseDepth. GPT only.
    /// </summary>
    public DepthScaling Depth { get; init; } = DepthScaling.None;

    /// <summary>Blocks of the base model the hyperparameters were tuned at; 0 = the model's own layers (m_L = 1).</summary>
    public int BaseDepth { get; init; }

    /// <summary>Multiplies every drawn init std (matrices and embeddings) on top of the parametrization (theory §11.2); 1 = the table's std.</summary>
    public double InitStdMultiplier { get; init; } = 1;

    /// <summary>Multiplies the readout's output multiplier on top of the parametrization's 1/m_N (theory §11.2); 1 = none.</summary>
    public double OutputMultiplier { get; init; } = 1;

    /// <summary>GPT: multiplies the attention logit scale on top of the parametrization's (theory §2.3, §11.2); 1 = none.</summary>
    public double AttentionMultiplier { get; init; } = 1;

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

    /// <summary>
    /// Stop the run when a training loss exceeds this × the run's first loss (a non-finite loss always stops it); 0 = only
    /// non-finite losses. 10 leaves room for the noise of single batches and early spikes while catching a blow-up within
    /// a few steps. Sweeps judge finished trials by their own factor (<see cref="Sweeps.SweepConfig.DivergenceFactor"/>).
    /// </summary>
    public double DivergenceFactor { get; init; } = 10;

    public Schedule Schedule => new(Lr, WarmupSteps > 0 ? WarmupSteps : (int)Math.Round(WarmupFraction * Steps), Decay, MinLrRatio, DecayFraction);

    /// <summary>The loop's options: length, schedule, logging, validation, checkpoints, monitors, noise scale and stop rules.</summary>
    public LoopOptions Loop(bool evaluateAtStart = false) => new()
    {
        Steps = Steps, Schedule = Schedule, BatchSize = BatchSize, LogEvery = LogEvery, EvalEvery = EvalEvery, EvalBatches = EvalBatches,
        CheckpointEvery = CheckpointEvery, EvaluateAtStart = evaluateAtStart, MonitorEvery = MonitorEvery, EvalGrowth = EvalGrowth,
        TargetLoss = TargetLoss, Patience = Patience, NoiseEvery = NoiseEvery, NoiseChunks = NoiseChunks, NoiseHessian = NoiseHessian,
        MaxMinutes = MaxMinutes, DivergenceFactor = DivergenceFactor, Precision = Precision, WeightRmsLawDecay = WeightRmsLawDecay, MicroBatches = MicroBatches,
    };

    /// <summary>
    /// The GEMMs' precision: fp32, or bf16 mixed precision (inputs rounded to bf16, fp32 accumulation, fp32 master
    /// weights, optimizer state, element-wise work and loss; docs/engine.md). Checkpoints are fp32 either way.
    /// </summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>Gradient accumulation over this many equal micro-batches of each batch, summed in order (<see cref="LoopOptions.MicroBatches"/>); 1 = off.</summary>
    public int MicroBatches { get; init; } = 1;

    /// <summary>muon: the precision of Newton–Schulz's matrix products (bf16 is about 2× faster with the same σ band).</summary>
    public Precision NsPrecision { get; init; } = Precision.Fp32;

    // Muon and NorMuon: Hidden and Input matrices get Muon/NorMuon at lr; embeddings, the head and vectors get AdamW at auxLr.
    public float AuxLr { get; init; } = 3e-3f;
    public MuonScaling MuonScaling { get; init; } = MuonScaling.KellerJordan;
    public string NsSchedule { get; init; } = "kj";

    /// <summary>Newton–Schulz steps; 0 takes the schedule's default (5 for kj).</summary>
    public int NsSteps { get; init; }

    /// <summary>Muon/NorMuon: how M is scaled before Newton–Schulz (theory §12.4): frobenius (default), spectral, aol or schatten.</summary>
    public NsPrescaling NsPrescaling { get; init; } = NsPrescaling.Frobenius;

    /// <summary>Muon/NorMuon: iterate Newton–Schulz on the small Gram matrix (theory §12.5); same result, cheaper for rectangular matrices.</summary>
    public bool GramNewtonSchulz { get; init; }

    /// <summary>
    /// Every decoupled weight decay of the run is cautious (theory §12.3): it acts only where the update and the weight agree
    /// in sign. Muon and NorMuon decay their matrices so and their AdamW group becomes <see cref="CautiousAdamW"/>; adamw
    /// becomes <see cref="CautiousAdamW"/>. Other optimizers refuse it.
    /// </summary>
    public bool CautiousWeightDecay { get; init; }

    /// <summary>NorMuon's β₂ of the per-neuron second moment (theory §12.1; the reference code's 0.95). beta2 stays the AdamW group's.</summary>
    public float NorMuonBeta2 { get; init; } = 0.95f;

    /// <summary>
    /// GPT: QK-Clip threshold τ (theory §12.2, Kimi K2's MuonClip). After every optimizer step each head whose max attention
    /// logit on the step's batch exceeds τ has its W_q and W_k columns scaled by √(τ/S); the largest logit per layer before
    /// the clip is the max_logit monitor column. 0 = off (K2 uses 100).
    /// </summary>
    public double QkClipTau { get; init; }

    public Optimizer MakeOptimizer(IEnumerable<Parameter> parameters) => Optimizer switch
    {
        OptimizerKind.Muon or OptimizerKind.NorMuon => MakeMatrixOptimizer(parameters),
        OptimizerKind.Sgd => new Sgd(parameters, Momentum, Nesterov, WeightDecay),
        OptimizerKind.AdamW => MakeAdamW(parameters),
        OptimizerKind.SignSgd => new SignSgd(parameters, Momentum, WeightDecay),
        OptimizerKind.SoftSignSgd => new SoftSignSgd(parameters, Eps, Momentum, WeightDecay),
        OptimizerKind.Lion => new Lion(parameters, Beta1, Beta2, WeightDecay),
        _ => throw new ArgumentException($"config: unknown optimizer {Optimizer}."),
    };

    private Optimizer MakeAdamW(IEnumerable<Parameter> parameters) => CautiousWeightDecay
        ? new CautiousAdamW(parameters, Beta1, Beta2, Eps, WeightDecay)
        : new AdamW(parameters, Beta1, Beta2, Eps, WeightDecay);

    private GroupedOptimizer MakeMatrixOptimizer(IEnumerable<Parameter> parameters)
    {
        var (matrices, others) = GroupedOptimizer.SplitByRole(parameters);
        var schedule = Spectral.NsSchedule.ByName(NsSchedule, NsSteps);
        int? steps = NsSteps > 0 ? NsSteps : null;
        Optimizer matrix = Optimizer == OptimizerKind.NorMuon
            ? new NorMuon(matrices, new NorMuonConfig
            {
                Momentum = Momentum, Beta2 = NorMuonBeta2, Nesterov = Nesterov, Scaling = MuonScaling, WeightDecay = WeightDecay,
                Schedule = schedule, NsSteps = steps, Prescaling = NsPrescaling, GramNewtonSchulz = GramNewtonSchulz,
                CautiousWeightDecay = CautiousWeightDecay,
            })
            : new Muon(matrices, new MuonConfig
            {
                Momentum = Momentum, Nesterov = Nesterov, Scaling = MuonScaling, WeightDecay = WeightDecay,
                Schedule = schedule, NsSteps = steps, Prescaling = NsPrescaling, GramNewtonSchulz = GramNewtonSchulz,
                CautiousWeightDecay = CautiousWeightDecay, NsPrecision = NsPrecision,
            });
        return new GroupedOptimizer([new(matrix), new(MakeAdamW(others), AuxLr / Lr)]);
    }

    /// <summary>
    /// The weight decay λ of AdamW's weight-RMS law (theory §6) that the monitors' predicted_weight_rms column follows, or
    /// null where the law does not describe the run (any optimizer but plain AdamW, whose update RMS the law assumes).
    /// </summary>
    [JsonIgnore]
    public float? WeightRmsLawDecay => Optimizer == OptimizerKind.AdamW && !CautiousWeightDecay ? WeightDecay : null;

    public GptConfig Gpt(int vocabSize)
    {
        int baseD = BaseWidth > 0 ? BaseWidth : DModel;
        var (invDh, attention) = Scaling.Parametrization.Attention(Parametrization ?? ParametrizationKind.Standard, DModel / Heads, baseD / Heads);
        return new()
        {
            VocabSize = vocabSize, ContextLength = ContextLength, DModel = DModel, Layers = Layers, Heads = Heads,
            Positions = Positions, Norm = Norm, TiedHead = TiedHead, BaseDModel = baseD,
            AttentionScaleInvDh = invDh, AttentionMultiplier = (float)(attention * AttentionMultiplier),
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
        OptimizerKind.Muon or OptimizerKind.NorMuon => OptimizerFamily.Muon,
        _ => OptimizerFamily.Adam,
    };

    /// <summary>
    /// How the model is built: the configured parametrization (none given means standard) for this optimizer family.
    /// The init stream is seeded with <see cref="Seed"/>, or Seed + 7 when a parametrization is named, the streams that
    /// stored sweeps and runs were drawn from before models took their parametrization at construction.
    /// </summary>
    public Init MakeInit() => new(new Rng(Parametrization is null ? Seed : Seed + 7), Parametrization ?? ParametrizationKind.Standard, Family, MuonScaling,
        Depth, BaseDepth)
    { InitStdMultiplier = InitStdMultiplier, ReadoutMultiplier = OutputMultiplier };

    /// <summary>
    /// Checks every key against its range (<see cref="ConfigKeys"/>) and the rules that tie keys together. A config built
    /// in code gets the same messages as one loaded from a file; <see cref="Load"/> names the file or option as well.
    /// </summary>
    public void Validate()
    {
        foreach (var key in ConfigKeys.All)
            if (key.Check(key.Property.GetValue(this)) is string error)
                throw new ArgumentException($"config: key '{key.Name}' {error}.");
        ValidateCombinations();
    }

    // Rules that involve more than one key; each message names the keys to change.
    private void ValidateCombinations()
    {
        string[] mlpData = ["fashion-mnist", "blobs"];
        if (Task == TaskKind.Mlp && !mlpData.Contains(Dataset))
            throw new ArgumentException($"config: dataset '{Dataset}' is a text corpus; the mlp task takes fashion-mnist or blobs (or set task to gpt).");
        if (Task == TaskKind.Gpt && mlpData.Contains(Dataset))
            throw new ArgumentException($"config: dataset '{Dataset}' is for the mlp task; the gpt task takes brown, kjv or synthetic.");
        if (Steps == 0 && Task == TaskKind.Gpt) throw new ArgumentException("config: steps must be set for the GPT task (e.g. --steps 2000).");
        if (BatchSize % MicroBatches != 0)
            throw new ArgumentException($"config: microBatches {MicroBatches} must divide batchSize {BatchSize}.");
        if (NoiseEvery > 0 && BatchSize % NoiseChunks != 0)
            throw new ArgumentException($"config: noiseChunks {NoiseChunks} must divide batchSize {BatchSize} (the noise scale needs equal chunks).");
        if (WarmupFraction > 0 && (WarmupSteps > 0 || Steps == 0)) throw new ArgumentException("config: warmupFraction needs steps set and warmupSteps 0 (give one of the two).");
        if (TiedHead && OutputMultiplier != 1) throw new ArgumentException("config: outputMultiplier scales the untied readout; set tiedHead false.");
        if (Task == TaskKind.Mlp && (Depth != DepthScaling.None || BaseDepth > 0))
            throw new ArgumentException("config: depth and baseDepth apply to models with residual blocks (task gpt); the MLP classifier has none.");
        bool matrixOptimizer = Optimizer is OptimizerKind.Muon or OptimizerKind.NorMuon;
        if (matrixOptimizer)
        {
            if (!(AuxLr > 0) || float.IsInfinity(AuxLr)) throw new ArgumentException($"config: auxLr (AdamW's lr beside {Optimizer}) must be positive, got {AuxLr}.");
            if (NsSteps < 0) throw new ArgumentException($"config: nsSteps must be ≥ 0 (0 = the schedule's default), got {NsSteps}.");
            try { Spectral.NsSchedule.ByName(NsSchedule, Math.Max(NsSteps, 1)); }
            catch (ArgumentException e) { throw new ArgumentException("config: nsSchedule: " + e.Message); }
        }
        else
        {
            if (NsPrescaling != NsPrescaling.Frobenius)
                throw new ArgumentException($"config: nsPrescaling applies to Newton–Schulz (optimizer muon or norMuon), not {Optimizer}; remove the key.");
            if (GramNewtonSchulz)
                throw new ArgumentException($"config: gramNewtonSchulz applies to Newton–Schulz (optimizer muon or norMuon), not {Optimizer}; remove the key.");
        }
        if (NsPrecision == Precision.Bf16 && !(Optimizer == OptimizerKind.Muon && NsPrescaling == NsPrescaling.Frobenius && !GramNewtonSchulz))
            throw new ArgumentException("config: nsPrecision bf16 is for optimizer muon with nsPrescaling frobenius and gramNewtonSchulz false; set nsPrecision fp32 or drop the other keys.");
        if (Optimizer == OptimizerKind.NorMuon && !(NorMuonBeta2 is >= 0f and < 1f))
            throw new ArgumentException($"config: norMuonBeta2 must be in [0, 1), got {NorMuonBeta2}.");
        if (CautiousWeightDecay && !(matrixOptimizer || Optimizer == OptimizerKind.AdamW))
            throw new ArgumentException($"config: cautiousWeightDecay applies to adamw, muon and norMuon, not {Optimizer}.");
        if (!(QkClipTau >= 0) || double.IsInfinity(QkClipTau))
            throw new ArgumentException($"config: qkClipTau must be 0 (off) or a positive max attention logit such as 100, got {QkClipTau}.");
        if (QkClipTau > 0 && Task != TaskKind.Gpt)
            throw new ArgumentException("config: qkClipTau clips attention logits and needs task gpt; remove the key for the MLP.");
        if (Task == TaskKind.Gpt)
        {
            try { Gpt(1).Validate(); }
            catch (ArgumentException e) { throw new ArgumentException("config: " + e.Message.Replace("GptConfig: ", "", StringComparison.Ordinal)); }
            if (TiedHead && Parametrization is ParametrizationKind.Mup or ParametrizationKind.Spectral)
                throw new ArgumentException($"config: a tied head cannot take the {Parametrization} readout scaling; set tiedHead false.");
        }
        else MlpSizes(1, 1);
    }

    /// <summary>A config with every key at its default (what <c>musharp train --list-keys</c> shows as defaults).</summary>
    public static TrainConfig Defaults { get; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    /// <summary>
    /// Reads <paramref name="path"/> (or starts from the defaults when null), applies the command-line overrides and
    /// validates: the one typed path for config files and options. <paramref name="overrides"/> are (key, value) pairs
    /// with the key in kebab-case (<c>batch-size</c>) or camelCase. Every error is one line that names what the user
    /// wrote: <c>option --seed: must be an integer ≥ 0, got -1</c> for an override, <c>config FILE: key 'batchSize' ...</c>
    /// for a file.
    /// </summary>
    public static TrainConfig Load(string? path, IReadOnlyList<(string Key, string Value)> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var config = path is null ? new TrainConfig() : FromJson(ReadObject(path), $"config {path}");
        foreach (var (option, value) in overrides)
        {
            var key = ConfigKeys.Find(option)
                ?? throw new ArgumentException($"option --{option.TrimStart('-')}: not a config key{Hint(option)}; 'musharp train --list-keys' lists them.");
            config = Set(config, key, ConfigValues.FromCommandLine(value, key.Property.PropertyType), $"option {key.Option}");
        }
        config.ValidateCombinations();
        return config;
    }

    /// <summary>
    /// A config from a JSON object of camelCase keys (a config file, or a sweep's base), every value typed and checked;
    /// <paramref name="source"/> starts each message (<c>config runs/x/config.json</c>). Cross-key rules are not checked
    /// here: call <see cref="Validate"/> once every value is set.
    /// </summary>
    public static TrainConfig FromJson(JsonObject node, string source)
    {
        ArgumentNullException.ThrowIfNull(node);
        var config = new TrainConfig();
        foreach (var (name, value) in node)
        {
            var key = ConfigKeys.Find(name);
            if (key is null)
            {
                // Computed properties (schedule, family) are written to a run's config.json for the reader's sake.
                if (typeof(TrainConfig).GetProperty(name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: false }) continue;
                throw new ArgumentException($"{source}: unknown key '{name}'{Hint(name)}; 'musharp train --list-keys' lists the keys.");
            }
            config = Set(config, key, value, $"{source}: key '{key.Name}'");
        }
        return config;
    }

    private static JsonObject ReadObject(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"config {path} is a folder, not a JSON file; name the file, e.g. {Path.Combine(path, ConfigFileName)}.");
        if (!File.Exists(path)) throw new FileNotFoundException($"config {path} does not exist; see src/MuSharp.Cli/configs/ for examples.", path);
        string text;
        try { text = File.ReadAllText(path); }
        catch (UnauthorizedAccessException) { throw new ArgumentException($"config {path} cannot be read (permission denied); check its permissions."); }
        try { return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("it is not a JSON object { ... }"); }
        catch (JsonException e) { throw new ArgumentException($"config {path} is not valid JSON: {e.Message.Split(" Path:")[0].TrimEnd('.')}; fix the file."); }
    }

    private const string ConfigFileName = "config.json";

    private static TrainConfig Set(TrainConfig config, ConfigKey key, JsonNode? value, string where)
    {
        var (typed, error) = ConfigValues.Convert(value, key.Property.PropertyType, key.Range);
        error ??= key.Check(typed);
        if (error != null) throw new ArgumentException($"{where}: {error}.");
        var copy = config with { };
        key.Property.SetValue(copy, typed);
        return copy;
    }

    private static string Hint(string name) => ConfigKeys.Suggest(name) is string near ? $" (did you mean '{near}'?)" : "";

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
