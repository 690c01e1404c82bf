using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Training;
using MuSharp.Data;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>One evaluation: mean loss (nats) and, for classifiers, accuracy in [0, 1].</summary>
public sealed record Evaluation(string Split, double Loss, double? Accuracy, int Items);

/// <summary>
/// What the training loop needs from a model and its data: the next training loss, evaluations, and the
/// batcher state that a checkpoint must carry. Built by <see cref="Mlp"/> or <see cref="Gpt"/>; plain data, no hooks.
/// </summary>
public sealed class TrainingTask
{
    public required Module Model { get; init; }
    public required Func<Tensor> NextLoss { get; init; }

    /// <summary>
    /// Draws the next batch (the same one <see cref="NextLoss"/> would take), split row-wise into k equal chunks, and
    /// returns a function that computes the k chunk mean losses (their average is the batch loss) at the current
    /// weights; it can be called again on the same batch, for Hessian-vector products by finite differences.
    /// </summary>
    public required Func<int, Func<Tensor[]>> NextLossChunks { get; init; }
    public required Func<int, Evaluation> Validate { get; init; }
    public required Func<Evaluation> FinalEvaluation { get; init; }
    /// <summary>Forward pass on a fixed validation batch that fills the model's taps (module outputs), for coordinate checks.</summary>
    public required Action<IDictionary<string, Tensor>> Probe { get; init; }
    public required Func<JsonNode> DataState { get; init; }
    public required Action<JsonNode> RestoreDataState { get; init; }
    public required int ItemsPerStep { get; init; }
    public required string ItemUnit { get; init; }
    public required long StepsPerEpoch { get; init; }
    public required string Description { get; init; }

    // Datasets are read once per process: sweeps and coordinate checks build many models over the same data.
    private static readonly Lazy<FashionMnistData> FashionMnistOnce = new(() => FashionMnist.Load());
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<TextCorpus>> Corpora = new();

    public static TrainingTask Create(TrainConfig config) => config.Task switch
    {
        TaskKind.Mlp => Mlp(config),
        TaskKind.Gpt => Gpt(config),
        _ => throw new ArgumentException($"config: unknown task {config.Task}."),
    };

    /// <summary>MLP classifier on Fashion-MNIST (or Gaussian blobs with dataset "blobs", for tests).</summary>
    public static TrainingTask Mlp(TrainConfig config)
    {
        LabeledSet train, validation, test;
        if (config.Dataset == "blobs")
        {
            var all = Synthetic.GaussianBlobs(4000, 16, 4, config.Seed + 100, separation: 1f, spread: 0.5f);
            (train, validation) = all.Slice(0, 3000).SplitValidation(500, null);
            test = all.Slice(3000, 1000);
        }
        else if (config.Dataset == "fashion-mnist")
        {
            var data = FashionMnistOnce.Value;
            (train, validation) = FashionMnist.SplitValidation(data, config.ValidationSize);
            test = data.Test;
        }
        else throw new ArgumentException($"config: dataset '{config.Dataset}' is not one for the MLP task (use fashion-mnist or blobs).");

        var (sizes, baseSizes) = config.MlpSizes(train.Dim, train.ClassCount);
        var model = new MlpClassifier(sizes, new Rng(config.Seed), baseSizes);
        config.Parametrize(model);
        var batcher = new ClassificationBatcher(train, config.BatchSize, config.Seed + 1, dropLast: true);
        Evaluation Evaluate(LabeledSet set, string split, int maxBatches)
        {
            using var _ = Tape.NoGrad();
            double lossSum = 0; int correct = 0, n = 0, batches = 0;
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
        var probe = ClassificationBatcher.EvalBatches(validation, Math.Min(256, validation.Count)).First();
        return new TrainingTask
        {
            Model = model,
            NextLoss = () => { var b = batcher.Next(); return model.Loss(b.X, b.Y); },
            NextLossChunks = k =>
            {
                var b = batcher.Next();
                int rows = b.Y.Length / k, dim = b.X.Shape[1];
                var xs = Enumerable.Range(0, k).Select(j => Tensor.From(b.X.Data.AsSpan(j * rows * dim, rows * dim).ToArray(), rows, dim)).ToArray();
                return () => [.. Enumerable.Range(0, k).Select(j => model.Loss(xs[j], b.Y[(j * rows)..((j + 1) * rows)]))];
            },
            Probe = taps => model.Forward(probe.X, taps),
            Validate = maxBatches => Evaluate(validation, "validation", maxBatches),
            FinalEvaluation = () => Evaluate(test, "test", int.MaxValue),
            DataState = () => JsonSerializer.SerializeToNode(batcher.State)!,
            RestoreDataState = s => batcher.Restore(s.Deserialize<ClassificationBatcherState>()!),
            ItemsPerStep = config.BatchSize,
            ItemUnit = "img",
            StepsPerEpoch = batcher.BatchesPerEpoch,
            Description = $"MLP {string.Join('-', [train.Dim, .. config.Hidden, train.ClassCount])} on {config.Dataset} ({train.Count} train, {validation.Count} validation, {test.Count} test), {model.ParameterCount():N0} parameters",
        };
    }

    /// <summary>Character-level GPT on a text corpus ("brown", "kjv", or "synthetic" for tests).</summary>
    public static TrainingTask Gpt(TrainConfig config)
    {
        var corpus = config.Dataset == "synthetic"
            ? new TextCorpus("synthetic", Synthetic.MarkovText(200_000, config.Seed + 100))
            : Corpora.GetOrAdd(config.Dataset, name => new Lazy<TextCorpus>(() => TextCorpus.Load(name))).Value;
        var model = new Gpt(config.Gpt(corpus.Vocab.Size), new Rng(config.Seed));
        config.Parametrize(model);
        int b = config.BatchSize, t = config.ContextLength, evalRows = config.EvalBatchSize > 0 ? config.EvalBatchSize : b;
        var batcher = new SequenceBatcher(corpus.Train, b, t, config.Seed + 1);
        Evaluation Evaluate(int maxBatches)
        {
            using var _ = Tape.NoGrad();
            double lossSum = 0; int n = 0, batches = 0;
            foreach (var s in SequenceBatcher.EvalBatches(corpus.Validation, evalRows, t))
            {
                if (batches++ == maxBatches) break;
                lossSum += model.Loss(s.Inputs, s.Targets, s.Rows, s.SeqLen).Item() * s.Targets.Length;
                n += s.Targets.Length;
            }
            return new Evaluation("validation", lossSum / n, null, n);
        }
        var probe = SequenceBatcher.EvalBatches(corpus.Validation, b, t).First();
        return new TrainingTask
        {
            Model = model,
            NextLoss = () => { var s = batcher.Next(); return model.Loss(s.Inputs, s.Targets, s.Rows, s.SeqLen); },
            NextLossChunks = k =>
            {
                var s = batcher.Next();
                int rows = s.Rows / k, n = rows * s.SeqLen;
                return () => [.. Enumerable.Range(0, k).Select(j => model.Loss(s.Inputs[(j * n)..((j + 1) * n)], s.Targets[(j * n)..((j + 1) * n)], rows, s.SeqLen))];
            },
            Probe = taps => model.Forward(probe.Inputs, probe.Rows, probe.SeqLen, taps),
            Validate = Evaluate,
            FinalEvaluation = () => Evaluate(config.FinalEvalBatches),
            DataState = () => new JsonObject { ["batcher"] = JsonSerializer.SerializeToNode(batcher.State), ["vocab"] = corpus.Vocab.ToString() },
            RestoreDataState = s =>
            {
                if ((string?)s["vocab"] != corpus.Vocab.ToString())
                    throw new InvalidDataException($"checkpoint: the corpus vocabulary differs from the one the run was trained with; was the '{config.Dataset}' data changed?");
                batcher.Restore(s["batcher"].Deserialize<SequenceBatcherState>()!);
            },
            ItemsPerStep = b * t,
            ItemUnit = "tok",
            StepsPerEpoch = corpus.Train.Count / (b * t),
            Description = $"GPT d{config.DModel} L{config.Layers} H{config.Heads} T{t} on {corpus}, {model.ParameterCount():N0} parameters",
        };
    }

    private static int CountCorrect(Tensor logits, int[] labels)
    {
        int classes = logits.Shape[^1], correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.Data.AsSpan(i * classes, classes);
            if (System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == labels[i]) correct++;
        }
        return correct;
    }
}
