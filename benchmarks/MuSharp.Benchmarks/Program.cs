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

// Side-by-side comparison with PyTorch: scripts/compare.sh runs one case per process.
if (args is ["compare", ..]) return Compare.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point; the type anchors BenchmarkSwitcher to this assembly.</summary>
public partial class Program;
