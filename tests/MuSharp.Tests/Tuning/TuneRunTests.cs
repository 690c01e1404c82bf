using MuSharp.Experiments;
using MuSharp.Reports;
using MuSharp.Sweeps;

namespace MuSharp.Tests.Tuning;

/// <summary>The four stages end to end on blobs, in process: stored, resumable, the choice the proxy's best, the ledger's ratio.</summary>
public sealed class TuneRunTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-tunerun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void StagesRunTheChoiceIsTheProxyOptimumAndARerunTrainsNothing()
    {
        var plan = TuneConfig.Load(TuneFiles.Write(dir, "t", TuneFiles.LrGrid));
        var result = Tune.Run(plan, new TuneOptions { Verify = true });
        Assert.NotNull(result);
        Assert.Equal(12, result.Proxy.Count);
        Assert.All(result.Proxy, t => Assert.NotEqual(TrialStatus.Failed, t.Status));
        foreach (var choice in result.Choices)
        {
            var best = result.Proxy.Where(t => t.Parametrization == choice.Parametrization).MinBy(t => t.Score)!;
            Assert.Equal(best.Score, choice.ProxyLoss);
            Assert.Equal(best.Values["lr"], choice.TargetValues["lr"]);
        }
        Assert.Equal(4, result.Target.Count);
        Assert.All(result.Target, t => Assert.NotEmpty(t.Curve));
        Assert.All(result.Target, t => Assert.Equal(result.Choices.Single(c => c.Parametrization == t.Parametrization).TargetValues["lr"], t.Lr, 6));
        Assert.Equal(2 * 2 * 4, result.Verify.Count);
        Assert.Equal(5, TuneText.VerifyCurve(result, "mup").Count);

        // Same steps and batch: a same-size search at the target costs the FLOP ratio of one target run to one proxy run.
        var ledger = result.Ledger.Where(r => r.Parametrization == "mup").ToDictionary(r => r.What);
        Assert.Equal(6, ledger["proxy search"].Runs);
        Assert.Equal(ledger["one target run"].Flops * 6, ledger["same-size search at the target"].Flops, 6);
        Assert.True(ledger["proxy search"].Flops < ledger["same-size search at the target"].Flops / 5);

        var lines = TuneText.Lines(result);
        Assert.Contains(lines, l => l.Contains("μP-transferred vs SP-transferred", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("of a same-size search at the target", StringComparison.Ordinal));

        var again = Tune.Run(plan, new TuneOptions { Verify = true })!;
        Assert.Equal(result.Target.Select(t => t.Loss), again.Target.Select(t => t.Loss));
        using (var store = SweepStore.OpenExisting(plan.Db(Tune.ProxyStage)))
            Assert.All(store.Trials(), r => Assert.Equal(1, r.Attempts));

        var sections = TuneSections.Build(result);
        Assert.Equal(["tune-search", "tune-target", "tune-ledger"], sections.Select(s => s.Id));
        Assert.Equal([TuneSections.CurvesFigure, TuneSections.VerifyFigure], sections[1].Figures.Select(f => f.Name));
        Assert.Contains("same-size search at the target (estimated)", sections[2].TrailingHtml, StringComparison.Ordinal);
    }
}
