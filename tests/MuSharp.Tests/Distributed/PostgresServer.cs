using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace MuSharp.Tests.Distributed;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder owned by an unprivileged user (the
/// server refuses to run as root; as root the fixture runs it as the package's <c>postgres</c> user through runuser),
/// listening on a free port of 127.0.0.1 only, its unix socket in that folder; password (scram) auth over TCP.
/// Stopped and removed when the test class ends.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "musharp";
    public const string Password = "s3cret-'pw";
    private readonly string dir, data, bin;
    private readonly bool asRoot = Environment.UserName == "root";

    public PostgresServer()
    {
        bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
              ?? throw new InvalidOperationException("no /usr/lib/postgresql/*/bin/initdb: install Debian's postgresql (scripts/setup.sh)")
            : throw new InvalidOperationException("PostgreSQL is not installed: run scripts/setup.sh (Debian package postgresql)");
        dir = Directory.CreateTempSubdirectory("musharp-pg-").FullName;
        data = Path.Combine(dir, "data");
        File.WriteAllText(Path.Combine(dir, "pw"), Password + "\n");
        if (asRoot) Run("chown", ["-R", "postgres:postgres", dir]);
        AsServerUser("initdb", ["-D", data, "-U", User, "--pwfile", Path.Combine(dir, "pw"), "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync"]);
        File.Delete(Path.Combine(dir, "pw"));
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    public string SocketDir => dir;

    /// <summary>A connection string with the password, for the test's own connections and MUSHARP_STORE.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Password = Password, Database = database, Pooling = false }.ConnectionString;

    /// <summary>postgres://musharp@127.0.0.1:PORT/DATABASE: no password (that goes in PGPASSWORD).</summary>
    public string Url(string database) => $"postgres://{User}@127.0.0.1:{Port}/{database}";

    /// <summary>Creates an empty database (its name is a test's own).</summary>
    public void CreateDatabase(string name)
    {
        using var c = new NpgsqlConnection(ConnectionString("postgres"));
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", c);
        cmd.ExecuteNonQuery();
    }

    public void Start() => AsServerUser("pg_ctl", ["-D", data, "-l", Path.Combine(dir, "log"), "-w", "-t", "60",
        "-o", $"-p {Port} -k {dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100", "start"]);

    /// <summary>Stops the server (fast: open connections are cut) and starts it again on the same port.</summary>
    public void Restart(TimeSpan down)
    {
        AsServerUser("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
        Thread.Sleep(down);
        Start();
    }

    public void Dispose()
    {
        try { AsServerUser("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]); }
        catch (InvalidOperationException) { }
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>A port nothing listens on (for the unreachable-host test) or that the server takes.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void AsServerUser(string tool, string[] args)
    {
        string exe = Path.Combine(bin, tool);
        if (asRoot) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private void Run(string exe, string[] args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            string log = File.Exists(Path.Combine(dir, "log")) ? File.ReadAllText(Path.Combine(dir, "log")) : "";
            throw new InvalidOperationException($"{exe} {string.Join(' ', args)} exited {p.ExitCode}: {err} {stdout.Result} {log}");
        }
    }
}
