using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// A step-keyed CSV sink (first column: the step) for a run that may be resuming: opened at the loop's start, it keeps
/// the rows up to the checkpointed step and drops those written after it before the interruption, so the file ends up
/// equal to an uninterrupted run's. A fresh run starts the file anew. A subclass re-declares <see cref="ITrainingObserver"/>
/// so that its record methods take the place of the interface's empty defaults.
/// </summary>
public abstract class ResumableCsv(string path, string headerLine, bool resume) : ITrainingObserver, IDisposable
{
    private StreamWriter? writer;

    public string Path { get; } = path;

    protected StreamWriter Writer => writer ?? throw new InvalidOperationException($"{Path}: written before the run started.");

    public void OnStart(long step, long totalSteps)
    {
        var kept = new List<string>();
        if (resume && step > 0 && File.Exists(Path))
            kept.AddRange(File.ReadLines(Path).Skip(1).Where(l => long.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out long s) && s <= step));
        writer?.Dispose();
        writer = new StreamWriter(Path, append: false) { AutoFlush = true };
        writer.WriteLine(headerLine);
        foreach (var line in kept) writer.WriteLine(line);
    }

    public void Dispose()
    {
        writer?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A number as the files write it: round-trip precision, empty for a missing (null or NaN) value.</summary>
    protected static string F(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "";
}
