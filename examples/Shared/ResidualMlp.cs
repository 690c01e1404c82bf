using MuSharp;
using MuSharp.Nn;

namespace Examples;

/// <summary>
/// A model MuSharp does not ship, written as a user would: input layer → depth × [h + W_down·relu(W_up·h)] → readout.
/// Every layer declares its role and its base width through <see cref="Dim"/>; the <see cref="Init"/> passed in applies
/// the parametrization (SP, μP or spectral) as the weights are drawn.
/// </summary>
public sealed class ResidualMlp : Module
{
    private readonly Linear input, readout;
    private readonly List<(Linear Up, Linear Down)> blocks = [];

    public ResidualMlp(int inputs, int width, int baseWidth, int depth, int classes, Init init)
    {
        var hidden = new Dim(width, baseWidth); // scales with width; inputs and classes do not
        input = new Linear("in", Role.Input, inputs, hidden, init);
        for (int i = 0; i < depth; i++)
            blocks.Add((new Linear($"block{i}.up", Role.Hidden, hidden, hidden, init, bias: false),
                        new Linear($"block{i}.down", Role.Hidden, hidden, hidden, init, bias: false)));
        readout = new Linear("out", Role.Output, hidden, classes, init);
    }

    /// <summary>Logits [B, classes] for inputs [B, inputs]; <paramref name="taps"/> receives every block's output.</summary>
    public Tensor Forward(Tensor x, IDictionary<string, Tensor>? taps = null)
    {
        var h = input.Forward(x); // [B, width]
        if (taps != null) taps["in"] = h;
        for (int i = 0; i < blocks.Count; i++)
        {
            h = Ops.Add(h, blocks[i].Down.Forward(Ops.Relu(blocks[i].Up.Forward(h))));
            if (taps != null) taps[$"block{i}"] = h;
        }
        var logits = readout.Forward(h);
        if (taps != null) taps["logits"] = logits;
        return logits;
    }

    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var p in input.Parameters()) yield return p;
        foreach (var (up, down) in blocks)
        {
            yield return up.Weight;
            yield return down.Weight;
        }
        foreach (var p in readout.Parameters()) yield return p;
    }
}
