namespace MuSharp.Reports;

/// One trial of a batch-scaling sweep (task "mlp"/"gpt", optimizer "sgd"/"adamw"/"muon"...). Loss = final validation loss (null unless done);
/// StepsToTarget = interpolated steps to reach the sweep's target validation loss (null if never reached). Status: done/diverged/failed.
public sealed record BatchTrialPoint(string Task, string Optimizer, int Batch, double Lr, ulong Seed, double? Loss, double? StepsToTarget, string Status);

/// The measured optimum at one batch size: the learning rate minimizing steps-to-target (refined in log lr), with the steps and samples (= Batch·Steps) at it. AtEdge: the optimum sits at the edge of the lr grid.
public sealed record BatchOptimumPoint(string Task, string Optimizer, int Batch, double OptimalLr, double Steps, double Samples, bool AtEdge);

/// A densely sampled curve. Curve is one of: "fit" (η_max/(1+B_noise/B)^α fitted to the optima; Value = lr), "prediction" (theory's law with B_simple measured in training, one fitted scale; Value = lr),
/// "steps-fit" (S = S_min(1+B_noise/B); Value = steps). Label is the legend text, e.g. "fit: B_noise 180, α 0.93".
public sealed record BatchCurvePoint(string Task, string Optimizer, string Curve, string Label, double Batch, double Value);

/// The gradient noise scale measured during training (two-batch estimator, EMA-smoothed) in one trial.
public sealed record NoiseScalePoint(string Task, string Optimizer, int Batch, double Lr, long Step, double GradNormSq, double TraceSigma, double BSimple);

/// Adam's update RMS during real training for one β1, with theory §6's zero-signal prediction sqrt((1−β1)/(1+β1)) and the inverted signal-to-noise ratio.
public sealed record UpdateRmsPoint(string Task, double Beta1, long Step, double Measured, double Predicted, double Snr);

/// One-step optimal lr on a planted quadratic: Monte-Carlo measurement vs the theory's prediction. Case e.g. "sgd", "signsgd", "momentum β1=0.9", "surge (signsgd)", "adam β1=0.9".
public sealed record QuadraticLrPoint(string Case, double Batch, double Measured, double Predicted);

public sealed record BatchScalingData(
    IReadOnlyList<BatchTrialPoint> Trials,
    IReadOnlyList<BatchOptimumPoint> Optima,
    IReadOnlyList<BatchCurvePoint> Curves,
    IReadOnlyList<NoiseScalePoint> Noise,
    IReadOnlyList<UpdateRmsPoint> UpdateRms,
    IReadOnlyList<QuadraticLrPoint> Quadratic);
