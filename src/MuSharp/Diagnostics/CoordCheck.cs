using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Spectral;

namespace MuSharp.Diagnostics;

/// <summary>What a coordinate check records (theory §3.1, §4.1).</summary>
public enum CoordMetric
{
    /// <summary>‖x_t‖_RMS of a module's output on the fixed probe batch.</summary>
    Activation,
    /// <summary>‖x_t − x_0‖_RMS: how far training moved that output (theory §3.1 "‖Δx_k‖_RMS = Θ(1)").</summary>
    Change,
    /// <summary>‖c·W_t‖₂·sqrt(d_in/d_out), c the layer's output multiplier (spectral condition 1).</summary>
    Weight,
    /// <summary>‖c·(W_t − W_0)‖₂·sqrt(d_in/d_out) (spectral condition 2).</summary>
    Update,
}

public enum CoordTrend { Flat, Growing, Shrinking }

/// <summary>One measurement of one module at one width, seed and step (step 0 = at init).</summary>
public sealed record CoordStat(int Width, ulong Seed, int Step, string Module, CoordMetric Metric, double Value);

/// <summary>The log-log slope of a curve against width, and what it says.</summary>
public sealed record CoordSlope(string Module, CoordMetric Metric, int Step, double Slope, CoordTrend Trend);

/// <summary>
/// A model to check at one width: its optimizer and learning rate, the next training loss, and a forward pass on a
/// fixed probe batch that fills the module outputs ("taps") it wants recorded.
/// </summary>
public sealed record CoordSubject(Module Model, Optimizer Optimizer, float Lr, Func<Tensor> NextLoss,
    Action<IDictionary<string, Tensor>> Probe);

/// <summary>
/// Coordinate check (Tensor Programs V; microsoft/mup's get_coord_data), with numbers instead of only plots: train each
/// width for a few steps, record <see cref="CoordMetric"/>s per module, then <see cref="Fit"/> the slope of each
/// curve in log-log against width. Under μP or the spectral parametrization hidden curves are flat; under SP the
/// output's change grows with width.
/// </summary>
public static class CoordCheck
{
    private const int PowerIterations = 100;
    private const double PowerTolerance = 1e-4;

    public static List<CoordStat> Run(IReadOnlyList<int> widths, IReadOnlyList<ulong> seeds, int steps,
        Func<int, ulong, CoordSubject> build, bool spectral = true, Action<string>? progress = null)
    {
        if (widths.Count < 2) throw new ArgumentException($"coord check: needs at least two widths to fit a slope, got {widths.Count}.");
        if (seeds.Count == 0 || steps < 1) throw new ArgumentException($"coord check: needs at least one seed and one step (got {seeds.Count} seeds, {steps} steps).");
        var stats = new List<CoordStat>();
        foreach (int width in widths)
            foreach (ulong seed in seeds)
            {
                var s = build(width, seed);
                var matrices = spectral ? s.Model.Parameters().Where(p => p.Role != Role.Vector && p.Rank == 2).ToList() : [];
                var warm = new Dictionary<(string, CoordMetric), float[]>(); // power-iteration v₁ of the previous step
                var w0 = matrices.Select(p => (float[])p.Data.Clone()).ToList();
                var x0 = ProbeOutputs(s);
                void Record(int step, Dictionary<string, float[]> x)
                {
                    foreach (var (name, xt) in x)
                    {
                        stats.Add(new(width, seed, step, name, CoordMetric.Activation, Rms(xt)));
                        if (step > 0) stats.Add(new(width, seed, step, name, CoordMetric.Change, RmsOfDifference(xt, x0[name])));
                    }
                    for (int i = 0; i < matrices.Count; i++)
                    {
                        var p = matrices[i];
                        stats.Add(new(width, seed, step, p.Name, CoordMetric.Weight, SpectralRatio(p, p.Data, Warm(warm, p, CoordMetric.Weight))));
                        if (step > 0)
                        {
                            var delta = new float[p.Size];
                            TensorPrimitives.Subtract(p.Data, w0[i], delta);
                            stats.Add(new(width, seed, step, p.Name, CoordMetric.Update, SpectralRatio(p, delta, Warm(warm, p, CoordMetric.Update))));
                        }
                    }
                }
                Record(0, x0);
                for (int step = 1; step <= steps; step++)
                {
                    var loss = s.NextLoss();
                    if (!float.IsFinite(loss.Item()))
                        throw new InvalidOperationException($"coord check: loss is {loss.Item()} at width {width}, seed {seed}, step {step}; lower the learning rate.");
                    loss.Backward();
                    s.Optimizer.Step(s.Lr);
                    s.Optimizer.ZeroGrad();
                    Record(step, ProbeOutputs(s));
                }
                progress?.Invoke($"width {width}, seed {seed}: done");
            }
        return stats;
    }

    /// <summary>
    /// Least-squares slope of log(mean over seeds) against log(width) for every (module, metric, step) curve;
    /// |slope| ≤ <paramref name="tolerance"/> is flat. Curves that are zero at every width (nothing to fit) are skipped.
    /// </summary>
    public static List<CoordSlope> Fit(IEnumerable<CoordStat> stats, double tolerance = 0.1)
    {
        var slopes = new List<CoordSlope>();
        foreach (var curve in stats.GroupBy(s => (s.Module, s.Metric, s.Step)))
        {
            var points = curve.GroupBy(s => s.Width).OrderBy(g => g.Key)
                .Select(g => (X: Math.Log(g.Key), Y: g.Average(s => s.Value))).ToList();
            if (points.Count < 2 || points.Any(p => !(p.Y > 0) || !double.IsFinite(p.Y))) continue;
            double slope = Slope(points.Select(p => p.X).ToList(), points.Select(p => Math.Log(p.Y)).ToList());
            var trend = Math.Abs(slope) <= tolerance ? CoordTrend.Flat : slope > 0 ? CoordTrend.Growing : CoordTrend.Shrinking;
            slopes.Add(new(curve.Key.Module, curve.Key.Metric, curve.Key.Step, slope, trend));
        }
        return slopes;
    }

    /// <summary>Ordinary least-squares slope of y on x.</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0;
        for (int i = 0; i < x.Count; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        return sxy / sxx;
    }

    private static Dictionary<string, float[]> ProbeOutputs(CoordSubject s)
    {
        var taps = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using (Tape.NoGrad()) s.Probe(taps);
        return taps.ToDictionary(kv => kv.Key, kv => (float[])kv.Value.Data.Clone(), StringComparer.Ordinal);
    }

    private static double Rms(ReadOnlySpan<float> x) => TensorPrimitives.Norm(x) / Math.Sqrt(x.Length);

    private static double RmsOfDifference(float[] a, float[] b)
    {
        var d = new float[a.Length];
        TensorPrimitives.Subtract(a, b, d);
        return Rms(d);
    }

    private static float[] Warm(Dictionary<(string, CoordMetric), float[]> warm, Parameter p, CoordMetric metric)
    {
        if (!warm.TryGetValue((p.Name, metric), out var v)) warm[(p.Name, metric)] = v = new float[p.Shape[1]];
        return v;
    }

    /// <summary>‖c·M‖₂·sqrt(d_in/d_out) for M [rows, cols] stored like p (c = p's output multiplier); v: warm start, updated.</summary>
    private static double SpectralRatio(Parameter p, ReadOnlySpan<float> m, float[] v)
    {
        int rows = p.Shape[0], cols = p.Shape[1];
        var u = new float[rows];
        double sigma = PowerIteration.TopSingularTriple(m, rows, cols, PowerIterations, PowerTolerance, u, v);
        return Math.Abs(p.OutputMultiplier) * sigma * Math.Sqrt((double)p.FanIn / p.FanOut);
    }
}
