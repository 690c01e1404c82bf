namespace MuSharp.Data;

/// <summary>
/// Small generated datasets for tests and quick experiments; every one is a pure function of its seed.
/// </summary>
public static class Synthetic
{
    /// <summary>
    /// Gaussian blobs: <paramref name="classCount"/> centres drawn from N(0, separation²) per coordinate, and
    /// <paramref name="count"/> points whose class cycles 0, 1, …, with N(0, spread²) noise around their
    /// centre. Rows are shuffled so that consecutive rows have unrelated classes.
    /// </summary>
    public static LabeledSet GaussianBlobs(int count, int dim, int classCount, ulong seed, float separation = 4f, float spread = 1f)
    {
        if (count <= 0 || dim <= 0 || classCount <= 0)
            throw new ArgumentOutOfRangeException(nameof(count), $"GaussianBlobs: count, dim and classCount must be positive, got {count}, {dim}, {classCount}.");
        var rng = new Rng(seed);
        var centres = new float[classCount * dim];
        rng.FillNormal(centres, 0f, separation);

        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        rng.Shuffle(order);

        var features = new float[count * dim];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int c = order[i] % classCount;
            labels[i] = c;
            var row = features.AsSpan(i * dim, dim);
            rng.FillNormal(row, 0f, spread);
            for (int j = 0; j < dim; j++) row[j] += centres[c * dim + j];
        }
        return new LabeledSet(features, dim, labels, classCount);
    }

    /// <summary><paramref name="pattern"/> repeated to exactly <paramref name="length"/> chars: perfectly predictable text.</summary>
    public static string RepeatedPattern(string pattern, int length)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return string.Create(length, pattern, (span, p) =>
        {
            for (int i = 0; i < span.Length; i++) span[i] = p[i % p.Length];
        });
    }

    /// <summary>
    /// Text from a first-order Markov chain over the first <paramref name="alphabetSize"/> letters of
    /// "abcdefghijklmnopqrstuvwxyz" plus space. Each char has <paramref name="branching"/> distinct
    /// successors, drawn from the seed, chosen uniformly; so the best next-char model reaches a
    /// cross-entropy of ln(branching) nats (see <see cref="MarkovEntropy"/>), which LM tests can aim at.
    /// </summary>
    public static string MarkovText(int length, ulong seed, int alphabetSize = 8, int branching = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (alphabetSize < 1 || alphabetSize > 26)
            throw new ArgumentOutOfRangeException(nameof(alphabetSize), $"MarkovText: alphabet size must be in [1, 26], got {alphabetSize}.");
        string alphabet = "abcdefghijklmnopqrstuvwxyz"[..alphabetSize] + " ";
        if (branching < 1 || branching > alphabet.Length)
            throw new ArgumentOutOfRangeException(nameof(branching), $"MarkovText: branching must be in [1, {alphabet.Length}], got {branching}.");

        var rng = new Rng(seed);
        int n = alphabet.Length;
        // successors[s * branching + k]: the k-th possible state after state s (distinct per s).
        var successors = new int[n * branching];
        var perm = new int[n];
        for (int s = 0; s < n; s++)
        {
            for (int i = 0; i < n; i++) perm[i] = i;
            rng.Shuffle(perm);
            perm.AsSpan(0, branching).CopyTo(successors.AsSpan(s * branching, branching));
        }

        var text = new char[length];
        int state = rng.NextInt(n);
        for (int i = 0; i < length; i++)
        {
            text[i] = alphabet[state];
            state = successors[state * branching + rng.NextInt(branching)];
        }
        return new string(text);
    }

    /// <summary>The per-char entropy, in nats, of <see cref="MarkovText"/> with the given branching.</summary>
    public static double MarkovEntropy(int branching) => Math.Log(branching);
}
