using MuSharp.Kernels;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Kernels;

/// <summary>
/// The chunked passes (element-wise, norms, GELU, optimizer updates, bf16 rounding) on sizes large enough to split:
/// the split covers every item once, depends on the size alone, and gives the same bits as one pass over the whole
/// array (element-wise work) or the double-precision reference (norms, whose gain and bias gradients sum per chunk).
/// </summary>
public class ChunksTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(100, 256)]
    [InlineData(2048, 256)]
    [InlineData(2048, 1024)]
    [InlineData(7, 1 << 20)]
    public void ChunksCoverEveryItemOnceInOrder(int count, int width)
    {
        int chunks = Chunks.Count(count, width);
        Assert.InRange(chunks, 1, Math.Min(16, count));
        if ((long)count * width >= 2L * Chunks.MinFloatsPerChunk && count >= 2) Assert.True(chunks >= 2);
        int next = 0;
        for (int c = 0; c < chunks; c++)
        {
            var (start, end) = Chunks.Range(c, chunks, count);
            Assert.Equal(next, start);
            Assert.True(end > start);
            next = end;
        }
        Assert.Equal(count, next);

        var seen = new int[count];
        Chunks.For(count, chunks, (_, start, end) =>
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref seen[i]);
        });
        Assert.All(seen, s => Assert.Equal(1, s));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(300_007)]
    public void ElementChunksStartOnMultiplesOf16(int length)
    {
        var starts = new System.Collections.Concurrent.ConcurrentBag<(int, int)>();
        Chunks.ForElements(length, (i0, i1) => starts.Add((i0, i1)));
        var ranges = starts.OrderBy(r => r.Item1).ToArray();
        Assert.Equal(0, ranges[0].Item1);
        Assert.Equal(length, ranges[^1].Item2);
        for (int i = 0; i < ranges.Length; i++)
        {
            Assert.Equal(0, ranges[i].Item1 % 16);
            if (i > 0) Assert.Equal(ranges[i - 1].Item2, ranges[i].Item1);
        }
        if (length > 2 * Chunks.MinFloatsPerChunk) Assert.True(ranges.Length >= 2);
    }

    [Fact]
    public void ChunkedGeluIsTheOnePassGeluBitForBit()
    {
        const int n = 300_007; // several chunks and a scalar tail
        var x = GradCheck.Input(5, 3f, n);
        var y = Ops.Gelu(x);
        var expected = new float[n];
        Elementwise.GeluForward(x.Data, expected);
        Assert.Equal(expected, y.Data);

        var dy = new float[n];
        new Rng(6).FillNormal(dy, 0f, 1f);
        Tape.Backward(y, dy);
        var dx = new float[n];
        Elementwise.GeluBackward(dy, x.Data, dx);
        Assert.Equal(dx, x.Grad);
    }

    [Fact]
    public void ChunkedAdamWAndSgdAreTheOnePassUpdatesBitForBit()
    {
        const int rows = 513, cols = 517; // 265,221 elements: five chunks, not a multiple of 16
        var w0 = new float[rows * cols];
        var g = new float[rows * cols];
        new Rng(7).FillNormal(w0, 0f, 1f);
        new Rng(8).FillNormal(g, 0f, 1f);

        var adam = new Parameter("w", Role.Hidden, rows, cols, (float[])w0.Clone(), [rows, cols]) { Grad = (float[])g.Clone() };
        var opt = new AdamW([adam], weightDecay: 0.1f);
        opt.Step(0.01f);
        opt.Step(0.01f);
        float[] theta = (float[])w0.Clone(), m = new float[w0.Length], v = new float[w0.Length];
        AdamW.Update(theta, g, m, v, 0.01f, opt.Beta1, opt.Beta2, opt.Eps, 0.1f, 1);
        AdamW.Update(theta, g, m, v, 0.01f, opt.Beta1, opt.Beta2, opt.Eps, 0.1f, 2);
        Assert.Equal(theta, adam.Data);

        var sgd = new Parameter("w", Role.Hidden, rows, cols, (float[])w0.Clone(), [rows, cols]) { Grad = (float[])g.Clone() };
        new Sgd([sgd], momentum: 0.9f, nesterov: true, weightDecay: 0.1f).Step(0.05f);
        theta = (float[])w0.Clone();
        Sgd.Update(theta, g, new float[w0.Length], 0.05f, 0.9f, true, 0.1f);
        Assert.Equal(theta, sgd.Data);
    }

    [Fact]
    public void ChunkedBf16ConversionRoundsEveryElement()
    {
        var x = new float[200_003];
        new Rng(9).FillNormal(x, 0f, 100f);
        var bits = new ushort[x.Length];
        Bf16.Convert(x, bits);
        for (int i = 0; i < x.Length; i++) Assert.Equal(Bf16.FromFloat(x[i]), bits[i]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ChunkedNormsMatchTheDoubleReference(bool rms)
    {
        const int rows = 600, c = 256; // 153,600 floats: two chunks
        const double eps = 1e-5;
        var x = GradCheck.Input(10, 2f, rows, c);
        var gain = GradCheck.Input(11, 1f, c);
        var bias = GradCheck.Input(12, 1f, c);
        var y = rms ? Ops.RmsNorm(x, gain, (float)eps) : Ops.LayerNorm(x, gain, bias, (float)eps);
        var dy = new float[rows * c];
        new Rng(13).FillNormal(dy, 0f, 1f);
        Tape.Backward(y, dy);

        // Reference in double: n = (x − μ)·s (μ = 0 for RMS), y = n ⊙ g (+ b); dx = s (dn − mean(dn) − n·mean(dn ⊙ n))
        // with the mean(dn) term only for LayerNorm; dg = Σ dy ⊙ n, db = Σ dy.
        var dg = new double[c];
        var db = new double[c];
        for (int r = 0; r < rows; r++)
        {
            double mu = 0;
            if (!rms) for (int j = 0; j < c; j++) mu += x.Data[r * c + j] / (double)c;
            double ms = 0;
            for (int j = 0; j < c; j++) ms += Math.Pow(x.Data[r * c + j] - mu, 2) / c;
            double s = 1 / Math.Sqrt(ms + eps);
            var n = new double[c];
            var dn = new double[c];
            double meanDn = 0, meanDnN = 0;
            for (int j = 0; j < c; j++)
            {
                n[j] = (x.Data[r * c + j] - mu) * s;
                dn[j] = dy[r * c + j] * (double)gain.Data[j];
                meanDn += dn[j] / c;
                meanDnN += dn[j] * n[j] / c;
                dg[j] += dy[r * c + j] * n[j];
                db[j] += dy[r * c + j];
                double expectedY = n[j] * gain.Data[j] + (rms ? 0 : bias.Data[j]);
                Assert.Equal(expectedY, y.Data[r * c + j], 1e-4);
            }
            for (int j = 0; j < c; j++)
            {
                double dx = s * (dn[j] - (rms ? 0 : meanDn) - n[j] * meanDnN);
                Assert.True(Math.Abs(dx - x.Grad![r * c + j]) <= 1e-4 * (1 + Math.Abs(dx)), $"dx[{r}, {j}]: {x.Grad[r * c + j]} vs {dx}");
            }
        }
        for (int j = 0; j < c; j++)
        {
            Assert.True(Math.Abs(dg[j] - gain.Grad![j]) <= 1e-4 * (1 + Math.Abs(dg[j])), $"dgain[{j}]: {gain.Grad[j]} vs {dg[j]}");
            if (!rms) Assert.True(Math.Abs(db[j] - bias.Grad![j]) <= 1e-4 * (1 + Math.Abs(db[j])), $"dbias[{j}]: {bias.Grad[j]} vs {db[j]}");
        }
    }
}
