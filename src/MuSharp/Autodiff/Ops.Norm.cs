namespace MuSharp;

public static partial class Ops
{
    public static Tensor RmsNorm(Tensor x, Tensor? gain, float eps = 1e-6f) => throw new NotImplementedException();
    public static Tensor LayerNorm(Tensor x, Tensor? gain, Tensor? bias, float eps = 1e-5f) => throw new NotImplementedException();
}
