using System.Diagnostics;
using System.Text;

namespace MuSharp.Tests.Packaging;

/// <summary>The package tests run one after the other and share one local feed (and one build of the sources).</summary>
[CollectionDefinition(Name)]
public sealed class PackageCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "Package";
}

/// <summary>
/// A temporary local NuGet feed holding this checkout packed with <c>dotnet pack</c>, as a user would make it. Every
/// test run packs its own prerelease version (0.9.0-tHEX) so that NuGet's global packages folder, which caches by id
/// and version, never serves a package from an earlier run; that version's folder is deleted from it afterwards.
/// Builds go to a temporary --artifacts-path, leaving the checkout's bin/ and obj/ alone.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    private readonly Dictionary<string, string> packed = [];
    private readonly object gate = new();

    public PackageFeed()
    {
        Root = Directory.CreateTempSubdirectory("musharp-pack-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        var v = typeof(Tensor).Assembly.GetName().Version!; // VersionPrefix of Directory.Build.props
        Suffix = "t" + Guid.NewGuid().ToString("N")[..12];
        Version = $"{v.Major}.{v.Minor}.{v.Build}-{Suffix}";
        RepoRoot = FindRepoRoot();
    }

    public string Root { get; }
    public string Feed { get; }
    public string Suffix { get; }
    /// <summary>The version every package of this run carries, e.g. 0.9.0-t1a2b3c4d5e6f.</summary>
    public string Version { get; }
    public string RepoRoot { get; }

    /// <summary>Packs src/<paramref name="project"/> (once per run) and returns the path of its .nupkg.</summary>
    public string Pack(string project, string packageId)
    {
        lock (gate)
        {
            if (packed.TryGetValue(packageId, out string? done)) return done;
            var result = Dotnet.Run(RepoRoot, TimeSpan.FromMinutes(5), "pack", Path.Combine(RepoRoot, "src", project), "-c", "Release",
                "-o", Feed, "--version-suffix", Suffix, "--artifacts-path", Path.Combine(Root, "artifacts"), "--disable-build-servers", "-nologo");
            Assert.True(result.Code == 0, $"dotnet pack {project} failed ({result.Code}):\n{result.Output}");
            string nupkg = Path.Combine(Feed, $"{packageId}.{Version}.nupkg");
            Assert.True(File.Exists(nupkg), $"dotnet pack did not write {nupkg}:\n{result.Output}");
            packed[packageId] = nupkg;
            return nupkg;
        }
    }

    public void Dispose()
    {
        // NuGet extracts a restored package to GLOBAL/<id lowercase>/<version>/; this run's version is ours alone.
        string global = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } g
            ? g : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in packed.Keys)
        {
            string idDir = Path.Combine(global, id.ToLowerInvariant());
            TryDelete(Path.Combine(idDir, Version.ToLowerInvariant()));
            try { if (Directory.Exists(idDir) && !Directory.EnumerateFileSystemEntries(idDir).Any()) Directory.Delete(idDir); }
            catch (IOException) { } // another run may be adding its own version right now
        }
        TryDelete(Root);
    }

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // best effort: a leftover temp folder must not fail the run
        catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MuSharp.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"MuSharp.slnx not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>Runs dotnet (or a tool) as a child process, with a time limit and the output captured.</summary>
internal static class Dotnet
{
    public sealed record Result(int Code, string Output, string StdOut);

    public static Result Run(string workDir, TimeSpan timeout, params string[] args) => Exec("dotnet", workDir, timeout, args);

    public static Result Exec(string file, string workDir, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        // `dotnet test` exports MSBuild variables for its own build; a child build must resolve its own SDK setup.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no build node outliving the test holds our pipes open
        info.Environment["MSBUILDTERMINALLOGGER"] = "off";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        var all = new StringBuilder();
        var stdout = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (all) { all.AppendLine(e.Data); stdout.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (all) all.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
            lock (all) Assert.Fail($"{file} {string.Join(' ', args)} ran past {timeout.TotalSeconds:F0} s:\n{all}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (all) return new Result(process.ExitCode, all.ToString(), stdout.ToString());
    }
}
