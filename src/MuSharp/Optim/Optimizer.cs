using MuSharp.Kernels;
using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// Base of all optimizers: holds the parameters, the step count and named per-parameter state buffers.
/// Subclasses implement <see cref="Step"/> by calling a pure update function per parameter.
/// Save/load of state is written once, here, through <see cref="State"/>.
/// </summary>
public abstract class Optimizer
{
    private readonly Dictionary<string, float[]> state = new(StringComparer.Ordinal);

    protected Optimizer(IEnumerable<Parameter> parameters)
    {
        Parameters = parameters.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in Parameters)
            if (!names.Add(p.Name))
                throw new ArgumentException($"{GetType().Name}: duplicate parameter name '{p.Name}'; names key the optimizer state.");
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of completed <see cref="Step"/> calls (t in the bias corrections).</summary>
    public long StepCount { get; protected set; }

    /// <summary>Applies one update with learning rate <paramref name="lr"/> from the gradients in each Grad.</summary>
    public abstract void Step(float lr);

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    /// <summary>A zero-initialised state buffer of p's size, created on first use, keyed "kind:name".</summary>
    protected float[] Buffer(string kind, Parameter p)
    {
        string key = kind + ":" + p.Name;
        if (!state.TryGetValue(key, out var buf)) state[key] = buf = new float[p.Size];
        return buf;
    }

    /// <summary>Every state buffer by key, for checkpoints.</summary>
    public virtual IReadOnlyDictionary<string, float[]> State => state;

    /// <summary>Restores buffers and the step count saved from an optimizer of the same type and parameters.</summary>
    public virtual void LoadState(IReadOnlyDictionary<string, float[]> buffers, long stepCount)
    {
        var sizes = Parameters.ToDictionary(p => p.Name, p => p.Size, StringComparer.Ordinal);
        foreach (var (key, buf) in buffers)
        {
            int colon = key.IndexOf(':');
            string name = colon < 0 ? key : key[(colon + 1)..];
            if (!sizes.TryGetValue(name, out int size))
                throw new InvalidDataException($"{GetType().Name}: saved state '{key}' names no parameter of this model; the checkpoint belongs to another model.");
            if (size != buf.Length)
                throw new InvalidDataException($"{GetType().Name}: saved state '{key}' has {buf.Length} values, parameter '{name}' has {size}.");
        }
        state.Clear();
        foreach (var (key, buf) in buffers) state[key] = (float[])buf.Clone();
        StepCount = stepCount;
    }

    /// <summary>
    /// Runs an element-wise update over p's elements, in chunks on the configured threads when p is large
    /// (<see cref="Chunks.ForElements"/>: chunk boundaries are multiples of 16, so every vector loop sees the same lanes
    /// and the result is the same bits as one call over the whole parameter).
    /// </summary>
    protected static void ForChunks(Parameter p, Action<Range> update) => Chunks.ForElements(p.Size, (i0, i1) => update(i0..i1));

    /// <summary>η·s: the step size for <paramref name="p"/>, with s its parametrization's <see cref="Parameter.LrScale"/> (μP, spectral).</summary>
    protected static float LrOf(Parameter p, float lr) => lr * p.LrScale;

    /// <summary>
    /// λ/s for matrices and embeddings, 0 for gains and biases: with the step η·s the per-step decay η·λ stays
    /// width-independent (microsoft/mup scales weight decay against the learning rate the same way).
    /// </summary>
    protected static float DecayOf(Parameter p, float wd) => p.Role == Role.Vector ? 0f : wd / p.LrScale;

    protected static float[] GradOf(Parameter p) =>
        p.Grad ?? throw new InvalidOperationException($"optimizer step: parameter '{p.Name}' has no gradient; call Backward on a loss that uses it first.");
}
