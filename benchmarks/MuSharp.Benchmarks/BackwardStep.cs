namespace MuSharp.Benchmarks;

/// <summary>
/// One forward + backward of an op benchmark, as a training step runs it: the leaves' gradients cleared (buffers
/// kept, as ZeroGrad does), the forward inside <see cref="Tape.ReuseActivations"/>, then the backward from a fixed
/// upstream gradient of the output's shape.
/// </summary>
internal static class BackwardStep
{
    public static Tensor Run(Func<Tensor> forward, float[] upstream, params Tensor[] leaves)
    {
        foreach (var leaf in leaves) leaf.ZeroGrad();
        Tensor y;
        using (Tape.ReuseActivations()) y = forward();
        Tape.Backward(y, upstream);
        return y;
    }
}
