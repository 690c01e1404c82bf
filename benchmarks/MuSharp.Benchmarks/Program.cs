using BenchmarkDotNet.Running;
using MuSharp.Benchmarks;

// Quick modes print a few Stopwatch numbers without BenchmarkDotNet's minutes-long runs.
if (args is ["gemm-quick", ..])
{
    GemmBenchmarks.Quick(Console.Out);
    return 0;
}

// docs/stability.md: stability certificates' width slopes under SP, μP and spectral.
if (args is ["stability", ..])
{
    StabilityTable.Run(Console.Out);
    return 0;
}

// docs/muon-vs-adamw.md: AdamW, Muon and its variants on the char GPT, and the per-matrix weight-RMS table.
if (args is ["muon-variants", ..])
{
    MuonVariantsRun.Run(Console.Out, args.Length > 1 ? args[1] : Path.Combine("runs", "muon-variants"));
    return 0;
}

// Side-by-side comparison with PyTorch: scripts/compare.sh runs one case per process.
if (args is ["compare", ..]) return Compare.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point; the type anchors BenchmarkSwitcher to this assembly.</summary>
public partial class Program;
