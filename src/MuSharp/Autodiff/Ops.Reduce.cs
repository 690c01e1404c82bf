namespace MuSharp;

public static partial class Ops
{
    public static Tensor Sum(Tensor a) => throw new NotImplementedException();
    public static Tensor Sum(Tensor a, int axis, bool keepDim = false) => throw new NotImplementedException();
    public static Tensor Mean(Tensor a) => throw new NotImplementedException();
    public static Tensor Mean(Tensor a, int axis, bool keepDim = false) => throw new NotImplementedException();
}
