using System.Globalization;
using MuSharp.BatchScaling;
using MuSharp.Training;
using MuSharp.Optim;

namespace MuSharp.Experiments;

/// <summary>Adam's update RMS over the first steps of one real training run, for one β1.</summary>
public sealed record UpdateRmsSeries(double Beta1, IReadOnlyList<(long Step, double Rms)> Points)
{
    /// <summary>Theory §6 with no signal: sqrt((1−β1)/(1+β1)).</summary>
    public double Predicted => AdamUpdateRms.Predicted(Beta1, 0);

    /// <summary>Mean measured RMS over steps (from, to], the window the closing figures quote.</summary>
    public double MeanOver(long from, long to) => Points.Where(p => p.Step > from && p.Step <= to).Select(p => p.Rms).DefaultIfEmpty(double.NaN).Average();
}

/// <summary>
/// Theory §6 on a real model: trains the MLP with Adam (no weight decay, constant lr, one lr scale) for several β1,
/// monitoring every step, and reads the update RMS u = ΔW/η over all weight matrices from monitors.csv. At the start
/// of training the gradient is mostly noise, so u_RMS should sit near sqrt((1−β1)/(1+β1)); the gap is the signal,
/// inverted by <see cref="AdamUpdateRms.InverseSnr"/> into ‖μ‖²/‖σ‖². Runs are kept: a finished β1 is not rerun.
/// </summary>
public static class UpdateRmsExperiment
{
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
                Name = Path.GetFileName(runDir), Optimizer = OptimizerKind.AdamW, Beta1 = (float)beta1, WeightDecay = 0, Parametrization = null,
                Decay = DecayKind.Constant, WarmupSteps = 0, Steps = steps, MonitorEvery = 1, NoiseEvery = 0, TargetLoss = null,
                EvalEvery = steps, EvalGrowth = 0, CheckpointEvery = steps, LogEvery = Math.Max(1, steps / 10),
            };
            if (!File.Exists(Path.Combine(runDir, "final.json")))
            {
                log.WriteLine($"update RMS: Adam β1 {beta1} for {steps} steps → {runDir}");
                Train.Run(config, runDir, resume: false, ProgressView.Silent());
            }
            series.Add(new UpdateRmsSeries(beta1, Read(Path.Combine(runDir, MonitorsCsv.FileName), config.Lr)));
        }
        return series;
    }

    /// <summary>The series of the runs <see cref="Run"/> already finished in <paramref name="dir"/>, without training.</summary>
    public static IReadOnlyList<UpdateRmsSeries> ReadFinished(string dir, IReadOnlyList<double> betas, double lr) =>
        [.. betas.Select(b => (b, path: Path.Combine(RunDir(dir, b), MonitorsCsv.FileName))).Where(x => File.Exists(x.path))
            .Select(x => new UpdateRmsSeries(x.b, Read(x.path, lr)))];

    /// <summary>dir/betaβ1: one run folder per β1.</summary>
    public static string RunDir(string dir, double beta1) => Path.Combine(dir, "beta" + beta1.ToString("0.###", CultureInfo.InvariantCulture));

    /// <summary>Per step, sqrt(Σ n·rms²/Σ n) over the weight matrices of monitors.csv, divided by the learning rate.</summary>
    public static IReadOnlyList<(long Step, double Rms)> Read(string monitorsCsv, double lr)
    {
        if (!File.Exists(monitorsCsv)) throw new FileNotFoundException($"{monitorsCsv} is missing; delete its run folder and rerun to measure it again.", monitorsCsv);
        var inv = CultureInfo.InvariantCulture;
        var points = new List<(long, double)>();
        // Columns: step,name,role,fan_in,fan_out,weight_rms,update_rms,...; a matrix has a spectral cell (column 8).
        foreach (var step in File.ReadLines(monitorsCsv).Skip(1).Select(l => l.Split(',')).Where(c => c.Length >= 9 && c[7].Length > 0)
                     .GroupBy(c => long.Parse(c[0], inv)))
        {
            double sum = 0, n = 0;
            foreach (var c in step)
            {
                double size = double.Parse(c[3], inv) * double.Parse(c[4], inv), rms = double.Parse(c[6], inv);
                sum += size * rms * rms;
                n += size;
            }
            points.Add((step.Key, Math.Sqrt(sum / n) / lr));
        }
        return points;
    }
}
