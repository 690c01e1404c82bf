namespace MuSharp.Cli.CommandLine;

/// <summary>Checks on a sweep store's path before the store is opened, so a bad path is named as the user gave it.</summary>
internal static class Stores
{
    /// <summary>A store the sweep will write: the file (if any) and its folder, where SQLite keeps its journal, must be writable.</summary>
    public static void CheckWritable(string db)
    {
        if (Directory.Exists(db)) throw new ArgumentException($"sweep database {db} is a folder; name a .db file (--db runs/NAME/sweep.db).");
        string folder = Path.GetDirectoryName(Path.GetFullPath(db))!;
        Paths.WritableFolder(folder, $"sweep database {db}");
        Paths.WritableFile(db, $"sweep database {db}");
    }

    /// <summary>
    /// Opens an existing store for reading results. SQLite must write beside a database even to read it (its journal and
    /// lock files), so a healthy store the user may only read is read from a private copy in the temp folder.
    /// </summary>
    public static SweepStore Open(string db)
    {
        Paths.InputFile(db, "sweep database", "; run 'musharp transfer --config SWEEP.json' first, or name it with --db");
        if (Writable(db)) return SweepStore.OpenExisting(db);
        string copy = Path.Combine(Directory.CreateTempSubdirectory("musharp-readonly-").FullName, Path.GetFileName(db));
        File.Copy(db, copy);
        if (File.Exists(db + "-wal")) File.Copy(db + "-wal", copy + "-wal");
        return SweepStore.OpenExisting(copy);
    }

    private static bool Writable(string db)
    {
        try
        {
            Paths.WritableFile(db, "sweep database");
            return true;
        }
        catch (ArgumentException) { return false; }
    }
}
