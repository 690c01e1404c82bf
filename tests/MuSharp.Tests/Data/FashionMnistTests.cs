using MuSharp.Data;

namespace MuSharp.Tests.Data;

public class FashionMnistTests
{
    // Writes a miniature Fashion-MNIST (28×28, labels < 10) in the installed layout.
    private static void WriteFake(string dir, int train, int test, bool gzip)
    {
        string ext = gzip ? ".gz" : "";
        foreach (var (prefix, n) in new[] { ("train", train), ("t10k", test) })
        {
            var pixels = Enumerable.Range(0, n * 784).Select(i => (byte)(i % 256)).ToArray();
            var labels = Enumerable.Range(0, n).Select(i => (byte)(i % 10)).ToArray();
            Idx.WriteImages(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), pixels, n, 28, 28, gzip);
            Idx.WriteLabels(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), labels, gzip);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadsScaledImagesFromAnExplicitFolder(bool gzip)
    {
        using var dir = new TempDir();
        WriteFake(dir.Path, 20, 6, gzip);
        var data = FashionMnist.Load(dir.Path);
        Assert.Equal(20, data.Train.Count);
        Assert.Equal(6, data.Test.Count);
        Assert.Equal(784, data.Train.Dim);
        Assert.Equal(20 * 784, data.Train.Features.Length);
        Assert.All(data.Train.Features, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(255 / 255f, data.Train.Features[255]);
        Assert.Equal(3, data.Test.Labels[3]);
    }

    [Fact]
    public void MissingDatasetMessageNamesPackageAndSetupScript()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("Fashion-MNIST not found", e.Message);
        Assert.Contains(dir.Path, e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
        Assert.Contains("MUSHARP_FASHION_MNIST_DIR", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("dataset-fashion-mnist", e.Package);
    }

    [Fact]
    public void LabelCountMismatchIsReported()
    {
        using var dir = new TempDir();
        WriteFake(dir.Path, 5, 5, gzip: false);
        Idx.WriteLabels(Path.Combine(dir.Path, "t10k-labels-idx1-ubyte"), [1, 2, 3], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir.Path));
        Assert.Contains("count mismatch", e.Message);
    }

    [Fact]
    public void RealDatasetHasItsDocumentedShape()
    {
        if (!FashionMnist.IsAvailable()) return; // CI without the Debian package
        var data = FashionMnist.Load();
        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        var (train, validation) = FashionMnist.SplitValidation(data);
        Assert.Equal(55000, train.Count);
        Assert.Equal(5000, validation.Count);
        Assert.Equal(data.Train.Labels[^1], validation.Labels[^1]);
    }
}
