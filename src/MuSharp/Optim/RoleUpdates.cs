using System.Buffers;
using System.Numerics.Tensors;

namespace MuSharp.Optim;

/// <summary>
/// The per-role steepest-descent directions φ of docs/theory.md §4.3 (Su, S11647): the update is Δ = −η·φ,
/// where φ is the unit-size direction of the norm that bounds each layer's output change. Every function
/// reads a gradient (or momentum) G and writes φ; matrices are row-major [FanIn, FanOut] = [d_in, d_out]
/// (theory §1: y = x·W), so element (i, j) sits at i·FanOut + j. A zero row, column or vector gives φ = 0.
/// Hidden and input matrices take φ = √(d_out/d_in)·msign(G) (theory §4.2), which is Muon's job, not this file's.
/// </summary>
public static class RoleUpdates
{
    /// <summary>
    /// Embedding E [|V|, d] = [FanIn, FanOut] (theory §4.3): φ_i = G_i/‖G_i‖_RMS for each row i, so each
    /// token's update has RMS η (ℓ2 norm η√d). Row i is token i's vector: a one-hot input selects one row,
    /// and its RMS is what bounds the change of that token's output.
    /// </summary>
    public static void Embedding(ReadOnlySpan<float> g, Span<float> phi, int fanIn, int fanOut) =>
        RowNormalized(g, phi, fanIn, fanOut, 1f);

    /// <summary>
    /// Output head W [d, |V|] = [FanIn, FanOut] (theory §4.3): φ_{:,j} = (1/d)·G_{:,j}/‖G_{:,j}‖_RMS for each
    /// column j, with d = FanIn, so each column's update has RMS η/d (ℓ2 norm η/√d). Column j (axis 0, the
    /// FanIn axis, at fixed output j) holds the weights into logit j = x·W_{:,j}; the bound
    /// |Δlogit_j| ≤ d·‖x‖_RMS·‖ΔW_{:,j}‖_RMS is why the columns, not the rows, are normalized, and why the 1/d.
    /// (PyTorch stores the head as [|V|, d], where these columns are its rows.)
    /// </summary>
    public static void OutputHead(ReadOnlySpan<float> g, Span<float> phi, int fanIn, int fanOut) =>
        ColumnNormalized(g, phi, fanIn, fanOut, 1f / fanIn);

    /// <summary>Norm gain γ (theory §4.3): φ = sign(g), the msign of diag(g), so each coordinate moves by ±η.</summary>
    public static void Gain(ReadOnlySpan<float> g, Span<float> phi)
    {
        CheckLengths(g, phi, g.Length);
        for (int i = 0; i < g.Length; i++) phi[i] = MathF.Sign(g[i]);
    }

    /// <summary>Bias b (theory §4.3): φ = g/‖g‖_RMS, so the update's RMS is η.</summary>
    public static void Bias(ReadOnlySpan<float> g, Span<float> phi)
    {
        CheckLengths(g, phi, g.Length);
        Scale(g, phi, Rms(g), 1f);
    }

    /// <summary>φ_i = scale·G_i/‖G_i‖_RMS for each row i of the row-major [rows, cols] matrix G.</summary>
    public static void RowNormalized(ReadOnlySpan<float> g, Span<float> phi, int rows, int cols, float scale)
    {
        CheckLengths(g, phi, rows * cols);
        for (int i = 0; i < rows; i++)
        {
            var row = g.Slice(i * cols, cols);
            Scale(row, phi.Slice(i * cols, cols), Rms(row), scale);
        }
    }

    /// <summary>φ_{:,j} = scale·G_{:,j}/‖G_{:,j}‖_RMS for each column j of the row-major [rows, cols] matrix G.</summary>
    public static void ColumnNormalized(ReadOnlySpan<float> g, Span<float> phi, int rows, int cols, float scale)
    {
        CheckLengths(g, phi, rows * cols);
        // Column sums of squares in one row-major pass: ss_j = Σ_i G_ij².
        var ssBuf = ArrayPool<double>.Shared.Rent(cols);
        var factorBuf = ArrayPool<float>.Shared.Rent(cols);
        var ss = ssBuf.AsSpan(0, cols);
        var factor = factorBuf.AsSpan(0, cols);
        ss.Clear();
        for (int i = 0; i < rows; i++)
        {
            var row = g.Slice(i * cols, cols);
            for (int j = 0; j < cols; j++) ss[j] += (double)row[j] * row[j];
        }
        for (int j = 0; j < cols; j++)
            factor[j] = ss[j] == 0 ? 0f : (float)(scale / Math.Sqrt(ss[j] / rows));
        for (int i = 0; i < rows; i++)
            TensorPrimitives.Multiply(g.Slice(i * cols, cols), factor, phi.Slice(i * cols, cols));
        ArrayPool<double>.Shared.Return(ssBuf);
        ArrayPool<float>.Shared.Return(factorBuf);
    }

    /// <summary>‖x‖_RMS = √(Σx²/n), accumulated in double.</summary>
    private static double Rms(ReadOnlySpan<float> x)
    {
        double ss = 0;
        foreach (float v in x) ss += (double)v * v;
        return x.Length == 0 ? 0 : Math.Sqrt(ss / x.Length);
    }

    /// <summary>φ = scale·x/rms, or 0 when rms = 0.</summary>
    private static void Scale(ReadOnlySpan<float> x, Span<float> phi, double rms, float scale)
    {
        if (rms == 0) phi.Clear();
        else TensorPrimitives.Multiply(x, (float)(scale / rms), phi);
    }

    private static void CheckLengths(ReadOnlySpan<float> g, Span<float> phi, int expected)
    {
        if (g.Length != expected || phi.Length != expected)
            throw new ArgumentException($"RoleUpdates: gradient has {g.Length} values and direction {phi.Length}; the shape needs {expected}.");
    }
}
