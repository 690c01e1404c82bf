using System.Text.Json.Nodes;
using MuSharp.Io;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Io;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-ckpt-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (Parameter w, Parameter b, AdamW opt) Trained(ulong seed)
    {
        var w = Parameter.Matrix("w", Role.Hidden, 3, 4, new Rng(seed), 1f);
        var b = Parameter.Vector("b", 4, 0.5f);
        var opt = new AdamW([w, b]);
        w.Grad = Enumerable.Range(0, 12).Select(i => 0.1f * i).ToArray();
        b.Grad = [1f, -1f, 2f, -2f];
        opt.Step(0.01f);
        return (w, b, opt);
    }

    private sealed class Pair(Parameter a, Parameter b) : Module
    {
        public override IEnumerable<Parameter> Parameters() { yield return a; yield return b; }
    }

    [Fact]
    public void SaveLoadRestoresWeightsOptimizerStateAndHeader()
    {
        var (w, b, opt) = Trained(1);
        string path = Path.Combine(dir, "a.ckpt");
        Checkpoint.Capture(new Pair(w, b), opt, new JsonObject { ["step"] = 7, ["rng"] = new JsonArray(1UL, 2UL) }).Save(path);

        var (w2, b2, opt2) = Trained(99);
        var loaded = Checkpoint.Load(path);
        loaded.Restore(new Pair(w2, b2), opt2);
        Assert.Equal(w.Data, w2.Data);
        Assert.Equal(b.Data, b2.Data);
        Assert.Equal(opt.State["v:w"], opt2.State["v:w"]);
        Assert.Equal(7, (int)loaded.Header["step"]!);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void TruncatedOrFlippedFilesAreRejectedWithTheirPath()
    {
        var (w, b, opt) = Trained(1);
        string path = Path.Combine(dir, "c.ckpt");
        Checkpoint.Capture(new Pair(w, b), opt, []).Save(path);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("corrupt", ex.Message);

        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path)).Message);
    }

    [Fact]
    public void RestoringIntoADifferentModelNamesTheParameter()
    {
        var (w, b, opt) = Trained(1);
        string path = Path.Combine(dir, "d.ckpt");
        Checkpoint.Capture(new Pair(w, b), opt, []).Save(path);
        var other = Parameter.Matrix("w", Role.Hidden, 5, 4, new Rng(1), 1f);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path).Restore(new Pair(other, b), new AdamW([other, b])));
        Assert.Contains("'w'", ex.Message);
    }

    [Fact]
    public void SavingOverAnExistingCheckpointReplacesIt()
    {
        var (w, b, opt) = Trained(1);
        string path = Path.Combine(dir, "e.ckpt");
        Checkpoint.Capture(new Pair(w, b), opt, new JsonObject { ["step"] = 1 }).Save(path);
        Checkpoint.Capture(new Pair(w, b), opt, new JsonObject { ["step"] = 2 }).Save(path);
        Assert.Equal(2, (int)Checkpoint.Load(path).Header["step"]!);
    }
}
