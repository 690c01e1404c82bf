using BenchmarkDotNet.Attributes;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Benchmarks;

/// <summary>
/// One train step (forward + backward + optimizer step + zero grad) of the models that
/// <see cref="Compare"/> times against PyTorch: the 784-1024-1024-10 MLP with SGD (momentum 0.9), batch 256,
/// and the character GPT (d_model 256, 4 layers, 4 heads, context 128) with AdamW, batch 16.
/// </summary>
[MemoryDiagnoser]
public class TrainStepBenchmarks
{
    private MlpClassifier mlp = null!;
    private Tensor mlpInput = null!;
    private int[] mlpLabels = null!;
    private Sgd mlpOptimizer = null!;

    private Gpt gpt = null!;
    private int[] gptIds = null!;
    private int[] gptTargets = null!;
    private AdamW gptOptimizer = null!;

    [GlobalSetup(Target = nameof(MlpSgdStep))]
    public void SetupMlp()
    {
        var rng = new Rng(0);
        mlp = new MlpClassifier(Compare.MlpSizes, rng);
        mlpInput = Tensor.Randn(rng, 1f, Compare.MlpBatch, Compare.MlpSizes[0]); // [256, 784]
        mlpLabels = Compare.RandomInts(rng, Compare.MlpBatch, Compare.MlpSizes[^1]);
        mlpOptimizer = new Sgd(mlp.Parameters(), momentum: 0.9f);
    }

    [GlobalSetup(Target = nameof(GptAdamWStep))]
    public void SetupGpt()
    {
        var config = Compare.GptShape;
        var rng = new Rng(0);
        gpt = new Gpt(config, rng);
        int tokens = Compare.GptBatch * config.ContextLength;
        gptIds = Compare.RandomInts(rng, tokens, config.VocabSize); // [B·T]
        gptTargets = Compare.RandomInts(rng, tokens, config.VocabSize);
        gptOptimizer = new AdamW(gpt.Parameters(), weightDecay: 0.01f);
    }

    [Benchmark]
    public float MlpSgdStep() => Compare.TrainStep(() => mlp.Loss(mlpInput, mlpLabels), mlpOptimizer, 0.01f);

    [Benchmark]
    public float GptAdamWStep() =>
        Compare.TrainStep(() => gpt.Loss(gptIds, gptTargets, Compare.GptBatch, gpt.Config.ContextLength), gptOptimizer, 3e-4f);
}
