using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Data;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>MLP classifier on Fashion-MNIST (or Gaussian blobs with dataset "blobs", for tests).</summary>
public sealed class MlpTask : IShardableTask
{
    private readonly MlpClassifier model;
    private readonly LabeledSet validation, test;
    private readonly ClassificationBatcher batcher;
    private readonly ClassificationBatch probe;

    public MlpTask(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        LabeledSet train;
        if (config.Dataset == "blobs")
        {
            var all = Synthetic.GaussianBlobs(4000, 16, 4, config.Seed + 100, separation: 1f, spread: 0.5f);
            (train, validation) = all.Slice(0, 3000).SplitValidation(500, null);
            test = all.Slice(3000, 1000);
        }
        else if (config.Dataset == "fashion-mnist")
        {
            var data = TrainingTasks.FashionMnist();
            (train, validation) = FashionMnist.SplitValidation(data, config.ValidationSize);
            test = data.Test;
        }
        else throw new ArgumentException($"config: dataset '{config.Dataset}' is not one for the MLP task (use fashion-mnist or blobs).");

        var (sizes, baseSizes) = config.MlpSizes(train.Dim, train.ClassCount);
        model = new MlpClassifier(sizes, config.MakeInit(), baseSizes);
        batcher = new ClassificationBatcher(train, config.BatchSize, config.Seed + 1, dropLast: true);
        probe = ClassificationBatcher.EvalBatches(validation, Math.Min(256, validation.Count)).First();
        ItemsPerStep = config.BatchSize;
        StepsPerEpoch = batcher.BatchesPerEpoch;
        Description = $"MLP {string.Join('-', [train.Dim, .. config.Hidden, train.ClassCount])} on {config.Dataset} ({train.Count} train, {validation.Count} validation, {test.Count} test), {model.ParameterCount():N0} parameters";
    }

    public Module Model => model;
    public int ItemsPerStep { get; }
    public string ItemUnit => "img";
    public long StepsPerEpoch { get; }
    public string Description { get; }

    public Tensor NextLoss()
    {
        var b = batcher.Next();
        return model.Loss(b.X, b.Y);
    }

    public Tensor NextLossShard(int shard, int shards)
    {
        var b = batcher.Next();
        int rows = b.Y.Length / shards, dim = b.X.Shape[1];
        return model.Loss(Tensor.From(b.X.Data.AsSpan(shard * rows * dim, rows * dim).ToArray(), rows, dim), b.Y[(shard * rows)..((shard + 1) * rows)]);
    }

    public Func<Tensor[]> NextLossChunks(int chunks)
    {
        var b = batcher.Next();
        int rows = b.Y.Length / chunks, dim = b.X.Shape[1];
        var xs = Enumerable.Range(0, chunks).Select(j => Tensor.From(b.X.Data.AsSpan(j * rows * dim, rows * dim).ToArray(), rows, dim)).ToArray();
        return () => [.. Enumerable.Range(0, chunks).Select(j => model.Loss(xs[j], b.Y[(j * rows)..((j + 1) * rows)]))];
    }

    public Evaluation Validate(int maxBatches) => Evaluate(validation, "validation", maxBatches);

    public Evaluation FinalEvaluation() => Evaluate(test, "test", int.MaxValue);

    public void Probe(IDictionary<string, Tensor> taps) => model.Forward(probe.X, taps);

    public JsonNode DataState() => JsonSerializer.SerializeToNode(batcher.State)!;

    public void RestoreDataState(JsonNode state) => batcher.Restore(state.Deserialize<ClassificationBatcherState>()!);

    private Evaluation Evaluate(LabeledSet set, string split, int maxBatches)
    {
        using var _ = Tape.NoGrad();
        double lossSum = 0;
        int correct = 0, n = 0, batches = 0;
        foreach (var b in ClassificationBatcher.EvalBatches(set, 1000))
        {
            if (batches++ == maxBatches) break;
            var logits = model.Forward(b.X); // [B, classes]
            lossSum += Ops.CrossEntropy(logits, b.Y).Item() * b.Y.Length;
            correct += CountCorrect(logits, b.Y);
            n += b.Y.Length;
        }
        return new Evaluation(split, lossSum / n, (double)correct / n, n);
    }

    private static int CountCorrect(Tensor logits, int[] labels) // logits [B, classes]
    {
        int classes = logits.Shape[^1], correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (TensorPrimitives.IndexOfMax(logits.Data.AsSpan(i * classes, classes)) == labels[i]) correct++;
        return correct;
    }
}
