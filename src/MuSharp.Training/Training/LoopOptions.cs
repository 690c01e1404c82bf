using MuSharp.Optim;

namespace MuSharp.Training;

/// <summary>
/// How <see cref="TrainingLoop.Run"/> trains: length and learning-rate schedule, when it logs, validates, monitors,
/// measures the noise scale and checkpoints, and when it stops early. <see cref="TrainConfig.Loop"/> builds one from a
/// config file; a program can build one directly.
/// </summary>
public sealed record LoopOptions
{
    /// <summary>Training steps; 0 = one epoch (<see cref="ITrainingTask.StepsPerEpoch"/>).</summary>
    public long Steps { get; init; }
    public required Schedule Schedule { get; init; }

    /// <summary>The training batch size, which the noise-scale estimator needs (B_big; B_small = batch/chunks).</summary>
    public int BatchSize { get; init; }
    public int LogEvery { get; init; } = 10;
    public int EvalEvery { get; init; } = 200;
    public int EvalBatches { get; init; } = 20;
    public int CheckpointEvery { get; init; } = 200;

    /// <summary>Validate at initialization (step 0) and report it as an <see cref="InitialRecord"/>; sweeps judge divergence by it.</summary>
    public bool EvaluateAtStart { get; init; }

    /// <summary>Per-parameter update monitors every this many steps (one SVD per matrix each time); 0 = off.</summary>
    public int MonitorEvery { get; init; }

    /// <summary>Also validate on a geometric schedule: after step s, again by ⌈s·growth⌉; 0 = off.</summary>
    public double EvalGrowth { get; init; }

    /// <summary>Stop at the first validation loss ≤ this.</summary>
    public double? TargetLoss { get; init; }

    /// <summary>Stop after this many validations without a new best; 0 = never.</summary>
    public int Patience { get; init; }

    /// <summary>Measure the noise scale (theory §7.2) every this many steps in <see cref="NoiseChunks"/> chunks; 0 = off.</summary>
    public int NoiseEvery { get; init; }
    public int NoiseChunks { get; init; } = 4;

    /// <summary>Also estimate B_noise = tr(ΣH)/gᵀHg from Hessian-vector products at each noise step.</summary>
    public bool NoiseHessian { get; init; }

    /// <summary>Stop (with a checkpoint and the final evaluation) after this many minutes; 0 = no limit.</summary>
    public double MaxMinutes { get; init; }

    /// <summary>
    /// Stop with <see cref="TrainingDivergedException"/> when a training loss exceeds this × the run's first loss;
    /// 0 = off. A non-finite loss stops the run whatever this is.
    /// </summary>
    public double DivergenceFactor { get; init; }

    /// <summary>The precision the training forward and backward GEMMs run in (<see cref="MixedPrecision"/>); evaluation stays fp32.</summary>
    public Precision Precision { get; init; } = Precision.Fp32;

    /// <summary>
    /// λ of AdamW's weight-RMS law (theory §6): when set, the loop advances the law every step
    /// (<see cref="Diagnostics.UpdateMonitor.AdvanceWeightRmsLaw"/>, kept in checkpoints) and monitors carry
    /// <see cref="Diagnostics.ParameterStats.PredictedWeightRms"/>; null = no prediction.
    /// </summary>
    public float? WeightRmsLawDecay { get; init; }

    /// <summary>
    /// Gradient accumulation: each step's batch is cut row-wise into this many equal micro-batches, back-propagated one
    /// at a time, and the micro-batch gradients are summed in order and scaled by 1/k (exactly what k data-parallel ranks
    /// compute: see <see cref="ReduceGradients"/>). 1 = off. The task must be an <see cref="IShardableTask"/>.
    /// </summary>
    public int MicroBatches { get; init; } = 1;

    /// <summary>
    /// Data parallelism: this process trains on shard <see cref="Shard"/> of <see cref="Shards"/> equal row slices of each
    /// global batch (every process draws the same batch). 1 = the whole batch. The task must be an <see cref="IShardableTask"/>.
    /// </summary>
    public int Shards { get; init; } = 1;

    /// <summary>This process's slice of the batch, 0 ≤ Shard &lt; <see cref="Shards"/>.</summary>
    public int Shard { get; init; }

    /// <summary>
    /// The data-parallel hook: called after backward and before the optimizer step with the parameters (their Grad
    /// holds this process's gradient) and this process's loss; it must leave the global gradient in every Grad (e.g. an
    /// all-reduce over the processes, scaled by 1/N) and return the global loss. Null = one process.
    /// </summary>
    public GradientReducer? ReduceGradients { get; init; }

    /// <summary>Whether this process writes checkpoints (data parallelism: rank 0 only; the others keep identical state).</summary>
    public bool WriteCheckpoints { get; init; } = true;
}

/// <summary>
/// Turns each process's gradients (in <see cref="Tensor.Grad"/>) into the global gradient and returns the global
/// loss; see <see cref="LoopOptions.ReduceGradients"/>.
/// </summary>
public delegate float GradientReducer(IReadOnlyList<Nn.Parameter> parameters, float localLoss);
