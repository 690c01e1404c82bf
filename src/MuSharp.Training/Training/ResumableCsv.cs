using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// Opens a step-keyed CSV (first column: the step) for a run that may be resuming: rows after the checkpointed step
/// were written before the interruption and are dropped, so the file ends up equal to an uninterrupted run's.
/// </summary>
internal static class ResumableCsv
{
    public static StreamWriter Open(string path, string headerLine, long resumeStep)
    {
        var kept = new List<string>();
        if (resumeStep > 0 && File.Exists(path))
            kept.AddRange(File.ReadLines(path).Skip(1).Where(l => long.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out long s) && s <= resumeStep));
        var writer = new StreamWriter(path, append: false) { AutoFlush = true };
        writer.WriteLine(headerLine);
        foreach (var line in kept) writer.WriteLine(line);
        return writer;
    }
}
