using System.Globalization;
using MuSharp.BatchScaling;

namespace MuSharp.Cli.Reports;

/// <summary>
/// noise.csv of a run: the gradient noise scale of theory §7.2 at every measured step. grad_norm_sq and trace_sigma
/// are that step's raw two-batch estimates of |G|² and tr(Σ) (unbiased, noisy, |G|² may be negative); the ema_
/// columns and b_simple are the bias-corrected EMAs and their ratio B_simple = tr(Σ)/|G|². After a resume the EMAs
/// restart from the resumed step (they are not checkpointed); the raw columns are unaffected.
/// </summary>
public sealed class NoiseCsv : IDisposable
{
    public const string FileName = "noise.csv";
    public const string HeaderLine = "step,batch,grad_norm_sq,trace_sigma,ema_grad_norm_sq,ema_trace_sigma,b_simple";
    private readonly StreamWriter writer;

    public NoiseCsv(string path, long resumeStep) => writer = ResumableCsv.Open(path, HeaderLine, resumeStep);

    /// <summary>Opens runs/NAME/noise.csv when the noise scale is measured (<paramref name="noiseEvery"/> &gt; 0), else null.</summary>
    public static NoiseCsv? Open(string runDir, int noiseEvery, long resumeStep) =>
        noiseEvery > 0 ? new NoiseCsv(Path.Combine(runDir, FileName), resumeStep) : null;

    public void Write(long step, int batch, NoiseEstimate raw, NoiseScaleMonitor smoothed)
    {
        ArgumentNullException.ThrowIfNull(smoothed);
        writer.WriteLine(string.Join(',', step.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture),
            F(raw.GradNormSq), F(raw.TraceSigma), F(smoothed.GradNormSq), F(smoothed.TraceSigma), F(smoothed.BSimple)));
    }

    /// <summary>The rows of a noise.csv; a missing file gives none, a line cut short by a kill is skipped.</summary>
    public static IReadOnlyList<NoiseRow> Read(string path)
    {
        if (!File.Exists(path)) return [];
        static double D(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
        var rows = new List<NoiseRow>();
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var c = line.Split(',');
            if (c.Length < 7) continue;
            rows.Add(new NoiseRow(long.Parse(c[0], CultureInfo.InvariantCulture), int.Parse(c[1], CultureInfo.InvariantCulture),
                D(c[2]), D(c[3]), D(c[4]), D(c[5]), D(c[6])));
        }
        return rows;
    }

    public void Dispose() => writer.Dispose();

    // Non-finite values (B_simple while the |G|² EMA is still ≤ 0) are empty cells.
    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}

/// <summary>One row of noise.csv (see <see cref="NoiseCsv"/>); a missing value is NaN.</summary>
public sealed record NoiseRow(long Step, int Batch, double GradNormSq, double TraceSigma, double EmaGradNormSq, double EmaTraceSigma, double BSimple);
