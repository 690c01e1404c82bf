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

    /// <summary>Opens an existing store for reading results.</summary>
    public static SweepStore Open(string db)
    {
        Paths.InputFile(db, "sweep database", "; run 'musharp transfer --config SWEEP.json' first, or name it with --db");
        return SweepStore.OpenExisting(db);
    }
}
