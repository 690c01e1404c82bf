using System.IO.Compression;

namespace MuSharp.Tests.Packaging;

/// <summary>
/// The MuSharp package as a user gets it: packed into a local feed, referenced by a throwaway console app through a
/// nuget.config that adds the feed beside the default sources, built and run.
/// </summary>
[Trait("Category", "Package")]
[Collection(PackageCollection.Name)]
public sealed class LibraryPackageTests(PackageFeed feed)
{
    private const string Program = """
        using MuSharp;

        var a = Tensor.From([1f, 2f, 3f, 4f], 2, 2);
        var c = Ops.MatMul(a, a);
        Console.WriteLine("matmul=" + string.Join(",", c.Data));
        Console.WriteLine("LOHThreshold=" + AppContext.GetData("System.GC.LOHThreshold"));
        Console.WriteLine("ConserveMemory=" + AppContext.GetData("System.GC.ConserveMemory"));
        """;

    [Fact]
    public void AConsoleAppReferencingThePackageGetsTheRuntimeSettingsAndLinks()
    {
        string nupkg = feed.Pack("MuSharp", "MuSharp");
        using (var zip = ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (string expected in (string[])["lib/net10.0/MuSharp.dll", "lib/net10.0/MuSharp.xml", "README.md", "LICENSE",
                         "buildTransitive/MuSharp.props", "buildTransitive/MuSharp.targets", "build/MuSharp.props", "build/MuSharp.targets"])
                Assert.Contains(expected, entries);
        }
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), "no symbol package beside " + nupkg);

        string app = Directory.CreateDirectory(Path.Combine(feed.Root, "app")).FullName;
        // Empty Directory.* files stop MSBuild from picking up any found above the temp folder.
        foreach (string name in (string[])["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"])
            File.WriteAllText(Path.Combine(app, name), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="musharp-test-feed" value="{feed.Feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MuSharp" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        var build = Dotnet.Run(app, TimeSpan.FromMinutes(3), "build", "-c", "Release", "--disable-build-servers", "-nologo");
        Assert.True(build.Code == 0, $"building the app failed ({build.Code}):\n{build.Output}");
        // buildTransitive/MuSharp.targets: an executable that has not chosen TieredCompilation gets the advice.
        Assert.Contains("MuSharp: for steady training-step times", build.Output);

        var run = Dotnet.Run(app, TimeSpan.FromMinutes(1), Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
        Assert.True(run.Code == 0, $"the app failed ({run.Code}):\n{run.Output}");
        Assert.Contains("matmul=7,10,15,22", run.StdOut);
        Assert.Contains("LOHThreshold=134217728", run.StdOut);
        Assert.Contains("ConserveMemory=5", run.StdOut);
    }
}
