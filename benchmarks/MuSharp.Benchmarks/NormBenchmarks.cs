using BenchmarkDotNet.Attributes;

namespace MuSharp.Benchmarks;

/// <summary>
/// LayerNorm forward + backward at the GPT d256 benchmark shape (2048 tokens × 256 channels, gain and bias):
/// <see cref="Ops.LayerNorm"/> (one fused row kernel, rows in chunks) against the same normalization composed from the
/// element-wise and reduction ops a user would write (mean, subtract, square, mean, pow −½, multiply, add).
/// </summary>
[MemoryDiagnoser]
public class NormBenchmarks
{
    public const int Tokens = 2048, Channels = 256;

    private Tensor x = null!, gain = null!, bias = null!;
    private float[] upstream = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(0);
        x = Tensor.Randn(rng, 1f, Tokens, Channels);
        gain = Tensor.Randn(rng, 1f, Channels);
        bias = Tensor.Randn(rng, 1f, Channels);
        x.RequiresGrad = gain.RequiresGrad = bias.RequiresGrad = true;
        upstream = Tensor.Randn(rng, 1f, Tokens, Channels).Data;
    }

    [Benchmark(Baseline = true)]
    public Tensor Composed() => Step(() =>
    {
        var centered = Ops.Sub(x, Ops.Mean(x, 1, keepDim: true)); // [Tokens, Channels]
        var rstd = Ops.PowScalar(Ops.AddScalar(Ops.Mean(Ops.Mul(centered, centered), 1, keepDim: true), 1e-5f), -0.5f); // [Tokens, 1]
        return Ops.Add(Ops.Mul(Ops.Mul(centered, rstd), gain), bias);
    });

    [Benchmark]
    public Tensor Fused() => Step(() => Ops.LayerNorm(x, gain, bias));

    private Tensor Step(Func<Tensor> forward) => BackwardStep.Run(forward, upstream, x, gain, bias);
}
