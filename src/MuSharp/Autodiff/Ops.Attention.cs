namespace MuSharp;

public static partial class Ops
{
    public static Tensor CausalSelfAttention(Tensor q, Tensor k, Tensor v, int heads, float scale) => throw new NotImplementedException();
    public static Tensor Rope(Tensor x, int heads, float theta = 10000f) => throw new NotImplementedException();
}
