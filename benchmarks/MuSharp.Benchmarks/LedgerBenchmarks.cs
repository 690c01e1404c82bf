using BenchmarkDotNet.Attributes;

namespace MuSharp.Benchmarks;

/// <summary>
/// BenchmarkDotNet variant of the step ledger's cases: one train step of each <see cref="Compare"/> case (gpt, gpt512,
/// mlp-sgd) in fp32 and bf16, with activation reuse as the compare runs it. The per-op breakdown is the ledger's
/// (<c>ledger CASE</c>); this gives BenchmarkDotNet's statistics and allocation counts for the whole step.
/// Run: dotnet run -c Release --project benchmarks/MuSharp.Benchmarks -- --filter '*LedgerBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class LedgerBenchmarks
{
    private Compare.TrainCase step = null!;

    /// <summary>A <see cref="Compare.Case"/> name.</summary>
    [Params("mlp-sgd", "gpt", "gpt512")]
    public string Case { get; set; } = "gpt";

    /// <summary>Arithmetic of the Linear/MatMul GEMMs.</summary>
    [Params(Precision.Fp32, Precision.Bf16)]
    public Precision Precision { get; set; }

    /// <summary>Builds the case and sets the process-wide precision the forward reads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        MixedPrecision.Default = Precision;
        step = Compare.Case(Case) ?? throw new InvalidOperationException($"unknown case {Case}");
    }

    /// <summary>Restores fp32 for whatever runs next in the process.</summary>
    [GlobalCleanup]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "BenchmarkDotNet calls [GlobalCleanup] methods on the benchmark instance.")]
    public void Cleanup() => MixedPrecision.Default = Precision.Fp32;

    /// <summary>Forward + backward + optimizer step + zero grad.</summary>
    [Benchmark]
    public float TrainStep() => step.Step();
}
