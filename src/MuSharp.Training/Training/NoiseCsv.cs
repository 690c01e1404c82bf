using System.Globalization;
using MuSharp.BatchScaling;

namespace MuSharp.Training;

/// <summary>
/// noise.csv of a run: the gradient noise scale of theory §7.2 at every measured step. grad_norm_sq and trace_sigma
/// are that step's raw two-batch estimates of |G|² and tr(Σ) (unbiased, noisy, |G|² may be negative); the ema_
/// columns and b_simple are the bias-corrected EMAs and their ratio B_simple = tr(Σ)/|G|². After a resume the EMAs
/// restart from the resumed step (they are not checkpointed); the raw columns are unaffected. With noiseHessian the
/// last three columns hold the raw gᵀHg and tr(ΣH) and B_noise = EMA tr(ΣH) / EMA gᵀHg; otherwise they are empty.
/// </summary>
public sealed class NoiseCsv : IDisposable
{
    public const string FileName = "noise.csv";
    public const string HeaderLine = "step,batch,grad_norm_sq,trace_sigma,ema_grad_norm_sq,ema_trace_sigma,b_simple,ghg,trace_sigma_h,b_noise";
    private readonly StreamWriter writer;

    public NoiseCsv(string path, long resumeStep) => writer = ResumableCsv.Open(path, HeaderLine, resumeStep);

    /// <summary>Opens runs/NAME/noise.csv when the noise scale is measured (<paramref name="noiseEvery"/> &gt; 0), else null.</summary>
    public static NoiseCsv? Open(string runDir, int noiseEvery, long resumeStep) =>
        noiseEvery > 0 ? new NoiseCsv(Path.Combine(runDir, FileName), resumeStep) : null;

    /// <summary>One measured step; <paramref name="curvature"/> is the EMA of (tr(ΣH), gᵀHg) whose ratio is B_noise.</summary>
    public void Write(long step, int batch, NoiseEstimate raw, NoiseScaleMonitor smoothed, HessianNoiseEstimate? hessian = null, NoiseScaleMonitor? curvature = null)
    {
        ArgumentNullException.ThrowIfNull(smoothed);
        writer.WriteLine(string.Join(',', step.ToString(CultureInfo.InvariantCulture), batch.ToString(CultureInfo.InvariantCulture),
            F(raw.GradNormSq), F(raw.TraceSigma), F(smoothed.GradNormSq), F(smoothed.TraceSigma), F(smoothed.BSimple),
            F(hessian?.GHG ?? double.NaN), F(hessian?.TraceSigmaH ?? double.NaN), F(curvature?.BSimple ?? double.NaN)));
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
                D(c[2]), D(c[3]), D(c[4]), D(c[5]), D(c[6]), c.Length > 9 ? D(c[9]) : double.NaN));
        }
        return rows;
    }

    public void Dispose() => writer.Dispose();

    // Non-finite values (B_simple while the |G|² EMA is still ≤ 0) are empty cells.
    private static string F(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
}

/// <summary>One row of noise.csv (see <see cref="NoiseCsv"/>); a missing value is NaN (BNoise without noiseHessian).</summary>
public sealed record NoiseRow(long Step, int Batch, double GradNormSq, double TraceSigma, double EmaGradNormSq, double EmaTraceSigma, double BSimple,
    double BNoise = double.NaN);
