using System.Globalization;
using System.Text.Json;
using MuSharp.BatchScaling;
using MuSharp.Optim;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>One step of an <see cref="UpdateRmsSeries"/>: the update RMS u = ΔW/η over all weight matrices.</summary>
public sealed record UpdateRmsStep(long Step, double Rms);

/// <summary>Adam's update RMS over the first steps of one real training run, for one β1.</summary>
public sealed record UpdateRmsSeries(double Beta1, IReadOnlyList<UpdateRmsStep> Points)
{
    /// <summary>Theory §6 with no signal: sqrt((1−β1)/(1+β1)).</summary>
    public double Predicted => AdamUpdateRms.Predicted(Beta1, 0);

    /// <summary>Mean measured RMS over steps (from, to], the window the closing figures quote.</summary>
    public double MeanOver(long from, long to) => Points.Where(p => p.Step > from && p.Step <= to).Select(p => p.Rms).DefaultIfEmpty(double.NaN).Average();
}

/// <summary>
/// Theory §6 on a real model: trains the MLP with Adam (no weight decay, constant lr, one lr scale) for several β1,
/// monitoring every step, and measures the update RMS u = ΔW/η over all weight matrices from its monitor records. At the start
/// of training the gradient is mostly noise, so u_RMS should sit near sqrt((1−β1)/(1+β1)); the gap is the signal,
/// inverted by <see cref="AdamUpdateRms.InverseSnr"/> into ‖μ‖²/‖σ‖². Runs are kept: a finished β1 is not rerun.
/// </summary>
public static class UpdateRmsExperiment
{
    public const string SeriesFile = "update-rms.json";

    public static IReadOnlyList<UpdateRmsSeries> Run(TrainConfig mlp, string dir, IReadOnlyList<double> betas, int steps, TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(mlp);
        ArgumentNullException.ThrowIfNull(betas);
        ArgumentNullException.ThrowIfNull(log);
        var series = new List<UpdateRmsSeries>();
        foreach (double beta1 in betas)
        {
            string runDir = RunDir(dir, beta1);
            var config = mlp with
            {
                Name = Path.GetFileName(runDir),
                Optimizer = OptimizerKind.AdamW,
                Beta1 = (float)beta1,
                WeightDecay = 0,
                Parametrization = null,
                Decay = DecayKind.Constant,
                WarmupSteps = 0,
                Steps = steps,
                MonitorEvery = 1,
                NoiseEvery = 0,
                TargetLoss = null,
                EvalEvery = steps,
                EvalGrowth = 0,
                CheckpointEvery = steps,
                LogEvery = Math.Max(1, steps / 10),
            };
            string file = Path.Combine(runDir, SeriesFile);
            if (!File.Exists(file))
            {
                log.WriteLine($"update RMS: Adam β1 {beta1} for {steps} steps → {runDir}");
                var meter = new UpdateRmsMeter(config.Lr);
                Train.Run(config, runDir, resume: false, [meter]);
                File.WriteAllText(file, JsonSerializer.Serialize(new UpdateRmsSeries(beta1, meter.Points)));
            }
            series.Add(Load(file));
        }
        return series;
    }

    /// <summary>The series of the runs <see cref="Run"/> already finished in <paramref name="dir"/>, without training.</summary>
    public static IReadOnlyList<UpdateRmsSeries> ReadFinished(string dir, IReadOnlyList<double> betas) =>
        [.. betas.Select(b => Path.Combine(RunDir(dir, b), SeriesFile)).Where(File.Exists).Select(Load)];

    /// <summary>dir/betaβ1: one run folder per β1.</summary>
    public static string RunDir(string dir, double beta1) => Path.Combine(dir, "beta" + beta1.ToString("0.###", CultureInfo.InvariantCulture));

    private static UpdateRmsSeries Load(string file)
    {
        try { return JsonSerializer.Deserialize<UpdateRmsSeries>(File.ReadAllText(file)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new InvalidDataException($"{file} is not a finished update-RMS series ({e.Message}); delete its run folder and rerun."); }
    }

    /// <summary>Per monitored step, sqrt(Σ n·rms²/Σ n) of the update over the weight matrices, divided by the learning rate.</summary>
    private sealed class UpdateRmsMeter(double lr) : ITrainingObserver
    {
        public List<UpdateRmsStep> Points { get; } = [];

        public void OnMonitor(MonitorRecord record)
        {
            double sum = 0, n = 0;
            foreach (var p in record.Parameters.Where(p => p.IsMatrix))
            {
                double size = (double)p.FanIn * p.FanOut;
                sum += size * p.UpdateRms * p.UpdateRms;
                n += size;
            }
            Points.Add(new UpdateRmsStep(record.Step, Math.Sqrt(sum / n) / lr));
        }
    }
}
