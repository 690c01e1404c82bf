using MuSharp.Diagnostics;
using MuSharp.Experiments;
using MuSharp.Scaling;
using MuSharp.Training;
using Xunit.Abstractions;

namespace MuSharp.Tests.Diagnostics;

/// <summary>
/// The coordinate check's depth axis (theory §10): slopes of the last block's residual stream against L at a fixed
/// width. Without a depth rule each added block adds its own change, so the stream's change after a few Adam steps
/// grows with L; CompleteP's branch multiplier m_L^{−1} holds it flat.
/// </summary>
public sealed class CoordDepthTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-coorddepth-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private CoordCase Check(string depth)
    {
        var o = new CoordCheckOptions
        {
            Depths = [2, 4, 8], Seeds = 2, Steps = 3, Parametrizations = [ParametrizationKind.Mup], Optimizers = [OptimizerKind.AdamW],
            Out = Path.Combine(dir, depth), Tolerance = 0.15,
            Overrides = [("task", "gpt"), ("dataset", "synthetic"), ("d-model", "32"), ("heads", "2"), ("context-length", "16"), ("batch-size", "8"),
                ("depth", depth), ("lr", "0.01")],
        };
        var c = CoordCheckRun.Run(o, output.WriteLine).Single();
        return c;
    }

    [Fact]
    public void WithCompletePTheStacksChangeIsFlatInDepthAndWithoutARuleItGrows()
    {
        var none = Check("none");
        var complete = Check("complete");
        CoordSlope Slope(CoordCase c) => c.Slopes.Single(s => s.Module == "blockLast" && s.Metric == CoordMetric.Change && s.Step == 3);
        output.WriteLine($"blockLast change slope vs L at t=3: none {Slope(none).Slope:0.000}, complete {Slope(complete).Slope:0.000}");
        Assert.True(Slope(none).Slope > 0.3, $"without a depth rule the change should grow with L, slope {Slope(none).Slope:0.000}");
        Assert.True(Math.Abs(Slope(complete).Slope) < 0.15, $"CompleteP should hold it flat, slope {Slope(complete).Slope:0.000}");
        Assert.True(Slope(none).Slope - Slope(complete).Slope > 0.3);
    }
}
