namespace MuSharp.Tests.Core;

public class RngTests
{
    [Fact]
    public void SameSeedSameStreamAndStateRestoresPosition()
    {
        var a = new Rng(42);
        var b = new Rng(42);
        for (int i = 0; i < 10; i++) Assert.Equal(a.NextULong(), b.NextULong());
        var saved = a.State;
        var expected = Enumerable.Range(0, 5).Select(_ => a.NextDouble()).ToArray();
        var c = Rng.FromState(saved);
        Assert.Equal(expected, Enumerable.Range(0, 5).Select(_ => c.NextDouble()).ToArray());
    }

    [Fact]
    public void NormalHasUnitMomentsAndUniformStaysInRange()
    {
        var rng = new Rng(7);
        var x = new float[200_000];
        rng.FillNormal(x, 0f, 2f);
        double mean = x.Average(v => (double)v), var = x.Average(v => (double)v * v) - mean * mean;
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(Math.Sqrt(var), 1.98, 2.02);
        rng.FillUniform(x, -1f, 3f);
        Assert.All(x, v => Assert.InRange(v, -1f, 3f));
        Assert.InRange(x.Average(v => (double)v), 0.98, 1.02);
    }

    [Fact]
    public void NextIntCoversRangeUniformly()
    {
        var rng = new Rng(3);
        var counts = new int[6];
        for (int i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Fact]
    public void ShapeErrorsNameTheShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Tensor(new float[5], [2, 3]));
        Assert.Contains("[2, 3]", ex.Message);
    }
}
