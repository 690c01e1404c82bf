using MuSharp.Reports;

namespace MuSharp.Tests.Reports;

/// <summary>
/// Debian's chromium run headless on a local HTML file, returning the DOM after scripts ran (--dump-dom) with a
/// virtual-time budget, so promise chains and timers settle without waiting in real time. Flags as in the project's
/// environment notes: no sandbox (root), no GPU, no network services, a fresh profile each run; and /tmp instead of
/// /dev/shm for shared memory, which containers often make too small.
/// </summary>
internal static class HeadlessChromium
{
    public static string DumpDom(string htmlPath)
    {
        string chromium = ExternalProcess.FindOnPath("chromium")
            ?? throw new InvalidOperationException("chromium is not on PATH, so the report cannot be checked in a browser; run scripts/setup.sh (it installs Debian chromium).");
        string profile = Path.Combine(Path.GetTempPath(), "musharp-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var result = ExternalProcess.Run(chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000", "--dump-dom",
                new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri,
            ], null, TimeSpan.FromSeconds(120));
            if (result.ExitCode != 0 || !result.Stdout.Contains("</html>", StringComparison.Ordinal))
                throw new InvalidOperationException($"chromium --dump-dom failed (exit {result.ExitCode}): {result.LastLine()}");
            return result.Stdout;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
