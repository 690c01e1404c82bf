using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

public class TapeTests
{
    [Fact]
    public void IntermediateGradientsAreReleasedAndLeavesKeepTheirs()
    {
        var x = GradCheck.Input(1, 1f, 4, 3);
        var w = GradCheck.Input(2, 1f, 3, 2);
        var h = Ops.MatMul(x, w); // intermediate
        var loss = Ops.Sum(Ops.Tanh(h));
        loss.Backward();
        Assert.Null(h.Grad);
        Assert.NotNull(x.Grad);
        Assert.NotNull(w.Grad);
        Assert.Equal(1f, loss.Grad![0]);
    }

    [Fact]
    public void RecycledBuffersStartAtZeroSoRepeatedStepsGiveEqualGradients()
    {
        var w = GradCheck.Input(3, 1f, 64, 64);
        var x = Tensor.Randn(new Rng(4), 1f, 32, 64);
        float[] Step()
        {
            w.Grad = null;
            Ops.Mean(Ops.Gelu(Ops.MatMul(Ops.Relu(Ops.MatMul(x, w)), w))).Backward();
            return (float[])w.Grad!.Clone();
        }
        var first = Step();
        for (int i = 0; i < 3; i++) Assert.Equal(first, Step());
    }

    [Fact]
    public void NoGradScopeRecordsNothing()
    {
        var w = GradCheck.Input(5, 1f, 3, 3);
        using (Tape.NoGrad())
        {
            var y = Ops.MatMul(w, w);
            Assert.False(y.RequiresGrad);
            Assert.False(Tape.Enabled);
        }
        Assert.True(Tape.Enabled);
        Assert.True(Ops.MatMul(w, w).RequiresGrad);
    }

    [Fact]
    public void BackwardOnANonScalarOrConstantRootIsAClearError()
    {
        var w = GradCheck.Input(6, 1f, 2, 2);
        Assert.Contains("one element", Assert.Throws<InvalidOperationException>(() => Ops.MatMul(w, w).Backward()).Message);
        Assert.Contains("RequiresGrad", Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(1).Backward()).Message);
    }
}
