namespace MuSharp;

/// <summary>
/// A float32 tensor: contiguous row-major storage plus a shape. Tensors own a managed <c>float[]</c>
/// and are not <see cref="IDisposable"/>. When <see cref="RequiresGrad"/> is set, operations on it
/// are recorded (see <see cref="Tape"/>) and <see cref="Backward"/> fills <see cref="Grad"/>.
/// </summary>
public partial class Tensor
{
    /// <summary>Row-major values; length equals the product of <see cref="Shape"/>.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions, outermost first. Treat as read-only.</summary>
    public int[] Shape { get; }

    /// <summary>Gradient of the last <see cref="Backward"/> root with respect to this tensor, or null.</summary>
    public float[]? Grad { get; set; }

    /// <summary>Whether operations on this tensor are recorded for reverse-mode differentiation.</summary>
    public bool RequiresGrad { get; set; }

    // Autodiff record: the inputs of the op that produced this tensor and how to push Grad into them.
    internal Tensor[] Parents = [];
    internal Action? BackwardFn;

    public Tensor(float[] data, int[] shape, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        long size = Shapes.Size(shape);
        if (size != data.Length)
            throw new ArgumentException($"Tensor: data length {data.Length} does not match shape {Shapes.Format(shape)} (size {size}).");
        Data = data;
        Shape = shape;
        RequiresGrad = requiresGrad;
    }

    public int Size => Data.Length;
    public int Rank => Shape.Length;

    /// <summary>Dimension <paramref name="axis"/>; negative values count from the end.</summary>
    public int Dim(int axis) => Shape[Shapes.Axis(axis, Rank, "Dim")];

    /// <summary>The single value of a one-element tensor.</summary>
    public float Item()
    {
        if (Size != 1) throw new InvalidOperationException($"Item: tensor of shape {Shapes.Format(Shape)} has {Size} elements, expected 1.");
        return Data[0];
    }

    public Span<float> Span => Data;

    /// <summary>The gradient buffer, zeroed on first use. Backward closures accumulate into it.</summary>
    internal float[] GradBuffer() => Grad ??= GradPool.RentZeroed(Data.Length);

    // The gradient buffer for an op that writes every element: when there is none yet it is not zeroed, and `fresh`
    // tells the caller to assign (β = 0, "=") rather than add, saving a clear and a read of the whole buffer.
    internal float[] GradBufferToWrite(out bool fresh)
    {
        fresh = Grad == null;
        return Grad ??= GradPool.RentUninitialized(Data.Length);
    }

    /// <summary>Sets Grad to zero (keeps the buffer).</summary>
    public void ZeroGrad()
    {
        if (Grad != null) Array.Clear(Grad);
    }

    /// <summary>Back-propagates from this one-element tensor: d(this)/d(this) = 1.</summary>
    public void Backward() => Tape.Backward(this);

    /// <summary>A copy of the values with no autodiff history.</summary>
    public Tensor Detach() => new((float[])Data.Clone(), (int[])Shape.Clone());

    public override string ToString() => $"Tensor{Shapes.Format(Shape)}";

    public static Tensor operator +(Tensor a, Tensor b) => Ops.Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Div(a, b);
    public static Tensor operator *(Tensor a, float s) => Ops.MulScalar(a, s);
    public static Tensor operator *(float s, Tensor a) => Ops.MulScalar(a, s);
    public static Tensor operator +(Tensor a, float s) => Ops.AddScalar(a, s);
    public static Tensor operator -(Tensor a) => Ops.MulScalar(a, -1f);
}
