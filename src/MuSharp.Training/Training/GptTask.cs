using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Data;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Training;

/// <summary>
/// Character-level GPT on a text corpus ("brown", "kjv", or "synthetic" for tests). With <see cref="TrainConfig.QkClipTau"/>
/// &gt; 0 it applies QK-Clip (theory §12.2) after every optimizer step on the batch that step trained (<see cref="AfterStep"/>).
/// </summary>
public sealed class GptTask : IShardableTask, IAfterStepTask
{
    private static readonly Dictionary<string, double> NoLogits = [];
    private readonly double qkClipTau;
    private SequenceBatch? last;
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
        qkClipTau = config.QkClipTau;
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
        last = s;
        return model.Loss(s.Inputs, s.Targets, s.Rows, s.SeqLen);
    }

    /// <summary>
    /// QK-Clip on the last training batch when <see cref="TrainConfig.QkClipTau"/> &gt; 0: each head whose max logit exceeds
    /// τ has its W_q, W_k columns scaled by √(τ/S) (<see cref="QkClip.Apply"/>, one extra forward). Returns each layer's
    /// largest logit before the clip keyed by its query weight's name; empty when QK-Clip is off.
    /// </summary>
    public IReadOnlyDictionary<string, double> AfterStep()
    {
        if (qkClipTau <= 0 || last is not { } s) return NoLogits;
        var report = QkClip.Apply(model, s.Inputs, s.Rows, s.SeqLen, qkClipTau);
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int l = 0; l < model.Blocks.Count; l++) result[model.Blocks[l].Attention.Query.Weight.Name] = report.MaxLogits[l].Max();
        return result;
    }

    public Tensor NextLossShard(int shard, int shards)
    {
        var s = batcher.Next();
        last = s; // QK-Clip works on the whole batch, the same on every rank
        int rows = s.Rows / shards, n = rows * s.SeqLen;
        return model.Loss(s.Inputs[(shard * n)..((shard + 1) * n)], s.Targets[(shard * n)..((shard + 1) * n)], rows, s.SeqLen);
    }

    public Func<Tensor[]> NextLossChunks(int chunks)
    {
        var s = batcher.Next();
        last = s;
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
