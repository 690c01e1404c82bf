using System.Globalization;

namespace MuSharp.Cli.Reports;

/// <summary>
/// metrics.csv of a run: one row per logged step. On resume, rows after the checkpointed step
/// (written before the interruption) are dropped so the file matches an uninterrupted run.
/// </summary>
public sealed class MetricsCsv : IDisposable
{
    public const string HeaderLine = "step,lr,train_loss,val_loss,val_accuracy,throughput,elapsed_s";
    private readonly StreamWriter writer;

    public MetricsCsv(string path, long resumeStep)
    {
        var kept = new List<string>();
        if (resumeStep > 0 && File.Exists(path))
            kept.AddRange(File.ReadLines(path).Skip(1).Where(l => long.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out long s) && s <= resumeStep));
        writer = new StreamWriter(path, append: false) { AutoFlush = true };
        writer.WriteLine(HeaderLine);
        foreach (var line in kept) writer.WriteLine(line);
    }

    public void Write(long step, float lr, double trainLoss, double? valLoss, double? valAccuracy, double throughput, double elapsed)
    {
        static string F(double? v) => v is null ? "" : v.Value.ToString("R", CultureInfo.InvariantCulture);
        writer.WriteLine(string.Join(',', step.ToString(CultureInfo.InvariantCulture), F(lr), F(trainLoss), F(valLoss), F(valAccuracy),
            throughput.ToString("F1", CultureInfo.InvariantCulture), elapsed.ToString("F2", CultureInfo.InvariantCulture)));
    }

    public void Dispose() => writer.Dispose();
}
