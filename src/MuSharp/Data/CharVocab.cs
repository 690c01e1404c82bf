namespace MuSharp.Data;

/// <summary>
/// Character-level vocabulary: the distinct UTF-16 chars of a text, sorted ordinal, so the same text
/// always gives the same ids. <see cref="Alphabet"/> (also <see cref="ToString"/>) is the whole state:
/// store it in a checkpoint and <see cref="Parse"/> rebuilds an identical vocabulary.
/// </summary>
public sealed class CharVocab
{
    private readonly string alphabet;
    private readonly Dictionary<char, int> ids;

    private CharVocab(string alphabet)
    {
        this.alphabet = alphabet;
        ids = new Dictionary<char, int>(alphabet.Length);
        for (int i = 0; i < alphabet.Length; i++) ids[alphabet[i]] = i;
    }

    /// <summary>The vocabulary of every char that occurs in <paramref name="text"/>.</summary>
    public static CharVocab Build(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chars = new HashSet<char>(text).ToArray();
        Array.Sort(chars, (a, b) => a.CompareTo(b));
        return new CharVocab(new string(chars));
    }

    /// <summary>Rebuilds a vocabulary from its <see cref="Alphabet"/>, which must be strictly ascending.</summary>
    /// <exception cref="FormatException">The alphabet is empty, unsorted or has duplicates.</exception>
    public static CharVocab Parse(string alphabet)
    {
        ArgumentNullException.ThrowIfNull(alphabet);
        if (alphabet.Length == 0) throw new FormatException("CharVocab.Parse: the alphabet is empty.");
        for (int i = 1; i < alphabet.Length; i++)
            if (alphabet[i - 1] >= alphabet[i])
                throw new FormatException($"CharVocab.Parse: the alphabet must be strictly ascending (ordinal), but {Show(alphabet[i - 1])} precedes {Show(alphabet[i])} at index {i}.");
        return new CharVocab(alphabet);
    }

    /// <summary>Number of ids; ids are in [0, Size).</summary>
    public int Size => alphabet.Length;

    /// <summary>Every char in id order.</summary>
    public string Alphabet => alphabet;

    /// <summary>The char of id <paramref name="id"/>.</summary>
    public char this[int id] => alphabet[id];

    public bool Contains(char c) => ids.ContainsKey(c);

    /// <summary>The id of <paramref name="c"/>.</summary>
    /// <exception cref="ArgumentException">The char is not in the vocabulary.</exception>
    public int Id(char c) =>
        ids.TryGetValue(c, out int id) ? id : throw new ArgumentException($"CharVocab: {Show(c)} is not in the vocabulary of {Size} chars.");

    /// <summary>Ids of every char of <paramref name="text"/>.</summary>
    public int[] Encode(ReadOnlySpan<char> text)
    {
        var result = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            if (!ids.TryGetValue(text[i], out result[i]))
                throw new ArgumentException($"CharVocab.Encode: {Show(text[i])} at index {i} is not in the vocabulary of {Size} chars.");
        }
        return result;
    }

    /// <summary>The text of <paramref name="tokens"/>.</summary>
    public string Decode(ReadOnlySpan<int> tokens)
    {
        var chars = new char[tokens.Length];
        for (int i = 0; i < tokens.Length; i++)
        {
            if ((uint)tokens[i] >= (uint)alphabet.Length)
                throw new ArgumentOutOfRangeException(nameof(tokens), $"CharVocab.Decode: id {tokens[i]} at index {i} is outside [0, {Size}).");
            chars[i] = alphabet[tokens[i]];
        }
        return new string(chars);
    }

    /// <summary>The alphabet, which <see cref="Parse"/> accepts.</summary>
    public override string ToString() => alphabet;

    private static string Show(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}' (U+{(int)c:X4})";
}
