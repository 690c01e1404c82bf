namespace MuSharp.Spectral;

/// <summary>
/// One Newton–Schulz step's odd polynomial g(x) = a·x + b·x³ + c·x⁵, applied to every singular value (theory §5.2).
/// In matrix form X ← a·X + (b·A + c·A²)·X with A = X·Xᵀ.
/// </summary>
public readonly record struct NsCoefficients(double A, double B, double C)
{
    /// <summary>g(x) = a·x + b·x³ + c·x⁵ in double.</summary>
    public double Apply(double x)
    {
        double x2 = x * x;
        return x * (A + x2 * (B + x2 * C));
    }

    /// <summary>(a/s, b/s³, c/s⁵), i.e. x ↦ g(x/s): the Polar Express safety factor (theory §5.3).</summary>
    public NsCoefficients DividedBy(double s) => new(A / s, B / (s * s * s), C / (s * s * s * s * s));
}

/// <summary>
/// A Newton–Schulz coefficient schedule as data: step t uses Steps[min(t, Steps.Count − 1)], so a single triple
/// repeats forever and a per-step list repeats its last entry. DefaultSteps is the step count the source uses.
/// </summary>
public sealed record NsSchedule(string Name, IReadOnlyList<NsCoefficients> Steps, int DefaultSteps)
{
    /// <summary>Coefficients of step <paramref name="step"/> (0-based); the last entry repeats.</summary>
    public NsCoefficients this[int step] => Steps[Math.Min(step, Steps.Count - 1)];

    /// <summary>The scalar map f = g_{T−1} ∘ … ∘ g_0 that <paramref name="steps"/> iterations apply to each singular value.</summary>
    public double Map(double x, int steps)
    {
        for (int t = 0; t < steps; t++) x = this[t].Apply(x);
        return x;
    }

    /// <summary>Classic cubic Newton–Schulz (1.5, −0.5): converges to 1 on (0, √3) but slowly from small σ (§5.2).</summary>
    public static NsSchedule Cubic { get; } = new("cubic", [new(1.5, -0.5, 0)], 30);

    /// <summary>Taylor quintic (15/8, −5/4, 3/8): second order of t^(−1/2) at 1, f(1) = 1, f'(1) = 0 (§5.2).</summary>
    public static NsSchedule Taylor { get; } = new("taylor", [new(15.0 / 8, -5.0 / 4, 3.0 / 8)], 10);

    /// <summary>Keller Jordan's Muon quintic (3.4445, −4.7750, 2.0315), 5 steps; σ lands in about [0.68, 1.13] (§5.2, §5.4).</summary>
    public static NsSchedule KellerJordan { get; } = new("keller-jordan", [new(3.4445, -4.7750, 2.0315)], 5);

    /// <summary>Su's fit on a uniform [0, 1] grid: (3.3748, −4.6969, 2.1433) (§5.2).</summary>
    public static NsSchedule Su { get; } = new("su", [new(3.3748, -4.6969, 2.1433)], 5);

    /// <summary>YouJiacheng's 6 per-step triples, each the integer triple / 1024 (§5.2).</summary>
    public static NsSchedule YouJiacheng { get; } = new("you-jiacheng",
    [
        Per1024(3955, -8306, 5008), Per1024(3735, -6681, 3463), Per1024(3799, -6499, 3211),
        Per1024(4019, -6385, 2906), Per1024(2677, -3029, 1162), Per1024(2172, -1833, 682),
    ], 6);

    /// <summary>Su "Ours-X3", 5 per-step triples (§5.2).</summary>
    public static NsSchedule SuX3 { get; } = new("su-x3",
    [
        new(4.6182, -12.9582, 9.3299), new(3.8496, -7.9585, 4.3052), new(3.5204, -7.2918, 4.0606),
        new(3.2067, -6.8243, 4.2802), new(3.2978, -5.7848, 3.8917),
    ], 5);

    /// <summary>
    /// Polar Express (§5.3): <paramref name="steps"/> greedy minimax quintics for σ ∈ [<paramref name="lower"/>, 1],
    /// computed by <see cref="Spectral.PolarExpress.Compose"/>; every step is divided by the safety factor.
    /// </summary>
    public static NsSchedule PolarExpress(int steps = 8, double safety = 1.01, double lower = 1e-3) =>
        new($"polar-express-{steps}", Spectral.PolarExpress.Compose(lower, steps, safety), steps);

    /// <summary>
    /// The schedule behind a short name (CLI and configs): kj, su, sux3, youjiacheng, pe, cubic, taylor. Polar Express
    /// (§5.3, safety 1.01) is built for <paramref name="steps"/> steps.
    /// </summary>
    public static NsSchedule ByName(string name, int steps) => name switch
    {
        "kj" => KellerJordan,
        "su" => Su,
        "sux3" => SuX3,
        "youjiacheng" => YouJiacheng,
        "pe" => PolarExpress(Math.Max(steps, 1)),
        "cubic" => Cubic,
        "taylor" => Taylor,
        _ => throw new ArgumentException($"unknown Newton–Schulz schedule '{name}'; use kj, su, sux3, youjiacheng, pe, cubic or taylor."),
    };

    private static NsCoefficients Per1024(int a, int b, int c) => new(a / 1024.0, b / 1024.0, c / 1024.0);
}
