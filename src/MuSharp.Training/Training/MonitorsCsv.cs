using System.Globalization;
using MuSharp.Diagnostics;

namespace MuSharp.Training;

/// <summary>
/// monitors.csv of a run: one row per parameter per monitored step, from <see cref="UpdateMonitor"/>
/// (weight/update RMS, §1 and §6; spectral-condition ratios, §3.1; singular-value entropy, §5.1).
/// Vectors leave the spectral and entropy cells empty. Resume works as in <see cref="MetricsCsv"/>: rows after the
/// checkpointed step (written before the interruption) are dropped so the file matches an uninterrupted run.
/// </summary>
public sealed class MonitorsCsv : IDisposable
{
    public const string FileName = "monitors.csv";
    public const string HeaderLine = "step,name,role,fan_in,fan_out,weight_rms,update_rms,spectral_scaled,update_spectral_scaled,entropy";
    private readonly StreamWriter writer;

    public MonitorsCsv(string path, long resumeStep) => writer = ResumableCsv.Open(path, HeaderLine, resumeStep);

    /// <summary>Opens runs/NAME/monitors.csv when monitoring is on (<paramref name="monitorEvery"/> &gt; 0), else null.</summary>
    public static MonitorsCsv? Open(string runDir, int monitorEvery, long resumeStep) =>
        monitorEvery > 0 ? new MonitorsCsv(Path.Combine(runDir, FileName), resumeStep) : null;

    public void Write(long step, IEnumerable<ParameterStats> stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        string s = step.ToString(CultureInfo.InvariantCulture);
        foreach (var p in stats)
            writer.WriteLine(string.Join(',', s, Quote(p.Name), p.Role.ToString().ToLowerInvariant(),
                p.FanIn.ToString(CultureInfo.InvariantCulture), p.FanOut.ToString(CultureInfo.InvariantCulture),
                F(p.WeightRms), F(p.UpdateRms), F(p.SpectralNormScaled), F(p.UpdateSpectralNormScaled), F(p.SingularValueEntropy)));
    }

    public void Dispose() => writer.Dispose();

    // NaN (a vector's spectral columns, or entropy when off) is an empty cell, as missing values in metrics.csv.
    private static string F(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string name) =>
        name.IndexOfAny([',', '"', '\n']) < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
