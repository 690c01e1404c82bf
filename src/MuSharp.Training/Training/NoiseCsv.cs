using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// noise.csv of a run: the gradient noise scale of theory §7.2 at every measured step. grad_norm_sq and trace_sigma
/// are that step's raw two-batch estimates of |G|² and tr(Σ) (unbiased, noisy, |G|² may be negative); the ema_
/// columns and b_simple are the bias-corrected EMAs and their ratio B_simple = tr(Σ)/|G|². After a resume the EMAs
/// restart from the resumed step (they are not checkpointed); the raw columns are unaffected. With noiseHessian the
/// last three columns hold the raw gᵀHg and tr(ΣH) and B_noise = EMA tr(ΣH) / EMA gᵀHg; otherwise they are empty.
/// </summary>
public sealed class NoiseCsv(string path, bool resume) : ResumableCsv(path, HeaderLine, resume), ITrainingObserver
{
    public const string FileName = "noise.csv";
    public const string HeaderLine = "step,batch,grad_norm_sq,trace_sigma,ema_grad_norm_sq,ema_trace_sigma,b_simple,ghg,trace_sigma_h,b_noise";

    // Non-finite values (B_simple while the |G|² EMA is still ≤ 0) are empty cells.
    public void OnNoise(NoiseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Writer.WriteLine(string.Join(',', record.Step.ToString(CultureInfo.InvariantCulture), record.Batch.ToString(CultureInfo.InvariantCulture),
            G(record.Raw.GradNormSq), G(record.Raw.TraceSigma), G(record.EmaGradNormSq), G(record.EmaTraceSigma), G(record.BSimple),
            G(record.Hessian?.GHG ?? double.NaN), G(record.Hessian?.TraceSigmaH ?? double.NaN), G(record.BNoise)));
    }

    private static string G(double v) => double.IsFinite(v) ? F(v) : "";
}

/// <summary>One noise measurement as the sweep store keeps it; a missing value is NaN (BNoise without noiseHessian).</summary>
public sealed record NoiseRow(long Step, int Batch, double GradNormSq, double TraceSigma, double EmaGradNormSq, double EmaTraceSigma, double BSimple,
    double BNoise = double.NaN)
{
    public static NoiseRow From(NoiseRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Step, r.Batch, r.Raw.GradNormSq, r.Raw.TraceSigma, r.EmaGradNormSq, r.EmaTraceSigma, r.BSimple, r.BNoise);
    }
}
