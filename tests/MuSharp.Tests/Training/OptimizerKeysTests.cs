using System.Globalization;
using MuSharp.Optim;
using MuSharp.Spectral;
using MuSharp.Tests.Cli;
using MuSharp.Training;

namespace MuSharp.Tests.Training;

/// <summary>The Muon-variant keys of <see cref="TrainConfig"/> (theory §12): what they build, what they refuse, and QK-Clip and the weight-RMS law in the loop.</summary>
public sealed class OptimizerKeysTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-optkeys-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static TrainConfig Gpt(int steps, params (string, string)[] extra) => TrainRunTests.TinyGpt(steps, extra);

    private static double D(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public void NorMuonKeysReachTheOptimizer()
    {
        var config = Gpt(2, ("optimizer", "normuon"), ("lr", "0.02"), ("momentum", "0.9"), ("nesterov", "true"), ("nor-muon-beta2", "0.8"),
            ("ns-prescaling", "aol"), ("gram-newton-schulz", "true"), ("cautious-weight-decay", "true"), ("weight-decay", "0.1"));
        var task = TrainingTasks.Create(config);
        var grouped = Assert.IsType<GroupedOptimizer>(config.MakeOptimizer(task.Model.Parameters()));
        var nor = Assert.IsType<NorMuon>(grouped.Groups[0].Optimizer);
        Assert.Equal((0.9f, 0.8f, true, NsPrescaling.Aol, true, true, 0.1f),
            (nor.Config.Momentum, nor.Config.Beta2, nor.Config.Nesterov, nor.Config.Prescaling, nor.Config.GramNewtonSchulz, nor.Config.CautiousWeightDecay, nor.Config.WeightDecay));
        Assert.IsType<CautiousAdamW>(grouped.Groups[1].Optimizer);                       // every decay of the run is cautious
        Assert.Equal(MuSharp.Scaling.OptimizerFamily.Muon, config.Family);
        Assert.Null(config.WeightRmsLawDecay);
    }

    [Fact]
    public void MuonTakesPrescalingGramAndCautiousDecay()
    {
        var config = Gpt(2, ("optimizer", "muon"), ("lr", "0.02"), ("ns-prescaling", "spectral"), ("gram-newton-schulz", "true"), ("cautious-weight-decay", "true"));
        var grouped = Assert.IsType<GroupedOptimizer>(config.MakeOptimizer(TrainingTasks.Create(config).Model.Parameters()));
        var muon = Assert.IsType<Muon>(grouped.Groups[0].Optimizer);
        Assert.Equal((NsPrescaling.Spectral, true, true), (muon.Config.Prescaling, muon.Config.GramNewtonSchulz, muon.Config.CautiousWeightDecay));
        Assert.IsType<AdamW>(Assert.IsType<GroupedOptimizer>(Gpt(2, ("optimizer", "muon"), ("lr", "0.02")).MakeOptimizer(TrainingTasks.Create(config).Model.Parameters())).Groups[1].Optimizer);
    }

    [Fact]
    public void AdamWWithCautiousDecayIsCautiousAdamWAndLeavesTheLaw()
    {
        var plain = TrainRunTests.TinyMlp(2, "0.01", ("optimizer", "adamw"), ("weight-decay", "0.1"));
        Assert.IsType<AdamW>(plain.MakeOptimizer([]));
        Assert.Equal(0.1f, plain.WeightRmsLawDecay);
        Assert.Equal(0.1f, plain.Loop().WeightRmsLawDecay);
        var cautious = TrainRunTests.TinyMlp(2, "0.01", ("optimizer", "adamw"), ("weight-decay", "0.1"), ("cautious-weight-decay", "true"));
        var opt = Assert.IsType<CautiousAdamW>(cautious.MakeOptimizer([]));
        Assert.Equal(0.1f, opt.WeightDecay);
        Assert.Null(cautious.WeightRmsLawDecay);
        Assert.Null(TrainRunTests.TinyMlp(2).WeightRmsLawDecay);                         // SGD: no law
    }

    [Theory]
    [InlineData("nsPrescaling", "ns-prescaling", "aol", "adamw")]
    [InlineData("gramNewtonSchulz", "gram-newton-schulz", "true", "sgd")]
    [InlineData("cautiousWeightDecay", "cautious-weight-decay", "true", "lion")]
    [InlineData("norMuonBeta2", "nor-muon-beta2", "1", "normuon")]
    [InlineData("qkClipTau", "qk-clip-tau", "-1", "adamw")]
    public void BadCombinationsNameTheKey(string key, string option, string value, string optimizer)
    {
        // Range errors name the option as it was given (--qk-clip-tau); combination errors name the config key.
        var ex = Assert.Throws<ArgumentException>(() => Gpt(2, ("optimizer", optimizer), (option, value)));
        Assert.True(ex.Message.Contains(key, StringComparison.Ordinal) || ex.Message.Contains("--" + option, StringComparison.Ordinal), ex.Message);
    }

    [Fact]
    public void QkClipNeedsTheGptAndPrescalingNamesItsValues()
    {
        var mlp = Assert.Throws<ArgumentException>(() => TrainRunTests.TinyMlp(2, "0.1", ("qk-clip-tau", "10")));
        Assert.Contains("qkClipTau", mlp.Message, StringComparison.Ordinal);
        var bad = Assert.Throws<ArgumentException>(() => Gpt(2, ("optimizer", "muon"), ("ns-prescaling", "cubic")));
        Assert.Contains("--ns-prescaling", bad.Message, StringComparison.Ordinal);
        Assert.Contains("aol", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NorMuonTrainsTheTinyGpt()
    {
        var config = Gpt(30, ("optimizer", "normuon"), ("lr", "0.02"), ("momentum", "0.95"), ("nesterov", "true"), ("eval-every", "30"));
        var result = Train.Run(config, Path.Combine(root, "normuon"), resume: false, evaluateAtStart: true);
        Assert.True(result.Final!.Loss < result.Initial!.Loss - 0.3, $"NorMuon: validation loss {result.Initial.Loss:F3} → {result.Final.Loss:F3}");
    }

    // τ below the tiny model's logits: every step clips, so after the run no head of the last batch exceeds τ, while the
    // max_logit column (measured before each clip) is filled on query rows only and mostly above τ.
    [Fact]
    public void QkClipHoldsTheLastBatchAtTauAndRecordsTheMaxLogit()
    {
        const double tau = 0.05;
        GptTask? task = null;
        var config = Gpt(8, ("optimizer", "muon"), ("lr", "0.02"), ("qk-clip-tau", "0.05"), ("monitor-every", "2"));
        string dir = Path.Combine(root, "qkclip");
        Train.Run(config, dir, resume: false, tasks: c => task = new GptTask(c));
        var after = task!.AfterStep();                                                   // re-measures the last batch at the final weights
        Assert.Equal(2, after.Count);
        Assert.All(after.Values, m => Assert.True(m <= tau * (1 + 1e-4), $"max logit {m} above τ {tau} after the clip"));

        var rows = File.ReadAllLines(Path.Combine(dir, MonitorsCsv.FileName)).Skip(1).Select(l => l.Split(',')).ToArray();
        var query = rows.Where(r => after.ContainsKey(r[1])).ToArray();
        Assert.Equal(2, query.Select(r => r[1]).Distinct().Count());
        Assert.All(query, r => Assert.True(double.IsFinite(D(r[11]))));
        Assert.True(query.Count(r => D(r[11]) > tau) >= query.Length / 2, "the clip never had anything to do");
        Assert.All(rows.Except(query), r => Assert.Equal("", r[11]));
    }

    [Fact]
    public void NoClipLeavesTheWeightsAndTheColumnAlone()
    {
        GptTask? task = null;
        string dir = Path.Combine(root, "noclip");
        Train.Run(Gpt(2, ("monitor-every", "1")), dir, resume: false, tasks: c => task = new GptTask(c));
        Assert.Empty(task!.AfterStep());
        Assert.All(File.ReadAllLines(Path.Combine(dir, MonitorsCsv.FileName)).Skip(1), l => Assert.Equal("", l.Split(',')[11]));
    }

    // The law starts from the measured RMS and follows AdamW's recurrence; a resumed run continues it bit for bit.
    [Fact]
    public void WeightRmsLawColumnFollowsAdamWAndSurvivesAResume()
    {
        var config = TrainRunTests.TinyMlp(10, "0.01", ("optimizer", "adamw"), ("weight-decay", "0.5"), ("monitor-every", "2"));
        string full = Path.Combine(root, "law-full"), crashed = Path.Combine(root, "law-crashed");
        Train.Run(config, full, resume: false);
        Train.Run(config, crashed, resume: false, haltAfterStep: 6);
        Train.Run(config, crashed, resume: true);
        string[][] Rows(string d) => [.. File.ReadAllLines(Path.Combine(d, MonitorsCsv.FileName)).Skip(1).Select(l => l.Split(','))];
        var expected = Rows(full);
        Assert.Equal(expected.Select(r => r[10]), Rows(crashed).Select(r => r[10]));
        foreach (var r in expected.Where(r => r[2] != "vector"))
        {
            double measured = D(r[5]), predicted = D(r[10]);
            Assert.InRange(predicted / measured, 0.8, 1.25);
        }
    }
}
