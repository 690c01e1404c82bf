namespace MuSharp.Optim;

/// <summary>
/// How Muon scales msign(M) before the learning rate: W ← W − η·(α·msign(M) + λW) (theory §4.5).
/// Each α is a function of the layer's fan-in d_in and fan-out d_out.
/// </summary>
public enum MuonScaling
{
    /// <summary>α = 1: the plain spectral-norm steepest-descent step (theory §5.1).</summary>
    Naive,

    /// <summary>α = sqrt(max(1, d_out/d_in)): KellerJordan/Muon's <c>max(1, rows/cols)**0.5</c> on a torch (d_out, d_in) weight.</summary>
    KellerJordan,

    /// <summary>α = sqrt(d_out/d_in): the spectral condition / μP scaling (theory §3.2, §4.5 "MuP").</summary>
    Spectral,

    /// <summary>α = 0.2·sqrt(max(d_in, d_out)): Moonlight's match of Adam's update RMS, so Muon can reuse AdamW's η and λ (theory §5.1).</summary>
    Moonlight,
}

/// <summary>The scale factor α of each <see cref="MuonScaling"/> (theory §4.5 table).</summary>
public static class MuonScalings
{
    /// <summary>
    /// α for a layer with fan-in <paramref name="fanIn"/> = d_in and fan-out <paramref name="fanOut"/> = d_out.
    /// The orientation trap (theory §1, §4.5): d_in and d_out are the LAYER's dims (y = x·W, W [d_in, d_out] here),
    /// never array axes. Torch stores Linear weights (d_out, d_in), so KJ reads shape[0]/shape[1]; code that copies that
    /// expression onto a [d_in, d_out] array (Keras, S11416) silently gets d_in/d_out. Callers pass
    /// <see cref="Nn.Parameter.FanIn"/> and <see cref="Nn.Parameter.FanOut"/>, never <c>Shape[0]</c> or <c>Shape[1]</c>.
    /// </summary>
    public static double Factor(this MuonScaling scaling, int fanIn, int fanOut)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanOut, 1);
        double ratio = (double)fanOut / fanIn; // d_out / d_in
        return scaling switch
        {
            MuonScaling.Naive => 1.0,                                        // α = 1
            MuonScaling.KellerJordan => Math.Sqrt(Math.Max(1.0, ratio)),     // α = sqrt(max(1, d_out/d_in))
            MuonScaling.Spectral => Math.Sqrt(ratio),                        // α = sqrt(d_out/d_in)
            MuonScaling.Moonlight => 0.2 * Math.Sqrt(Math.Max(fanIn, fanOut)), // α = 0.2·sqrt(max(d_in, d_out))
            _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "MuonScalings.Factor: unknown scaling."),
        };
    }
}
