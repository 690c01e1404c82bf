namespace MuSharp.Nn;

/// <summary>A lookup table E [count, dim]: row i is the vector of token i (one-hot input times E).</summary>
public sealed class Embedding : Module
{
    public Parameter Table { get; }

    public Embedding(string name, int count, Dim dim, Rng rng, float initStd = 1f)
    {
        var data = new float[count * dim.Size];
        rng.FillNormal(data, 0f, initStd);
        // One-hot input: fan-in is the vocabulary size, fan-out the embedding width.
        Table = new Parameter(name, Role.Embedding, count, dim.Size, data, [count, dim.Size], count, dim.Base);
    }

    public int Count => Table.Shape[0];
    public int Dim => Table.Shape[1];

    public Tensor Forward(int[] ids) => Ops.Embedding(Table, ids); // [N] → [N, dim]

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Table;
    }
}
