using System.Runtime.CompilerServices;

namespace MuSharp;

/// <summary>
/// Recycles the output buffers of a training step's forward ops. Inside a <see cref="Tape.ReuseActivations"/> scope,
/// op outputs of at least <see cref="MinLength"/> floats are drawn from here; when <see cref="Tape.Backward(Tensor)"/>
/// frees the graph it hands back every intermediate's buffer that was drawn here (never the root's, never a leaf's).
/// The next step's forward then writes into memory that is already mapped, instead of allocating ~40 MB per GPT layer
/// that the GC must collect and the OS must fault in again.
/// </summary>
internal static class ActivationPool
{
    // Below this, allocation is cheap and pooling would only add lock traffic (a [B·T] row statistic, a loss).
    internal const int MinLength = 1 << 14;
    private const long CapacityFloats = 256L << 20; // at most 1 GiB kept idle

    private static readonly Dictionary<int, Stack<float[]>> Free = [];
    // Buffers handed out and not yet returned. Weak keys: a buffer whose tensor the caller keeps (the loss, a logits
    // tensor read after the step) and which never comes back is collected as usual.
    private static readonly ConditionalWeakTable<float[], object> Out = new();
    private static readonly object Marker = new();
    private static readonly Lock Gate = new();
    private static long pooledFloats;

    internal static float[] Rent(int length)
    {
        float[]? buffer = null;
        lock (Gate)
        {
            if (Free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                buffer = stack.Pop();
                pooledFloats -= length;
            }
            buffer ??= GC.AllocateUninitializedArray<float>(length);
            Out.AddOrUpdate(buffer, Marker);
        }
        return buffer;
    }

    // Takes a buffer back only if it was rented and is still out, so a buffer shared by two tensors (Reshape) returns once.
    internal static void Return(float[] buffer)
    {
        if (buffer.Length < MinLength) return;
        lock (Gate)
        {
            if (!Out.Remove(buffer)) return;
            if (pooledFloats + buffer.Length > CapacityFloats) return;
            if (!Free.TryGetValue(buffer.Length, out var stack)) Free[buffer.Length] = stack = new Stack<float[]>();
            stack.Push(buffer);
            pooledFloats += buffer.Length;
        }
    }
}
