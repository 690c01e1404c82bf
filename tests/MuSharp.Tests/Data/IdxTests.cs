using System.IO.Compression;
using MuSharp.Data;

namespace MuSharp.Tests.Data;

public class IdxTests
{
    private static byte[] Pixels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 37 % 256)).ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImagesAndLabelsRoundTrip(bool gzip)
    {
        using var dir = new TempDir();
        var pixels = Pixels(3 * 4 * 5);
        byte[] labels = [7, 0, 9];
        Idx.WriteImages(dir.File("img"), pixels, 3, 4, 5, gzip);
        Idx.WriteLabels(dir.File("lab"), labels, gzip);

        var images = Idx.ReadImages(dir.File("img"));
        Assert.Equal((3, 4, 5), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(labels, Idx.ReadLabels(dir.File("lab")));
        // Compression is detected from the content.
        Assert.Equal(gzip, File.ReadAllBytes(dir.File("img"))[0] == 0x1F);
    }

    [Fact]
    public void BadMagicNamesFileAndMagic()
    {
        using var dir = new TempDir();
        Idx.WriteLabels(dir.File("lab"), [1, 2], gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(dir.File("lab")));
        Assert.Contains(dir.File("lab"), e.Message);
        Assert.Contains("bad magic 2049", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TruncatedDataIsReported(bool gzip)
    {
        using var dir = new TempDir();
        var bytes = new byte[16 + 2 * 3 * 3];
        bytes[2] = 8; bytes[3] = 3; bytes[7] = 2; bytes[11] = 3; bytes[15] = 3;
        var cut = bytes[..^5];
        File.WriteAllBytes(dir.File("img"), gzip ? Gzip(cut) : cut);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(dir.File("img")));
        Assert.Contains(dir.File("img"), e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("found 13", e.Message);
    }

    [Fact]
    public void TruncatedHeaderIsReported()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("img"), [0, 0, 8, 3, 0, 0, 0, 2, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(dir.File("img")));
        Assert.Contains("truncated in the header", e.Message);
    }

    [Fact]
    public void TrailingDataIsACountMismatch()
    {
        using var dir = new TempDir();
        Idx.WriteLabels(dir.File("lab"), [1, 2, 3], gzip: false);
        File.AppendAllText(dir.File("lab"), "x");
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(dir.File("lab")));
        Assert.Contains("count mismatch", e.Message);
    }

    [Fact]
    public void CorruptGzipNamesFile()
    {
        using var dir = new TempDir();
        var gz = Gzip(new byte[100]);
        for (int i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        File.WriteAllBytes(dir.File("lab.gz"), gz);
        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(dir.File("lab.gz")));
        Assert.Contains(dir.File("lab.gz"), e.Message);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }
}
