using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

// Shapes: logits are [N, V] after flattening the leading axes; targets has N class indices.
public class LossTests
{
    // Double reference: mean over rows of log Σ exp(x) − x[target], max-shifted.
    private static double[] CrossEntropyRef(double[] x, int v, int[] targets)
    {
        int n = x.Length / v;
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 0; j < v; j++) max = Math.Max(max, x[r * v + j]);
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.Exp(x[r * v + j] - max);
            total += max + Math.Log(sum) - x[r * v + targets[r]];
        }
        return [total / n];
    }

    private static double[] MseRef(double[] p, double[] t)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++) s += (p[i] - t[i]) * (p[i] - t[i]);
        return [s / p.Length];
    }

    [Fact]
    public void CrossEntropyGradientsMatchFiniteDifferences()
    {
        var logits = GradCheck.Input(21, 2f, 2, 3, 7); // [B, T, V]
        int[] targets = [0, 6, 3, 3, 1, 5];
        GradCheck.Check(x => Ops.CrossEntropy(x[0], targets), x => CrossEntropyRef(x[0], 7, targets), [logits]);
        Assert.Equal(new[] { 1 }, Ops.CrossEntropy(logits, targets).Shape);
    }

    [Fact]
    public void CrossEntropyIsStableForLogitsOfMagnitude1e4()
    {
        var rng = new Rng(22);
        var data = new float[4 * 6];
        for (int i = 0; i < data.Length; i++) data[i] = (rng.NextInt(2) == 0 ? -1e4f : 1e4f) + (float)rng.NextNormal();
        var logits = new Tensor(data, [4, 6], requiresGrad: true);
        int[] targets = [0, 2, 5, 3];
        var loss = Ops.CrossEntropy(logits, targets);
        Assert.True(float.IsFinite(loss.Item()), $"loss {loss.Item()}");
        double expected = CrossEntropyRef(data.Select(f => (double)f).ToArray(), 6, targets)[0];
        Assert.Equal(expected, loss.Item(), Math.Abs(expected) * 1e-6);
        GradCheck.Check(x => Ops.CrossEntropy(x[0], targets), x => CrossEntropyRef(x[0], 6, targets), [logits]);
        Assert.All(logits.Grad!, g => Assert.True(float.IsFinite(g), $"gradient {g}"));
    }

    [Fact]
    public void CrossEntropyGradientIsSoftmaxMinusOneHotOverN()
    {
        var logits = GradCheck.Input(23, 1f, 3, 4);
        int[] targets = [1, 0, 3];
        Ops.CrossEntropy(logits, targets).Backward();
        var p = SoftmaxTests.Ref(logits.Data.Select(f => (double)f).ToArray(), 4, log: false);
        for (int i = 0; i < 12; i++)
            Assert.Equal((p[i] - (i % 4 == targets[i / 4] ? 1 : 0)) / 3, logits.Grad![i], 1e-6);
    }

    [Fact]
    public void CrossEntropyRejectsWrongTargetCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Tensor.Zeros(2, 3, 5), [0, 1, 2]));
        Assert.Contains("CrossEntropy", ex.Message);
        Assert.Contains("length 3", ex.Message);
        Assert.Contains("[2, 3, 5]", ex.Message);
        Assert.Contains("6 rows", ex.Message);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    public void CrossEntropyRejectsOutOfRangeTargets(int bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.CrossEntropy(Tensor.Zeros(3, 5), [0, bad, 4]));
        Assert.Contains("CrossEntropy", ex.Message);
        Assert.Contains($"targets[1] = {bad}", ex.Message);
        Assert.Contains("V = 5", ex.Message);
    }

    [Fact]
    public void MseGradientsMatchFiniteDifferences()
    {
        var p = GradCheck.Input(24, 1f, 3, 5);
        var t = GradCheck.Input(25, 1f, 3, 5);
        GradCheck.Check(x => Ops.Mse(x[0], x[1]), x => MseRef(x[0], x[1]), [p, t]);
    }

    [Fact]
    public void MseWithConstantTargetOnlyDifferentiatesPrediction()
    {
        var p = GradCheck.Input(26, 1f, 2, 2, 3);
        var t = Tensor.Randn(new Rng(27), 1f, 2, 2, 3);
        GradCheck.Check(x => Ops.Mse(x[0], x[1]), x => MseRef(x[0], x[1]), [p, t]);
        Assert.Null(t.Grad);
    }

    [Fact]
    public void MseShapeMismatchNamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Mse(Tensor.Zeros(3, 4), Tensor.Zeros(4, 3)));
        Assert.Contains("Mse", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
    }
}
