using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp;
using MuSharp.Data;
using MuSharp.Nn;
using MuSharp.Training;

namespace Examples;

/// <summary>
/// The user's model on Gaussian blobs (16 features, 4 classes) as an <see cref="ITrainingTask"/>: what MuSharp's
/// training loop, checkpoints and sweeps need to train it.
/// </summary>
public sealed class BlobsTask : ITrainingTask
{
    private readonly ResidualMlp model;
    private readonly LabeledSet validation, test;
    private readonly ClassificationBatcher batcher;

    public BlobsTask(int width, int baseWidth, int depth, int batchSize, ulong seed, Init init)
    {
        var all = Synthetic.GaussianBlobs(4000, 16, 4, seed: 100, separation: 1f, spread: 0.5f);
        (var train, validation) = all.Slice(0, 3000).SplitValidation(500, null);
        test = all.Slice(3000, 1000);
        model = new ResidualMlp(16, width, baseWidth, depth, 4, init);
        batcher = new ClassificationBatcher(train, batchSize, seed + 1, dropLast: true);
        ItemsPerStep = batchSize;
        StepsPerEpoch = batcher.BatchesPerEpoch;
        Description = $"residual MLP width {width} depth {depth}, {model.ParameterCount():N0} parameters";
    }

    /// <summary>The task a sweep trial's config describes: width from hidden[0], base width from baseWidth.</summary>
    public static BlobsTask FromConfig(TrainConfig c) =>
        new(c.Hidden[0], c.BaseWidth > 0 ? c.BaseWidth : c.Hidden[0], depth: 2, c.BatchSize, c.Seed, c.MakeInit());

    public ResidualMlp Net => model;
    public Module Model => model;
    public int ItemsPerStep { get; }
    public string ItemUnit => "ex";
    public long StepsPerEpoch { get; }
    public string Description { get; }

    public Tensor NextLoss()
    {
        var b = batcher.Next();
        return Ops.CrossEntropy(model.Forward(b.X), b.Y);
    }

    public Func<Tensor[]> NextLossChunks(int chunks) => throw new NotSupportedException("this example does not measure the noise scale");

    public Evaluation Validate(int maxBatches) => Evaluate(validation, "validation", maxBatches);

    public Evaluation FinalEvaluation() => Evaluate(test, "test", int.MaxValue);

    public void Probe(IDictionary<string, Tensor> taps) => model.Forward(ClassificationBatcher.EvalBatches(validation, 256).First().X, taps);

    public JsonNode DataState() => JsonSerializer.SerializeToNode(batcher.State)!;

    public void RestoreDataState(JsonNode state) => batcher.Restore(state.Deserialize<ClassificationBatcherState>()!);

    private Evaluation Evaluate(LabeledSet set, string split, int maxBatches)
    {
        using var _ = Tape.NoGrad();
        double loss = 0;
        int n = 0, batches = 0;
        foreach (var b in ClassificationBatcher.EvalBatches(set, 500))
        {
            if (batches++ == maxBatches) break;
            loss += Ops.CrossEntropy(model.Forward(b.X), b.Y).Item() * b.Y.Length;
            n += b.Y.Length;
        }
        return new Evaluation(split, loss / n, null, n);
    }
}
