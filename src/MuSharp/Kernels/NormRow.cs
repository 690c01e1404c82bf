using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MuSharp.Kernels;

/// <summary>
/// One row of LayerNorm (<c>center</c>: subtract the row mean) or RMSNorm (<c>center</c> false: μ = 0), forward and
/// backward, in as few passes as the math allows: the forward reads x three times (mean, variance about the mean,
/// output), the backward twice (the two row sums, then dx). Sixteen lanes at a time with a scalar tail of the same
/// formulas. An empty gain means g = 1, an empty bias b = 0. The derivations are beside <see cref="Ops.LayerNorm"/>
/// and <see cref="Ops.RmsNorm"/>.
/// </summary>
internal static class NormRow
{
    /// <summary>
    /// y = (x − μ)·s ⊙ g + b with μ = mean(x) (center) or 0, s = (mean((x − μ)²) + eps)^(−1/2); returns (μ, s).
    /// </summary>
    public static (float Mean, float Rstd) Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> bias,
        Span<float> y, bool center, float eps)
    {
        int c = x.Length, i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float g0 = ref MemoryMarshal.GetReference(gain);
        ref float b0 = ref MemoryMarshal.GetReference(bias);
        bool hasGain = !gain.IsEmpty, hasBias = !bias.IsEmpty;

        float mean = 0f;
        if (center)
        {
            var sum = Vector512<float>.Zero;
            for (; i <= c - 16; i += 16) sum += Vector512.LoadUnsafe(ref x0, (nuint)i);
            float s = Vector512.Sum(sum);
            for (; i < c; i++) s += x[i];
            mean = s / c;
        }
        var vMean = Vector512.Create(mean);
        var squares = Vector512<float>.Zero;
        for (i = 0; i <= c - 16; i += 16)
        {
            var d = Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean;
            squares = Vector512.FusedMultiplyAdd(d, d, squares);
        }
        float ss = Vector512.Sum(squares);
        for (; i < c; i++) ss += (x[i] - mean) * (x[i] - mean);
        float rstd = 1f / MathF.Sqrt(ss / c + eps);

        var vRstd = Vector512.Create(rstd);
        for (i = 0; i <= c - 16; i += 16)
        {
            var v = (Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean) * vRstd;
            if (hasGain) v *= Vector512.LoadUnsafe(ref g0, (nuint)i);
            if (hasBias) v += Vector512.LoadUnsafe(ref b0, (nuint)i);
            v.StoreUnsafe(ref y0, (nuint)i);
        }
        for (; i < c; i++)
        {
            float v = (x[i] - mean) * rstd;
            if (hasGain) v *= gain[i];
            if (hasBias) v += bias[i];
            y[i] = v;
        }
        return (mean, rstd);
    }

    /// <summary>
    /// The backward of <see cref="Forward"/> for one row, from its (μ, s): with n = (x − μ)·s and dn = dy ⊙ g,
    /// dg += dy ⊙ n and db += dy (each when not empty), and dx = s·(dn − mean(dn) − n·mean(dn ⊙ n)), the mean(dn) term
    /// only when center; dx is assigned when <paramref name="overwrite"/>, else added to (and skipped when empty).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<float> gain, float mean, float rstd,
        bool center, Span<float> dg, Span<float> db, Span<float> dx, bool overwrite)
    {
        int c = x.Length, i;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float dy0 = ref MemoryMarshal.GetReference(dy);
        ref float g0 = ref MemoryMarshal.GetReference(gain);
        ref float dg0 = ref MemoryMarshal.GetReference(dg);
        ref float db0 = ref MemoryMarshal.GetReference(db);
        ref float dx0 = ref MemoryMarshal.GetReference(dx);
        bool hasGain = !gain.IsEmpty, wantDg = !dg.IsEmpty, wantDb = !db.IsEmpty;
        var vMean = Vector512.Create(mean);
        var vRstd = Vector512.Create(rstd);

        // Pass 1: Σ dn and Σ dn ⊙ n, and the parameter gradients.
        var sumDn = Vector512<float>.Zero;
        var sumDnN = Vector512<float>.Zero;
        for (i = 0; i <= c - 16; i += 16)
        {
            var n = (Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean) * vRstd;
            var d = Vector512.LoadUnsafe(ref dy0, (nuint)i);
            var dn = hasGain ? d * Vector512.LoadUnsafe(ref g0, (nuint)i) : d;
            sumDn += dn;
            sumDnN = Vector512.FusedMultiplyAdd(dn, n, sumDnN);
            if (wantDg) Vector512.FusedMultiplyAdd(d, n, Vector512.LoadUnsafe(ref dg0, (nuint)i)).StoreUnsafe(ref dg0, (nuint)i);
            if (wantDb) (Vector512.LoadUnsafe(ref db0, (nuint)i) + d).StoreUnsafe(ref db0, (nuint)i);
        }
        float sDn = Vector512.Sum(sumDn), sDnN = Vector512.Sum(sumDnN);
        for (; i < c; i++)
        {
            float n = (x[i] - mean) * rstd, dn = hasGain ? dy[i] * gain[i] : dy[i];
            sDn += dn;
            sDnN += dn * n;
            if (wantDg) dg[i] += dy[i] * n;
            if (wantDb) db[i] += dy[i];
        }
        if (dx.IsEmpty) return;

        // Pass 2: dx = s·(dn − mean(dn) − n·mean(dn ⊙ n)).
        float meanDn = center ? sDn / c : 0f, meanDnN = sDnN / c;
        var vMeanDn = Vector512.Create(meanDn);
        var vMeanDnN = Vector512.Create(meanDnN);
        for (i = 0; i <= c - 16; i += 16)
        {
            var n = (Vector512.LoadUnsafe(ref x0, (nuint)i) - vMean) * vRstd;
            var d = Vector512.LoadUnsafe(ref dy0, (nuint)i);
            var dn = hasGain ? d * Vector512.LoadUnsafe(ref g0, (nuint)i) : d;
            var g = vRstd * (dn - vMeanDn - n * vMeanDnN);
            (overwrite ? g : Vector512.LoadUnsafe(ref dx0, (nuint)i) + g).StoreUnsafe(ref dx0, (nuint)i);
        }
        for (; i < c; i++)
        {
            float n = (x[i] - mean) * rstd, dn = hasGain ? dy[i] * gain[i] : dy[i];
            float g = rstd * (dn - meanDn - n * meanDnN);
            dx[i] = overwrite ? g : dx[i] + g;
        }
    }
}
