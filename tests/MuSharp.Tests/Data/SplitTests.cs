using MuSharp.Data;

namespace MuSharp.Tests.Data;

public class SplitTests
{
    // Row i has feature value i, so rows can be identified after a split.
    private static LabeledSet Indexed(int n) =>
        new(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), 1, Enumerable.Range(0, n).Select(i => i % 3).ToArray(), 3);

    [Fact]
    public void UnseededSplitTakesTheLastRows()
    {
        var (train, validation) = Indexed(10).SplitValidation(3);
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6], train.Features);
        Assert.Equal([7f, 8, 9], validation.Features);
    }

    [Fact]
    public void SeededSplitIsDisjointCompleteAndDeterministic()
    {
        var set = Indexed(100);
        var (t1, v1) = set.SplitValidation(20, seed: 5);
        var (t2, v2) = set.SplitValidation(20, seed: 5);
        var (_, v3) = set.SplitValidation(20, seed: 6);
        Assert.Equal(v1.Features, v2.Features);
        Assert.Equal(t1.Features, t2.Features);
        Assert.NotEqual(v1.Features, v3.Features);
        Assert.Empty(t1.Features.Intersect(v1.Features));
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (float)i), t1.Features.Concat(v1.Features).Order());
        Assert.Equal(v1.Features.Select(f => (int)f % 3), v1.Labels);
    }

    [Fact]
    public void CorpusSplitIsTheLastTenthContiguous()
    {
        var corpus = new TextCorpus("t", Synthetic.MarkovText(1000, 1));
        Assert.Equal(900, corpus.ValidationStart);
        Assert.Equal(900, corpus.Train.Count);
        Assert.Equal(100, corpus.Validation.Count);
        Assert.Equal(corpus.Tokens, corpus.Train.Concat(corpus.Validation));
        Assert.Equal(corpus.ValidationStart, new TextCorpus("t", Synthetic.MarkovText(1000, 1)).ValidationStart);
    }
}
