namespace MuSharp;

public static partial class Ops
{
    public static Tensor Embedding(Tensor table, int[] ids) => throw new NotImplementedException();
}
