using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Autodiff;

/// <summary>Tape.ReuseActivations: same numbers as fresh buffers, and no buffer handed out twice.</summary>
public class ActivationReuseTests
{
    [Fact]
    public void TrainingWithReuseIsBitIdenticalToWithout()
    {
        var fresh = Train(reuse: false);
        var reused = Train(reuse: true);
        Assert.Equal(fresh.Losses, reused.Losses);
        Assert.Equal(fresh.Weights, reused.Weights);
    }

    [Fact]
    public void ASharedBufferReturnsOnceAndTheRootIsKept()
    {
        // y = Reshape(Gelu(x)) shares Gelu's buffer; the root z = Reshape(Gelu(y)) shares the second Gelu's buffer.
        const int n = ActivationPool.MinLength * 2;
        var x = new Tensor(new float[n], [n], requiresGrad: true);
        Tensor z;
        using (Tape.ReuseActivations())
        {
            var g1 = Ops.Gelu(x);
            var y = Ops.Reshape(g1, 2, n / 2);
            z = Ops.Reshape(Ops.Gelu(y), n);
        }
        Tape.Backward(z, new float[n]);
        var a = ActivationPool.Rent(n);
        var b = ActivationPool.Rent(n);
        Assert.NotSame(a, b);
        Assert.NotSame(z.Data, a);
        Assert.NotSame(z.Data, b);
        ActivationPool.Return(a);
        ActivationPool.Return(b);
    }

    [Fact]
    public void OutsideTheScopeNothingIsPooled()
    {
        const int n = ActivationPool.MinLength;
        var x = new Tensor(new float[n], [n], requiresGrad: true);
        var y = Ops.Gelu(x);
        Ops.Sum(y).Backward();
        // y's buffer was never rented, so the pool must not hand it out.
        var r = ActivationPool.Rent(n);
        Assert.NotSame(y.Data, r);
        ActivationPool.Return(r);
    }

    private static (float[] Losses, float[] Weights) Train(bool reuse)
    {
        var config = new GptConfig { VocabSize = 17, ContextLength = 32, DModel = 64, Layers = 2, Heads = 4 };
        var model = new Gpt(config, new Rng(3));
        var opt = new AdamW(model.Parameters(), weightDecay: 0.01f);
        var rng = new Rng(4);
        int batch = 8, t = config.ContextLength;
        var ids = Enumerable.Range(0, batch * t).Select(_ => rng.NextInt(config.VocabSize)).ToArray();
        var targets = ids.Select(i => (i + 3) % config.VocabSize).ToArray();
        var losses = new float[6];
        for (int s = 0; s < losses.Length; s++)
        {
            Tensor loss;
            if (reuse)
                using (Tape.ReuseActivations()) loss = model.Loss(ids, targets, batch, t);
            else loss = model.Loss(ids, targets, batch, t);
            loss.Backward();
            opt.Step(1e-2f);
            opt.ZeroGrad();
            losses[s] = loss.Item();
        }
        return (losses, model.Parameters().SelectMany(p => p.Data).ToArray());
    }
}
