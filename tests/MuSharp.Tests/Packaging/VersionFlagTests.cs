using MuSharp.Cli;
using MuSharp.Tests.Cli;
using MuCli = MuSharp.Cli.Cli;

namespace MuSharp.Tests.Packaging;

[Collection(nameof(ConsoleCapture))]
public sealed class VersionFlagTests
{
    [Fact]
    public void VersionPrintsTheInformationalVersionAndExitsZero()
    {
        var oldOut = Console.Out;
        using var stdout = new StringWriter();
        Console.SetOut(stdout);
        int code;
        try { code = MuCli.Run(["--version"]); }
        finally { Console.SetOut(oldOut); }
        Assert.Equal(0, code);
        Assert.Equal(ToolVersion.Informational, stdout.ToString().Trim());
        var v = typeof(Tensor).Assembly.GetName().Version!;
        Assert.StartsWith($"{v.Major}.{v.Minor}.{v.Build}", ToolVersion.Informational);
    }
}
