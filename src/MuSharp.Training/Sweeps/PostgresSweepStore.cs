using System.Data.Common;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using MuSharp.Training;
using Npgsql;
using NpgsqlTypes;

namespace MuSharp.Sweeps;

/// <summary>
/// Sweeps in a PostgreSQL database, drained by workers on any machine (<c>musharp worker --store URL</c>). One database
/// holds any number of sweeps (a <c>sweeps</c> row each; every other table is keyed by sweep). The tables and columns
/// are <see cref="SweepStore"/>'s, plus what workers on many machines need:
/// <list type="bullet">
/// <item>a claim is <c>SELECT … FOR UPDATE SKIP LOCKED</c> inside an UPDATE, so two workers never take the same trial;</item>
/// <item>a claimed trial carries a lease (<c>lease_until</c>, database time) that the worker's heartbeat renews; a trial
/// whose lease expired (its worker died or lost the network) is claimed again by the next worker;</item>
/// <item>every checkpoint is stored in the database with its SHA-256 (<c>checkpoints</c>), so the worker that reclaims a
/// trial resumes it from its last checkpoint without a shared file system;</item>
/// <item>a result is written once: the <c>results</c> table's primary key (sweep, trial) admits one row, inserted in the same
/// transaction as the trial's status, losses and metrics; a second attempt to record writes nothing.</item>
/// </list>
/// Lost connections (a restarted server) are retried with exponential backoff, logging one line per outage. SQL text
/// lives here only, and every value reaches it as a parameter.
/// </summary>
public sealed class PostgresSweepStore : ISweepStore
{
    /// <summary>The schema version (the tables of <see cref="SweepStore.SchemaVersion"/>, keyed by sweep).</summary>
    public const int SchemaVersion = SweepStore.SchemaVersion;

    /// <summary>The default lease on a claimed trial; the heartbeat renews it every third of this.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(30);

    /// <summary>How long operations keep retrying a lost server before giving up.</summary>
    public static readonly TimeSpan DefaultOutage = TimeSpan.FromMinutes(10);

    private const string Schema = """
        CREATE TABLE musharp_schema (version integer NOT NULL);
        CREATE TABLE sweeps (
            id bigserial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            config_json text NOT NULL,
            config_hash text NOT NULL,
            created timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE trials (
            sweep_id bigint NOT NULL REFERENCES sweeps (id),
            id bigint NOT NULL,
            key text NOT NULL,
            task text NOT NULL,
            parametrization text NOT NULL,
            optimizer text NOT NULL,
            width integer NOT NULL,
            batch_size integer NOT NULL,
            lr double precision NOT NULL,
            lr_index integer NOT NULL,
            seed bigint NOT NULL,
            config_json text NOT NULL,
            status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'diverged', 'failed')),
            worker text,                 -- host:pid:nonce of the holder
            worker_pid integer,
            lease_until timestamptz,     -- database time; past it, the trial may be reclaimed
            attempts integer NOT NULL DEFAULT 0,
            started timestamptz,
            finished timestamptz,
            initial_val_loss double precision,
            final_val_loss double precision,
            final_val_accuracy double precision,
            final_train_loss double precision,
            final_eval_split text,
            final_eval_loss double precision,
            final_eval_accuracy double precision,
            error text,
            seconds double precision,
            PRIMARY KEY (sweep_id, id),
            UNIQUE (sweep_id, key)
        );
        CREATE INDEX trials_status ON trials (sweep_id, status, id);
        CREATE TABLE results (
            sweep_id bigint NOT NULL,
            trial_id bigint NOT NULL,
            worker text NOT NULL,
            recorded timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sweep_id, trial_id),
            FOREIGN KEY (sweep_id, trial_id) REFERENCES trials (sweep_id, id)
        );
        CREATE TABLE metrics (
            sweep_id bigint NOT NULL,
            trial_id bigint NOT NULL,
            step bigint NOT NULL,
            lr double precision NOT NULL,
            train_loss double precision,
            val_loss double precision,
            val_accuracy double precision,
            elapsed double precision NOT NULL,
            PRIMARY KEY (sweep_id, trial_id, step),
            FOREIGN KEY (sweep_id, trial_id) REFERENCES trials (sweep_id, id)
        );
        CREATE TABLE noise (
            sweep_id bigint NOT NULL,
            trial_id bigint NOT NULL,
            step bigint NOT NULL,
            grad_norm_sq double precision,
            trace_sigma double precision,
            ema_grad_norm_sq double precision,
            ema_trace_sigma double precision,
            b_simple double precision,
            PRIMARY KEY (sweep_id, trial_id, step),
            FOREIGN KEY (sweep_id, trial_id) REFERENCES trials (sweep_id, id)
        );
        CREATE TABLE checkpoints (
            sweep_id bigint NOT NULL,
            trial_id bigint NOT NULL,
            sha256 text NOT NULL,
            data bytea NOT NULL,
            worker text NOT NULL,
            saved timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (sweep_id, trial_id),
            FOREIGN KEY (sweep_id, trial_id) REFERENCES trials (sweep_id, id)
        );
        """;

    private readonly NpgsqlDataSource source;
    private readonly StoreAddress address;
    private readonly long sweepId;
    private readonly string worker = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly TimeSpan lease, outage;
    private readonly TextWriter log;
    private int inOutage;

    private PostgresSweepStore(NpgsqlDataSource source, StoreAddress address, long sweepId, string name, string configJson,
        string trialsDir, TimeSpan lease, TimeSpan outage, TextWriter log)
    {
        (this.source, this.address, this.sweepId, Name, ConfigJson, TrialsDir) = (source, address, sweepId, name, configJson, trialsDir);
        (this.lease, this.outage, this.log) = (lease, outage, log);
    }

    /// <inheritdoc/>
    public string Location => $"{address.Display} (sweep {Name})";

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string ConfigJson { get; }

    /// <summary>This worker's own folder for run folders (trials are resumed from the database, not from here).</summary>
    public string TrialsDir { get; }

    /// <summary>A third of the lease.</summary>
    public TimeSpan? LeaseRenewal => lease / 3;

    /// <summary>
    /// Opens (creating the tables if the database has none) the sweep named after <paramref name="plan"/>, adding it with
    /// every trial pending if it is new; an existing sweep of that name must have been created from the same config.
    /// This is <c>musharp transfer --store URL --enqueue</c>.
    /// </summary>
    public static PostgresSweepStore Open(StoreAddress address, SweepPlan plan, string? trialsDir = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(plan);
        var source = NpgsqlDataSource.Create(address.ConnectionString);
        try
        {
            var (id, json) = Connect(address, () =>
            {
                using var c = source.OpenConnection();
                using var tx = c.BeginTransaction();
                Exec(c, tx, "SELECT pg_advisory_xact_lock(@k)", ("k", 0x6D75_7368_6172_70L)); // one creator at a time
                int? version = Version(c, tx);
                if (version is null) Exec(c, tx, Schema + "INSERT INTO musharp_schema (version) VALUES (@v);", ("v", SchemaVersion));
                else CheckVersion(address, version.Value);
                using (var find = Cmd(c, tx, "SELECT id, config_json, config_hash FROM sweeps WHERE name = @n", ("n", plan.Name)))
                using (var r = find.ExecuteReader())
                    if (r.Read())
                    {
                        var found = (r.GetInt64(0), r.GetString(1), r.GetString(2));
                        r.Close();
                        tx.Commit();
                        return (found.Item1, found.Item2, found.Item3);
                    }
                long sweep = Convert.ToInt64(Scalar(c, tx, "INSERT INTO sweeps (name, config_json, config_hash) VALUES (@n, @j, @h) RETURNING id",
                    ("n", plan.Name), ("j", plan.ResolvedJson), ("h", plan.Hash)), System.Globalization.CultureInfo.InvariantCulture);
                using (var insert = Cmd(c, tx, $"INSERT INTO trials (sweep_id, {string.Join(", ", TrialSpec.Columns)}) VALUES (@sweep, {string.Join(", ", TrialSpec.Columns.Select((_, i) => $"@s{i}"))})"))
                {
                    foreach (var t in plan.Trials)
                    {
                        insert.Parameters.Clear();
                        insert.Parameters.AddWithValue("sweep", sweep);
                        var values = t.Values();
                        for (int i = 0; i < values.Length; i++) insert.Parameters.AddWithValue($"s{i}", values[i]);
                        insert.ExecuteNonQuery();
                    }
                }
                tx.Commit();
                return (sweep, plan.ResolvedJson, plan.Hash);
            }) switch
            { var (i, j, h) => CheckHash(address, plan, i, j, h) };
            return new PostgresSweepStore(source, address, id, plan.Name, json, trialsDir ?? Path.Combine(Path.GetTempPath(), "musharp-trials"),
                DefaultLease, DefaultOutage, log ?? Console.Error);
        }
        catch { source.Dispose(); throw; }
    }

    /// <summary>
    /// Opens an existing sweep for a worker, <c>--summary</c> or a report: the one named <paramref name="sweep"/>, or the
    /// database's only sweep. Wrong password, unreachable server, a database without the schema or without that sweep:
    /// a <see cref="SweepStoreUnavailableException"/> or <see cref="ArgumentException"/> of one line.
    /// </summary>
    public static PostgresSweepStore OpenExisting(StoreAddress address, string? sweep, string? trialsDir = null, TimeSpan? lease = null, TextWriter? log = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (lease is { } l && l <= TimeSpan.Zero) throw new ArgumentException($"the lease must be positive, got {l.TotalSeconds} s.");
        var source = NpgsqlDataSource.Create(address.ConnectionString);
        try
        {
            var (id, name, json) = Connect(address, () =>
            {
                using var c = source.OpenConnection();
                int version = Version(c, null)
                    ?? throw new SweepStoreUnavailableException($"{address.Display} holds no MuSharp sweep tables; create a sweep there first with 'musharp transfer --config SWEEP.json --store {address.Display} --enqueue'.");
                CheckVersion(address, version);
                var sweeps = new List<(long Id, string Name, string Json)>();
                using (var cmd = Cmd(c, null, "SELECT id, name, config_json FROM sweeps WHERE @n::text IS NULL OR name = @n ORDER BY id", ("n", sweep)))
                using (var r = cmd.ExecuteReader())
                    while (r.Read()) sweeps.Add((r.GetInt64(0), r.GetString(1), r.GetString(2)));
                return sweeps.Count switch
                {
                    1 => sweeps[0],
                    0 when sweep is not null => throw new ArgumentException($"{address.Display} has no sweep named '{sweep}'."),
                    0 => throw new ArgumentException($"{address.Display} holds no sweep yet; enqueue one with 'musharp transfer --config SWEEP.json --store {address.Display} --enqueue'."),
                    _ => throw new ArgumentException($"{address.Display} holds {sweeps.Count} sweeps ({string.Join(", ", sweeps.Select(s => s.Name))}); pick one with --sweep NAME."),
                };
            });
            return new PostgresSweepStore(source, address, id, name, json, trialsDir ?? Path.Combine(Path.GetTempPath(), "musharp-trials"),
                lease ?? DefaultLease, DefaultOutage, log ?? Console.Error);
        }
        catch { source.Dispose(); throw; }
    }

    /// <inheritdoc/>
    public void Verify(SweepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string hash = Retry(c => (string)Scalar(c, null, "SELECT config_hash FROM sweeps WHERE id = @s", ("s", sweepId))!);
        CheckHash(address, plan, sweepId, ConfigJson, hash);
    }

    /// <inheritdoc/>
    public TrialSpec? Claim(int pid) => Retry(c =>
    {
        // MATERIALIZED: the locking subquery runs exactly once (joined as a plain subquery, the planner may rescan it per
        // row, lock a trial and then not return it, which strands the trial until its lease expires).
        using var cmd = Cmd(c, null, $"""
            WITH c AS MATERIALIZED (
                SELECT id, status AS was FROM trials
                WHERE sweep_id = @s AND (status = 'pending' OR (status = 'running' AND lease_until < now()))
                ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE trials t SET status = 'running', worker = @w, worker_pid = @pid, started = now(), finished = NULL,
                lease_until = now() + make_interval(secs => @lease), attempts = t.attempts + 1
            FROM c
            WHERE t.sweep_id = @s AND t.id = c.id
            RETURNING {string.Join(", ", TrialSpec.Columns.Select(col => "t." + col))}, c.was
            """, ("w", worker), ("pid", pid), ("lease", lease.TotalSeconds), ("s", sweepId));
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        var spec = SweepStore.ReadSpec(r, 0);
        if (r.GetString(TrialSpec.Columns.Length) == "running") log.WriteLine($"worker {Environment.ProcessId}: reclaimed trial {spec.Key} (its lease expired)");
        return spec;
    });

    /// <inheritdoc/>
    public bool Renew(long trialId, int pid) => Retry(c => Exec(c, null, """
        UPDATE trials SET lease_until = now() + make_interval(secs => @lease)
        WHERE sweep_id = @s AND id = @id AND worker = @w AND status = 'running'
        """, ("lease", lease.TotalSeconds), ("s", sweepId), ("id", trialId), ("w", worker)) == 1);

    /// <inheritdoc/>
    public void SaveCheckpoint(long trialId, int pid, string path)
    {
        byte[] data = File.ReadAllBytes(path);
        string sha = Convert.ToHexStringLower(SHA256.HashData(data));
        Retry(c =>
        {
            using var tx = c.BeginTransaction();
            // Only the lease holder may store a checkpoint; renewing the lease locks the row for the transaction.
            if (Exec(c, tx, """
                UPDATE trials SET lease_until = now() + make_interval(secs => @lease)
                WHERE sweep_id = @s AND id = @id AND worker = @w AND status = 'running'
                """, ("lease", lease.TotalSeconds), ("s", sweepId), ("id", trialId), ("w", worker)) != 1) return false;
            Exec(c, tx, """
                INSERT INTO checkpoints (sweep_id, trial_id, sha256, data, worker) VALUES (@s, @id, @sha, @data, @w)
                ON CONFLICT (sweep_id, trial_id) DO UPDATE SET sha256 = excluded.sha256, data = excluded.data, worker = excluded.worker, saved = now()
                """, ("s", sweepId), ("id", trialId), ("sha", sha), ("data", data), ("w", worker));
            tx.Commit();
            return true;
        });
    }

    /// <inheritdoc/>
    public bool FetchCheckpoint(long trialId, string path)
    {
        var stored = Retry(c =>
        {
            using var cmd = Cmd(c, null, "SELECT sha256, data FROM checkpoints WHERE sweep_id = @s AND trial_id = @id", ("s", sweepId), ("id", trialId));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetString(0), (byte[])r.GetValue(1)) : ((string, byte[])?)null;
        });
        if (File.Exists(path)) File.Delete(path); // what this machine holds may be older than the stored one
        if (stored is not var (sha, data)) return false;
        if (Convert.ToHexStringLower(SHA256.HashData(data)) != sha)
        {
            log.WriteLine($"worker {Environment.ProcessId}: the stored checkpoint of trial {trialId} fails its SHA-256; starting the trial afresh");
            return false;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string tmp = path + ".fetch";
        File.WriteAllBytes(tmp, data);
        File.Move(tmp, path, overwrite: true);
        return true;
    }

    /// <inheritdoc/>
    public bool Record(long trialId, int pid, TrialResult outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return Retry(c =>
        {
            using var tx = c.BeginTransaction();
            // Exactly once: the results row's primary key admits one; a retried or late second record inserts nothing.
            if (Exec(c, tx, """
                INSERT INTO results (sweep_id, trial_id, worker)
                SELECT @s, @id, @w FROM trials WHERE sweep_id = @s AND id = @id AND status = 'running'
                ON CONFLICT (sweep_id, trial_id) DO NOTHING
                """, ("s", sweepId), ("id", trialId), ("w", worker)) != 1) return false;
            var values = SweepStore.ResultValues(outcome);
            Exec(c, tx,
                $"UPDATE trials SET finished = now(), lease_until = NULL, {string.Join(", ", SweepStore.ResultColumns.Select((col, i) => $"{col} = @r{i}"))} " +
                "WHERE sweep_id = @s AND id = @id",
                [("s", sweepId), ("id", trialId), .. values.Select((v, i) => ($"r{i}", v))]);
            Exec(c, tx, "DELETE FROM metrics WHERE sweep_id = @s AND trial_id = @id", ("s", sweepId), ("id", trialId));
            Exec(c, tx, "DELETE FROM noise WHERE sweep_id = @s AND trial_id = @id", ("s", sweepId), ("id", trialId));
            Exec(c, tx, "DELETE FROM checkpoints WHERE sweep_id = @s AND trial_id = @id", ("s", sweepId), ("id", trialId));
            var m = outcome.Metrics;
            if (m.Count > 0)
                Exec(c, tx, """
                    INSERT INTO metrics (sweep_id, trial_id, step, lr, train_loss, val_loss, val_accuracy, elapsed)
                    SELECT @s, @id, * FROM unnest(@step, @lr, @train, @val, @acc, @elapsed)
                    """, ("s", sweepId), ("id", trialId), ("step", m.Select(x => x.Step).ToArray()), ("lr", m.Select(x => x.Lr).ToArray()),
                    ("train", Nullable(m.Select(x => (double?)x.TrainLoss))), ("val", Nullable(m.Select(x => x.ValLoss))),
                    ("acc", Nullable(m.Select(x => x.ValAccuracy))), ("elapsed", m.Select(x => x.Elapsed).ToArray()));
            var n = outcome.Noise;
            if (n.Count > 0)
                Exec(c, tx, """
                    INSERT INTO noise (sweep_id, trial_id, step, grad_norm_sq, trace_sigma, ema_grad_norm_sq, ema_trace_sigma, b_simple)
                    SELECT @s, @id, * FROM unnest(@step, @g, @t, @eg, @et, @b)
                    """, ("s", sweepId), ("id", trialId), ("step", n.Select(x => x.Step).ToArray()),
                    ("g", Nullable(n.Select(x => (double?)x.GradNormSq))), ("t", Nullable(n.Select(x => (double?)x.TraceSigma))),
                    ("eg", Nullable(n.Select(x => (double?)x.EmaGradNormSq))), ("et", Nullable(n.Select(x => (double?)x.EmaTraceSigma))),
                    ("b", Nullable(n.Select(x => (double?)x.BSimple))));
            tx.Commit();
            return true;
        });
    }

    /// <inheritdoc/>
    public void Release(long trialId, int pid) => Retry(c => Exec(c, null, """
        UPDATE trials SET status = 'pending', worker = NULL, worker_pid = NULL, lease_until = NULL
        WHERE sweep_id = @s AND id = @id AND status = 'running' AND worker = @w
        """, ("s", sweepId), ("id", trialId), ("w", worker)));

    /// <inheritdoc/>
    public int ResetToPending(IEnumerable<long> trialIds)
    {
        long[] ids = [.. trialIds];
        return ids.Length == 0 ? 0 : Retry(c => Exec(c, null, """
            UPDATE trials SET status = 'pending', worker = NULL, worker_pid = NULL, lease_until = NULL
            WHERE sweep_id = @s AND id = ANY(@ids) AND status = 'running'
            """, ("s", sweepId), ("ids", ids)));
    }

    /// <inheritdoc/>
    public int RetryFailed() => Retry(c =>
    {
        using var tx = c.BeginTransaction();
        Exec(c, tx, "DELETE FROM results r USING trials t WHERE r.sweep_id = @s AND t.sweep_id = @s AND t.id = r.trial_id AND t.status = 'failed'", ("s", sweepId));
        int n = Exec(c, tx, "UPDATE trials SET status = 'pending', worker = NULL, worker_pid = NULL, error = NULL WHERE sweep_id = @s AND status = 'failed'", ("s", sweepId));
        tx.Commit();
        return n;
    });

    /// <inheritdoc/>
    public IReadOnlyList<TrialRow> Trials() => Retry(c =>
    {
        int result = TrialSpec.Columns.Length + 4, at = TrialSpec.Columns.Length;
        using var cmd = Cmd(c, null, $"""
            SELECT {string.Join(", ", TrialSpec.Columns)}, worker_pid, started, finished, attempts, {string.Join(", ", SweepStore.ResultColumns)}
            FROM trials WHERE sweep_id = @s ORDER BY id
            """, ("s", sweepId));
        using var r = cmd.ExecuteReader();
        var rows = new List<TrialRow>();
        DateTime? T(int i) => r.IsDBNull(i) ? null : r.GetDateTime(i);
        while (r.Read())
            rows.Add(new TrialRow(SweepStore.ReadSpec(r, 0), SweepStore.ReadResult(r, result), r.IsDBNull(at) ? null : r.GetInt32(at), T(at + 1), T(at + 2), r.GetInt32(at + 3)));
        return rows;
    });

    /// <summary>How many results rows the sweep holds (one per finished trial, never more: the primary key).</summary>
    public long ResultCount() => Retry(c => Convert.ToInt64(Scalar(c, null, "SELECT count(*) FROM results WHERE sweep_id = @s", ("s", sweepId)), System.Globalization.CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public IReadOnlyList<MetricRow> Metrics(long trialId) => Retry(c =>
    {
        using var cmd = Cmd(c, null, "SELECT step, lr, train_loss, val_loss, val_accuracy, elapsed FROM metrics WHERE sweep_id = @s AND trial_id = @id ORDER BY step",
            ("s", sweepId), ("id", trialId));
        using var r = cmd.ExecuteReader();
        var rows = new List<MetricRow>();
        while (r.Read())
            rows.Add(new MetricRow(r.GetInt64(0), r.GetDouble(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2),
                r.IsDBNull(3) ? null : r.GetDouble(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.GetDouble(5)));
        return rows;
    });

    /// <inheritdoc/>
    public IReadOnlyList<NoiseRow> Noise(long trialId, int batchSize) => Retry(c =>
    {
        using var cmd = Cmd(c, null, """
            SELECT step, grad_norm_sq, trace_sigma, ema_grad_norm_sq, ema_trace_sigma, b_simple FROM noise
            WHERE sweep_id = @s AND trial_id = @id ORDER BY step
            """, ("s", sweepId), ("id", trialId));
        using var r = cmd.ExecuteReader();
        var rows = new List<NoiseRow>();
        double D(int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
        while (r.Read()) rows.Add(new NoiseRow(r.GetInt64(0), batchSize, D(1), D(2), D(3), D(4), D(5)));
        return rows;
    });

    /// <inheritdoc/>
    public void Dispose() => source.Dispose();

    // Runs body on a pooled connection; a lost server is retried with exponential backoff (0.25 s doubling to 5 s) for up
    // to `outage`, with one log line per outage. Anything else (a constraint, a bug) propagates at once.
    private T Retry<T>(Func<NpgsqlConnection, T> body)
    {
        var clock = Stopwatch.StartNew();
        var wait = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                using var c = source.OpenConnection();
                T value = body(c);
                Interlocked.Exchange(ref inOutage, 0);
                return value;
            }
            catch (Exception e) when (IsTransient(e))
            {
                if (clock.Elapsed > outage)
                    throw new SweepStoreUnavailableException($"sweep store {address.Display} unreachable for {outage.TotalMinutes:F0} min ({OneLine(e)}); giving up.", e);
                if (Interlocked.Exchange(ref inOutage, 1) == 0)
                    log.WriteLine($"worker {Environment.ProcessId}: sweep store {address.Display} unavailable ({OneLine(e)}); retrying with backoff");
                source.Clear(); // pooled connections to the old server are dead
                Thread.Sleep(wait);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    // A restarted or unreachable server; not a refused login or a missing table.
    private static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || p.SqlState is "40001" or "40P01" or "53300",
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    // First contact: a wrong password, a missing database or a refused connection is one line, not a retry loop.
    private static T Connect<T>(StoreAddress address, Func<T> body)
    {
        try { return body(); }
        catch (PostgresException e) when (e.SqlState is "28P01" or "28000")
        {
            throw new SweepStoreUnavailableException($"sweep store {address.Display}: authentication failed ({OneLine(e)}); set PGPASSWORD or ~/.pgpass, or the connection string in {StoreAddress.EnvironmentVariable}.", e);
        }
        catch (PostgresException e) when (e.SqlState is "3D000")
        {
            throw new SweepStoreUnavailableException($"sweep store {address.Display}: {OneLine(e)}; create the database first (createdb).", e);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            throw new SweepStoreUnavailableException($"sweep store {address.Display} is unreachable ({OneLine(e)}).", e);
        }
    }

    private static string OneLine(Exception e)
    {
        string m = e is PostgresException p ? p.MessageText : (e.InnerException is { } inner && e.Message.StartsWith("Exception while", StringComparison.Ordinal) ? inner.Message : e.Message);
        return string.Join(' ', m.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
    }

    private static (long, string) CheckHash(StoreAddress address, SweepPlan plan, long id, string json, string hash) =>
        hash == plan.Hash ? (id, json) : throw new ArgumentException(
            $"sweep {plan.Name} in {address.Display} was created from a different config (the sweep file {plan.Axes.Source} changed); " +
            "give the sweep a new name to start afresh, or restore the old file to continue; the stored results were not touched.");

    private static int? Version(NpgsqlConnection c, NpgsqlTransaction? tx)
    {
        if (Scalar(c, tx, "SELECT to_regclass('musharp_schema')::text") is not string) return null;
        return Scalar(c, tx, "SELECT max(version) FROM musharp_schema") is int v ? v : null;
    }

    private static void CheckVersion(StoreAddress address, int version)
    {
        if (version != SchemaVersion)
            throw new SweepStoreUnavailableException($"{address.Display} holds MuSharp sweep tables of schema version {version}, this musharp reads version {SchemaVersion}.");
    }

    private static double?[] Nullable(IEnumerable<double?> values) => [.. values.Select(v => SweepStore.Finite(v))];

    private static NpgsqlCommand Cmd(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var (name, value) in parameters)
            cmd.Parameters.Add(value switch
            {
                null => new NpgsqlParameter { ParameterName = name, Value = DBNull.Value }, // untyped: the server infers the column's type
                double?[] a => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = a.Select(x => x ?? (object)DBNull.Value).ToArray() },
                _ => new NpgsqlParameter(name, value),
            });
        return cmd;
    }

    private static int Exec(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Cmd(c, tx, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private static object? Scalar(NpgsqlConnection c, NpgsqlTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var cmd = Cmd(c, tx, sql, parameters);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }
}
