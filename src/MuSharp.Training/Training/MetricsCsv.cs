using System.Globalization;

namespace MuSharp.Training;

/// <summary>metrics.csv of a run: one row per logged step (<see cref="StepRecord"/>).</summary>
public sealed class MetricsCsv(string path, bool resume) : ResumableCsv(path, HeaderLine, resume), ITrainingObserver
{
    public const string HeaderLine = "step,lr,train_loss,val_loss,val_accuracy,throughput,elapsed_s";

    public void OnStep(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Writer.WriteLine(string.Join(',', record.Step.ToString(CultureInfo.InvariantCulture), F(record.Lr), F(record.TrainLoss), F(record.Validation?.Loss),
            F(record.Validation?.Accuracy), record.Throughput.ToString("F1", CultureInfo.InvariantCulture), record.ElapsedSeconds.ToString("F2", CultureInfo.InvariantCulture)));
    }
}
