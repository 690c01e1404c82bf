namespace MuSharp.Nn;

/// <summary>
/// What a parameter is to the network; parametrizations (μP, spectral) and optimizer routing read this,
/// never the parameter's name or rank (see docs/theory.md §2.2 for the per-role rules).
/// </summary>
public enum Role
{
    /// <summary>First dense layer from a finite input (fan-in fixed, fan-out grows with width).</summary>
    Input,
    /// <summary>Width-to-width matrices (fan-in and fan-out both grow).</summary>
    Hidden,
    /// <summary>Read-out to a finite output (fan-in grows, fan-out fixed).</summary>
    Output,
    /// <summary>Gains and biases: one value per feature.</summary>
    Vector,
    /// <summary>Lookup tables from a finite vocabulary (one-hot input).</summary>
    Embedding,
}
