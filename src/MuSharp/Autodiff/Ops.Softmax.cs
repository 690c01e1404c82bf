namespace MuSharp;

public static partial class Ops
{
    public static Tensor Softmax(Tensor a) => throw new NotImplementedException();
    public static Tensor LogSoftmax(Tensor a) => throw new NotImplementedException();
}
