using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Spectral;

namespace MuSharp.Diagnostics;

/// <summary>
/// One parameter's size and update size after an optimizer step, in the units of theory §1, §3.1 and §6.
/// RMS values are ‖·‖_F/sqrt(size) (§1). The spectral columns are the spectral-condition ratios of §3.1,
/// ‖W‖₂·sqrt(d_in/d_out) and ‖ΔW‖₂·sqrt(d_in/d_out), which μP/Muon keep Θ(1); they come from warm-started power
/// iteration, so they are (tight) lower bounds on the exact values. <see cref="SingularValueEntropy"/> is the
/// normalised H(σ) of W from §5.1 (1 = flat spectrum, 0 = rank one).
/// For vectors (rank-1 parameters: gains, biases) the spectral and entropy columns are NaN; entropy is also NaN
/// when the monitor was built without it.
/// </summary>
public sealed record ParameterStats(string Name, Role Role, int FanIn, int FanOut, double WeightRms, double UpdateRms,
    double SpectralNormScaled, double UpdateSpectralNormScaled, double SingularValueEntropy)
{
    /// <summary>Whether the spectral and entropy columns apply (a matrix, or a higher-rank tensor viewed as one).</summary>
    public bool IsMatrix => !double.IsNaN(SpectralNormScaled);

    /// <summary>‖W‖_RMS that AdamW's weight-RMS law predicts (theory §6, <see cref="BatchScaling.AdamWeightRms"/>), beside the
    /// measured <see cref="WeightRms"/>; NaN unless <see cref="UpdateMonitor.AdvanceWeightRmsLaw"/> was called every step.</summary>
    public double PredictedWeightRms { get; init; } = double.NaN;

    /// <summary>For an attention query weight under QK-Clip (theory §12.2): its layer's largest attention logit on the step's
    /// batch before the clip (Kimi K2's MaxLogit monitor); NaN elsewhere.</summary>
    public double MaxLogit { get; init; } = double.NaN;
}

/// <summary>
/// Measures every parameter's <see cref="ParameterStats"/> across one optimizer step: call
/// <see cref="Capture"/> before <c>optimizer.Step</c> and <see cref="Measure"/> after; ΔW is the difference.
/// Power iteration for ‖W‖₂ and ‖ΔW‖₂ is warm-started from the previous measurement's singular vectors (kept per
/// parameter name), so after the first call it usually converges in a few matrix-vector products.
/// The singular-value entropy needs a full SVD per matrix (O(min(m,n)²·max(m,n))), which can dominate the cost for
/// large layers; it is computed only when <c>entropy</c> is true.
/// The monitor only reads parameters: it never changes weights, gradients or any random stream of training.
/// </summary>
public sealed class UpdateMonitor(bool entropy = false, int maxIterations = 100, double tolerance = 1e-6)
{
    private readonly Dictionary<string, float[]> warm = [];   // name (or name + "/Δ") → v [cols] of the last call
    private IReadOnlyList<Parameter> captured = [];
    private readonly Dictionary<string, double> predictedSquared = []; // name → AdamW law's ‖W‖²_RMS
    private float[][] before = [];

    /// <summary>Whether <see cref="Measure"/> computes the singular-value entropy (a full SVD per matrix).</summary>
    public bool Entropy { get; } = entropy;

    /// <summary>Copies the current weights of <paramref name="parameters"/>; call just before the optimizer step.</summary>
    public void Capture(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        captured = [.. parameters];
        if (before.Length != captured.Count) before = new float[captured.Count][];
        for (int i = 0; i < captured.Count; i++)
        {
            var data = captured[i].Data;
            if (before[i]?.Length != data.Length) before[i] = new float[data.Length];
            data.CopyTo(before[i], 0);
        }
    }

    /// <summary>Stats of each captured parameter, with ΔW = W_now − W_captured. Throws if nothing was captured.</summary>
    public IReadOnlyList<ParameterStats> Measure()
    {
        if (captured.Count == 0) throw new InvalidOperationException("UpdateMonitor.Measure: call Capture(parameters) before the optimizer step.");
        var stats = new ParameterStats[captured.Count];
        for (int i = 0; i < captured.Count; i++)
        {
            var p = captured[i];
            var delta = new float[p.Data.Length];
            TensorPrimitives.Subtract(p.Data, before[i], delta);
            stats[i] = Stats(p, delta);
        }
        return stats;
    }

    /// <summary>
    /// Advances every parameter's AdamW weight-RMS prediction by one step (theory §6: r² ← (1−ηλ)²r² + η²(1 − ηλ/2)) with
    /// the step's η·s and λ/s as the optimizers apply them (s = LrScale; gains and biases do not decay). Call once per
    /// optimizer step, from before the first step on: the first call starts from the measured RMS.
    /// </summary>
    public void AdvanceWeightRmsLaw(IEnumerable<Parameter> parameters, float lr, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var p in parameters)
        {
            if (!predictedSquared.TryGetValue(p.Name, out double r2)) r2 = Math.Pow(Rms(p.Data), 2);
            double eta = (double)lr * p.LrScale, lambda = p.Role == Role.Vector ? 0 : (double)weightDecay / p.LrScale;
            predictedSquared[p.Name] = BatchScaling.AdamWeightRms.StepSquared(r2, eta, lambda);
        }
    }

    /// <summary>The weight-RMS law's state, ‖W‖²_RMS predicted per parameter name (for checkpoints); empty before the first advance.</summary>
    public IReadOnlyDictionary<string, double> WeightRmsLawState => predictedSquared;

    /// <summary>Continues the weight-RMS law from a saved <see cref="WeightRmsLawState"/> (a resumed run).</summary>
    public void RestoreWeightRmsLaw(IEnumerable<KeyValuePair<string, double>> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        predictedSquared.Clear();
        foreach (var (name, r2) in state) predictedSquared[name] = r2;
    }

    private ParameterStats Stats(Parameter p, float[] delta)
    {
        var stats = MeasuredStats(p, delta);
        return predictedSquared.TryGetValue(p.Name, out double r2) ? stats with { PredictedWeightRms = Math.Sqrt(r2) } : stats;
    }

    private ParameterStats MeasuredStats(Parameter p, float[] delta)
    {
        double weightRms = Rms(p.Data), updateRms = Rms(delta);
        if (!MatrixView(p, out int rows, out int cols))
            return new(p.Name, p.Role, p.FanIn, p.FanOut, weightRms, updateRms, double.NaN, double.NaN, double.NaN);
        double scale = Math.Sqrt((double)p.FanIn / p.FanOut);   // §3.1: ‖·‖₂·sqrt(d_in/d_out) should be Θ(1)
        double sigmaW = TopSingularValue(p.Data, rows, cols, WarmVector(p.Name, cols));
        double sigmaDelta = TopSingularValue(delta, rows, cols, WarmVector(p.Name + "/Δ", cols));
        double h = Entropy ? SpectralOps.SingularValueEntropy(p.Data, rows, cols) : double.NaN;
        return new(p.Name, p.Role, p.FanIn, p.FanOut, weightRms, updateRms, sigmaW * scale, sigmaDelta * scale, h);
    }

    private float[] WarmVector(string key, int cols)
    {
        if (!warm.TryGetValue(key, out var v) || v.Length != cols) warm[key] = v = new float[cols];
        return v;
    }

    private double TopSingularValue(float[] w, int rows, int cols, float[] v)
        => PowerIteration.TopSingularTriple(w, rows, cols, maxIterations, tolerance, new float[rows], v);

    /// <summary>
    /// ‖x‖_RMS = sqrt(mean x²) (§1), accumulated in double. Empty spans give 0.
    /// </summary>
    public static double Rms(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) return 0;
        double sum = 0;
        foreach (float e in x) sum += (double)e * e;
        return Math.Sqrt(sum / x.Length);
    }

    /// <summary>
    /// The row-major matrix a parameter is measured as: [d0, d1] for rank 2 (μP's [FanIn, FanOut], §1), and
    /// [d0, d1·d2·…] for higher ranks (a conv kernel, as §4.5 reshapes it). Rank-1 parameters are vectors: false.
    /// </summary>
    public static bool MatrixView(Parameter p, out int rows, out int cols)
    {
        ArgumentNullException.ThrowIfNull(p);
        rows = cols = 0;
        if (p.Rank < 2 || p.Size == 0) return false;
        rows = p.Shape[0];
        cols = p.Size / rows;
        return true;
    }
}
