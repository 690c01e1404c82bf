using System.Diagnostics;

namespace MuSharp.Reports;

/// <summary>Runs the external programs reports use (node, rsvg-convert, chromium): PATH lookup and a bounded run.</summary>
internal static class ExternalProcess
{
    /// <summary>The result of a finished run; <see cref="Stderr"/> is kept whole for error messages.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The last non-empty line of stderr (or stdout), for a one-line error message.</summary>
        public string LastLine() =>
            (Stderr + "\n" + Stdout).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? $"exit code {ExitCode}";
    }

    /// <summary>The full path of <paramref name="name"/> on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="exe"/> with <paramref name="args"/> (no shell), feeding <paramref name="stdin"/> if given.
    /// Kills the process tree and throws TimeoutException after <paramref name="timeout"/>.
    /// </summary>
    public static Result Run(string exe, IEnumerable<string> args, string? stdin, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = stdin != null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}.");
        // Read both streams concurrently: a child blocked on a full stderr pipe would never exit.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin != null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{Path.GetFileName(exe)} did not finish within {timeout.TotalSeconds:0} s.");
        }
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
