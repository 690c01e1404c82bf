namespace MuSharp.Tests.Packaging;

/// <summary>
/// The examples/ console projects as a user builds them: against the MuSharp.Training package from a local feed (not
/// the solution's projects), each run in its quick mode, each checking its own claim and exiting non-zero if it fails.
/// </summary>
[Trait("Category", "Package")]
[Collection(PackageCollection.Name)]
public sealed class ExamplesTests(PackageFeed feed)
{
    [Theory]
    [InlineData("OwnModelCoordCheck", "verdicts: as predicted (μP flat, SP not)")]
    [InlineData("MuonResume", "resumed run matches the uninterrupted one at all 12 logged steps: True")]
    [InlineData("WidthSweep", "12 trials, 12 done")]
    public void ExampleBuildsFromThePackageAndRunsItsQuickMode(string example, string expected)
    {
        feed.Pack("MuSharp", "MuSharp");
        feed.Pack("MuSharp.Training", "MuSharp.Training");
        string examples = CopyExamples();
        string output = Directory.CreateDirectory(Path.Combine(feed.Root, "out-" + example)).FullName;
        string project = Path.Combine(examples, example);

        var build = Dotnet.Run(project, TimeSpan.FromMinutes(4), "build", "-c", "Release", $"-p:MuSharpVersion={feed.Version}", "--disable-build-servers", "-nologo");
        Assert.True(build.Code == 0, $"building {example} failed ({build.Code}):\n{build.Output}");
        // From the repository root, where the report finds tools/vega (scripts/setup.sh installs it).
        var run = Dotnet.Run(feed.RepoRoot, TimeSpan.FromMinutes(3), Path.Combine(project, "bin", "Release", "net10.0", example + ".dll"), "--quick", "--dir", output);
        Assert.True(run.Code == 0, $"{example} failed ({run.Code}):\n{run.Output}");
        Assert.Contains(expected, run.StdOut);
        if (example == "WidthSweep") Assert.True(File.Exists(Path.Combine(output, "report.html")), "no report.html in " + output);
    }

    // A copy per test of examples/, its nuget.config pointing at this run's feed.
    private string CopyExamples()
    {
        string target = Path.Combine(feed.Root, "examples-" + Guid.NewGuid().ToString("N")[..8]);
        string source = Path.Combine(feed.RepoRoot, "examples");
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
            string to = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        File.WriteAllText(Path.Combine(target, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="musharp-test-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        return target;
    }
}
