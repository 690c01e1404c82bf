using BenchmarkDotNet.Running;
using MuSharp.Benchmarks;

// Quick modes print a few Stopwatch numbers without BenchmarkDotNet's minutes-long runs.
if (args is ["gemm-quick", ..])
{
    GemmBenchmarks.Quick(Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point; the type anchors BenchmarkSwitcher to this assembly.</summary>
public partial class Program;
