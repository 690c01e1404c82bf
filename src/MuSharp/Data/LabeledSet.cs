namespace MuSharp.Data;

/// <summary>
/// A classification set: <see cref="Features"/> is row-major [Count, Dim] and <see cref="Labels"/> [Count]
/// holds class ids in [0, <see cref="ClassCount"/>). Arrays are shared, not copied; treat them as read-only.
/// </summary>
public sealed class LabeledSet
{
    public LabeledSet(float[] features, int dim, int[] labels, int classCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (dim <= 0) throw new ArgumentOutOfRangeException(nameof(dim), $"LabeledSet: dim must be positive, got {dim}.");
        if ((long)labels.Length * dim != features.Length)
            throw new ArgumentException($"LabeledSet: {features.Length} features do not match {labels.Length} labels × dim {dim}.");
        if (classCount <= 0) throw new ArgumentOutOfRangeException(nameof(classCount), $"LabeledSet: classCount must be positive, got {classCount}.");
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classCount)
                throw new ArgumentException($"LabeledSet: label {labels[i]} at row {i} is outside [0, {classCount}).");
        Features = features;
        Dim = dim;
        Labels = labels;
        ClassCount = classCount;
    }

    public float[] Features { get; }
    public int Dim { get; }
    public int[] Labels { get; }
    public int ClassCount { get; }
    public int Count => Labels.Length;

    /// <summary>Rows [start, start + count) as a copy.</summary>
    public LabeledSet Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"LabeledSet.Slice: [{start}, {start + count}) is outside [0, {Count}).");
        return new LabeledSet(Features.AsSpan(start * Dim, count * Dim).ToArray(), Dim, Labels.AsSpan(start, count).ToArray(), ClassCount);
    }

    /// <summary>The given rows, in the given order, as a copy.</summary>
    public LabeledSet Select(ReadOnlySpan<int> rows)
    {
        var features = new float[rows.Length * Dim];
        var labels = new int[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            Features.AsSpan(rows[i] * Dim, Dim).CopyTo(features.AsSpan(i * Dim, Dim));
            labels[i] = Labels[rows[i]];
        }
        return new LabeledSet(features, Dim, labels, ClassCount);
    }

    /// <summary>
    /// Cuts a validation split off this set. Without a seed the last <paramref name="validationCount"/> rows
    /// are validation and the rest training, both in their original order. With a seed the rows are first
    /// permuted by an <see cref="Rng"/> of that seed; both splits keep ascending row order, so the result
    /// depends only on the seed. The two splits are disjoint and together cover every row once.
    /// </summary>
    public (LabeledSet Train, LabeledSet Validation) SplitValidation(int validationCount, ulong? seed = null)
    {
        if (validationCount < 0 || validationCount > Count)
            throw new ArgumentOutOfRangeException(nameof(validationCount), $"SplitValidation: {validationCount} rows requested from a set of {Count}.");
        if (seed is null)
            return (Slice(0, Count - validationCount), Slice(Count - validationCount, validationCount));

        var order = new int[Count];
        for (int i = 0; i < Count; i++) order[i] = i;
        new Rng(seed.Value).Shuffle(order);
        int[] train = order[..(Count - validationCount)], validation = order[(Count - validationCount)..];
        Array.Sort(train);
        Array.Sort(validation);
        return (Select(train), Select(validation));
    }
}
