using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

/// <summary>
/// Ops that write a parent's gradient whole assign it when the parent has none yet (no zeroed buffer, β = 0) and add
/// to it otherwise. An input used twice by the same op gets both paths, once each: its gradient must be twice that of
/// one use. Exactly, for the ops that add their contribution in one pass (the two contributions are the same floats,
/// and x + x = 2x is exact); to rounding for the norms, which add theirs in three passes.
/// </summary>
public class FreshGradientTests
{
    public static TheoryData<string> Ops() => ["Linear", "GeluLinear", "LayerNorm", "RmsNorm", "Add"];

    [Theory]
    [MemberData(nameof(Ops))]
    public void TwoUsesGiveTwiceTheGradientOfOne(string op)
    {
        var once = Gradient(op, uses: 1);
        var twice = Gradient(op, uses: 2);
        if (!op.EndsWith("Norm", StringComparison.Ordinal))
        {
            Assert.Equal(once.Select(g => 2f * g), twice);
            return;
        }
        for (int i = 0; i < once.Length; i++)
            Assert.True(Math.Abs(twice[i] - 2f * once[i]) <= 1e-5f * (1f + Math.Abs(2f * once[i])), $"[{i}]: {twice[i]} vs 2 × {once[i]}");
    }

    private static float[] Gradient(string op, int uses)
    {
        const int rows = 600, c = 256; // large enough to run the chunked passes in several chunks
        var x = GradCheck.Input(1, 1f, rows, c);
        var w = GradCheck.Input(2, 0.1f, c, 64);
        var gain = GradCheck.Input(3, 1f, c);
        var bias = GradCheck.Input(4, 1f, c);
        var other = GradCheck.Input(5, 1f, rows, c);
        Tensor Apply() => op switch
        {
            "Linear" => MuSharp.Ops.Linear(x, w, null),
            "GeluLinear" => MuSharp.Ops.GeluLinear(x, w, null),
            "LayerNorm" => MuSharp.Ops.LayerNorm(x, gain, bias),
            "RmsNorm" => MuSharp.Ops.RmsNorm(x, gain),
            _ => MuSharp.Ops.Add(x, other),
        };
        var outputs = Enumerable.Range(0, uses).Select(_ => Apply()).ToArray();
        var y = outputs.Length == 1 ? outputs[0] : MuSharp.Ops.Concat(outputs, axis: 0);
        var dy = new float[y.Size];
        for (int u = 0; u < uses; u++) new Rng(6).FillNormal(dy.AsSpan(u * outputs[0].Size, outputs[0].Size), 0f, 1f);
        Tape.Backward(y, dy);
        return x.Grad!;
    }
}
