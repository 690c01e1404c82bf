namespace MuSharp.Nn;

/// <summary>
/// A layer dimension and its size in the base model (microsoft/mup's InfDim, declared instead of inferred by
/// diffing two models). An int converts to a dimension that does not scale with width (Base = Size).
/// </summary>
public readonly record struct Dim
{
    public int Size { get; }
    public int Base { get; }

    public Dim(int size, int @base)
    {
        if (size <= 0 || @base <= 0) throw new ArgumentException($"Dim: size {size} and base {@base} must be positive.");
        Size = size;
        Base = @base;
    }

    public static implicit operator Dim(int size) => new(size, size);

    /// <summary>A width dimension: <paramref name="size"/> in this model, <paramref name="size"/>·base/width in the base model.</summary>
    public static Dim Scaled(int size, int width, int baseWidth)
    {
        if ((long)size * baseWidth % width != 0)
            throw new ArgumentException($"width scaling: dimension {size} times base width {baseWidth} is not divisible by width {width}; pick widths that are multiples of each other.");
        return new Dim(size, (int)((long)size * baseWidth / width));
    }

    public override string ToString() => Size == Base ? $"{Size}" : $"{Size} (base {Base})";
}
