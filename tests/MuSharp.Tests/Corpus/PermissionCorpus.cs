using System.Diagnostics;

namespace MuSharp.Tests.Corpus;

/// <summary>
/// Bad inputs that need a process of their own: paths the user cannot read or write (run as nobody when the tests run
/// as root, since root may write anywhere), and environment variables (datasets, MUSHARP_THREADS), which are process-wide.
/// Same expectations as <see cref="BadInputCorpus"/>: exit 2, one line naming the path or variable, nothing finished changed.
/// </summary>
[Trait("Category", "Slow")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PermissionCorpus(CorpusFiles files) : IClassFixture<CorpusFiles>
{
    private const UnixFileMode ReadOnlyDir = (UnixFileMode)0b101_101_101, Open = (UnixFileMode)0b111_111_111,
        ReadOnlyFile = (UnixFileMode)0b100_100_100, NoAccess = 0;

    private static readonly bool Root = Environment.UserName == "root";

    // A folder and a file with the given modes, owned by the test's user; nobody (or this user, if not root) gets only the mode's "other" bits.
    private string Folder(string name, UnixFileMode mode, params string[] filesInside)
    {
        string dir = Path.Combine(files.Root, "perm", name);
        Directory.CreateDirectory(dir);
        foreach (string f in filesInside) File.WriteAllText(Path.Combine(dir, f), "x");
        File.SetUnixFileMode(Path.Combine(files.Root, "perm"), Open);
        File.SetUnixFileMode(dir, mode);
        return dir;
    }

    private static (int Code, string Err) Musharp(IDictionary<string, string>? env, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "MuSharp.Cli.dll");
        var start = new ProcessStartInfo(Root ? "setpriv" : "dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        if (Root) foreach (string a in new[] { "--reuid=nobody", "--regid=nogroup", "--clear-groups", "dotnet" }) start.ArgumentList.Add(a);
        start.ArgumentList.Add(dll);
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["HOME"] = Path.GetTempPath();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, err.Result);
    }

    private void Check(string[] names, string[] args, IDictionary<string, string>? env = null)
    {
        var before = files.Finished();
        var (code, error) = Musharp(env, args);
        Expect.OneLineNaming(code, error, names);
        Assert.Equal(before, files.Finished());
    }

    [Fact]
    public void ReadOnlyRunsDir()
    {
        string dir = Folder("ro-runs", ReadOnlyDir);
        Check(["--runs-dir", dir], ["train", .. CorpusFiles.Tiny, "--runs-dir", dir]);
    }

    [Fact]
    public void ResumingARunTheUserCannotWrite()
    {
        string runs = Folder("ro-resume", Open);
        var config = TrainConfig.Load(files.PathOf("good.json"), [("runs-dir", runs), ("name", "r")]);
        Train.Run(config, Path.Combine(runs, "r"), resume: false, haltAfterStep: 3);
        File.SetUnixFileMode(Path.Combine(runs, "r"), ReadOnlyDir);
        Check(["--resume", Path.Combine(runs, "r")], ["train", "--resume", Path.Combine(runs, "r")]);
    }

    [Fact]
    public void UnreadableConfig()
    {
        string dir = Folder("unreadable-config", Open, "c.json");
        File.SetUnixFileMode(Path.Combine(dir, "c.json"), NoAccess);
        Check([Path.Combine(dir, "c.json"), "cannot be read"], ["train", "--config", Path.Combine(dir, "c.json")]);
        Check([Path.Combine(dir, "c.json"), "cannot be read"], ["transfer", "--config", Path.Combine(dir, "c.json")]);
    }

    [Fact]
    public void ReadOnlySweepFolderAndDatabase()
    {
        string dir = Folder("ro-sweep", ReadOnlyDir);
        Check([Path.Combine(dir, "sweep.db"), "cannot write"], ["transfer", "--config", files.PathOf("sweep.json"), "--db", Path.Combine(dir, "sweep.db")]);
        string open = Folder("ro-db", Open);
        string db = Path.Combine(open, "sweep.db");
        File.Copy(files.HealthyDb, db);
        File.SetUnixFileMode(db, ReadOnlyFile);
        Check([db, "read-only"], ["transfer", "--config", files.PathOf("sweep.json"), "--db", db]);
    }

    [Fact]
    public void AReadOnlyHealthyDatabaseStillGivesItsSummary()
    {
        string dir = Folder("ro-summary", Open);
        string db = Path.Combine(dir, "sweep.db");
        File.Copy(files.HealthyDb, db);
        File.SetUnixFileMode(db, ReadOnlyFile);
        File.SetUnixFileMode(dir, ReadOnlyDir);
        var (code, error) = Musharp(null, "transfer", "--summary", "--db", db);
        Assert.True(code == 0, error);
        Assert.Empty(error);
    }

    [Fact]
    public void ReadOnlyOutFolders()
    {
        string dir = Folder("ro-out", ReadOnlyDir);
        Check(["--out", dir], ["coord-check", "--dataset", "blobs", "--hidden", "[8]", "--widths", "8,16", "--out", dir]);
        Check(["--out", dir], ["batch-scaling", "--summary", "--config", files.PathOf("sweep-target.json"), "--out", dir]);
        Check(["--out", dir], ["report", files.HealthyDb, "--out", Path.Combine(dir, "r.html")]);
    }

    [Fact]
    public void MissingCorruptAndUnreadableFashionMnist()
    {
        string[] train = ["train", "--hidden", "[8]", "--steps", "2", "--runs-dir", Folder("fm-runs", Open)];
        string empty = Folder("fm-empty", Open);
        Check([empty], train, new Dictionary<string, string> { ["MUSHARP_FASHION_MNIST_DIR"] = empty });
        string[] names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
        string corrupt = Folder("fm-corrupt", Open, [.. names.Select(n => n + ".gz")]);
        Check([corrupt], train, new Dictionary<string, string> { ["MUSHARP_FASHION_MNIST_DIR"] = corrupt });
        string truncated = Folder("fm-truncated", Open);
        foreach (string n in names) File.WriteAllBytes(Path.Combine(truncated, n), [0, 0, 8, 3, 0, 0, 0xEA, 0x60, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3]);
        Check([truncated], train, new Dictionary<string, string> { ["MUSHARP_FASHION_MNIST_DIR"] = truncated });
        string unreadable = Folder("fm-unreadable", Open, names);
        foreach (string n in names) File.SetUnixFileMode(Path.Combine(unreadable, n), NoAccess);
        Check([unreadable], train, new Dictionary<string, string> { ["MUSHARP_FASHION_MNIST_DIR"] = unreadable });
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-4")]
    [InlineData("1e9")]
    public void BadThreadCounts(string value) =>
        Check(["MUSHARP_THREADS", value], ["train", .. CorpusFiles.Tiny, "--runs-dir", Folder("threads", Open)], new Dictionary<string, string> { ["MUSHARP_THREADS"] = value });
}
