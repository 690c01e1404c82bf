using System.Text.Json.Nodes;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>
/// What the training loop needs from a model and its data. <see cref="MlpTask"/> and <see cref="GptTask"/> are the
/// built-in ones; a user's own model implements this interface and gets the same loop, checkpoints and sweeps.
/// </summary>
public interface ITrainingTask
{
    Module Model { get; }

    /// <summary>
    /// The mean loss on the next training batch, [1], ready for Backward(). The loop runs it in a
    /// <see cref="Tape.ReuseActivations"/> scope, so a task must not keep intermediate tensors of the forward past it.
    /// </summary>
    Tensor NextLoss();

    /// <summary>
    /// Draws the next batch (the one <see cref="NextLoss"/> would take), split row-wise into <paramref name="chunks"/>
    /// equal chunks, and returns a function computing the chunk mean losses at the current weights (their average is
    /// the batch loss). It may be called again on the same batch, for Hessian-vector products by finite differences.
    /// </summary>
    Func<Tensor[]> NextLossChunks(int chunks);

    /// <summary>Validation on at most <paramref name="maxBatches"/> fixed batches (the same ones every time).</summary>
    Evaluation Validate(int maxBatches);

    /// <summary>The evaluation reported when a run completes (a test set, or a longer validation pass).</summary>
    Evaluation FinalEvaluation();

    /// <summary>A forward pass on a fixed batch that fills <paramref name="taps"/> with module outputs (coordinate checks).</summary>
    void Probe(IDictionary<string, Tensor> taps);

    /// <summary>The data order's state, saved in checkpoints so a resume draws the same batches.</summary>
    JsonNode DataState();

    void RestoreDataState(JsonNode state);

    /// <summary>Items per step (images, tokens) for throughput.</summary>
    int ItemsPerStep { get; }

    string ItemUnit { get; }

    /// <summary>Steps in one pass over the training data; a run with steps = 0 trains this many.</summary>
    long StepsPerEpoch { get; }

    string Description { get; }
}
