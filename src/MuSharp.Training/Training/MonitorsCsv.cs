using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// monitors.csv of a run: one row per parameter per monitored step, from <see cref="Diagnostics.UpdateMonitor"/>
/// (weight/update RMS, §1 and §6; spectral-condition ratios, §3.1; singular-value entropy, §5.1).
/// Vectors leave the spectral and entropy cells empty. predicted_weight_rms is AdamW's weight-RMS law (theory §6; empty unless
/// the run is plain AdamW) and max_logit the layer's largest attention logit before QK-Clip on query weights (§12.2; empty elsewhere). Resume works as in <see cref="MetricsCsv"/>: rows after the
/// checkpointed step (written before the interruption) are dropped so the file matches an uninterrupted run.
/// </summary>
public sealed class MonitorsCsv(string path, bool resume) : ResumableCsv(path, HeaderLine, resume), ITrainingObserver
{
    public const string FileName = "monitors.csv";
    public const string HeaderLine = "step,name,role,fan_in,fan_out,weight_rms,update_rms,spectral_scaled,update_spectral_scaled,entropy,predicted_weight_rms,max_logit";

    public void OnMonitor(MonitorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string s = record.Step.ToString(CultureInfo.InvariantCulture);
        foreach (var p in record.Parameters)
            Writer.WriteLine(string.Join(',', s, Quote(p.Name), p.Role.ToString().ToLowerInvariant(),
                p.FanIn.ToString(CultureInfo.InvariantCulture), p.FanOut.ToString(CultureInfo.InvariantCulture),
                F(p.WeightRms), F(p.UpdateRms), F(p.SpectralNormScaled), F(p.UpdateSpectralNormScaled), F(p.SingularValueEntropy), F(p.PredictedWeightRms), F(p.MaxLogit)));
    }

    private static string Quote(string name) =>
        name.IndexOfAny([',', '"', '\n']) < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
