using System.Globalization;

namespace MuSharp.Training;

/// <summary>metrics.csv of a run: one row per logged step (<see cref="StepRecord"/>).</summary>
public sealed class MetricsCsv(string path, bool resume) : ResumableCsv(path, HeaderLine, resume), ITrainingObserver
{
    public const string HeaderLine = "step,lr,train_loss,val_loss,val_accuracy,throughput,elapsed_s";

    public void OnStep(StepRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        Writer.WriteLine(string.Join(',', r.Step.ToString(CultureInfo.InvariantCulture), F(r.Lr), F(r.TrainLoss), F(r.Validation?.Loss),
            F(r.Validation?.Accuracy), r.Throughput.ToString("F1", CultureInfo.InvariantCulture), r.ElapsedSeconds.ToString("F2", CultureInfo.InvariantCulture)));
    }
}
