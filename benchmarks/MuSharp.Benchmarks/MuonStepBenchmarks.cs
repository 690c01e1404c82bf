using BenchmarkDotNet.Attributes;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Benchmarks;

/// <summary>
/// The comparison's GPT train step (d_model 256, 4 layers, 4 heads, context 128, batch 16; see <see cref="Compare"/>)
/// with AdamW on every parameter (baseline) against Muon on the Hidden matrices (q, k, v, proj, mlp.up, mlp.down)
/// plus AdamW on the rest (embeddings, head, gains, biases), the two optimizers composed by hand.
/// The ratio Muon/AdamW is the cost of 5 Keller Jordan Newton–Schulz steps per hidden matrix per step.
/// </summary>
[MemoryDiagnoser]
public class MuonStepBenchmarks
{
    private Gpt gpt = null!;
    private int[] ids = null!;
    private int[] targets = null!;
    private AdamW adamAll = null!;
    private Muon muonHidden = null!;
    private AdamW adamRest = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = Compare.GptShape;
        var rng = new Rng(0);
        gpt = new Gpt(config, rng);
        int tokens = Compare.GptBatch * config.ContextLength;
        ids = Compare.RandomInts(rng, tokens, config.VocabSize);     // [B·T]
        targets = Compare.RandomInts(rng, tokens, config.VocabSize); // [B·T]
        var all = gpt.Parameters().ToList();
        adamAll = new AdamW(all, weightDecay: 0.01f);
        muonHidden = new Muon(all.Where(p => p.Role == Role.Hidden), new MuonConfig { WeightDecay = 0.01f });
        adamRest = new AdamW(all.Where(p => p.Role != Role.Hidden), weightDecay: 0.01f);
    }

    [Benchmark(Baseline = true)]
    public float GptAdamWStep() => Compare.TrainStep(Loss, adamAll, 3e-4f);

    /// <summary>Forward + backward + Muon step (η 0.02, spectral norm per update) + AdamW step (η 3e-4) + zero grad.</summary>
    [Benchmark]
    public float GptMuonStep()
    {
        var l = Loss();
        l.Backward();
        muonHidden.Step(0.02f);
        adamRest.Step(3e-4f);
        muonHidden.ZeroGrad();
        adamRest.ZeroGrad();
        return l.Item();
    }

    private Tensor Loss() => gpt.Loss(ids, targets, Compare.GptBatch, gpt.Config.ContextLength);
}
