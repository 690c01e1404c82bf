namespace MuSharp.Reports;

/// <summary>
/// The npm vega, vega-lite and vega-embed packages that scripts/setup.sh installs into <c>tools/vega/</c>
/// (pinned versions, git-ignored). Reports inline their browser builds; scripts/render-vega.mjs imports them in node.
/// Found, in order: an explicit folder, <c>$MUSHARP_VEGA_DIR</c>, else <c>tools/vega</c> in the nearest ancestor of
/// the app's folder or of the current directory that has it.
/// </summary>
public sealed class VegaPackages
{
    /// <summary>Environment variable naming the folder that holds <c>node_modules/vega</c> etc.</summary>
    public const string Variable = "MUSHARP_VEGA_DIR";

    /// <summary>The pinned versions, as scripts/setup.sh installs them (keep the two in step).</summary>
    public const string Versions = "vega 6.4.0, vega-lite 6.5.0, vega-embed 7.3.0";

    // The UMD builds, in load order: vega-lite needs the global `vega`, vega-embed needs `vega` and `vegaLite`.
    private static readonly string[] BrowserBuilds =
    [
        "node_modules/vega/build/vega.min.js",
        "node_modules/vega-lite/build/vega-lite.min.js",
        "node_modules/vega-embed/build/vega-embed.min.js",
    ];

    private VegaPackages(string directory) => Directory = directory;

    /// <summary>The folder holding <c>node_modules/</c> with the three packages.</summary>
    public string Directory { get; }

    /// <summary>Finds the packages; throws FileNotFoundException (one line, says to run scripts/setup.sh) when absent.</summary>
    public static VegaPackages Locate(string? directory = null)
    {
        string? chosen = !string.IsNullOrEmpty(directory) ? directory : Environment.GetEnvironmentVariable(Variable);
        var candidates = !string.IsNullOrEmpty(chosen)
            ? [Path.GetFullPath(chosen)]
            : RepoFiles.Ancestors().Select(d => Path.Combine(d, "tools", "vega")).ToList();
        string? found = candidates.FirstOrDefault(Complete);
        if (found != null) return new VegaPackages(found);
        string looked = !string.IsNullOrEmpty(chosen) ? Path.GetFullPath(chosen) : $"tools/vega/ above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}";
        throw new FileNotFoundException(
            $"the vega builds ({Versions}) are not installed in {looked}; run scripts/setup.sh to install them.",
            Path.Combine(candidates.FirstOrDefault() ?? "tools/vega", BrowserBuilds[0]));
    }

    /// <summary>The three minified browser builds (vega, vega-lite, vega-embed), in the order a page must load them.</summary>
    public IReadOnlyList<(string Name, string Code)> ReadBrowserBuilds() =>
        [.. BrowserBuilds.Select(b => (Path.GetFileName(b), File.ReadAllText(Path.Combine(Directory, b))))];

    private static bool Complete(string dir) => BrowserBuilds.All(b => File.Exists(Path.Combine(dir, b)));
}
