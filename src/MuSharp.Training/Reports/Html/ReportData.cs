namespace MuSharp.Reports;

/// <summary>
/// One trial of a μTransfer sweep: a (task, optimizer, parametrization, width, learning rate, seed) cell and its
/// outcome. <see cref="Status"/> is done, diverged or failed; <see cref="Loss"/> (validation loss) is null unless done.
/// </summary>
public sealed record TransferPoint(string Task, string Optimizer, string Parametrization, int Width, double Lr, ulong Seed, double? Loss, string Status)
{
    public const string Done = "done";
    public const string Diverged = "diverged";
    public const string Failed = "failed";
}

/// <summary>
/// One coordinate-check measurement of a module at a training step and width. <see cref="Metric"/> is
/// activation (‖x‖_RMS), change (‖x_t − x_0‖_RMS), weight (‖W‖₂·√(d_in/d_out)) or update (‖ΔW‖₂·√(d_in/d_out)).
/// </summary>
public sealed record CoordPoint(string Parametrization, string Optimizer, string Module, string Metric, int Step, int Width, double Value)
{
    public const string Activation = "activation";
    public const string Change = "change";
    public const string Weight = "weight";
    public const string Update = "update";
}

/// <summary>
/// The coordinate check's judgement of one series: <see cref="Slope"/> is the fitted d log₂(value) / d log₂(width),
/// <see cref="Verdict"/> is flat, growing or shrinking.
/// </summary>
public sealed record CoordVerdict(string Parametrization, string Optimizer, string Module, string Metric, int Step, double Slope, string Verdict)
{
    public const string Flat = "flat";
    public const string Growing = "growing";
    public const string Shrinking = "shrinking";
}

/// <summary>
/// Everything an HTML report shows. Any list may be empty; its section (and figures) are then left out.
/// <see cref="TransferSummary"/>, when given, is the summary section as HTML tables (<see cref="SummaryHtml"/>); otherwise
/// <see cref="SummaryLines"/> are printed verbatim in a &lt;pre&gt; block. <see cref="BatchScaling"/>, when given,
/// adds the learning-rate-vs-batch-size sections (see <see cref="BatchScalingSections"/>); <see cref="Tune"/>, when
/// given, the sections of a tune (see <see cref="TuneSections"/>).
/// </summary>
public sealed record ReportData(
    string Title,
    IReadOnlyList<TransferPoint> Transfer,
    IReadOnlyList<CoordPoint> Coord,
    IReadOnlyList<CoordVerdict> Verdicts,
    IReadOnlyList<string> SummaryLines,
    BatchScalingData? BatchScaling = null,
    Experiments.TuneResult? Tune = null,
    IReadOnlyList<Sweeps.TransferGroup>? TransferSummary = null);
