using BenchmarkDotNet.Running;
using MuSharp;
using MuSharp.Benchmarks;

// Quick modes print a few Stopwatch numbers without BenchmarkDotNet's minutes-long runs.
if (args is ["gemm-quick", ..])
{
    int rounds = args is [_, "--rounds", var r, ..] ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 10;
    GemmBenchmarks.Quick(Console.Out, rounds, managed: args.Contains("--managed"));
    return 0;
}

if (args is ["bf16-evidence", ..]) return Bf16Evidence.Run(args[1..], Console.Out);

if (args is ["ns-quick", ..])
{
    MsignBenchmarks.Quick(Console.Out);
    return 0;
}

// Step ledger of one compare case: ledger <case> [--precision bf16] [--steps N] [--batch N].
if (args is ["ledger", var ledgerCase, ..])
{
    Compare.ReuseActivations = !args.Contains("--no-reuse");
    int at = Array.IndexOf(args, "--batch");
    int batch = at > 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 0;
    var trainCase = Compare.Case(ledgerCase, batch) ?? throw new ArgumentException($"ledger: unknown case '{ledgerCase}'.");
    at = Array.IndexOf(args, "--precision");
    if (at > 0) MixedPrecision.Default = Enum.Parse<Precision>(args[at + 1], ignoreCase: true);
    at = Array.IndexOf(args, "--steps");
    int steps = at > 0 ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : 10;
    Console.WriteLine($"ledger {ledgerCase}, precision {MixedPrecision.Default}");
    Console.WriteLine(MuSharp.Diagnostics.StepLedger.Measure(trainCase.Forward, trainCase.Update, steps, warmup: 3).Render());
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
