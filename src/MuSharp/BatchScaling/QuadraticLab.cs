namespace MuSharp.BatchScaling;

/// <summary>
/// Monte-Carlo one-step statistics of an update rule on a quadratic: the means of φᵀg and φᵀHφ over the draws.
/// For a quadratic loss the expected one-step change is exactly E[L(w − ηφ)] − L(w) = −η·E[φᵀg] + ½η²·E[φᵀHφ]
/// (theory §7.1 with no third-order term), so the optimal LR and the loss drop follow in closed form.
/// </summary>
/// <param name="OptimalLr">η̂* = mean(φᵀg)/mean(φᵀHφ).</param>
/// <param name="StdError">standard error of η̂* (delta method on block means).</param>
/// <param name="MeanPhiG">mean of φᵀg over the draws.</param>
/// <param name="MeanPhiHPhi">mean of φᵀHφ over the draws.</param>
/// <param name="Samples">the number of draws.</param>
public sealed record LabEstimate(double OptimalLr, double StdError, double MeanPhiG, double MeanPhiHPhi, int Samples)
{
    /// <summary>E[L(w − ηφ)] − L(w) = −η·E[φᵀg] + ½η²·E[φᵀHφ].</summary>
    public double LossChange(double lr) => -lr * MeanPhiG + 0.5 * lr * lr * MeanPhiHPhi;

    /// <summary>ΔL̄ = E[φᵀg]²/(2E[φᵀHφ]), the expected drop at η* (theory §7.1).</summary>
    public double LossDrop => MeanPhiG * MeanPhiG / (2 * MeanPhiHPhi);

    /// <summary>Standard error relative to the estimate.</summary>
    public double RelativeError => StdError / OptimalLr;
}

/// <summary>
/// The Monte-Carlo harness of theory §7 "Test/experiment ideas" 1–5: measure the one-step optimal learning rate of an
/// <see cref="UpdateDraw"/> on a <see cref="QuadraticProblem"/> and compare it with <see cref="QuadraticPredictions"/>.
/// </summary>
/// <remarks>
/// Standard error: the draws are split into contiguous blocks (which also absorbs the autocorrelation of the EMA
/// rules); with block means A_k, B_k and r = Ā/B̄, SE(r) = sqrt(Σ_k (A_k − rB_k)²/(K(K−1)))/B̄ (delta method).
/// Reuse one seed across batch sizes (common random numbers) to make curves in B smooth.
/// </remarks>
public static class QuadraticLab
{
    /// <summary>Draws <paramref name="samples"/> updates and returns the optimal-LR estimate.</summary>
    public static LabEstimate OptimalLr(QuadraticProblem p, UpdateDraw draw, int samples, int blocks = 50)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(draw);
        if (blocks < 2) throw new ArgumentException($"QuadraticLab.OptimalLr: needs at least 2 blocks, got {blocks}.");
        if (samples < blocks) throw new ArgumentException($"QuadraticLab.OptimalLr: needs at least one sample per block ({blocks}), got {samples}.");
        int perBlock = samples / blocks;
        var phi = new double[p.N];
        var blockG = new double[blocks];
        var blockH = new double[blocks];
        for (int k = 0; k < blocks; k++)
        {
            double sumG = 0, sumH = 0;
            for (int s = 0; s < perBlock; s++)
            {
                draw(phi);
                sumG += System.Numerics.Tensors.TensorPrimitives.Dot<double>(phi, p.G); // φᵀg
                sumH += p.Quadratic(phi);                                               // φᵀHφ
            }
            blockG[k] = sumG / perBlock;
            blockH[k] = sumH / perBlock;
        }
        double meanG = blockG.Average(), meanH = blockH.Average(), r = meanG / meanH;
        double ss = 0;
        for (int k = 0; k < blocks; k++) ss += Square(blockG[k] - r * blockH[k]);
        double se = Math.Sqrt(ss / (blocks * (blocks - 1.0))) / meanH;
        return new LabEstimate(r, se, meanG, meanH, perBlock * blocks);
    }

    /// <summary>
    /// <see cref="OptimalLr(QuadraticProblem, UpdateDraw, int, int)"/> at each batch size; <paramref name="rule"/>
    /// builds the sampler for a batch (e.g. <c>b =&gt; UpdateRules.SignSgd(p, b, new Rng(seed))</c>).
    /// </summary>
    public static LabEstimate[] Sweep(QuadraticProblem p, IReadOnlyList<double> batches, Func<double, UpdateDraw> rule, int samples, int blocks = 50) =>
        batches.Select(b => OptimalLr(p, rule(b), samples, blocks)).ToArray();

    /// <summary>Log-spaced grid: <paramref name="count"/> values from <paramref name="low"/> to <paramref name="high"/> inclusive.</summary>
    public static double[] LogGrid(double low, double high, int count)
    {
        Require.Positive(low, "low end", nameof(LogGrid));
        Require.Positive(high, "high end", nameof(LogGrid));
        if (count < 2) throw new ArgumentException($"QuadraticLab.LogGrid: needs at least 2 points, got {count}.");
        return Enumerable.Range(0, count).Select(k => low * Math.Pow(high / low, k / (count - 1.0))).ToArray();
    }

    private static double Square(double x) => x * x;
}
