using System.Reflection;

namespace MuSharp.Sweeps;

/// <summary>
/// How to start one sweep worker process: an executable and the arguments before <c>--db PATH --watch-stdin</c>.
/// The worker end is <see cref="SweepWorker.RunProcess"/>; the musharp CLI exposes it as the hidden <c>transfer-worker</c>
/// verb, and a user's own program can do the same from its Main.
/// </summary>
public sealed record WorkerLaunch(string Host, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// Runs <paramref name="entry"/> again with <paramref name="verb"/>: through its apphost when this process is that
    /// apphost, else as <c>dotnet ENTRY.dll</c> (also when the library runs inside another host such as a test runner).
    /// </summary>
    public static WorkerLaunch Of(Assembly entry, params string[] verb)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string dll = entry.Location;
        string? self = Environment.ProcessPath;
        static string Name(string p) => Path.GetFileNameWithoutExtension(p);
        if (self != null && Name(self) == Name(dll)) return new(self, verb);
        if (self != null && Name(self) == "dotnet") return new(self, [dll, .. verb]);
        return new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", [dll, .. verb]);
    }
}
