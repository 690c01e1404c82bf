namespace MuSharp;

/// <summary>Arithmetic of the matrix multiplies in a forward and backward pass.</summary>
public enum Precision
{
    /// <summary>fp32 inputs, fp32 accumulation: the reference path (PyTorch goldens, bit-exact resume).</summary>
    Fp32,

    /// <summary>
    /// Mixed precision: the inputs of every <see cref="Ops.Linear"/> and <see cref="Ops.MatMul"/> GEMM (forward and
    /// backward) are rounded to bfloat16, products accumulate in fp32 and outputs are fp32. Master weights, gradients,
    /// optimizer state, every element-wise op, norms, attention and the loss stay fp32.
    /// </summary>
    Bf16,
}

/// <summary>
/// The precision the autodiff GEMMs run in: <see cref="Default"/> for the process, overridden within a
/// <see cref="Use"/> scope (which flows into tasks started inside it). An op reads it when its forward runs and its
/// backward uses the same precision, so only the forward pass needs to be inside the scope:
/// <code>
/// using (MixedPrecision.Use(Precision.Bf16)) loss = model.Loss(x, labels);
/// loss.Backward();   // bf16 GEMMs too: each op remembered the precision of its forward
/// </code>
/// </summary>
public static class MixedPrecision
{
    private static readonly AsyncLocal<Precision?> Scoped = new();

    /// <summary>Process-wide precision when no <see cref="Use"/> scope is active; <see cref="Precision.Fp32"/> unless set.</summary>
    public static Precision Default { get; set; } = Precision.Fp32;

    /// <summary>The precision an op started now runs in.</summary>
    public static Precision Current => Scoped.Value ?? Default;

    /// <summary>Runs the ops started until the returned scope is disposed in <paramref name="precision"/>.</summary>
    public static IDisposable Use(Precision precision)
    {
        var previous = Scoped.Value;
        Scoped.Value = precision;
        return new Restore(previous);
    }

    private sealed class Restore(Precision? previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            Scoped.Value = previous;
        }
    }
}
