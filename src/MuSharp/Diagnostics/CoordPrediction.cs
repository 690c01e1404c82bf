using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

namespace MuSharp.Diagnostics;

/// <summary>
/// The slope a parametrization predicts for one coordinate-check curve over the measured widths; <paramref name="AtInit"/>
/// predictions (activations, weights) are for step 0, the others (updates) for every step after it.
/// </summary>
public sealed record CoordPrediction(string Module, CoordMetric Metric, double Slope, bool AtInit);

/// <summary>
/// A measured slope beside its prediction. Verdict: "matches" when |measured − predicted| ≤ tolerance and the prediction
/// is not flat, "flat" when both are within tolerance of 0, "differs" otherwise, "no prediction" when none exists.
/// </summary>
public sealed record CoordVerdict(string Module, CoordMetric Metric, int Step, double Measured, double Predicted, string Verdict)
{
    public bool Agrees => Verdict is "matches" or "flat";
}

/// <summary>
/// Predicted coordinate-check slopes (theory §2–§3) for a chain of dense layers y_l = c_l·x_{l−1}W_l (+ b) with
/// 1-homogeneous activations (ReLU), read off each layer's role, fans and base fans through <see cref="Parametrization.For"/>.
/// Every quantity is a closed form at each measured width; the prediction is its least-squares log-log slope over
/// those widths (so a factor such as the spectral input layer's √d_out/(√d_in + √d_out) gives a width-range-dependent
/// slope, ≈ 0.30 from 64 to 2048 at d_in = 784). The closed forms, with σ the init std and s the LrScale:
/// <list type="bullet">
/// <item>activation: a_l = a_{l−1}·|c_l|σ_l√fanIn_l (E‖xW‖² = ‖x‖²σ² per output for Gaussian W); constant factors of ReLU drop out of slopes;</item>
/// <item>weight: |c|σ(√fanIn + √fanOut)·sqrt(fanIn/fanOut) (‖W‖₂ ≈ σ(√n + √m), theory §3.3);</item>
/// <item>update, one step: Adam |c|ηs·fanIn (‖sign G‖₂ = sqrt(fanIn·fanOut) for a low-rank G, theory §3.2);
/// Muon |c|ηsα·sqrt(fanIn/fanOut) (‖msign‖₂ = 1); SGD |c|ηs·fanIn·a_{l−1}·δ_l with the backward RMS
/// δ_l = δ_{l+1}|c_{l+1}|σ_{l+1}√fanOut_{l+1} from Θ(1) logit gradients (G = xᵀδ has ‖G‖₂ ≈ ‖x‖₂‖δ‖₂);</item>
/// </list>
/// Activation and weight are predicted at step 0 (later steps add the training change, whose constants are not
/// predicted); the update's width scaling holds at every step. <see cref="CoordMetric.Change"/> has no prediction: it
/// sums a layer's own update and the propagated change of the layers below with constants that depend on the
/// gradient's rank and the data, so no single power law is predicted for it.
/// </summary>
public static class CoordPredictions
{
    /// <summary>
    /// Predictions for the <see cref="MlpClassifier"/> curves: taps "layer{i}" (hidden pre-activations) and "logits"
    /// (Activation, Change), and every weight by its parameter name (Weight, Update). <paramref name="build"/> returns the
    /// model at a width (only its shapes, roles and base fans are read).
    /// </summary>
    public static IReadOnlyList<CoordPrediction> Mlp(ParametrizationKind kind, OptimizerFamily family, Func<int, MlpClassifier> build,
        IReadOnlyList<int> widths, MuonScaling muonScaling = MuonScaling.Spectral)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (widths.Count < 2) throw new ArgumentException("CoordPredictions: needs at least two widths.");
        var curves = new PredictedCurves();
        foreach (int width in widths)
        {
            var layers = build(width).Layers;
            int n = layers.Count;
            var scales = layers.Select(l => Scale(kind, family, l.Weight, muonScaling)).ToArray();
            var gain = new double[n];
            for (int l = 0; l < n; l++) gain[l] = Math.Abs(scales[l].OutputMultiplier) * Sigma(scales[l]) * Math.Sqrt(layers[l].FanIn);
            var delta = new double[n];                     // backward RMS at each layer's output, logits' gradient Θ(1)
            delta[n - 1] = 1;
            for (int l = n - 2; l >= 0; l--)
                delta[l] = delta[l + 1] * Math.Abs(scales[l + 1].OutputMultiplier) * Sigma(scales[l + 1]) * Math.Sqrt(layers[l + 1].FanOut);
            double a = 1;                                  // the input's RMS is fixed by the data
            for (int l = 0; l < n; l++)
            {
                var p = layers[l].Weight;
                double c = Math.Abs(scales[l].OutputMultiplier), s = scales[l].LrScale;
                double update = family switch
                {
                    OptimizerFamily.Adam => c * s * p.FanIn,
                    OptimizerFamily.Muon when p.Role is Role.Input or Role.Hidden => c * s * muonScaling.Factor(p.FanIn, p.FanOut) * Math.Sqrt((double)p.FanIn / p.FanOut),
                    OptimizerFamily.Muon => c * s * p.FanIn,      // the rest goes to Adam
                    _ => c * s * p.FanIn * a * delta[l],
                };
                a *= gain[l];
                curves.Add(l + 1 < n ? $"layer{l}" : "logits", CoordMetric.Activation, a);
                curves.Add(p.Name, CoordMetric.Weight, c * Sigma(scales[l]) * (Math.Sqrt(p.FanIn) + Math.Sqrt(p.FanOut)) * Math.Sqrt((double)p.FanIn / p.FanOut));
                curves.Add(p.Name, CoordMetric.Update, update);
            }
        }
        return curves.Slopes(widths);
    }

    /// <summary>
    /// Weight and update predictions for every matrix of any model (a GPT, a user's own), read off each parameter's role,
    /// fans and base fans with the closed forms above: weight |c|σ(√fanIn + √fanOut)·sqrt(fanIn/fanOut) at step 0 for every
    /// rank-2 parameter but gains and biases; update |c|ηs·fanIn (Adam, and the matrices Muon routes to Adam) or
    /// |c|ηsα·sqrt(fanIn/fanOut) (Muon on Hidden and Input matrices) for Hidden, Input and Output matrices. Embeddings get no
    /// update prediction (only the rows of the batch's tokens move, so ‖ΔW‖₂ depends on the data), and SGD none at all (its
    /// update needs the backward chain through the model, which only <see cref="Mlp"/> follows). Activations are not predicted here.
    /// </summary>
    public static IReadOnlyList<CoordPrediction> Matrices(ParametrizationKind kind, OptimizerFamily family, Func<int, Module> build,
        IReadOnlyList<int> widths, MuonScaling muonScaling = MuonScaling.Spectral)
    {
        ArgumentNullException.ThrowIfNull(build);
        if (widths.Count < 2) throw new ArgumentException("CoordPredictions: needs at least two widths.");
        var curves = new PredictedCurves();
        foreach (int width in widths)
            foreach (var p in build(width).Parameters().Where(p => p.Rank == 2 && p.Role != Role.Vector))
            {
                var scale = Scale(kind, family, p, muonScaling);
                double c = Math.Abs(scale.OutputMultiplier), s = scale.LrScale, shape = Math.Sqrt((double)p.FanIn / p.FanOut);
                if (scale.InitStd is double sigma) curves.Add(p.Name, CoordMetric.Weight, c * sigma * (Math.Sqrt(p.FanIn) + Math.Sqrt(p.FanOut)) * shape);
                if (family == OptimizerFamily.Sgd || p.Role is not (Role.Hidden or Role.Input or Role.Output)) continue;
                curves.Add(p.Name, CoordMetric.Update, family == OptimizerFamily.Muon && p.Role is Role.Hidden or Role.Input
                    ? c * s * muonScaling.Factor(p.FanIn, p.FanOut) * shape
                    : c * s * p.FanIn);
            }
        return curves.Slopes(widths);
    }

    /// <summary>
    /// Each measured slope beside its prediction (matched by module and metric; step 0 for <see cref="CoordPrediction.AtInit"/>
    /// predictions, steps after it otherwise): "matches" within <paramref name="tolerance"/>, "flat" where the prediction
    /// is within tolerance of 0 and so is the measurement.
    /// </summary>
    public static IReadOnlyList<CoordVerdict> Compare(IEnumerable<CoordSlope> measured, IEnumerable<CoordPrediction> predicted, double tolerance = 0.1)
    {
        ArgumentNullException.ThrowIfNull(measured);
        ArgumentNullException.ThrowIfNull(predicted);
        var byCurve = predicted.ToDictionary(p => (p.Module, p.Metric));
        return measured.Select(m =>
        {
            if (!byCurve.TryGetValue((m.Module, m.Metric), out var p) || p.AtInit != (m.Step == 0))
                return new CoordVerdict(m.Module, m.Metric, m.Step, m.Slope, double.NaN, "no prediction");
            double slope = p.Slope;
            bool close = Math.Abs(m.Slope - slope) <= tolerance;
            string verdict = !close ? "differs" : Math.Abs(slope) <= tolerance ? "flat" : "matches";
            return new CoordVerdict(m.Module, m.Metric, m.Step, m.Slope, slope, verdict);
        }).ToList();
    }

    private static LayerScale Scale(ParametrizationKind kind, OptimizerFamily family, Parameter p, MuonScaling muonScaling) =>
        Parametrization.For(kind, p.Role, family, p.FanIn, p.FanOut, p.BaseFanIn, p.BaseFanOut, muonScaling);

    private static double Sigma(LayerScale s) => s.InitStd ?? throw new InvalidOperationException("CoordPredictions: a dense layer without an init std.");

    // The predicted value of each (module, metric) curve at every width, in width order, and their log-log slopes.
    private sealed class PredictedCurves
    {
        private readonly Dictionary<(string Module, CoordMetric Metric), List<double>> values = [];

        public void Add(string module, CoordMetric metric, double value)
        {
            if (!values.TryGetValue((module, metric), out var list)) values[(module, metric)] = list = [];
            list.Add(value);
        }

        // Curves with a value at every width; activations and weights are predicted at init, updates at every step.
        public List<CoordPrediction> Slopes(IReadOnlyList<int> widths)
        {
            var x = widths.Select(w => Math.Log(w)).ToList();
            return values.Where(kv => kv.Value.Count == widths.Count).Select(kv => new CoordPrediction(kv.Key.Module, kv.Key.Metric,
                CoordCheck.Slope(x, kv.Value.Select(v => Math.Log(v)).ToList()), kv.Key.Metric != CoordMetric.Update)).ToList();
        }
    }
}
