using MuSharp.BatchScaling;
using MuSharp.Diagnostics;

namespace MuSharp.Training;

/// <summary>One evaluation: mean loss (nats) and, for classifiers, accuracy in [0, 1].</summary>
public sealed record Evaluation(string Split, double Loss, double? Accuracy, int Items);

/// <summary>
/// A logged step: its learning rate and training loss, the validation that ran after it (if any), the throughput
/// since the previous logged step in <see cref="ITrainingTask.ItemUnit"/>/s, and the run's wall time.
/// </summary>
public sealed record StepRecord(long Step, float Lr, double TrainLoss, Evaluation? Validation, double Throughput, double ElapsedSeconds);

/// <summary>The validation loss at initialization (step 0), on the same batches as every later validation.</summary>
public sealed record InitialRecord(Evaluation Validation);

/// <summary>Per-parameter update statistics after a monitored step (theory §3.1, §5.1, §6).</summary>
public sealed record MonitorRecord(long Step, IReadOnlyList<ParameterStats> Parameters);

/// <summary>
/// The gradient noise scale at a measured step (theory §7.2): the raw two-batch estimates, their bias-corrected EMAs
/// and B_simple = tr(Σ)/|G|²; with Hessian-vector products also gᵀHg, tr(ΣH) and B_noise (NaN otherwise).
/// </summary>
public sealed record NoiseRecord(long Step, int Batch, NoiseEstimate Raw, double EmaGradNormSq, double EmaTraceSigma, double BSimple,
    HessianNoiseEstimate? Hessian, double BNoise);

/// <summary>How a run ended: <see cref="Completed"/> with its final evaluation, or stopped (Ctrl+C) with a checkpoint.</summary>
public sealed record TrainResult(long Steps, bool Completed, Evaluation? Final, Evaluation? Initial, string? StopReason);
