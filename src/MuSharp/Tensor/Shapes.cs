namespace MuSharp;

/// <summary>Shape arithmetic and the uniform wording of shape errors.</summary>
public static class Shapes
{
    public static long Size(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    /// <summary>Validates dimensions (non-negative, total below 2^31) and returns the element count.</summary>
    public static int Checked(int[] shape, string op)
    {
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Format(shape)}.");
        long n = Size(shape);
        if (n > Array.MaxLength) throw new ArgumentException($"{op}: shape {Format(shape)} has {n} elements, more than a float[] can hold.");
        return (int)n;
    }

    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    public static bool Equal(int[] a, int[] b) => a.AsSpan().SequenceEqual(b);

    /// <summary>Normalizes a possibly negative axis for a tensor of rank <paramref name="rank"/>.</summary>
    public static int Axis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"{op}: axis {axis} is out of range for rank {rank}.");
        return a;
    }

    /// <summary>Throws the standard mismatch error naming the operation and both shapes.</summary>
    public static void RequireEqual(Tensor a, Tensor b, string op)
    {
        if (!Equal(a.Shape, b.Shape))
            throw new ArgumentException($"{op}: shape mismatch {Format(a.Shape)} vs {Format(b.Shape)}.");
    }

    /// <summary>Product of all dimensions except the last: rows when a tensor is viewed as [rows, lastDim].</summary>
    public static int Rows(int[] shape) => shape.Length == 0 ? 1 : (int)(Size(shape) / Math.Max(1, shape[^1]));

    public static int[] With(int[] shape, int axis, int value)
    {
        var s = (int[])shape.Clone();
        s[axis] = value;
        return s;
    }
}
