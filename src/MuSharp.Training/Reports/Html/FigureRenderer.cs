using System.Text.Json.Nodes;

namespace MuSharp.Reports;

/// <summary>
/// Static figures from a Vega-Lite spec, for READMEs and papers: SVG through node (scripts/render-vega.mjs with the
/// vega packages from <see cref="VegaPackages"/>) and PNG from that SVG through rsvg-convert at 2× scale.
/// </summary>
public static class FigureRenderer
{
    public const string Script = "scripts/render-vega.mjs";

    // A PNG at twice the SVG's pixel size stays sharp on high-density screens.
    private const string PngZoom = "2";

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Writes <paramref name="basePath"/>.svg and <paramref name="basePath"/>.png (creating the folder) and returns
    /// their paths. Throws FileNotFoundException naming what to install when node, rsvg-convert, the script or the
    /// vega packages are missing, InvalidDataException with the renderer's message when the spec does not render.
    /// </summary>
    public static (string Svg, string Png) WriteSvgAndPng(JsonObject spec, string basePath, VegaPackages? vega = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(basePath);
        string node = ExternalProcess.FindOnPath("node")
            ?? throw new FileNotFoundException("node is not on PATH; run scripts/setup.sh (it installs Debian nodejs and npm) or install Node.js ≥ 18.", "node");
        string rsvg = ExternalProcess.FindOnPath("rsvg-convert")
            ?? throw new FileNotFoundException("rsvg-convert is not on PATH; run scripts/setup.sh (it installs Debian librsvg2-bin).", "rsvg-convert");
        string script = RepoFiles.FindFile(Script)
            ?? throw new FileNotFoundException($"{Script} was not found above {AppContext.BaseDirectory} or the current directory; run musharp from the MuSharp repository.", Script);
        vega ??= VegaPackages.Locate();

        string svg = Path.GetFullPath(basePath + ".svg"), png = Path.GetFullPath(basePath + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(svg)!);
        var rendered = ExternalProcess.Run(node, [script, "--vega-dir", vega.Directory, "--out", svg], spec.ToJsonString(), Timeout);
        if (rendered.ExitCode != 0 || !File.Exists(svg))
            throw new InvalidDataException($"rendering {svg} failed: {rendered.LastLine()}");
        var converted = ExternalProcess.Run(rsvg, ["--zoom", PngZoom, "--format", "png", "--output", png, svg], null, Timeout);
        if (converted.ExitCode != 0 || !File.Exists(png))
            throw new InvalidDataException($"converting {svg} to PNG failed: {converted.LastLine()}");
        return (svg, png);
    }
}
