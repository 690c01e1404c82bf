using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>
/// One trial of a tune stage as read from its store: which parametrization, which search point (or verify factor),
/// the values it ran with, and how it ended; <see cref="Curve"/> is its logged metrics (target and verify runs).
/// </summary>
public sealed record TuneTrial(string Stage, string Parametrization, int Index, ulong Seed, double Lr, IReadOnlyDictionary<string, double> Values,
    TrialStatus Status, double? Loss, double? EvalLoss, double? EvalAccuracy, double? Seconds, IReadOnlyList<MetricRow> Curve)
{
    /// <summary>The loss a search ranks by: the final validation loss, +∞ when diverged, failed or missing.</summary>
    public double Score => Status == TrialStatus.Done && Loss is double l && double.IsFinite(l) ? l : double.PositiveInfinity;
}

/// <summary>
/// Stage 2 for one parametrization: the proxy's best point (lowest seed-mean final validation loss), its values, the
/// values the target gets through <see cref="Rules"/>, and the proxy loss it was chosen by.
/// </summary>
public sealed record TuneChoice(string Parametrization, int Point, IReadOnlyDictionary<string, double> ProxyValues,
    IReadOnlyDictionary<string, double> TargetValues, IReadOnlyList<TransferRule> Rules, double ProxyLoss);

/// <summary>
/// One row of the compute ledger: a set of training runs, their training FLOPs (<see cref="FlopCount"/>) and wall time
/// (the trials' summed seconds). <see cref="Estimated"/> rows were not run: a search of the proxy search's size at
/// the target, priced from the measured target runs.
/// </summary>
public sealed record LedgerRow(string Parametrization, string What, int Runs, double Flops, double Seconds, bool Estimated);

/// <summary>Everything a tune measured, for the printed summary and the report.</summary>
public sealed record TuneResult(string Name, string ProxyShape, string TargetShape, IReadOnlyList<string> Keys,
    IReadOnlyList<TuneTrial> Proxy, IReadOnlyList<TuneChoice> Choices, IReadOnlyList<TuneTrial> Target, IReadOnlyList<TuneTrial> Verify,
    IReadOnlyList<LedgerRow> Ledger, IReadOnlyList<double> VerifyFactors);
