namespace MuSharp.Reproduce;

/// <summary>Whether a measurement reproduces a claim's prediction within the claim's tolerance.</summary>
public enum ClaimVerdict { Reproduced, Missed }

/// <summary>
/// One checkable claim of the seeds: what the source predicts, what MuSharp measured and the verdict, computed from the
/// two by <see cref="Compare"/>. A miss carries its <paramref name="Cause"/> (a known approximation, a finite-size effect).
/// </summary>
public sealed record ClaimResult(string Claim, string Source, double Prediction, double Measurement, ClaimVerdict Verdict, string? Cause = null)
{
    /// <summary>The relative tolerance |measurement/prediction − 1| (absolute |measurement − prediction| when the prediction is 0).</summary>
    public double Tolerance { get; init; }

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
}
