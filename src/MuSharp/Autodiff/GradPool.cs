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
        float[]? buffer = null;
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                pooledFloats -= length;
            }
        }
        if (buffer == null) return new float[length];
        Array.Clear(buffer);
        return buffer;
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
