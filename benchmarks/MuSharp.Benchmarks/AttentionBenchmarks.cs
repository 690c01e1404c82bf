using BenchmarkDotNet.Attributes;

namespace MuSharp.Benchmarks;

/// <summary>
/// Causal self-attention forward + backward at the GPT benchmark shape: q, k, v [B=16, T=128, C=256], H=4 heads,
/// scale 1/sqrt(Dh). Backward runs from a fixed upstream gradient of the output's shape.
/// </summary>
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    public const int Batch = 16, Time = 128, Channels = 256, Heads = 4;

    private Tensor q = null!, k = null!, v = null!;
    private float[] upstream = null!;
    private float scale;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(0);
        q = Tensor.Randn(rng, 1f, Batch, Time, Channels);
        k = Tensor.Randn(rng, 1f, Batch, Time, Channels);
        v = Tensor.Randn(rng, 1f, Batch, Time, Channels);
        q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
        upstream = Tensor.Randn(rng, 1f, Batch, Time, Channels).Data;
        scale = 1f / MathF.Sqrt(Channels / Heads);
    }

    [Benchmark]
    public Tensor Forward()
    {
        using (Tape.NoGrad()) return Ops.CausalSelfAttention(q, k, v, Heads, scale);
    }

    [Benchmark]
    public Tensor ForwardBackward()
    {
        // Gradients accumulate; clearing keeps the buffers, as a training loop's ZeroGrad does.
        q.ZeroGrad();
        k.ZeroGrad();
        v.ZeroGrad();
        var y = Ops.CausalSelfAttention(q, k, v, Heads, scale); // [B, T, C]
        Tape.Backward(y, upstream);
        return y;
    }
}
