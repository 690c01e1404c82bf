using BenchmarkDotNet.Running;
using MuSharp.Benchmarks;

// Quick modes print a few Stopwatch numbers without BenchmarkDotNet's minutes-long runs.
if (args is ["gemm-quick", ..])
{
    int rounds = args is [_, "--rounds", var r, ..] ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 10;
    GemmBenchmarks.Quick(Console.Out, rounds, managed: args.Contains("--managed"));
    return 0;
}

// Side-by-side comparison with PyTorch: scripts/compare.sh runs one case per process.
if (args is ["compare", ..]) return Compare.Run(args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

/// <summary>Entry point; the type anchors BenchmarkSwitcher to this assembly.</summary>
public partial class Program;
