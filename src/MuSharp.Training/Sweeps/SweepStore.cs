using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// One SQLite file per sweep (runs/NAME/sweep.db): the resolved sweep config and its hash, one row per trial with its
/// status and results, and every trial's logged metrics. WAL journal and a busy timeout let a coordinator and several
/// worker processes share it; a claim is one UPDATE … RETURNING, so two workers never take the same trial.
/// A file that is not a sweep store is reported, never modified or deleted.
/// </summary>
public sealed class SweepStore : ISweepStore
{
    /// <summary>Bumped when the schema changes; stored as PRAGMA user_version.</summary>
    public const int SchemaVersion = 2;

    private const string Schema = """
        CREATE TABLE sweep (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            config_json TEXT NOT NULL,   -- the resolved sweep: base, axes (lrs as a list), steps, baseWidth, divergenceFactor
            config_hash TEXT NOT NULL,   -- SHA-256 of config_json
            created TEXT NOT NULL
        );
        CREATE TABLE trials (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,    -- optimizer/parametrization/wWIDTH/lrINDEX/sSEED
            task TEXT NOT NULL,
            parametrization TEXT NOT NULL,
            optimizer TEXT NOT NULL,
            width INTEGER NOT NULL,
            batch_size INTEGER NOT NULL,
            lr REAL NOT NULL,
            lr_index INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            config_json TEXT NOT NULL,   -- the trial's full TrainConfig
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'diverged', 'failed')),
            worker_pid INTEGER,
            attempts INTEGER NOT NULL DEFAULT 0,
            started TEXT,                -- ISO 8601 UTC
            finished TEXT,
            initial_val_loss REAL,
            final_val_loss REAL,
            final_val_accuracy REAL,
            final_train_loss REAL,
            final_eval_split TEXT,
            final_eval_loss REAL,
            final_eval_accuracy REAL,
            error TEXT,
            seconds REAL
        );
        CREATE INDEX trials_status ON trials (status, id);
        CREATE TABLE metrics (
            trial_id INTEGER NOT NULL REFERENCES trials (id),
            step INTEGER NOT NULL,
            lr REAL NOT NULL,
            train_loss REAL,
            val_loss REAL,
            val_accuracy REAL,
            elapsed REAL NOT NULL,
            PRIMARY KEY (trial_id, step)
        ) WITHOUT ROWID;
        """ + NoiseTable;

    // Version 2 added batch_size (the batch-size axis) and this table: each trial's noise.csv (theory §7.2).
    private const string NoiseTable = """
        CREATE TABLE noise (
            trial_id INTEGER NOT NULL REFERENCES trials (id),
            step INTEGER NOT NULL,
            grad_norm_sq REAL,           -- the step's raw two-batch estimate of |G|²
            trace_sigma REAL,            -- and of tr(Σ)
            ema_grad_norm_sq REAL,
            ema_trace_sigma REAL,
            b_simple REAL,               -- ema_trace_sigma / ema_grad_norm_sq
            PRIMARY KEY (trial_id, step)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteConnection connection;

    public string Path { get; }

    /// <summary>The resolved sweep config stored at creation.</summary>
    public string ConfigJson { get; }
    public string Name { get; }

    /// <summary>The sweep's baseWidth (resolved: never 0), the reference width of <see cref="TransferSummary"/>.</summary>
    public int BaseWidth => SweepStoreConfig.BaseWidthOf(ConfigJson);

    /// <summary>The sweep's base training config (its "base" object), as every trial started from it.</summary>
    public TrainConfig BaseConfig() => SweepStoreConfig.BaseConfigOf(ConfigJson);

    /// <summary>Whether batch size is an axis of the sweep (a learning-rate vs batch-size sweep).</summary>
    public bool SweepsBatchSize => SweepStoreConfig.SweepsBatchSizeOf(ConfigJson);

    /// <summary>The sweep's divergenceFactor, which workers apply to each finished trial.</summary>
    public double DivergenceFactor => SweepStoreConfig.DivergenceFactorOf(ConfigJson);

    /// <summary>The file's path.</summary>
    public string Location => Path;

    /// <summary>trials/ beside the database file.</summary>
    public string TrialsDir => SweepWorker.TrialsDir(Path);

    /// <summary>None: workers share this machine with the coordinator, which checks whether each worker process is alive.</summary>
    public TimeSpan? LeaseRenewal => null;

    /// <summary>Always true: a trial is held until its worker records it, releases it, or is found dead by the coordinator.</summary>
    public bool Renew(long trialId, int pid) => true;

    /// <summary>Nothing to do: the checkpoint already lies in the trial's run folder beside the database.</summary>
    public void SaveCheckpoint(long trialId, int pid, string path) { }

    /// <summary>Whether the run folder beside the database holds a checkpoint; the file is left as it is.</summary>
    public bool FetchCheckpoint(long trialId, string path) => File.Exists(path);

    private SweepStore(string path, SqliteConnection connection, string name, string configJson) =>
        (Path, this.connection, Name, ConfigJson) = (path, connection, name, configJson);

    /// <summary>Opens the store for <paramref name="plan"/>, creating it with every trial pending if it does not exist.</summary>
    public static SweepStore Open(string path, SweepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        var store = Guard(path, opening: true, () =>
        {
            var c = Connect(path, create: true);
            try
            {
                if (!HasSweepTable(c, path)) Create(c, plan);
                var (name, json, _) = ReadSweep(c);
                return new SweepStore(path, c, name, json);
            }
            catch { c.Dispose(); throw; }
        });
        try { store.Verify(plan); }
        catch { store.Dispose(); throw; }
        return store;
    }

    /// <summary>Throws, naming the changed keys, unless the store was created from this very sweep config.</summary>
    public void Verify(SweepPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string hash = Guard(Path, opening: false, () => ReadSweep(connection).Hash);
        if (hash != plan.Hash)
            throw new ArgumentException($"sweep file {plan.Axes.Source} changed since {Path} was created ({Changed(ConfigJson, plan.ResolvedJson)}); " +
                "give the sweep a new name (or --db NEW.db) to start afresh, or restore the old file to continue; the stored results were not touched.");
    }

    /// <summary>Opens an existing store (workers, --summary); the file must already hold a sweep.</summary>
    public static SweepStore OpenExisting(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"sweep database {path} does not exist; run 'musharp transfer --config SWEEP.json' first.", path);
        return Guard(path, opening: true, () =>
        {
            var c = Connect(path, create: false);
            try
            {
                if (!HasSweepTable(c, path)) throw new InvalidDataException($"{path} holds no sweep; was it created by 'musharp transfer'?");
                var (name, json, _) = ReadSweep(c);
                return new SweepStore(path, c, name, json);
            }
            catch { c.Dispose(); throw; }
        });
    }

    /// <summary>Takes the lowest pending trial for <paramref name="pid"/>, or null when none is left.</summary>
    public TrialSpec? Claim(int pid) => Guard(Path, opening: false, () =>
    {
        using var cmd = Command($"""
            UPDATE trials SET status = 'running', worker_pid = $pid, started = $now, finished = NULL, attempts = attempts + 1
            WHERE id = (SELECT id FROM trials WHERE status = 'pending' ORDER BY id LIMIT 1)
            RETURNING {string.Join(", ", TrialSpec.Columns)}
            """, ("$pid", pid), ("$now", Now()));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadSpec(r, 0) : null;
    });

    /// <summary>
    /// Stores a finished attempt — status, losses and all metric rows — in one transaction. False (nothing written)
    /// when the trial is no longer running under <paramref name="pid"/>, e.g. a coordinator reset it meanwhile.
    /// </summary>
    public bool Record(long trialId, int pid, TrialResult outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return Guard(Path, opening: false, () =>
        {
            using var tx = connection.BeginTransaction(); // BEGIN IMMEDIATE: the write lock up front
            var values = ResultValues(outcome);
            using var update = Command(
                $"UPDATE trials SET finished = $now, {string.Join(", ", ResultColumns.Select((c, i) => $"{c} = $r{i}"))} " +
                "WHERE id = $id AND status = 'running' AND worker_pid = $pid",
                [("$now", Now()), ("$id", trialId), ("$pid", pid), .. values.Select((v, i) => ($"$r{i}", v))]);
            update.Transaction = tx;
            if (update.ExecuteNonQuery() == 0) return false;
            using (var clear = Command("DELETE FROM metrics WHERE trial_id = $id; DELETE FROM noise WHERE trial_id = $id", ("$id", trialId)))
            {
                clear.Transaction = tx;
                clear.ExecuteNonQuery();
            }
            using (var noise = Command("""
                INSERT INTO noise (trial_id, step, grad_norm_sq, trace_sigma, ema_grad_norm_sq, ema_trace_sigma, b_simple)
                VALUES ($id, $step, $g, $t, $eg, $et, $b)
                """, ("$id", trialId), ("$step", 0L), ("$g", null), ("$t", null), ("$eg", null), ("$et", null), ("$b", null)))
            {
                noise.Transaction = tx;
                foreach (var n in outcome.Noise)
                {
                    noise.Parameters["$step"].Value = n.Step;
                    noise.Parameters["$g"].Value = Finite(n.GradNormSq) ?? (object)DBNull.Value;
                    noise.Parameters["$t"].Value = Finite(n.TraceSigma) ?? (object)DBNull.Value;
                    noise.Parameters["$eg"].Value = Finite(n.EmaGradNormSq) ?? (object)DBNull.Value;
                    noise.Parameters["$et"].Value = Finite(n.EmaTraceSigma) ?? (object)DBNull.Value;
                    noise.Parameters["$b"].Value = Finite(n.BSimple) ?? (object)DBNull.Value;
                    noise.ExecuteNonQuery();
                }
            }
            using var insert = Command("""
                INSERT INTO metrics (trial_id, step, lr, train_loss, val_loss, val_accuracy, elapsed)
                VALUES ($id, $step, $lr, $train, $val, $accuracy, $elapsed)
                """, ("$id", trialId), ("$step", 0L), ("$lr", 0.0), ("$train", 0.0), ("$val", null), ("$accuracy", null), ("$elapsed", 0.0));
            insert.Transaction = tx;
            foreach (var m in outcome.Metrics)
            {
                insert.Parameters["$step"].Value = m.Step;
                insert.Parameters["$lr"].Value = m.Lr;
                insert.Parameters["$train"].Value = Finite(m.TrainLoss) ?? (object)DBNull.Value;
                insert.Parameters["$val"].Value = Finite(m.ValLoss) ?? (object)DBNull.Value;
                insert.Parameters["$accuracy"].Value = Finite(m.ValAccuracy) ?? (object)DBNull.Value;
                insert.Parameters["$elapsed"].Value = m.Elapsed;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
            return true;
        });
    }

    /// <summary>Hands a claimed trial back (the worker was stopped mid-trial); it runs again, resuming its checkpoint.</summary>
    public void Release(long trialId, int pid) => Execute(
        "UPDATE trials SET status = 'pending', worker_pid = NULL WHERE id = $id AND status = 'running' AND worker_pid = $pid",
        ("$id", trialId), ("$pid", pid));

    /// <summary>Puts the given running trials (their workers are gone) back to pending.</summary>
    public int ResetToPending(IEnumerable<long> trialIds) => trialIds.Sum(id =>
        Execute("UPDATE trials SET status = 'pending', worker_pid = NULL WHERE id = $id AND status = 'running'", ("$id", id)));

    /// <summary>Failed trials back to pending (--retry-failed).</summary>
    public int RetryFailed() => Execute("UPDATE trials SET status = 'pending', worker_pid = NULL, error = NULL WHERE status = 'failed'");

    public IReadOnlyList<TrialRow> Trials() => Guard(Path, opening: false, () =>
    {
        int result = TrialSpec.Columns.Length + 4;
        using var cmd = Command($"""
            SELECT {string.Join(", ", TrialSpec.Columns)}, worker_pid, started, finished, attempts, {string.Join(", ", ResultColumns)}
            FROM trials ORDER BY id
            """);
        using var r = cmd.ExecuteReader();
        var rows = new List<TrialRow>();
        DateTime? T(int i) => r.IsDBNull(i) ? null : DateTime.Parse(r.GetString(i), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        int at = TrialSpec.Columns.Length;
        while (r.Read())
            rows.Add(new TrialRow(ReadSpec(r, 0), ReadResult(r, result), r.IsDBNull(at) ? null : r.GetInt32(at), T(at + 1), T(at + 2), r.GetInt32(at + 3)));
        return rows;
    });

    // The trials columns of a TrialResult: the one list that Record's UPDATE and Trials' SELECT are built from.
    internal static readonly string[] ResultColumns = ["status", "initial_val_loss", "final_val_loss", "final_val_accuracy", "final_train_loss",
        "final_eval_split", "final_eval_loss", "final_eval_accuracy", "error", "seconds"];

    internal static object?[] ResultValues(TrialResult o) => [StatusName(o.Status), Finite(o.InitialValLoss), Finite(o.FinalValLoss),
        Finite(o.FinalValAccuracy), Finite(o.FinalTrainLoss), o.FinalEvalSplit, Finite(o.FinalEvalLoss), Finite(o.FinalEvalAccuracy), o.Error, o.Seconds];

    internal static TrialResult ReadResult(System.Data.Common.DbDataReader r, int at)
    {
        double? D(int i) => r.IsDBNull(at + i) ? null : r.GetDouble(at + i);
        string? S(int i) => r.IsDBNull(at + i) ? null : r.GetString(at + i);
        return new TrialResult
        {
            Status = ParseStatus(r.GetString(at)), InitialValLoss = D(1), FinalValLoss = D(2), FinalValAccuracy = D(3), FinalTrainLoss = D(4),
            FinalEvalSplit = S(5), FinalEvalLoss = D(6), FinalEvalAccuracy = D(7), Error = S(8), Seconds = D(9),
        };
    }

    // The columns of TrialSpec.Columns, from position at.
    internal static TrialSpec ReadSpec(System.Data.Common.DbDataReader r, int at) => new(r.GetInt64(at), r.GetString(at + 1), r.GetString(at + 2),
        r.GetString(at + 3), r.GetString(at + 4), r.GetInt32(at + 5), r.GetDouble(at + 6), r.GetInt32(at + 7), (ulong)r.GetInt64(at + 8),
        r.GetString(at + 9), r.GetInt32(at + 10));

    public IReadOnlyList<MetricRow> Metrics(long trialId) => Guard(Path, opening: false, () =>
    {
        using var cmd = Command("SELECT step, lr, train_loss, val_loss, val_accuracy, elapsed FROM metrics WHERE trial_id = $id ORDER BY step", ("$id", trialId));
        using var r = cmd.ExecuteReader();
        var rows = new List<MetricRow>();
        while (r.Read())
            rows.Add(new MetricRow(r.GetInt64(0), r.GetDouble(1), r.IsDBNull(2) ? double.NaN : r.GetDouble(2),
                r.IsDBNull(3) ? null : r.GetDouble(3), r.IsDBNull(4) ? null : r.GetDouble(4), r.GetDouble(5)));
        return rows;
    });

    /// <summary>A trial's noise-scale rows (empty unless its config measured the noise scale).</summary>
    public IReadOnlyList<Training.NoiseRow> Noise(long trialId, int batchSize) => Guard(Path, opening: false, () =>
    {
        using var cmd = Command("""
            SELECT step, grad_norm_sq, trace_sigma, ema_grad_norm_sq, ema_trace_sigma, b_simple FROM noise WHERE trial_id = $id ORDER BY step
            """, ("$id", trialId));
        using var r = cmd.ExecuteReader();
        var rows = new List<Training.NoiseRow>();
        double D(int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);
        while (r.Read()) rows.Add(new Training.NoiseRow(r.GetInt64(0), batchSize, D(1), D(2), D(3), D(4), D(5)));
        return rows;
    });

    public void Dispose() => connection.Dispose();

    public static string StatusName(TrialStatus status) => status.ToString().ToLowerInvariant();

    internal static TrialStatus ParseStatus(string s) => Enum.Parse<TrialStatus>(s, ignoreCase: true);

    private static SqliteConnection Connect(string path, bool create)
    {
        // No pooling: the file must be closed when the store is disposed (tests delete it; a user may move it).
        var c = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = create ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite, Pooling = false, DefaultTimeout = 60,
        }.ToString());
        try
        {
            c.Open();
            using var cmd = c.CreateCommand();
            // Reading the schema first: a file that is not SQLite fails here, before anything could be written to it.
            cmd.CommandText = "PRAGMA busy_timeout = 60000; SELECT count(*) FROM sqlite_master;";
            cmd.ExecuteScalar();
            cmd.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
            cmd.ExecuteNonQuery();
            return c;
        }
        catch { c.Dispose(); throw; }
    }

    private static bool HasSweepTable(SqliteConnection c, string path)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sweep'";
        bool has = (long)cmd.ExecuteScalar()! > 0;
        cmd.CommandText = "SELECT count(*) FROM sqlite_master";
        if (!has && (long)cmd.ExecuteScalar()! > 0)
            throw new InvalidDataException($"{path} is an SQLite database but not a sweep store; it was left as is — pass another --db.");
        cmd.CommandText = "PRAGMA user_version";
        long version = (long)cmd.ExecuteScalar()!;
        if (has && version == 1) Migrate1To2(c);
        else if (has && version != SchemaVersion)
            throw new InvalidDataException($"{path} is a sweep store of schema version {version}, this musharp reads version {SchemaVersion}; use a new --db.");
        return has;
    }

    // A version-1 store (width sweeps only) gets the batch_size column, filled from each trial's config, and the noise table.
    private static void Migrate1To2(SqliteConnection c)
    {
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "ALTER TABLE trials ADD COLUMN batch_size INTEGER NOT NULL DEFAULT 0; " +
            "UPDATE trials SET batch_size = coalesce(json_extract(config_json, '$.batchSize'), 0); " + NoiseTable + $"PRAGMA user_version = {SchemaVersion};";
        cmd.ExecuteNonQuery();
        tx.Commit();
    }

    private static void Create(SqliteConnection c, SweepPlan plan)
    {
        using var tx = c.BeginTransaction();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = Schema + $"\nPRAGMA user_version = {SchemaVersion};";
        cmd.ExecuteNonQuery();
        cmd.CommandText = "INSERT INTO sweep (id, name, config_json, config_hash, created) VALUES (1, $name, $json, $hash, $now)";
        cmd.Parameters.AddWithValue("$name", plan.Name);
        cmd.Parameters.AddWithValue("$json", plan.ResolvedJson);
        cmd.Parameters.AddWithValue("$hash", plan.Hash);
        cmd.Parameters.AddWithValue("$now", Now());
        cmd.ExecuteNonQuery();
        cmd.Parameters.Clear();
        cmd.CommandText = $"INSERT INTO trials ({string.Join(", ", TrialSpec.Columns)}) VALUES ({string.Join(", ", TrialSpec.Columns.Select((_, i) => $"$s{i}"))})";
        foreach (var t in plan.Trials)
        {
            cmd.Parameters.Clear();
            var values = t.Values();
            for (int i = 0; i < values.Length; i++) cmd.Parameters.AddWithValue($"$s{i}", values[i]);
            cmd.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private static (string Name, string Json, string Hash) ReadSweep(SqliteConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT name, config_json, config_hash FROM sweep WHERE id = 1";
        using var r = cmd.ExecuteReader();
        if (!r.Read()) throw new InvalidDataException($"{c.DataSource}: the sweep table is empty; the store is damaged — use a new --db.");
        return (r.GetString(0), r.GetString(1), r.GetString(2));
    }

    // The top-level keys of the resolved config that differ, for the mismatch message.
    private static string Changed(string storedJson, string newJson)
    {
        var a = JsonNode.Parse(storedJson)!.AsObject();
        var b = JsonNode.Parse(newJson)!.AsObject();
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Where(k => !JsonNode.DeepEquals(a[k], b[k])).ToList();
        return keys.Count == 0 ? "its resolved config differs" : "changed: " + string.Join(", ", keys);
    }

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private int Execute(string sql, params (string Name, object? Value)[] parameters) => Guard(Path, opening: false, () =>
    {
        using var cmd = Command(sql, parameters);
        return cmd.ExecuteNonQuery();
    });

    // SQLite stores NaN as NULL anyway; ±∞ is kept out too, so a missing value always reads back as null.
    internal static double? Finite(double? v) => v is double d && double.IsFinite(d) ? d : null;

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    // Every SQLite failure becomes one line naming the file; the file itself is never removed or rewritten.
    private static T Guard<T>(string path, bool opening, Func<T> body)
    {
        try { return body(); }
        catch (SqliteException e) when (opening)
        {
            throw new InvalidDataException($"{path} is not a usable sweep database ({e.Message.TrimEnd('.')}); it was left as is — move it aside or pass another --db.", e);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"sweep database {path}: {e.Message.TrimEnd('.')}.", e);
        }
    }
}
