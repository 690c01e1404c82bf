using System.Numerics.Tensors;

namespace MuSharp.BatchScaling;

/// <summary>Writes the next draw of an update direction φ (length N) into <paramref name="phi"/>; the step is −ηφ.</summary>
public delegate void UpdateDraw(Span<double> phi);

/// <summary>
/// Samplers of the update direction φ on a <see cref="QuadraticProblem"/> at batch B, for <see cref="QuadraticLab"/>
/// (theory §7 test ideas 1–4). The batch gradient is g̃_B = g + (σ/√B)∘z, z ~ N(0, I); B may be fractional.
/// Each draw is allocation-free and vectorized over coordinates.
/// </summary>
/// <remarks>
/// The EMA rules (momentum, Adam) hold g fixed, the slow-drift assumption of theory §7.6: they run the EMA for
/// 10 time constants of its slowest average before the first draw, then advance <c>thin</c> steps per draw
/// (default ≈ half the momentum time constant). Draws stay correlated, so use block standard errors (the lab does).
/// </remarks>
public static class UpdateRules
{
    /// <summary>SGD: φ = g̃_B.</summary>
    public static UpdateDraw Sgd(QuadraticProblem p, double batch, Rng rng)
    {
        var noise = new BatchGradient(p, batch, rng);
        return phi => noise.Draw(phi);
    }

    /// <summary>SignSGD: φ = sign(g̃_B) (theory §7.3).</summary>
    public static UpdateDraw SignSgd(QuadraticProblem p, double batch, Rng rng)
    {
        var noise = new BatchGradient(p, batch, rng);
        return phi =>
        {
            noise.Draw(phi);
            for (int i = 0; i < phi.Length; i++) phi[i] = Math.Sign(phi[i]);
        };
    }

    /// <summary>SoftSignSGD: φ = g̃_B/sqrt(g̃_B² + ε²) (theory §7.4; Adam with ε and β1 = 0, β2 → 0).</summary>
    public static UpdateDraw SoftSignSgd(QuadraticProblem p, double batch, double epsilon, Rng rng)
    {
        Require.NonNegative(epsilon, "ε", nameof(SoftSignSgd));
        var noise = new BatchGradient(p, batch, rng);
        double e2 = epsilon * epsilon;
        return phi =>
        {
            noise.Draw(phi);
            for (int i = 0; i < phi.Length; i++) phi[i] = phi[i] == 0 ? 0 : phi[i] / Math.Sqrt(phi[i] * phi[i] + e2);
        };
    }

    /// <summary>SGD with momentum at stationarity: m ← β1·m + (1−β1)·g̃_B, φ = m (theory §7.6).</summary>
    public static UpdateDraw SgdMomentum(QuadraticProblem p, double batch, double beta1, Rng rng, int thin = 0)
    {
        Require.Beta1(beta1, nameof(SgdMomentum));
        var noise = new BatchGradient(p, batch, rng);
        var m = new double[p.N];
        var gt = new double[p.N];
        noise.Draw(m);
        void Step()
        {
            noise.Draw(gt);
            TensorPrimitives.Lerp(m, gt, 1 - beta1, m); // m + (1−β1)(g̃ − m)
        }
        for (int t = BurnIn(beta1); t > 0; t--) Step();
        int every = Thin(thin, beta1);
        return phi =>
        {
            for (int t = 0; t < every; t++) Step();
            m.CopyTo(phi);
        };
    }

    /// <summary>
    /// Adam at stationarity (theory §6, §7.6): m ← β1 m + (1−β1)g̃_B, v ← β2 v + (1−β2)g̃_B², φ = m/(√v + ε).
    /// Bias correction is omitted (it is 1 at stationarity); m and v start from the first draw.
    /// </summary>
    public static UpdateDraw Adam(QuadraticProblem p, double batch, double beta1, double beta2, double epsilon, Rng rng, int thin = 0)
    {
        Require.Beta1(beta1, nameof(Adam));
        Require.Beta2(beta2, nameof(Adam));
        Require.NonNegative(epsilon, "ε", nameof(Adam));
        var noise = new BatchGradient(p, batch, rng);
        int n = p.N;
        var m = new double[n];
        var v = new double[n];
        var gt = new double[n];
        noise.Draw(m);
        TensorPrimitives.Multiply(m, m, v);
        void Step()
        {
            noise.Draw(gt);
            TensorPrimitives.Lerp(m, gt, 1 - beta1, m);
            TensorPrimitives.Multiply(gt, gt, gt);
            TensorPrimitives.Lerp(v, gt, 1 - beta2, v);
        }
        for (int t = BurnIn(Math.Max(beta1, beta2)); t > 0; t--) Step();
        int every = Thin(thin, beta1);
        return phi =>
        {
            for (int t = 0; t < every; t++) Step();
            TensorPrimitives.Sqrt(v, phi);
            TensorPrimitives.Add(phi, epsilon, phi);
            TensorPrimitives.Divide(m, phi, phi);
        };
    }

    private static int BurnIn(double beta) => (int)Math.Ceiling(10 / (1 - beta));

    private static int Thin(int thin, double beta1) =>
        thin > 0 ? thin : Math.Max(1, (int)Math.Round(0.5 / (1 - beta1)));

    /// <summary>g̃_B = g + (σ/√B)∘z with its own Box–Muller buffers.</summary>
    private sealed class BatchGradient
    {
        private readonly double[] g, scale, z, scratch;
        private readonly Rng rng;

        public BatchGradient(QuadraticProblem p, double batch, Rng rng)
        {
            Require.Batch(batch, "UpdateRules");
            ArgumentNullException.ThrowIfNull(rng);
            (g, this.rng) = (p.G, rng);
            scale = p.Sigma.Select(s => s / Math.Sqrt(batch)).ToArray();
            z = new double[p.N];
            scratch = new double[Gaussian.ScratchLength(p.N)];
        }

        public void Draw(Span<double> dst)
        {
            Gaussian.Fill(rng, z, scratch);
            TensorPrimitives.FusedMultiplyAdd(z, scale, g, dst);
        }
    }
}
