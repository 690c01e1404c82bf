using MuSharp.Data;

namespace MuSharp.Tests.Data;

public class SyntheticTests
{
    [Fact]
    public void BlobsAreSeededBalancedAndSeparable()
    {
        var a = Synthetic.GaussianBlobs(300, 2, 3, seed: 4, separation: 10f, spread: 0.1f);
        Assert.Equal(a.Features, Synthetic.GaussianBlobs(300, 2, 3, seed: 4, separation: 10f, spread: 0.1f).Features);
        Assert.NotEqual(a.Features, Synthetic.GaussianBlobs(300, 2, 3, seed: 5, separation: 10f, spread: 0.1f).Features);
        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(100, a.Labels.Count(l => l == c)));

        // Nearest class mean classifies every point when spread is far below separation.
        var means = Enumerable.Range(0, 3).Select(c =>
        {
            var rows = Enumerable.Range(0, a.Count).Where(i => a.Labels[i] == c).ToList();
            return (X: rows.Average(i => a.Features[2 * i]), Y: rows.Average(i => a.Features[2 * i + 1]));
        }).ToList();
        for (int i = 0; i < a.Count; i++)
        {
            double x = a.Features[2 * i], y = a.Features[2 * i + 1];
            int nearest = Enumerable.Range(0, 3).MinBy(c => Math.Pow(x - means[c].X, 2) + Math.Pow(y - means[c].Y, 2));
            Assert.Equal(a.Labels[i], nearest);
        }
    }

    [Fact]
    public void MarkovTextIsSeededAndFollowsItsBranching()
    {
        string text = Synthetic.MarkovText(5000, seed: 8, alphabetSize: 6, branching: 2);
        Assert.Equal(text, Synthetic.MarkovText(5000, seed: 8, alphabetSize: 6, branching: 2));
        Assert.NotEqual(text, Synthetic.MarkovText(5000, seed: 9, alphabetSize: 6, branching: 2));
        Assert.All(text, c => Assert.Contains(c, "abcdef "));
        foreach (var group in Enumerable.Range(0, text.Length - 1).GroupBy(i => text[i]))
            Assert.InRange(group.Select(i => text[i + 1]).Distinct().Count(), 1, 2);
        Assert.Equal(Math.Log(2), Synthetic.MarkovEntropy(2));
    }

    [Fact]
    public void RepeatedPatternHasExactLength()
    {
        Assert.Equal("abcab", Synthetic.RepeatedPattern("abc", 5));
        Assert.Equal("", Synthetic.RepeatedPattern("abc", 0));
    }
}
