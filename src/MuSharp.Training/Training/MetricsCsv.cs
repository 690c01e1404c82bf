using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// metrics.csv of a run: one row per logged step. On resume, rows after the checkpointed step
/// (written before the interruption) are dropped so the file matches an uninterrupted run.
/// </summary>
public sealed class MetricsCsv : IDisposable
{
    public const string HeaderLine = "step,lr,train_loss,val_loss,val_accuracy,throughput,elapsed_s";
    private readonly StreamWriter writer;

    public MetricsCsv(string path, long resumeStep) => writer = ResumableCsv.Open(path, HeaderLine, resumeStep);

    public void Write(long step, float lr, double trainLoss, double? valLoss, double? valAccuracy, double throughput, double elapsed)
    {
        static string F(double? v) => v is null ? "" : v.Value.ToString("R", CultureInfo.InvariantCulture);
        writer.WriteLine(string.Join(',', step.ToString(CultureInfo.InvariantCulture), F(lr), F(trainLoss), F(valLoss), F(valAccuracy),
            throughput.ToString("F1", CultureInfo.InvariantCulture), elapsed.ToString("F2", CultureInfo.InvariantCulture)));
    }

    public void Dispose() => writer.Dispose();
}
