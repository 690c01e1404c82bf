namespace MuSharp.Data;

/// <summary>A classification batch: features <see cref="X"/> [B, D] and class ids <see cref="Y"/> [B].</summary>
public readonly record struct ClassificationBatch(Tensor X, int[] Y)
{
    public int Size => Y.Length;
}

/// <summary>
/// A language-model batch of <see cref="Rows"/> windows of <see cref="SeqLen"/> tokens: <see cref="Inputs"/>
/// and <see cref="Targets"/> are row-major [Rows·SeqLen], and Targets[i] is the token after Inputs[i].
/// </summary>
public readonly record struct SequenceBatch(int[] Inputs, int[] Targets, int Rows, int SeqLen);

/// <summary>
/// Checkpointable position of a <see cref="ClassificationBatcher"/>: the generator state before the current
/// epoch's shuffle (so the permutation can be redrawn), the epoch index and the next row in the permutation.
/// </summary>
public sealed record ClassificationBatcherState(ulong[] RngState, int Epoch, int Position, int Count);

/// <summary>Checkpointable position of a <see cref="SequenceBatcher"/>: the generator state and the batches drawn.</summary>
public sealed record SequenceBatcherState(ulong[] RngState, long Step);

/// <summary>
/// Seeded mini-batches over a <see cref="LabeledSet"/>: each epoch visits every row once in an order drawn
/// by its own <see cref="Rng"/>; the last batch of an epoch is smaller unless <c>dropLast</c> is set.
/// The same seed gives the same batches, and <see cref="Restore"/> of a saved <see cref="State"/>
/// continues exactly as the uninterrupted run would.
/// </summary>
public sealed class ClassificationBatcher
{
    private readonly LabeledSet set;
    private readonly Rng rng;
    private readonly int[] order;
    private ulong[] epochStart;

    public ClassificationBatcher(LabeledSet set, int batchSize, ulong seed, bool dropLast = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"ClassificationBatcher: batch size must be positive, got {batchSize}.");
        if (set.Count == 0 || (dropLast && set.Count < batchSize))
            throw new ArgumentException($"ClassificationBatcher: {set.Count} rows cannot fill a batch of {batchSize}.");
        this.set = set;
        BatchSize = batchSize;
        DropLast = dropLast;
        rng = new Rng(seed);
        order = new int[set.Count];
        epochStart = rng.State;
        Shuffle();
    }

    /// <summary>Over raw arrays: <paramref name="features"/> [N, dim], <paramref name="labels"/> [N] in [0, max label].</summary>
    public ClassificationBatcher(float[] features, int dim, int[] labels, int batchSize, ulong seed, bool dropLast = false)
        : this(new LabeledSet(features, dim, labels, labels.Length == 0 ? 1 : labels.Max() + 1), batchSize, seed, dropLast)
    {
    }

    public int BatchSize { get; }
    public bool DropLast { get; }

    /// <summary>Index of the current epoch, from 0.</summary>
    public int Epoch { get; private set; }

    /// <summary>Rows of the current epoch already served.</summary>
    public int Position { get; private set; }

    public int BatchesPerEpoch => DropLast ? set.Count / BatchSize : (set.Count + BatchSize - 1) / BatchSize;

    public ClassificationBatcherState State => new((ulong[])epochStart.Clone(), Epoch, Position, set.Count);

    /// <summary>Returns to a saved position; the batches that follow equal those after the save.</summary>
    public void Restore(ClassificationBatcherState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count != set.Count)
            throw new ArgumentException($"ClassificationBatcher.Restore: state is for {state.Count} rows, this set has {set.Count}.");
        if (state.Position < 0 || state.Position > set.Count || state.Epoch < 0)
            throw new ArgumentException($"ClassificationBatcher.Restore: invalid epoch {state.Epoch} / position {state.Position}.");
        rng.State = state.RngState;
        epochStart = rng.State;
        Shuffle();
        Epoch = state.Epoch;
        Position = state.Position;
    }

    /// <summary>The next batch, starting a new shuffled epoch when the current one is used up.</summary>
    public ClassificationBatch Next()
    {
        int need = DropLast ? BatchSize : 1;
        if (Position + need > set.Count)
        {
            epochStart = rng.State;
            Shuffle();
            Epoch++;
            Position = 0;
        }
        int size = Math.Min(BatchSize, set.Count - Position);
        var batch = Gather(set, order.AsSpan(Position, size));
        Position += size;
        return batch;
    }

    /// <summary>The batches left in the current epoch (all of them right after an epoch starts).</summary>
    public IEnumerable<ClassificationBatch> RestOfEpoch()
    {
        int need = DropLast ? BatchSize : 1;
        int epoch = Epoch;
        while (Epoch == epoch && Position + need <= set.Count) yield return Next();
    }

    /// <summary>Every row in its stored order, in batches of <paramref name="batchSize"/> (the last may be smaller).</summary>
    public static IEnumerable<ClassificationBatch> EvalBatches(LabeledSet set, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(set);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), $"EvalBatches: batch size must be positive, got {batchSize}.");
        var rows = new int[batchSize];
        for (int start = 0; start < set.Count; start += batchSize)
        {
            int size = Math.Min(batchSize, set.Count - start);
            for (int i = 0; i < size; i++) rows[i] = start + i;
            yield return Gather(set, rows.AsSpan(0, size));
        }
    }

    private void Shuffle()
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rng.Shuffle(order);
    }

    private static ClassificationBatch Gather(LabeledSet set, ReadOnlySpan<int> rows)
    {
        int d = set.Dim;
        var x = new float[rows.Length * d];
        var y = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            set.Features.AsSpan(rows[i] * d, d).CopyTo(x.AsSpan(i * d, d));
            y[i] = set.Labels[rows[i]];
        }
        return new ClassificationBatch(new Tensor(x, [rows.Length, d]), y);
    }
}

/// <summary>
/// Seeded language-model batches: each batch is <see cref="Rows"/> windows of <see cref="SeqLen"/> + 1
/// tokens starting at uniformly random offsets; inputs are the first SeqLen tokens, targets the last SeqLen.
/// </summary>
public sealed class SequenceBatcher
{
    private readonly ArraySegment<int> tokens;
    private readonly Rng rng;

    public SequenceBatcher(ArraySegment<int> tokens, int rows, int seqLen, ulong seed)
    {
        if (rows <= 0 || seqLen <= 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"SequenceBatcher: rows and seqLen must be positive, got {rows} and {seqLen}.");
        if (tokens.Count < seqLen + 1)
            throw new ArgumentException($"SequenceBatcher: {tokens.Count} tokens are fewer than one window of {seqLen + 1}.");
        this.tokens = tokens;
        Rows = rows;
        SeqLen = seqLen;
        rng = new Rng(seed);
    }

    public int Rows { get; }
    public int SeqLen { get; }

    /// <summary>Batches drawn so far.</summary>
    public long Step { get; private set; }

    public SequenceBatcherState State => new(rng.State, Step);

    /// <summary>Returns to a saved position; the batches that follow equal those after the save.</summary>
    public void Restore(SequenceBatcherState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        rng.State = state.RngState;
        Step = state.Step;
    }

    public SequenceBatch Next()
    {
        int t = SeqLen, starts = tokens.Count - t;
        var inputs = new int[Rows * t];
        var targets = new int[Rows * t];
        var span = tokens.AsSpan();
        for (int r = 0; r < Rows; r++)
        {
            int s = rng.NextInt(starts);
            span.Slice(s, t).CopyTo(inputs.AsSpan(r * t, t));
            span.Slice(s + 1, t).CopyTo(targets.AsSpan(r * t, t));
        }
        Step++;
        return new SequenceBatch(inputs, targets, Rows, t);
    }

    /// <summary>
    /// A deterministic pass for evaluation: windows start at 0, T, 2T, … so every target after the first
    /// token is predicted once (a tail shorter than T is left out); grouped <paramref name="rows"/> to a
    /// batch, the last batch possibly smaller.
    /// </summary>
    public static IEnumerable<SequenceBatch> EvalBatches(ArraySegment<int> tokens, int rows, int seqLen)
    {
        if (rows <= 0 || seqLen <= 0)
            throw new ArgumentOutOfRangeException(nameof(rows), $"EvalBatches: rows and seqLen must be positive, got {rows} and {seqLen}.");
        int windows = tokens.Count <= seqLen ? 0 : (tokens.Count - 1) / seqLen;
        for (int first = 0; first < windows; first += rows)
        {
            int n = Math.Min(rows, windows - first);
            var inputs = new int[n * seqLen];
            var targets = new int[n * seqLen];
            for (int r = 0; r < n; r++)
            {
                int s = (first + r) * seqLen;
                tokens.AsSpan(s, seqLen).CopyTo(inputs.AsSpan(r * seqLen, seqLen));
                tokens.AsSpan(s + 1, seqLen).CopyTo(targets.AsSpan(r * seqLen, seqLen));
            }
            yield return new SequenceBatch(inputs, targets, n, seqLen);
        }
    }
}
