namespace MuSharp.Kernels;

/// <summary>
/// Splits the rows (or elements) of an element-wise, norm or activation pass into contiguous chunks and runs them on
/// the configured threads (MUSHARP_THREADS, as the GEMMs and attention heads). The split depends only on the problem's
/// size, never on the thread count or the schedule, so a pass that also reduces across chunks (a norm's gain
/// gradient) adds its per-chunk partial sums in one fixed order and gives the same bits on any machine.
/// Below <see cref="MinFloatsPerChunk"/> floats per chunk the pass runs as one chunk on the calling thread: a fork and
/// join costs some microseconds, a 64K-float pass about 30 µs on one core.
/// </summary>
internal static class Chunks
{
    internal const int MinFloatsPerChunk = 1 << 16;
    private const int MaxChunks = 16;
    private static readonly ParallelOptions Options = new() { MaxDegreeOfParallelism = OpenBlas.ConfiguredThreads };

    /// <summary>How many chunks a pass over <paramref name="count"/> items of <paramref name="width"/> floats each takes.</summary>
    internal static int Count(int count, int width) =>
        (int)Math.Clamp((long)count * width / MinFloatsPerChunk, 1, Math.Min(MaxChunks, Math.Max(1, count)));

    /// <summary>[start, end) of chunk <paramref name="chunk"/> of <paramref name="chunks"/> over <paramref name="count"/> items.</summary>
    internal static (int Start, int End) Range(int chunk, int chunks, int count) =>
        ((int)((long)chunk * count / chunks), (int)((long)(chunk + 1) * count / chunks));

    /// <summary>Runs body(chunk, start, end) for each of <paramref name="chunks"/> chunks over <paramref name="count"/> items.</summary>
    internal static void For(int count, int chunks, Action<int, int, int> body)
    {
        if (chunks == 1)
        {
            body(0, 0, count);
            return;
        }
        if (Options.MaxDegreeOfParallelism == 1)
        {
            // One thread (MUSHARP_THREADS=1, e.g. a sweep worker): the same chunks in order, without the thread pool.
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                var (start, end) = Range(chunk, chunks, count);
                body(chunk, start, end);
            }
            return;
        }
        Parallel.For(0, chunks, Options, chunk =>
        {
            var (start, end) = Range(chunk, chunks, count);
            body(chunk, start, end);
        });
    }

    /// <summary>Runs body(start, end) over [0, <paramref name="count"/>) items of <paramref name="width"/> floats each.</summary>
    internal static void For(int count, int width, Action<int, int> body) =>
        For(count, Count(count, width), (_, start, end) => body(start, end));

    /// <summary>
    /// Runs body(start, end) over [0, <paramref name="length"/>) floats, every chunk boundary a multiple of 16, so that
    /// the 16-lane kernels (<see cref="Elementwise"/>) treat each element as the one-chunk pass does: same bits.
    /// </summary>
    internal static void ForElements(int length, Action<int, int> body)
    {
        int vectors = (length + 15) / 16;
        For(vectors, Count(vectors, 16), (_, start, end) => body(start * 16, Math.Min(length, end * 16)));
    }
}
