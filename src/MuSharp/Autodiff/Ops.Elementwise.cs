namespace MuSharp;

public static partial class Ops
{
    /// <summary>a + b. b has a's shape, or is a row [C] broadcast over rows of a [..., C], or a column [..., 1] broadcast over the last axis.</summary>
    public static Tensor Add(Tensor a, Tensor b) => throw new NotImplementedException();
    public static Tensor Sub(Tensor a, Tensor b) => throw new NotImplementedException();
    public static Tensor Mul(Tensor a, Tensor b) => throw new NotImplementedException();
    public static Tensor Div(Tensor a, Tensor b) => throw new NotImplementedException();
    public static Tensor AddScalar(Tensor a, float s) => throw new NotImplementedException();
    public static Tensor MulScalar(Tensor a, float s) => throw new NotImplementedException();
    public static Tensor PowScalar(Tensor a, float p) => throw new NotImplementedException();
    public static Tensor Exp(Tensor a) => throw new NotImplementedException();
    public static Tensor Log(Tensor a) => throw new NotImplementedException();
    public static Tensor Tanh(Tensor a) => throw new NotImplementedException();
    public static Tensor Sigmoid(Tensor a) => throw new NotImplementedException();
    public static Tensor Relu(Tensor a) => throw new NotImplementedException();
    public static Tensor Gelu(Tensor a) => throw new NotImplementedException();
    public static Tensor Silu(Tensor a) => throw new NotImplementedException();
}
