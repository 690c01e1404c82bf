namespace MuSharp.Nn;

/// <summary>
/// Multi-layer perceptron classifier: input → hidden widths (ReLU) → class logits.
/// Roles: the first layer is Input, the middle ones Hidden, the last Output; biases are Vector.
/// </summary>
public sealed class MlpClassifier : Module
{
    public IReadOnlyList<Linear> Layers { get; }

    /// <param name="sizes">Layer widths including input and output, e.g. [784, 1024, 1024, 10].</param>
    /// <param name="init">How the weights are drawn and scaled (an <see cref="Rng"/> alone means the standard parametrization).</param>
    /// <param name="baseSizes">The base model's widths (same length, same input and output) for width scaling; default: sizes.</param>
    public MlpClassifier(int[] sizes, Init init, int[]? baseSizes = null)
    {
        if (sizes.Length < 2 || sizes.Any(s => s <= 0))
            throw new ArgumentException($"MlpClassifier: sizes must list at least input and output widths, all positive; got {Shapes.Format(sizes)}.");
        baseSizes ??= sizes;
        if (baseSizes.Length != sizes.Length || baseSizes[0] != sizes[0] || baseSizes[^1] != sizes[^1] || baseSizes.Any(s => s <= 0))
            throw new ArgumentException($"MlpClassifier: base sizes {Shapes.Format(baseSizes)} must have the same length, input and output as {Shapes.Format(sizes)}.");
        var layers = new List<Linear>();
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            var role = i == 0 ? Role.Input : i == sizes.Length - 2 ? Role.Output : Role.Hidden;
            layers.Add(new Linear($"layer{i}", role, new Dim(sizes[i], baseSizes[i]), new Dim(sizes[i + 1], baseSizes[i + 1]), init));
        }
        Layers = layers;
    }

    public int InputDim => Layers[0].FanIn;
    public int Classes => Layers[^1].FanOut;

    /// <param name="x">Inputs [B, in].</param>
    /// <param name="taps">When given, receives each hidden layer's output (pre-activation) as "layer{i}" and the output as "logits".</param>
    public Tensor Forward(Tensor x, IDictionary<string, Tensor>? taps = null) // [B, in] → [B, classes]
    {
        for (int i = 0; i < Layers.Count; i++)
        {
            x = Layers[i].Forward(x);
            if (taps != null) taps[i + 1 < Layers.Count ? $"layer{i}" : "logits"] = x;
            if (i + 1 < Layers.Count) x = Ops.Relu(x);
        }
        return x;
    }

    /// <summary>Mean cross-entropy of the logits against <paramref name="labels"/>.</summary>
    public Tensor Loss(Tensor x, int[] labels) => Ops.CrossEntropy(Forward(x), labels);

    public override IEnumerable<Parameter> Parameters() => Layers.SelectMany(l => l.Parameters());
}
