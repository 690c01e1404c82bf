using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

// Shapes: table is [V, C]; ids has N entries; the output is [N, C].
public class EmbeddingTests
{
    private static double[] Ref(double[] table, int c, int[] ids) =>
        ids.SelectMany(id => table.Skip(id * c).Take(c)).ToArray();

    [Fact]
    public void GradientsMatchFiniteDifferencesWithRepeatedIds()
    {
        var table = GradCheck.Input(41, 1f, 5, 3);
        int[] ids = [1, 4, 1, 0, 1];
        GradCheck.Check(t => Ops.Embedding(t[0], ids), t => Ref(t[0], 3, ids), [table]);
        Assert.Equal(new[] { 5, 3 }, Ops.Embedding(table, ids).Shape);
    }

    [Fact]
    public void RepeatedIdsAccumulateAndUnusedRowsGetZero()
    {
        var table = GradCheck.Input(42, 1f, 4, 2);
        var y = Ops.Embedding(table, [2, 2, 2, 0]);
        Tape.Backward(y, [1, 10, 1, 10, 1, 10, 5, 7]);
        Assert.Equal(new float[] { 5, 7, 0, 0, 3, 30, 0, 0 }, table.Grad);
    }

    [Fact]
    public void IdsAreCopied()
    {
        var table = GradCheck.Input(43, 1f, 3, 2);
        int[] ids = [0, 1];
        var y = Ops.Embedding(table, ids);
        ids[0] = 2;
        Tape.Backward(y, [1, 1, 1, 1]);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0 }, table.Grad);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-2)]
    public void OutOfRangeIdIsRejected(int bad)
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Embedding(Tensor.Zeros(5, 3), [0, 4, bad]));
        Assert.Contains("Embedding", ex.Message);
        Assert.Contains($"ids[2] = {bad}", ex.Message);
        Assert.Contains("V = 5", ex.Message);
        Assert.Contains("[5, 3]", ex.Message);
    }

    [Fact]
    public void NonMatrixTableIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Embedding(Tensor.Zeros(2, 5, 3), [0]));
        Assert.Contains("Embedding", ex.Message);
        Assert.Contains("[2, 5, 3]", ex.Message);
    }
}
