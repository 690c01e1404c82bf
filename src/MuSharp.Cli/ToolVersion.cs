using System.Reflection;

namespace MuSharp.Cli;

/// <summary>The version <c>musharp --version</c> prints: the informational version of the build, e.g. 0.9.0+COMMIT.</summary>
public static class ToolVersion
{
    /// <summary>VersionPrefix (Directory.Build.props), any --version-suffix, and the source commit when known.</summary>
    public static string Informational { get; } =
        typeof(ToolVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ToolVersion).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
