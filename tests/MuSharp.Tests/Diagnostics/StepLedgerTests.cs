using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Diagnostics;

/// <summary>The ledger's bookkeeping (FLOPs, calls, classes, phases); its times are only checked to add up.</summary>
public class StepLedgerTests
{
    [Theory]
    [InlineData(Precision.Fp32)]
    [InlineData(Precision.Bf16)]
    public void MlpGemmFlopsAndCallsAreExact(Precision precision)
    {
        // MLP 20-32-16-5, batch 8: forward X·W per layer; backward dW per layer and dX for layers 2 and 3
        // (the input needs no gradient). FLOPs 2·m·n·k each.
        int[] sizes = [20, 32, 16, 5];
        const int batch = 8;
        var rng = new Rng(1);
        var model = new MlpClassifier(sizes, rng);
        var x = Tensor.Randn(rng, 1f, batch, sizes[0]);
        var labels = Enumerable.Range(0, batch).Select(i => i % sizes[^1]).ToArray();
        var opt = new Sgd(model.Parameters(), momentum: 0.9f);
        var ledger = StepLedger.Measure(() =>
        {
            using (MixedPrecision.Use(precision)) return model.Loss(x, labels);
        }, opt, lr: 0.01f, steps: 3, warmup: 1);

        double forward = 0, backward = 0;
        for (int l = 0; l < 3; l++)
        {
            double mnk = 2.0 * batch * sizes[l] * sizes[l + 1];
            forward += mnk;
            backward += l == 0 ? mnk : 2 * mnk;
        }
        Assert.Equal((forward + backward) / 1e9, ledger.GemmGflop, 12);
        var gemmRows = ledger.Rows.Where(r => r.Class == "gemm").ToList();
        Assert.Equal(8, gemmRows.Sum(r => r.Calls));
        Assert.All(gemmRows, r => Assert.Equal(precision == Precision.Bf16, r.Name.EndsWith(" bf16", StringComparison.Ordinal)));
        Assert.Contains(gemmRows, r => r.Name == "GEMM forward 8×32×20 NN" + (precision == Precision.Bf16 ? " bf16" : ""));
        Assert.Equal(3, ledger.Rows.Where(r => r.Class.StartsWith("linear", StringComparison.Ordinal) && r.Phase == "forward").Sum(r => r.Calls));
        Assert.Equal("optimizer", ledger.Rows.Single(r => r.Class == "optimizer").Phase);
        Assert.All(gemmRows, r => Assert.True(r.FloorMs > 0));

        // Every instant of the step is charged to one row: the rows add up to the step (only the loop around it is not).
        double recorded = ledger.Rows.Sum(r => r.Ms);
        Assert.InRange(recorded, 0.8 * ledger.StepMeanMs, 1.0001 * ledger.StepMeanMs);
        string table = ledger.Render();
        Assert.Contains("GEMM floor", table);
        Assert.Contains("| gemm |", table);
    }

    [Fact]
    public void NormsAreFiledUnderNorm()
    {
        // Both norms run on one core method; its rows must land in the norm class, not "other".
        var gain = new Parameter("g", Role.Vector, 1, 16, Enumerable.Repeat(1f, 16).ToArray(), [16]);
        var x = Tensor.Randn(new Rng(2), 1f, 8, 16);
        var ledger = StepLedger.Measure(() => Ops.Mean(Ops.RmsNorm(Ops.LayerNorm(x, gain, null), gain)), new Sgd([gain]), lr: 0.01f, steps: 2, warmup: 1);
        Assert.Equal(4, ledger.Rows.Where(r => r.Class == "norm").Sum(r => r.Calls)); // 2 norms × (forward, backward)
        Assert.DoesNotContain(ledger.Rows, r => r.Class == "other" && r.Name.Contains("Norm", StringComparison.Ordinal));
    }

    [Fact]
    public void ClassesOfOps()
    {
        Assert.Equal("attention", StepLedger.ClassOf("CausalSelfAttention backward"));
        Assert.Equal("norm", StepLedger.ClassOf("LayerNorm forward"));
        Assert.Equal("activation", StepLedger.ClassOf("Gelu forward"));
        Assert.Equal("loss/softmax", StepLedger.ClassOf("CrossEntropy forward"));
        Assert.Equal("gemm", StepLedger.ClassOf("GEMM forward 8×32×20 NN"));
        Assert.Equal("optimizer", StepLedger.ClassOf("update optimizer"));
    }

    [Fact]
    public void NothingIsRecordedOutsideAMeasurement()
    {
        Assert.False(OpClock.On);
        var a = new Tensor(new float[6], [2, 3], requiresGrad: true);
        Ops.Sum(Ops.MatMul(a, new Tensor(new float[12], [3, 4]))).Backward();
        Assert.False(OpClock.On);
    }
}
