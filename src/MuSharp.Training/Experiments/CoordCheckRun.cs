using System.Globalization;
using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Reports;
using MuSharp.Scaling;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>What a coordinate check runs: widths, seeds, steps, the cases, and training-config overrides for everything else.</summary>
public sealed record CoordCheckOptions
{
    /// <summary>
    /// Depth axis (theory §10): when set, the GPT's <c>layers</c> takes each of these values at the config's fixed
    /// d_model (base depth = the first), and slopes are fitted against L instead of width. The last block's taps are
    /// named blockLast(.attn, .mlp) so that they form one curve across depths.
    /// </summary>
    public int[]? Depths { get; init; }

    public string? ConfigPath { get; init; }
    public List<(string Key, string Value)> Overrides { get; init; } = [];
    public int[] Widths { get; init; } = [64, 128, 256, 512, 1024, 2048];
    public int Seeds { get; init; } = 3;
    public int Steps { get; init; } = 3;
    public ParametrizationKind[] Parametrizations { get; init; } = [ParametrizationKind.Standard, ParametrizationKind.Mup, ParametrizationKind.Spectral];
    public OptimizerKind[] Optimizers { get; init; } = [OptimizerKind.Sgd, OptimizerKind.AdamW];
    public double Tolerance { get; init; } = 0.1;
    public bool Spectral { get; init; } = true;
    public string Out { get; init; } = Path.Combine("runs", "coord-check");

    /// <summary>Learning rate per optimizer unless --lr is given: mup's coord-check defaults (SGD 0.1, Adam 1e-3), Muon 0.02.</summary>
    public static float DefaultLr(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd => 0.1f,
        OptimizerKind.Muon => 0.02f,
        _ => 1e-3f,
    };
}

/// <summary>One (parametrization, optimizer) case: its raw statistics, fitted slopes and the slopes theory predicts.</summary>
public sealed record CoordCase(ParametrizationKind Parametrization, OptimizerKind Optimizer, List<CoordStat> Stats, List<CoordSlope> Slopes)
{
    /// <summary>
    /// The parametrization's predicted slopes (<see cref="CoordPredictions.Mlp"/>); empty where none are derived
    /// (the GPT, the depth axis).
    /// </summary>
    public IReadOnlyList<CoordPrediction> Predictions { get; init; } = [];

    /// <summary>The prediction for one curve, if any.</summary>
    public CoordPrediction? Prediction(string module, CoordMetric metric) => Predictions.FirstOrDefault(p => p.Module == module && p.Metric == metric);

    /// <summary>
    /// Every measured slope beside its prediction (<see cref="CoordPredictions.Compare"/>), with the verdict "matches",
    /// "flat", "differs" or "no prediction".
    /// </summary>
    public IReadOnlyList<Diagnostics.CoordVerdict> Predicted { get; init; } = [];

    /// <summary>Hidden activations and their changes: every tap except the output logits.</summary>
    public IEnumerable<CoordSlope> Hidden(int minStep = 1) => Slopes.Where(s => s.Module != "logits" && s.Step >= minStep
        && s.Metric is CoordMetric.Activation or CoordMetric.Change);

    public CoordSlope? Logits(CoordMetric metric, int step) => Slopes.FirstOrDefault(s => s.Module == "logits" && s.Metric == metric && s.Step == step);
}

/// <summary>
/// The coordinate check of a configured model: for every parametrization × optimizer, trains each width a few steps
/// (<see cref="CoordCheck"/>), fits the log-log slopes, and reports each case's verdict table; coord.csv and slopes.csv
/// go to <see cref="CoordCheckOptions.Out"/>.
/// </summary>
public static class CoordCheckRun
{
    public static List<CoordCase> Run(CoordCheckOptions o, Action<string> print)
    {
        int[] sizes = o.Depths ?? o.Widths;
        string axis = o.Depths is null ? "widths" : "depths";
        if (sizes.Length < 2 || sizes.Any(w => w <= 0)) throw new ArgumentException($"coord-check: --{axis} needs at least two positive {axis}, got [{string.Join(",", sizes)}].");
        var cases = new List<CoordCase>();
        var seeds = Enumerable.Range(1, o.Seeds).Select(i => (ulong)i).ToList();
        foreach (var kind in o.Parametrizations)
            foreach (var optimizer in o.Optimizers)
            {
                var config0 = Config(o, kind, optimizer, o.Widths[0], 1);
                print($"coord check: {Name(kind)} · {optimizer.ToString().ToLowerInvariant()} (lr {config0.Lr:G3}) · {axis} {string.Join(",", sizes)} · {o.Seeds} seeds · {o.Steps} steps");
                var stats = CoordCheck.Run(sizes, seeds, o.Steps, (size, seed) =>
                {
                    var config = Config(o, kind, optimizer, size, seed);
                    var task = TrainingTasks.Create(config);
                    Action<IDictionary<string, Tensor>> probe = o.Depths is null ? task.Probe : taps => ProbeLastBlock(task, config.Layers, taps);
                    // The training steps run in the config's precision, as in the training loop; the probes measure in fp32.
                    Func<Tensor> loss = config.Precision == Precision.Fp32 ? task.NextLoss : () =>
                    {
                        using (MixedPrecision.Use(config.Precision)) return task.NextLoss();
                    };
                    return new CoordSubject(task.Model, config.MakeOptimizer(task.Model.Parameters()), config.Lr, loss, probe);
                }, o.Spectral && o.Depths is null, line => print("  " + line));
                var slopes = CoordCheck.Fit(stats, o.Tolerance);
                // Predictions are slopes against width; the depth axis has none.
                var predictions = o.Depths is null ? Predict(o, kind, optimizer) : [];
                var c = new CoordCase(kind, optimizer, stats, slopes)
                {
                    Predictions = predictions, Predicted = CoordPredictions.Compare(slopes, predictions, o.Tolerance),
                };
                cases.Add(c);
                foreach (var line in VerdictTable(c, o.Tolerance)) print(line);
            }
        CoordCsv.Write(o.Out, cases);
        print($"wrote {Path.Combine(o.Out, CoordCsv.StatsFile)} and {Path.Combine(o.Out, CoordCsv.SlopesFile)}");
        return cases;
    }

    /// <summary>
    /// The training config of one size and seed: the base config with hidden widths (MLP) or d_model (GPT) set, or on
    /// the depth axis the GPT's layers (base depth the first depth, base width the config's d_model).
    /// </summary>
    public static TrainConfig Config(CoordCheckOptions o, ParametrizationKind kind, OptimizerKind optimizer, int width, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(o);
        var overrides = new List<(string, string)>
        {
            ("parametrization", Name(kind)), ("optimizer", optimizer.ToString().ToLowerInvariant()), ("seed", seed.ToString(CultureInfo.InvariantCulture)),
        };
        if (o.Depths is { } depths)
        {
            overrides.Add(("base-depth", depths[0].ToString(CultureInfo.InvariantCulture)));
            overrides.Add(("layers", width.ToString(CultureInfo.InvariantCulture)));
            if (!o.Overrides.Any(kv => kv.Key == "lr")) overrides.Add(("lr", CoordCheckOptions.DefaultLr(optimizer).ToString("R", CultureInfo.InvariantCulture)));
            var config = TrainConfig.Load(o.ConfigPath, [.. o.Overrides, .. overrides, ("steps", o.Steps.ToString(CultureInfo.InvariantCulture))]);
            return config.Task == TaskKind.Gpt ? config : throw new ArgumentException("coord-check: the depth axis varies the GPT's layers; set task gpt.");
        }
        overrides.Add(("base-width", o.Widths[0].ToString(CultureInfo.InvariantCulture)));
        if (!o.Overrides.Any(kv => kv.Key == "steps")) overrides.Add(("steps", o.Steps.ToString(CultureInfo.InvariantCulture))); // the GPT needs a length; the check uses a constant lr
        if (!o.Overrides.Any(kv => kv.Key == "lr")) overrides.Add(("lr", CoordCheckOptions.DefaultLr(optimizer).ToString("R", CultureInfo.InvariantCulture)));
        var probe = TrainConfig.Load(o.ConfigPath, [.. o.Overrides, ("steps", "1")]);
        overrides.Add(probe.Task == TaskKind.Gpt
            ? ("d-model", width.ToString(CultureInfo.InvariantCulture))
            : ("hidden", "[" + string.Join(",", probe.Hidden.Select(_ => width)) + "]"));
        return TrainConfig.Load(o.ConfigPath, [.. o.Overrides, .. overrides]);
    }

    public static string Name(ParametrizationKind kind) => kind.ToString().ToLowerInvariant();

    // The depth axis compares the output of the whole stack: block{L-1} is renamed blockLast at every depth.
    private static void ProbeLastBlock(ITrainingTask task, int layers, IDictionary<string, Tensor> taps)
    {
        var raw = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        task.Probe(raw);
        string last = $"block{layers - 1}";
        foreach (var (name, x) in raw)
            taps[name == last || name.StartsWith(last + ".", StringComparison.Ordinal) ? "blockLast" + name[last.Length..] : name] = x;
    }

    /// <summary>
    /// The slopes the parametrization predicts over the check's widths (theory §2–§3): activations, weights and updates for
    /// the MLP; weights and updates of every matrix for other models. Only the models' shapes, roles and base fans are read.
    /// </summary>
    public static IReadOnlyList<CoordPrediction> Predict(CoordCheckOptions o, ParametrizationKind kind, OptimizerKind optimizer)
    {
        ArgumentNullException.ThrowIfNull(o);
        var config = Config(o, kind, optimizer, o.Widths[0], 1);
        Nn.Module Build(int width) => TrainingTasks.Create(Config(o, kind, optimizer, width, 1)).Model;
        return config.Task == TaskKind.Mlp
            ? CoordPredictions.Mlp(kind, config.Family, w => (Nn.MlpClassifier)Build(w), o.Widths, config.MuonScaling)
            : CoordPredictions.Matrices(kind, config.Family, Build, o.Widths, config.MuonScaling);
    }

    /// <summary>
    /// One row per (module, metric): the slope at each step, the trend of the steepest one, the slope the
    /// parametrization predicts and whether the measurement agrees with it (<see cref="CoordPredictions.Compare"/>:
    /// "matches" within ±<paramref name="tolerance"/>, "flat" where the prediction is 0 too, "DIFFERS at t=k"
    /// otherwise; "-" without a prediction). Then one line on the hidden curves after step 0 and one on the logits.
    /// </summary>
    public static IEnumerable<string> VerdictTable(CoordCase c, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(c);
        var steps = c.Slopes.Select(s => s.Step).Distinct().Order().ToList();
        TextColumn[] columns =
        [
            new("module", TextAlign.Left), new("metric", TextAlign.Left),
            .. steps.Select(t => new TextColumn("t=" + t.ToString(CultureInfo.InvariantCulture), TextAlign.Point, 3)),
            new("trend", TextAlign.Left, 3), new("predicted", TextAlign.Point), new("vs prediction", TextAlign.Left),
        ];
        var table = new TextTable(columns);
        foreach (var row in c.Slopes.GroupBy(s => (s.Module, s.Metric)).OrderBy(g => g.Key.Metric).ThenBy(g => g.Key.Module, StringComparer.Ordinal))
        {
            var byStep = row.ToDictionary(s => s.Step);
            var worst = row.MaxBy(s => Math.Abs(s.Slope))!;
            var prediction = c.Prediction(row.Key.Module, row.Key.Metric);
            table.Add([
                row.Key.Module, row.Key.Metric.ToString().ToLowerInvariant(),
                .. steps.Select(t => byStep.TryGetValue(t, out var s) ? FixedPoint.WithSign(s.Slope) : ""),
                Trend(worst.Trend), prediction is null ? "-" : FixedPoint.WithSign(prediction.Slope), Agreement(row, prediction, tolerance),
            ]);
        }
        foreach (string line in table.Lines("  ")) yield return line;
        if (c.Predictions.Count > 0)
            yield return $"  predicted: activations and weights at init (t=0), updates at every later step; changes have no prediction";

        var hidden = c.Hidden().ToList();
        if (hidden.Count > 0)
        {
            var h = hidden.MaxBy(s => Math.Abs(s.Slope))!;
            var notFlat = hidden.Where(s => s.Trend != CoordTrend.Flat).ToList();
            // A curve that theory predicts to grow (or shrink) at init and that moves the same way after it, no steeper,
            // is not a failure of the parametrization: the spectral input layer's √d_out/(√d_in + √d_out) does this.
            var predicted = notFlat.Select(s => (Slope: s, Prediction: c.Prediction(s.Module, s.Metric)))
                .Where(x => x.Prediction is { } p && Math.Abs(p.Slope) > tolerance && Math.Sign(p.Slope) == Math.Sign(x.Slope.Slope)
                    && Math.Abs(x.Slope.Slope) <= Math.Abs(p.Slope) + tolerance)
                .ToList();
            string where = $"max |slope| {Math.Abs(h.Slope):0.000} at {h.Module} {h.Metric.ToString().ToLowerInvariant()} t={h.Step}";
            if (notFlat.Count == 0)
                yield return $"  hidden activations and changes, steps ≥ 1: all flat ({where}; flat means |slope| ≤ {tolerance})";
            else if (predicted.Count == notFlat.Count)
            {
                string curves = string.Join(", ", predicted.Select(x => $"{x.Slope.Module} {x.Slope.Metric.ToString().ToLowerInvariant()}").Distinct());
                string slopes = string.Join(", ", predicted.Select(x => FixedPoint.WithSign(x.Prediction!.Slope)).Distinct());
                yield return $"  hidden activations and changes, steps ≥ 1: flat except as predicted ({where}; {curves} predicted to scale as {slopes} from init; flat means |slope| ≤ {tolerance})";
            }
            else yield return $"  hidden activations and changes, steps ≥ 1: NOT all flat ({where}; flat means |slope| ≤ {tolerance})";
        }
        var logit = c.Slopes.Where(s => s.Module == "logits" && s.Metric == CoordMetric.Change).MaxBy(s => s.Slope);
        if (logit != null) yield return $"  output logits' change: max slope {logit.Slope:+0.000;-0.000} at t={logit.Step}";
    }

    // The verdict of the step that disagrees most with the prediction, over the steps the prediction is for.
    private static string Agreement(IEnumerable<CoordSlope> row, CoordPrediction? prediction, double tolerance)
    {
        if (prediction is null) return "-";
        var verdicts = CoordPredictions.Compare(row, [prediction], tolerance).Where(v => !double.IsNaN(v.Predicted)).ToList();
        if (verdicts.Count == 0) return "-";
        var worst = verdicts.MaxBy(v => Math.Abs(v.Measured - v.Predicted))!;
        return worst.Agrees ? worst.Verdict : $"DIFFERS at t={worst.Step}";
    }

    private static string Trend(CoordTrend t) => t switch
    {
        CoordTrend.Flat => "flat",
        CoordTrend.Growing => "GROWING",
        _ => "shrinking",
    };
}
