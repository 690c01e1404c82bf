using MuSharp.Data;

namespace MuSharp.Tests.Data;

public class BatcherTests
{
    private static LabeledSet Blobs => Synthetic.GaussianBlobs(50, 3, 4, seed: 11);

    private static List<ClassificationBatch> Take(ClassificationBatcher b, int n) => Enumerable.Range(0, n).Select(_ => b.Next()).ToList();

    private static void AssertSame(List<ClassificationBatch> a, List<ClassificationBatch> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].X.Shape, b[i].X.Shape);
            Assert.Equal(a[i].X.Data, b[i].X.Data);
            Assert.Equal(a[i].Y, b[i].Y);
        }
    }

    [Fact]
    public void SameSeedGivesSameBatchesAndEachEpochCoversEveryRow()
    {
        var set = Blobs;
        var a = Take(new ClassificationBatcher(set, 8, seed: 3), 14);
        AssertSame(a, Take(new ClassificationBatcher(set, 8, seed: 3), 14));
        Assert.NotEqual(a[0].Y.Concat(a[1].Y), Take(new ClassificationBatcher(set, 8, seed: 4), 2).SelectMany(b => b.Y));

        // 50 rows in batches of 8: six full batches and one of 2 make an epoch.
        Assert.Equal([8, 8, 8, 8, 8, 8, 2], a.Take(7).Select(b => b.Size));
        Assert.Equal([8, 3], a[0].X.Shape);
        var firstEpoch = a.Take(7).SelectMany(b => b.X.Data).ToList();
        Assert.Equal(set.Features.Order(), firstEpoch.Order());
        Assert.NotEqual(a.Take(7).SelectMany(b => b.Y), a.Skip(7).SelectMany(b => b.Y));
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(7, false)]
    [InlineData(9, false)]
    [InlineData(4, true)]
    [InlineData(6, true)]
    public void RestoringMidRunReproducesTheFollowingBatches(int saveAfter, bool dropLast)
    {
        var set = Blobs;
        var uninterrupted = new ClassificationBatcher(set, 8, seed: 9, dropLast);
        var all = Take(uninterrupted, saveAfter + 10);

        var first = new ClassificationBatcher(set, 8, seed: 9, dropLast);
        Take(first, saveAfter);
        var state = first.State;

        var resumed = new ClassificationBatcher(set, 8, seed: 12345, dropLast);
        resumed.Restore(state);
        AssertSame(all.Skip(saveAfter).ToList(), Take(resumed, 10));
        Assert.Equal(uninterrupted.Epoch, resumed.Epoch);
    }

    [Fact]
    public void DropLastServesOnlyFullBatches()
    {
        var b = new ClassificationBatcher(Blobs, 8, seed: 1, dropLast: true);
        Assert.Equal(6, b.BatchesPerEpoch);
        Assert.All(Take(b, 20), batch => Assert.Equal(8, batch.Size));
        Assert.Equal(6, new ClassificationBatcher(Blobs, 8, seed: 1, dropLast: true).RestOfEpoch().Count());
    }

    [Fact]
    public void EvalBatchesVisitRowsInOrder()
    {
        var set = Blobs;
        var batches = ClassificationBatcher.EvalBatches(set, 16).ToList();
        Assert.Equal([16, 16, 16, 2], batches.Select(b => b.Size));
        Assert.Equal(set.Features, batches.SelectMany(b => b.X.Data));
        Assert.Equal(set.Labels, batches.SelectMany(b => b.Y));
    }

    [Fact]
    public void SequenceBatchesAreShiftedWindowsAndRestorable()
    {
        int[] tokens = Enumerable.Range(0, 200).ToArray();
        var a = new SequenceBatcher(tokens, 4, 5, seed: 2);
        var batches = Enumerable.Range(0, 6).Select(_ => a.Next()).ToList();
        foreach (var batch in batches)
        {
            Assert.Equal(20, batch.Inputs.Length);
            for (int i = 0; i < batch.Inputs.Length; i++) Assert.Equal(batch.Inputs[i] + 1, batch.Targets[i]);
            for (int r = 0; r < 4; r++) Assert.InRange(batch.Inputs[r * 5], 0, 200 - 6);
        }

        var b = new SequenceBatcher(tokens, 4, 5, seed: 2);
        b.Next(); b.Next();
        var state = b.State;
        var c = new SequenceBatcher(tokens, 4, 5, seed: 77);
        c.Restore(state);
        Assert.Equal(2, c.Step);
        for (int i = 2; i < 6; i++)
        {
            var next = c.Next();
            Assert.Equal(batches[i].Inputs, next.Inputs);
            Assert.Equal(batches[i].Targets, next.Targets);
        }
    }

    [Fact]
    public void SequenceEvalBatchesCoverTheSplitInOrder()
    {
        var segment = new ArraySegment<int>(Enumerable.Range(0, 100).ToArray(), 10, 23);
        var batches = SequenceBatcher.EvalBatches(segment, 3, 5).ToList();
        // 23 tokens give (23 - 1) / 5 = 4 windows: rows of 3 then 1.
        Assert.Equal([3, 1], batches.Select(b => b.Rows));
        Assert.Equal(Enumerable.Range(10, 20), batches.SelectMany(b => b.Inputs));
        Assert.Equal(Enumerable.Range(11, 20), batches.SelectMany(b => b.Targets));
    }
}
