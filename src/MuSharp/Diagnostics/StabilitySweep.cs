using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Diagnostics;

/// <summary>One unit's certificate in a model of one width and parametrization.</summary>
public sealed record StabilityPoint(ParametrizationKind Kind, int Width, StabilityResult Result);

/// <summary>Log-log slope against width of a unit's bound and measurement under one parametrization (0 = Θ(1)).</summary>
public sealed record StabilitySlope(ParametrizationKind Kind, string Unit, StabilityMetric Metric, double BoundSlope, double MeasuredSlope);

/// <summary>
/// Models and Δω for a width sweep: each model is built at width w with base width = the smallest width, parametrized
/// (init, LrScale, multipliers, attention scale) for Adam, and Δω is one AdamW step of base learning rate <see cref="Lr"/>
/// on the gradient of a random batch (Adam's first step is η·s·sign(g): the update the tables are written for).
/// </summary>
public sealed record StabilitySweepOptions
{
    public float Lr { get; init; } = 1e-2f;
    public int Batch { get; init; } = 16;
    public ulong Seed { get; init; } = 1;
    public StabilityOptions Measure { get; init; } = new();
    /// <summary>MLP: input dimension, classes and number of hidden layers (each of the swept width).</summary>
    public int MlpInputs { get; init; } = 784;
    public int MlpClasses { get; init; } = 10;
    public int MlpHiddenLayers { get; init; } = 2;
    /// <summary>GPT shape apart from d_model (the swept width) and the parametrization's attention scale.</summary>
    public GptConfig Gpt { get; init; } = new() { VocabSize = 32, ContextLength = 8, Layers = 2, Heads = 4 };
}

/// <summary>Stability certificates across widths and parametrizations, and their width slopes (theory §4.1: which parametrization keeps all three Θ(1)).</summary>
public static class StabilitySweep
{
    /// <summary>MLP [inputs, w × hidden layers, classes] at every width and parametrization.</summary>
    public static IReadOnlyList<StabilityPoint> Mlp(IReadOnlyList<int> widths, IReadOnlyList<ParametrizationKind> kinds, StabilitySweepOptions? options = null)
    {
        var o = options ?? new StabilitySweepOptions();
        int w0 = CheckWidths(widths);
        var points = new List<StabilityPoint>();
        foreach (var kind in kinds)
            foreach (int w in widths)
            {
                int[] sizes = [o.MlpInputs, .. Enumerable.Repeat(w, o.MlpHiddenLayers), o.MlpClasses];
                int[] baseSizes = [o.MlpInputs, .. Enumerable.Repeat(w0, o.MlpHiddenLayers), o.MlpClasses];
                MlpClassifier Build()
                {
                    var m = new MlpClassifier(sizes, new Rng(o.Seed), baseSizes);
                    Parametrization.Apply(m, kind, OptimizerFamily.Adam, new Rng(o.Seed + 1));
                    return m;
                }
                MlpClassifier model = Build(), updated = Build();
                var rng = new Rng(o.Seed + 2);
                var x = Tensor.Randn(rng, 1f, o.Batch, o.MlpInputs);
                var labels = Enumerable.Range(0, o.Batch).Select(_ => rng.NextInt(o.MlpClasses)).ToArray();
                updated.Loss(x, labels).Backward();
                new AdamW(updated.Parameters()).Step(o.Lr);
                points.AddRange(Stability.Certify(model, updated, o.Measure).Select(r => new StabilityPoint(kind, w, r)));
            }
        return points;
    }

    /// <summary>GPT of d_model = w (heads fixed, so the head dimension grows) at every width and parametrization.</summary>
    public static IReadOnlyList<StabilityPoint> Gpt(IReadOnlyList<int> widths, IReadOnlyList<ParametrizationKind> kinds, StabilitySweepOptions? options = null)
    {
        var o = options ?? new StabilitySweepOptions();
        int w0 = CheckWidths(widths);
        var points = new List<StabilityPoint>();
        foreach (var kind in kinds)
            foreach (int w in widths)
            {
                var (invDh, multiplier) = Parametrization.Attention(kind, w / o.Gpt.Heads, w0 / o.Gpt.Heads);
                var config = o.Gpt with { DModel = w, BaseDModel = w0, AttentionScaleInvDh = invDh, AttentionMultiplier = multiplier };
                Nn.Gpt Build()
                {
                    var m = new Nn.Gpt(config, new Rng(o.Seed));
                    Parametrization.Apply(m, kind, OptimizerFamily.Adam, new Rng(o.Seed + 1));
                    return m;
                }
                Nn.Gpt model = Build(), updated = Build();
                var rng = new Rng(o.Seed + 2);
                int t = config.ContextLength;
                var ids = Enumerable.Range(0, o.Batch * t).Select(_ => rng.NextInt(config.VocabSize)).ToArray();
                var targets = Enumerable.Range(0, o.Batch * t).Select(_ => rng.NextInt(config.VocabSize)).ToArray();
                updated.Loss(ids, targets, o.Batch, t).Backward();
                new AdamW(updated.Parameters()).Step(o.Lr);
                points.AddRange(Stability.Certify(model, updated, o.Measure).Select(r => new StabilityPoint(kind, w, r)));
            }
        return points;
    }

    /// <summary>Least-squares slope of log(value) on log(width) per (parametrization, unit, metric), for the bound and the measurement.</summary>
    public static IReadOnlyList<StabilitySlope> Slopes(IEnumerable<StabilityPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        var slopes = new List<StabilitySlope>();
        foreach (var group in points.GroupBy(p => (p.Kind, p.Result.Unit)))
        {
            var ordered = group.OrderBy(p => p.Width).ToList();
            if (ordered.Count < 2) continue;
            var x = ordered.Select(p => Math.Log(p.Width)).ToList();
            foreach (var metric in Enum.GetValues<StabilityMetric>())
            {
                double bound = Fit(x, ordered.Select(p => p.Result.Bound[metric]));
                double measured = Fit(x, ordered.Select(p => p.Result.Measured[metric]));
                slopes.Add(new(group.Key.Kind, group.Key.Unit, metric, bound, measured));
            }
        }
        return slopes;
    }

    private static double Fit(List<double> x, IEnumerable<double> values)
    {
        var y = values.ToList();
        return y.All(v => v > 0 && double.IsFinite(v)) ? CoordCheck.Slope(x, y.Select(v => Math.Log(v)).ToList()) : double.NaN;
    }

    private static int CheckWidths(IReadOnlyList<int> widths)
    {
        if (widths.Count < 1 || widths.Any(w => w <= 0)) throw new ArgumentException("StabilitySweep: needs positive widths (two or more for slopes).");
        return widths.Min();
    }
}
