namespace MuSharp.Scaling;

/// <summary>How a model's init, learning rates and output multipliers change with width (docs/theory.md §2, §3).</summary>
public enum ParametrizationKind
{
    /// <summary>Standard parametrization: fan-in init, one learning rate for every parameter, no multipliers.</summary>
    Standard,

    /// <summary>μP, Tensor Programs V Table 3 in the multiplier form of microsoft/mup (theory §2.3).</summary>
    Mup,

    /// <summary>The spectral condition: ‖W‖₂ and ‖ΔW‖₂ ∝ sqrt(d_out/d_in) (theory §3.2, Yang–Simon–Bernstein).</summary>
    Spectral,
}
