using Npgsql;

namespace MuSharp.Sweeps;

/// <summary>The store is unreachable or refuses us (wrong password, no such database, no schema): one line, no stack.</summary>
public sealed class SweepStoreUnavailableException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Where a PostgreSQL sweep store is, from <c>--store postgres://user@host:port/db</c> or, without <c>--store</c>, from the
/// <see cref="EnvironmentVariable"/> (a URL or an Npgsql connection string). A password never comes from the command
/// line: a URL given there must not carry one; libpq's PGPASSWORD and ~/.pgpass (PGPASSFILE) supply it, or the environment
/// variable's connection string. <see cref="Display"/> is what messages and logs show: never the password.
/// </summary>
public sealed record StoreAddress
{
    /// <summary>MUSHARP_STORE: a postgres:// URL or a connection string (which may hold a password).</summary>
    public const string EnvironmentVariable = "MUSHARP_STORE";

    private StoreAddress(string connectionString, string display) => (ConnectionString, Display) = (connectionString, display);

    /// <summary>The Npgsql connection string (may hold a password: never print it).</summary>
    internal string ConnectionString { get; }

    /// <summary>postgres://user@host:port/db, without any password.</summary>
    public string Display { get; }

    /// <inheritdoc/>
    public override string ToString() => Display;

    /// <summary>Whether <paramref name="store"/> names a PostgreSQL store (a postgres:// or postgresql:// URL).</summary>
    public static bool IsPostgresUrl(string? store) =>
        store is not null && (store.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || store.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The address given on the command line (<paramref name="commandLine"/>; a URL without a password), else the
    /// <see cref="EnvironmentVariable"/>; throws <see cref="ArgumentException"/> when neither is usable.
    /// </summary>
    public static StoreAddress Resolve(string? commandLine)
    {
        if (commandLine is not null)
        {
            if (!IsPostgresUrl(commandLine))
                throw new ArgumentException($"--store takes postgres://USER@HOST:PORT/DATABASE, got '{Redact(commandLine)}'; a connection string belongs in {EnvironmentVariable}.");
            return FromUrl(commandLine, passwordAllowed: false);
        }
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(env))
            throw new ArgumentException($"no sweep store: pass --store postgres://USER@HOST:PORT/DATABASE or set {EnvironmentVariable}.");
        return IsPostgresUrl(env) ? FromUrl(env, passwordAllowed: true) : FromConnectionString(env);
    }

    /// <summary>An Npgsql connection string (e.g. from a secret store); its password is kept out of <see cref="Display"/>.</summary>
    public static StoreAddress FromConnectionString(string connectionString)
    {
        NpgsqlConnectionStringBuilder b;
        try { b = new NpgsqlConnectionStringBuilder(connectionString); }
        catch (ArgumentException e) { throw new ArgumentException($"{EnvironmentVariable} is neither a postgres:// URL nor a connection string ({e.Message})."); }
        Defaults(b);
        return new StoreAddress(b.ConnectionString, $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}");
    }

    private static StoreAddress FromUrl(string url, bool passwordAllowed)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"'{Redact(url)}' is not a postgres://USER@HOST:PORT/DATABASE URL.");
        string user = Uri.UnescapeDataString(uri.UserInfo), password = "";
        int colon = user.IndexOf(':');
        if (colon >= 0) (user, password) = (user[..colon], user[(colon + 1)..]);
        if (password.Length > 0 && !passwordAllowed)
            throw new ArgumentException($"--store must not carry a password (it would show in the process list and logs): use PGPASSWORD, ~/.pgpass, or put the URL in {EnvironmentVariable}.");
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port };
        string db = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (db.Length > 0) b.Database = db;
        if (user.Length > 0) b.Username = user;
        if (password.Length > 0) b.Password = password;
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]), value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key.Equals("password", StringComparison.OrdinalIgnoreCase) && !passwordAllowed)
                throw new ArgumentException($"--store must not carry a password: use PGPASSWORD, ~/.pgpass, or {EnvironmentVariable}.");
            try { b[key] = value; }
            catch (ArgumentException) { throw new ArgumentException($"--store: unknown connection option '{key}'."); }
        }
        Defaults(b);
        return new StoreAddress(b.ConnectionString, $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}");
    }

    // A refused or unreachable server must fail within seconds; PGPASSWORD / PGPASSFILE are read by Npgsql itself.
    private static void Defaults(NpgsqlConnectionStringBuilder b)
    {
        if (b.Timeout == 15) b.Timeout = 10;
        b.ApplicationName ??= "musharp";
        b.Username ??= Environment.GetEnvironmentVariable("PGUSER") ?? Environment.UserName;
        b.Database ??= Environment.GetEnvironmentVariable("PGDATABASE") ?? b.Username;
    }

    // A URL in an error message, with anything after user: up to @ hidden.
    private static string Redact(string s)
    {
        int at = s.IndexOf('@'), scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (at < 0 || scheme < 0 || at < scheme) return s;
        int colon = s.IndexOf(':', scheme + 3);
        return colon >= 0 && colon < at ? s[..colon] + ":***" + s[at..] : s;
    }
}
