using BenchmarkDotNet.Attributes;

namespace MuSharp.Benchmarks;

/// <summary>
/// The GPT MLP's second half at the benchmark shape (2048 tokens, d256: U [2048, 1024], W_down [1024, 256]), forward +
/// backward: <see cref="Ops.GeluLinear"/> (gelu(U) recomputed in the backward, not stored) against the unfused
/// Linear(Gelu(U)) it replaces. The fused op trades one GELU pass for a [2048, 1024] activation per layer.
/// </summary>
[MemoryDiagnoser]
public class GeluLinearBenchmarks
{
    public const int Tokens = 2048, Hidden = 1024, Channels = 256;

    private Tensor u = null!, w = null!;
    private float[] upstream = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(0);
        u = Tensor.Randn(rng, 1f, Tokens, Hidden);
        w = Tensor.Randn(rng, 0.03f, Hidden, Channels);
        u.RequiresGrad = w.RequiresGrad = true;
        upstream = Tensor.Randn(rng, 1f, Tokens, Channels).Data;
    }

    [Benchmark(Baseline = true)]
    public Tensor Unfused() => Step(() => Ops.Linear(Ops.Gelu(u), w, null));

    [Benchmark]
    public Tensor Fused() => Step(() => Ops.GeluLinear(u, w, null));

    private Tensor Step(Func<Tensor> forward) => BackwardStep.Run(forward, upstream, u, w);
}
