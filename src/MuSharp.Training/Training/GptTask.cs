using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Data;
using MuSharp.Nn;

namespace MuSharp.Training;

/// <summary>Character-level GPT on a text corpus ("brown", "kjv", or "synthetic" for tests).</summary>
public sealed class GptTask : IShardableTask
{
    private readonly Gpt model;
    private readonly TextCorpus corpus;
    private readonly SequenceBatcher batcher;
    private readonly SequenceBatch probe;
    private readonly int evalRows, contextLength, finalEvalBatches;
    private readonly string dataset;

    public GptTask(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        corpus = config.Dataset == "synthetic"
            ? new TextCorpus("synthetic", Synthetic.MarkovText(200_000, config.Seed + 100))
            : TrainingTasks.Corpus(config.Dataset);
        model = new Gpt(config.Gpt(corpus.Vocab.Size), config.MakeInit());
        int b = config.BatchSize;
        contextLength = config.ContextLength;
        evalRows = config.EvalBatchSize > 0 ? config.EvalBatchSize : b;
        finalEvalBatches = config.FinalEvalBatches;
        dataset = config.Dataset;
        batcher = new SequenceBatcher(corpus.Train, b, contextLength, config.Seed + 1);
        probe = SequenceBatcher.EvalBatches(corpus.Validation, b, contextLength).First();
        ItemsPerStep = b * contextLength;
        StepsPerEpoch = corpus.Train.Count / (b * contextLength);
        Description = $"GPT d{config.DModel} L{config.Layers} H{config.Heads} T{contextLength} on {corpus}, {model.ParameterCount():N0} parameters";
    }

    public Module Model => model;
    public int ItemsPerStep { get; }
    public string ItemUnit => "tok";
    public long StepsPerEpoch { get; }
    public string Description { get; }

    public Tensor NextLoss()
    {
        var s = batcher.Next();
        return model.Loss(s.Inputs, s.Targets, s.Rows, s.SeqLen);
    }

    public Tensor NextLossShard(int shard, int shards)
    {
        var s = batcher.Next();
        int rows = s.Rows / shards, n = rows * s.SeqLen;
        return model.Loss(s.Inputs[(shard * n)..((shard + 1) * n)], s.Targets[(shard * n)..((shard + 1) * n)], rows, s.SeqLen);
    }

    public Func<Tensor[]> NextLossChunks(int chunks)
    {
        var s = batcher.Next();
        int rows = s.Rows / chunks, n = rows * s.SeqLen;
        return () => [.. Enumerable.Range(0, chunks).Select(j => model.Loss(s.Inputs[(j * n)..((j + 1) * n)], s.Targets[(j * n)..((j + 1) * n)], rows, s.SeqLen))];
    }

    public Evaluation Validate(int maxBatches)
    {
        using var _ = Tape.NoGrad();
        double lossSum = 0;
        int n = 0, batches = 0;
        foreach (var s in SequenceBatcher.EvalBatches(corpus.Validation, evalRows, contextLength))
        {
            if (batches++ == maxBatches) break;
            lossSum += model.Loss(s.Inputs, s.Targets, s.Rows, s.SeqLen).Item() * s.Targets.Length;
            n += s.Targets.Length;
        }
        return new Evaluation("validation", lossSum / n, null, n);
    }

    public Evaluation FinalEvaluation() => Validate(finalEvalBatches);

    public void Probe(IDictionary<string, Tensor> taps) => model.Forward(probe.Inputs, probe.Rows, probe.SeqLen, taps);

    public JsonNode DataState() => new JsonObject { ["batcher"] = JsonSerializer.SerializeToNode(batcher.State), ["vocab"] = corpus.Vocab.ToString() };

    public void RestoreDataState(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if ((string?)state["vocab"] != corpus.Vocab.ToString())
            throw new InvalidDataException($"checkpoint: the corpus vocabulary differs from the one the run was trained with; was the '{dataset}' data changed?");
        batcher.Restore(state["batcher"].Deserialize<SequenceBatcherState>()!);
    }
}
