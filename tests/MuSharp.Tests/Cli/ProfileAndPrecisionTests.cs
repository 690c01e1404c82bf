using MuCli = MuSharp.Cli.Cli;

namespace MuSharp.Tests.Cli;

/// <summary>musharp profile's ledger, and the precision key reaching the loop.</summary>
[Collection(nameof(ConsoleCapture))]
public sealed class ProfileAndPrecisionTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("musharp-profile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => ConsoleRun.Capture(args);

    [Fact]
    public void ProfilePrintsTheLedgerWithTheStepsGemmsAndTheirFloor()
    {
        var (code, output, err) = Run("profile", "--task", "mlp", "--dataset", "blobs", "--hidden", "[64,64]", "--batch-size", "32", "--steps", "4");
        Assert.True(code == 0, err);
        Assert.Matches(@"Step: median [0-9.]+ ms, min [0-9.]+ ms, mean [0-9.]+ ms over 4 steps", output);
        // The first layer's forward GEMM: batch 32 × width 64 × 16 features.
        Assert.Contains("GEMM forward 32×64×16 NN", output, StringComparison.Ordinal);
        Assert.Contains("| gemm |", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Bf16TrainingRunsItsGemmsInBf16AndTracksFp32()
    {
        double Final(string precision)
        {
            var config = TrainRunTests.TinyMlp(40, "0.05", ("precision", precision));
            return Train.Run(config, Path.Combine(dir, precision), resume: false).Final!.Loss;
        }
        double fp32 = Final("fp32"), bf16 = Final("bf16");
        Assert.NotEqual(fp32, bf16);                              // the GEMMs really ran in another precision
        Assert.True(Math.Abs(bf16 / fp32 - 1) < 0.05, $"bf16 {bf16} vs fp32 {fp32}"); // and training is the same to rounding
    }
}
