namespace MuSharp.Reproduce;

/// <summary>Whether a measurement reproduces a claim's prediction within the claim's tolerance.</summary>
public enum ClaimVerdict { Reproduced, Missed }

/// <summary>
/// One checkable claim of the seeds: what the source predicts, what MuSharp measured and the verdict, computed from the
/// two by <see cref="Compare"/>. A miss carries its <paramref name="Cause"/> (a known approximation, a finite-size effect).
/// </summary>
public sealed record ClaimResult(string Claim, string Source, double Prediction, double Measurement, ClaimVerdict Verdict, string? Cause = null)
{
    /// <summary>The relative tolerance |measurement/prediction − 1| (absolute |measurement − prediction| when the prediction is 0 or <see cref="Absolute"/>).</summary>
    public double Tolerance { get; init; }

    /// <summary>Whether <see cref="Tolerance"/> bounds |measurement − prediction| (slopes, log₂ grid steps) rather than the relative error.</summary>
    public bool Absolute { get; init; }

    /// <summary>The result with the verdict computed: reproduced when the relative (or, for a zero prediction, absolute) error is within tolerance.</summary>
    public static ClaimResult Compare(string claim, string source, double prediction, double measurement, double tolerance, string? causeIfMissed = null)
    {
        double error = prediction == 0 ? Math.Abs(measurement) : Math.Abs(measurement / prediction - 1);
        bool ok = double.IsFinite(measurement) && error <= tolerance;
        return new(claim, source, prediction, measurement, ok ? ClaimVerdict.Reproduced : ClaimVerdict.Missed, ok ? null : causeIfMissed ?? "outside tolerance")
        {
            Tolerance = tolerance,
        };
    }

    /// <summary>
    /// The result with the verdict computed from the absolute error |measurement − prediction| ≤ <paramref name="tolerance"/>:
    /// for quantities in their own units such as log-log slopes or log₂ grid steps.
    /// </summary>
    public static ClaimResult CompareAbsolute(string claim, string source, double prediction, double measurement, double tolerance, string? causeIfMissed = null)
    {
        bool ok = double.IsFinite(measurement) && Math.Abs(measurement - prediction) <= tolerance;
        return new(claim, source, prediction, measurement, ok ? ClaimVerdict.Reproduced : ClaimVerdict.Missed, ok ? null : causeIfMissed ?? "outside tolerance")
        {
            Tolerance = tolerance,
            Absolute = true,
        };
    }
}
