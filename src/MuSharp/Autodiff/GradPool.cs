namespace MuSharp;

/// <summary>
/// Recycles the gradient buffers of intermediate tensors. <see cref="Tape.Backward(Tensor, float[])"/> hands each one
/// back as soon as its op's backward has consumed it (intermediate gradients are not kept, as in PyTorch), and
/// <see cref="Tensor.GradBuffer"/> draws zeroed buffers from here. A training step then reuses last step's
/// gradient memory instead of allocating ~half its garbage anew.
/// </summary>
internal static class GradPool
{
    private const long CapacityFloats = 64L << 20; // at most 256 MB kept idle
    private static readonly Dictionary<int, Stack<float[]>> Free = [];
    private static readonly Lock Gate = new();
    private static long pooledFloats;

    public static float[] RentZeroed(int length)
    {
        var buffer = TryRent(length);
        if (buffer == null) return new float[length];
        Array.Clear(buffer);
        return buffer;
    }

    /// <summary>A buffer whose every element the caller writes before reading (a first gradient copied in).</summary>
    public static float[] RentUninitialized(int length) => TryRent(length) ?? GC.AllocateUninitializedArray<float>(length);

    private static float[]? TryRent(int length)
    {
        lock (Gate)
        {
            if (!Free.TryGetValue(length, out var stack) || stack.Count == 0) return null;
            pooledFloats -= length;
            return stack.Pop();
        }
    }

    public static void Return(float[] buffer)
    {
        lock (Gate)
        {
            if (pooledFloats + buffer.Length > CapacityFloats) return;
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }
}
