using System.Numerics.Tensors;

namespace MuSharp;

// Shapes: table is [V, C] (V rows of width C); ids has N entries; the output is [N, C].
public static partial class Ops
{
    /// <summary>
    /// Row gather: y[i] = table[ids[i]]. <paramref name="table"/> is [V, C]; every id must lie in [0, V).
    /// Output [ids.Length, C]. The ids are copied, so the caller may reuse the array before Backward.
    /// </summary>
    public static Tensor Embedding(Tensor table, int[] ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (table.Rank != 2)
            throw new ArgumentException($"Embedding: expected a 2-D table [V, C], got {Shapes.Format(table.Shape)}.");
        int v = table.Shape[0], c = table.Shape[1];
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)v)
                throw new ArgumentException($"Embedding: ids[{i}] = {ids[i]} is out of range [0, V) for V = {v} (table {Shapes.Format(table.Shape)}).");
        var idx = (int[])ids.Clone();
        int n = idx.Length;
        var y = Tensor.Uninitialized(n, c); // [N, C]
        for (int i = 0; i < n; i++)
            table.Data.AsSpan(idx[i] * c, c).CopyTo(y.Data.AsSpan(i * c, c));

        return Tape.Record(y, () =>
        {
            // y_i = table[ids_i] ⇒ dtable[v] = Σ_{i : ids_i = v} dy_i (scatter-add; repeated ids accumulate).
            var dy = y.Grad!; // [N, C]
            var dt = table.GradBuffer(); // [V, C]
            for (int i = 0; i < n; i++)
            {
                var row = dt.AsSpan(idx[i] * c, c);
                TensorPrimitives.Add(row, dy.AsSpan(i * c, c), row);
            }
        }, table);
    }
}
