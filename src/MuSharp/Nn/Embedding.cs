namespace MuSharp.Nn;

/// <summary>A lookup table E [count, dim]: row i is the vector of token i (one-hot input times E).</summary>
public sealed class Embedding : Module
{
    public Parameter Table { get; }

    public Embedding(string name, int count, Dim dim, Init init)
    {
        ArgumentNullException.ThrowIfNull(init);
        Table = init.Embedding(name, count, dim);
    }

    public int Count => Table.Shape[0];
    public int Dim => Table.Shape[1];

    public Tensor Forward(int[] ids) => Ops.Embedding(Table, ids); // [N] → [N, dim]

    public override IEnumerable<Parameter> Parameters()
    {
        yield return Table;
    }
}
