using MuSharp.Diagnostics;
using MuSharp.Experiments;
using MuSharp.Scaling;
using MuSharp.Training;
using Xunit.Abstractions;

namespace MuSharp.Tests.Training;

/// <summary>Coordinate-check predictions for the GPT's matrices (weights at init, Adam updates), against a real check.</summary>
public sealed class GptCoordPredictionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-gptcoord-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private CoordCheckOptions Options(ParametrizationKind kind) => new()
    {
        Widths = [32, 64, 128], Seeds = 1, Steps = 2, Parametrizations = [kind], Optimizers = [OptimizerKind.AdamW], Spectral = true,
        Overrides = [("task", "gpt"), ("dataset", "synthetic"), ("layers", "1"), ("heads", "2"), ("context-length", "16"), ("batch-size", "4")],
        Out = Path.Combine(root, kind.ToString()),
    };

    [Theory]
    [InlineData(ParametrizationKind.Standard, 1.0)]
    [InlineData(ParametrizationKind.Mup, 0.0)]
    public void HiddenUpdatesFollowThePrediction(ParametrizationKind kind, double hiddenUpdateSlope)
    {
        var c = CoordCheckRun.Run(Options(kind), output.WriteLine).Single();
        var hidden = c.Predicted.Where(v => v.Module.Contains(".attn.", StringComparison.Ordinal) && v.Metric == CoordMetric.Update && v.Step == 2).ToList();
        Assert.Equal(4, hidden.Count);                                                    // q, k, v, proj
        Assert.All(hidden, v => Assert.Equal(hiddenUpdateSlope, v.Predicted, 1e-9));
        Assert.All(hidden, v => Assert.True(v.Agrees, $"{v.Module}: measured {v.Measured:F3} vs predicted {v.Predicted:F3}"));
        var weights = c.Predicted.Where(v => v.Metric == CoordMetric.Weight && v.Step == 0).ToList();
        Assert.NotEmpty(weights);
        Assert.All(weights, v => Assert.NotEqual("no prediction", v.Verdict));
        Assert.DoesNotContain(c.Predicted, v => v.Metric == CoordMetric.Update && v.Module.StartsWith("tok", StringComparison.Ordinal) && v.Verdict != "no prediction");
        // The verdict table shows the prediction beside the measurement for the GPT's matrices too.
        Assert.Contains(CoordCheckRun.VerdictTable(c, 0.1), l => l.Contains(".attn.", StringComparison.Ordinal) && (l.EndsWith("matches", StringComparison.Ordinal) || l.EndsWith("flat", StringComparison.Ordinal)));
    }
}
