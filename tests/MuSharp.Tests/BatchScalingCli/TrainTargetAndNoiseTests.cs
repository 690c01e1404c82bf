using MuSharp.Cli.Experiments;
using MuSharp.Tests.Cli;
using MuSharp.Training;

namespace MuSharp.Tests.BatchScalingCli;

/// <summary>The training-loop features batch-scaling sweeps rely on: chunked backward, noise.csv, target loss, patience, geometric evaluation.</summary>
public sealed class TrainTargetAndNoiseTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-bstrain-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("mlp")]
    [InlineData("gpt")]
    public void ChunkedBackwardLeavesTheBatchGradientAndChunkGradientsThatAverageToIt(string kind)
    {
        var config = kind == "mlp" ? TrainRunTests.TinyMlp(1) : TrainRunTests.TinyGpt(1);
        // Two tasks from the same seed see the same first batch: one back-propagates it whole, one in 4 chunks.
        var whole = TrainingTasks.Create(config);
        var chunked = TrainingTasks.Create(config);
        var loss = whole.NextLoss();
        loss.Backward();
        var (chunkLoss, estimate, _) = ChunkedBackward.Run(chunked, 4, config.BatchSize);

        Assert.Equal(loss.Item(), chunkLoss, 1e-5);
        var a = whole.Model.Parameters().ToList();
        var b = chunked.Model.Parameters().ToList();
        for (int i = 0; i < a.Count; i++)
            for (int j = 0; j < a[i].Size; j++)
                Assert.True(Math.Abs(a[i].Grad![j] - b[i].Grad![j]) <= 1e-5 + 1e-4 * Math.Abs(a[i].Grad![j]),
                    $"{a[i].Name}[{j}]: whole {a[i].Grad![j]} vs chunked {b[i].Grad![j]}");
        // A small batch of a fresh model has real signal and real noise: both estimates are finite and tr(Σ) > 0.
        Assert.True(double.IsFinite(estimate.GradNormSq));
        Assert.True(estimate.TraceSigma > 0, $"tr(Σ) estimate {estimate.TraceSigma}");
    }

    [Fact]
    public void FiniteDifferenceHessianVectorProductIsSymmetricAndMatchesTheLossCurvature()
    {
        var config = TrainRunTests.TinyMlp(1);
        var task = TrainingTasks.Create(config);
        var parameters = task.Model.Parameters().ToList();
        int size = parameters.Sum(p => p.Size);
        var losses = task.NextLossChunks(2);
        var rng = new Rng(5);
        float[] Unit()
        {
            var v = new float[size];
            for (int i = 0; i < size; i++) v[i] = (float)rng.NextNormal();
            float norm = MathF.Sqrt(v.Sum(x => x * x));
            return [.. v.Select(x => x / norm)];
        }
        var u = Unit();
        var v = Unit();
        var hu = ChunkedBackward.HessianVectorProduct(parameters, size, losses, u);
        var hv = ChunkedBackward.HessianVectorProduct(parameters, size, losses, v);
        double Dot(float[] a, float[] b) => a.Zip(b).Sum(x => (double)x.First * x.Second);
        // A Hessian is symmetric: uᵀ(Hv) = vᵀ(Hu), up to the float32 finite-difference error.
        Assert.True(Math.Abs(Dot(u, hv) - Dot(v, hu)) <= 0.05 * Math.Sqrt(Math.Abs(Dot(u, hu) * Dot(v, hv))) + 1e-4,
            $"uᵀHv {Dot(u, hv)} vs vᵀHu {Dot(v, hu)}");

        // vᵀHv against an independent oracle: the second difference of the loss itself along v, in double. Along the
        // gradient the curvature is large enough for float32 losses (a random direction's is ~0.01, lost in kinks).
        foreach (var chunk in losses()) (chunk * 0.5f).Backward();
        var g = parameters.SelectMany(p => p.Grad!.Take(p.Size)).ToArray();
        float gNorm = MathF.Sqrt(g.Sum(x => x * x));
        v = [.. g.Select(x => x / gNorm)];
        hv = ChunkedBackward.HessianVectorProduct(parameters, size, losses, v);
        var w = parameters.SelectMany(p => p.Data).ToArray();
        double LossAt(double t)
        {
            int o = 0;
            foreach (var p in parameters) for (int i = 0; i < p.Size; i++, o++) p.Data[i] = (float)(w[o] + t * v[o]);
            using var _ = Tape.NoGrad();
            return losses().Average(l => (double)l.Item());
        }
        const double h = 0.01;
        double second = (LossAt(h) - 2 * LossAt(0) + LossAt(-h)) / (h * h);
        LossAt(0);
        Assert.True(Math.Abs(Dot(v, hv) - second) <= 0.1 * Math.Abs(second) + 1e-3, $"vᵀHv {Dot(v, hv)} vs loss curvature {second}");
    }

    [Fact]
    public void HessianNoiseMeasurementKeepsTheBatchGradientAndWritesBNoise()
    {
        var config = TrainRunTests.TinyMlp(1);
        var whole = TrainingTasks.Create(config);
        var measured = TrainingTasks.Create(config);
        whole.NextLoss().Backward();
        var (_, _, hessian) = ChunkedBackward.Run(measured, 4, config.BatchSize, hessian: true);
        Assert.NotNull(hessian);
        Assert.True(double.IsFinite(hessian.Value.BNoise) && hessian.Value.TraceSigmaH > 0, $"tr(ΣH) {hessian.Value.TraceSigmaH}, gᵀHg {hessian.Value.GHG}");
        // The perturbed passes leave the weights and the batch gradient as they were.
        var a = whole.Model.Parameters().ToList();
        var b = measured.Model.Parameters().ToList();
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Data, b[i].Data);
            for (int j = 0; j < a[i].Size; j++)
                Assert.True(Math.Abs(a[i].Grad![j] - b[i].Grad![j]) <= 1e-5 + 1e-4 * Math.Abs(a[i].Grad![j]), $"{a[i].Name}[{j}]");
        }

        var run = TrainRunTests.TinyMlp(8, "0.1", ("noise-every", "2"), ("noise-hessian", "true"));
        var recorder = new TrialRecorder();
        Train.Run(run, Path.Combine(root, "h"), resume: false, [recorder]);
        var rows = recorder.Noise;
        Assert.Equal(5, File.ReadAllLines(Path.Combine(root, "h", NoiseCsv.FileName)).Length); // the sink: header + 4 rows
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, r => double.IsFinite(r.BNoise));
    }

    [Fact]
    public void TargetLossStopsTheRunAtTheFirstEvaluationBelowIt()
    {
        var config = TrainRunTests.TinyMlp(400, "0.1", ("eval-every", "1000"), ("eval-growth", "1.1"), ("target-loss", "0.6"),
            ("noise-every", "2"), ("noise-chunks", "4"), ("eval-batches", "1"));
        var recorder = new TrialRecorder();
        var result = Train.Run(config, Path.Combine(root, "t"), resume: false, [recorder]);
        Assert.True(result.Completed);
        var evals = File.ReadLines(Path.Combine(root, "t", Train.MetricsFile)).Skip(1).Select(l => l.Split(','))
            .Where(c => c[3].Length > 0).Select(c => (Step: long.Parse(c[0]), Loss: double.Parse(c[3], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.True(result.Steps < 400, $"ran all {result.Steps} steps");
        Assert.Equal(result.Steps, evals[^1].Step);
        Assert.True(evals[^1].Loss <= 0.6);
        Assert.All(evals.SkipLast(1), e => Assert.True(e.Loss > 0.6));
        // Geometric schedule: each evaluation comes at most ⌈1.1·previous⌉ steps after the start.
        for (int i = 1; i < evals.Count; i++)
            Assert.True(evals[i].Step <= Math.Max(evals[i - 1].Step + 1, (long)Math.Ceiling(evals[i - 1].Step * 1.1)), $"gap after step {evals[i - 1].Step}");

        var noise = recorder.Noise;
        Assert.Equal(result.Steps / 2, noise.Count);
        Assert.All(noise, n => Assert.Equal(0, n.Step % 2));
        Assert.Contains(noise, n => double.IsFinite(n.BSimple) && n.BSimple > 0);
    }

    [Fact]
    public void PatienceStopsARunThatNoLongerImproves()
    {
        // lr 1e-12 moves no float32 weight, so the loss never improves: the run stops after the first evaluation plus `patience` more.
        var config = TrainRunTests.TinyMlp(500, "1e-12", ("eval-every", "1000"), ("eval-growth", "1.2"), ("patience", "3"), ("eval-batches", "1"));
        var result = Train.Run(config, Path.Combine(root, "p"), resume: false);
        Assert.True(result.Completed);
        Assert.Equal(4, result.Steps); // evaluations at steps 1, 2, 3, 4: the first sets the best, three more without improvement
    }

    [Theory]
    [InlineData("eval-growth", "1", "--eval-growth")]
    [InlineData("target-loss", "-1", "--target-loss")]
    [InlineData("patience", "-2", "--patience")]
    [InlineData("noise-chunks", "5", "noiseChunks")]
    public void BadBatchScalingKeysAreOneLineConfigErrors(string key, string value, string named)
    {
        var e = Assert.Throws<ArgumentException>(() => TrainRunTests.TinyMlp(10, "0.1", ("noise-every", "1"), (key, value)));
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
