using MuSharp.Kernels;
using MuSharp.Nn;

namespace MuSharp.Diagnostics;

/// <summary>The three stability metrics of theory §4.1 (S11340), each a max over inputs on the RMS sphere.</summary>
public enum StabilityMetric
{
    /// <summary>max ‖f(x)‖_RMS.</summary>
    Forward,
    /// <summary>max ‖f(x₁) − f(x₂)‖_RMS.</summary>
    Dependency,
    /// <summary>max ‖f(x; ω + Δω) − f(x; ω)‖_RMS.</summary>
    Update,
}

/// <summary>What a stability unit is: one layer or branch, a residual block, or the whole model.</summary>
public enum StabilityScope { Module, Block, Model }

/// <summary>The three metrics of one unit.</summary>
public sealed record StabilityValues(double Forward, double Dependency, double Update)
{
    public double this[StabilityMetric metric] => metric switch
    {
        StabilityMetric.Forward => Forward,
        StabilityMetric.Dependency => Dependency,
        _ => Update,
    };
}

/// <summary>
/// One unit's certified upper bound (composed from spectral norms, theory §4.2–4.3 and §14.1–14.2) and measured lower bound
/// (projected gradient ascent over inputs on the RMS sphere). Bound ≥ Measured holds by construction of both.
/// </summary>
public sealed record StabilityResult(string Unit, StabilityScope Scope, StabilityValues Bound, StabilityValues Measured);

/// <summary>How hard the measurement searches: restarts (batch rows) and ascent steps per metric.</summary>
public sealed record StabilityOptions
{
    /// <summary>Independent random starts, run together as a batch.</summary>
    public int Restarts { get; init; } = 4;
    /// <summary>Projected gradient-ascent steps per metric.</summary>
    public int Iterations { get; init; } = 40;
    /// <summary>Step length in RMS units; each step moves every token by StepSize·ĝ, ĝ its gradient at unit RMS, then projects back to the sphere.</summary>
    public double StepSize { get; init; } = 0.5;
    /// <summary>Sequence length of the GPT probes (every token lies on the sphere).</summary>
    public int Tokens { get; init; } = 8;
    public ulong Seed { get; init; } = 1;
}

/// <summary>
/// Stability certificates (theory §4.1–4.3, §14.1–14.2): for each module, block and the whole model, the forward, dependency
/// and update metrics over inputs with ‖x‖_RMS = 1 (per token for sequences: the max over positions of the per-token RMS,
/// the In-Norm setting of S11605). <c>updated</c> is the same architecture after an optimizer step, Δω = updated − model.
/// For the GPT, Δω is read from the matrices only (norm gains and biases are taken from <c>model</c> on both sides), and
/// units take the residual stream as their input.
/// Measurement clears the models' gradients.
/// </summary>
public static class Stability
{
    /// <summary>
    /// Lipschitz constant of the tanh-approximated GELU the library uses: max |gelu'(x)| = 1.128993 at x ≈ 1.4185 in
    /// exact arithmetic, rounded up with room for the float kernel's rounding; |gelu(x)| ≤ |x| everywhere
    /// (gelu(x) = x·s(x), 0 &lt; s &lt; 1).
    /// </summary>
    public const double GeluLipschitz = 1.1300;

    // ---- MLP classifier ----

    /// <summary>
    /// Units "layer{i}" (each dense layer with its input on the RMS sphere of d_in: forward ‖cW‖_R + ‖b‖_RMS, dependency
    /// 2‖cW‖_R, update ‖cΔW‖_R + ‖Δb‖_RMS, theory §4.2) and "model" (input x ∈ R^{d_in} on the sphere, ReLU 1-Lipschitz
    /// with |relu(z)| ≤ |z|, composed layer by layer: F ← ‖W‖_R·F + ‖b‖, D ← ‖W‖_R·D, U ← ‖W'‖_R·U + ‖ΔW‖_R·F + ‖Δb‖).
    /// ‖W‖_R = sqrt(d_in/d_out)·‖W‖₂ with the exact ‖W‖₂.
    /// </summary>
    public static IReadOnlyList<StabilityResult> Certify(MlpClassifier model, MlpClassifier updated, StabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(updated);
        if (model.Layers.Count != updated.Layers.Count) throw new ArgumentException("Stability: the updated model has another architecture.");
        var o = options ?? new StabilityOptions();
        var rng = new Rng(o.Seed);
        var results = new List<StabilityResult>();
        double f = 1, d = 2, u = 0;                      // the model's running bounds, input on the sphere
        for (int i = 0; i < model.Layers.Count; i++)
        {
            Linear a = model.Layers[i], b = updated.Layers[i];
            double w = OperatorNorm(a), wNew = OperatorNorm(b), dw = DeltaOperatorNorm(a, b);
            double bias = BiasRms(a.Bias), dBias = DeltaRms(a.Bias, b.Bias);
            var bound = new StabilityValues(w + bias, 2 * w, dw + dBias);
            var measured = Measure(x => a.Forward(x), x => b.Forward(x), [o.Restarts, a.FanIn], o, rng);
            results.Add(new($"layer{i}", StabilityScope.Module, bound, measured));
            u = wNew * u + dw * f + dBias;
            f = w * f + bias;
            d = w * d;
        }
        var modelMeasured = Measure(x => model.Forward(x), x => updated.Forward(x), [o.Restarts, model.InputDim], o, rng);
        results.Add(new("model", StabilityScope.Model, new(f, Math.Min(d, 2 * f), u), modelMeasured));
        model.ZeroGrad();
        updated.ZeroGrad();
        return results;
    }

    // ---- GPT ----

    /// <summary>
    /// Units per block l: "block{l}.attn" = Attn(Norm₁(x)), "block{l}.mlp" = Mlp(Norm₂(x)), "block{l}" = the residual block;
    /// then "head" = Head(Norm_f(x)) (logits) and "model" = every block, the final norm and the head, from the residual
    /// stream. With N the norm's output bound (max|g| + ‖b‖_RMS), ‖·‖_R = sqrt(d_in/d_out)‖·‖₂, per-head slices
    /// W^h [C, Dh], logit scale c (theory §14.2, derived there):
    /// attention F = N‖W_o‖_R·sqrt(mean_h ‖W_v^h‖_R²) (a softmax average of values is a convex combination);
    /// U = ‖W_o'‖_R·N·sqrt(mean_h (‖ΔW_v^h‖_R + Δs_h‖W_v^h‖_R)²) + ‖ΔW_o‖_R·N·sqrt(mean_h ‖W_v^h‖_R²) with the logit change
    /// Δs_h = c·Dh·N²(‖ΔW_q^h‖_R‖W_k'^h‖_R + ‖W_q^h‖_R‖ΔW_k^h‖_R), as ‖softmax(a) − softmax(b)‖₁ ≤ max|a − b|;
    /// MLP F = N‖W_up‖_R‖W_down‖_R, U = N(ℓ‖ΔW_up‖_R‖W_down'‖_R + ‖W_up‖_R‖ΔW_down‖_R), ℓ = <see cref="GeluLipschitz"/>;
    /// block F = 1 + F_A + F_M, U = U_A + F_M + F_M' (the MLP's input moved, and a norm has no Lipschitz constant near 0);
    /// head F = N_f‖W_head‖_R, U = 2N_f‖W_head'‖_R + N_f‖ΔW_head‖_R at the model level (the final norm's input moved),
    /// N_f‖ΔW_head‖_R as a module. Every dependency bound is 2F (two outputs each bounded by F).
    /// </summary>
    public static IReadOnlyList<StabilityResult> Certify(Gpt model, Gpt updated, StabilityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(updated);
        if (model.Blocks.Count != updated.Blocks.Count || model.Config.DModel != updated.Config.DModel)
            throw new ArgumentException("Stability: the updated model has another architecture.");
        var o = options ?? new StabilityOptions();
        var cfg = model.Config;
        int c = cfg.DModel, t = Math.Min(o.Tokens, cfg.ContextLength);
        var rng = new Rng(o.Seed);
        var results = new List<StabilityResult>();
        int[] shape = [o.Restarts, t, c];
        for (int l = 0; l < model.Blocks.Count; l++)
        {
            Block a = model.Blocks[l], b = updated.Blocks[l];
            double n1 = NormBound(a.Norm1), n2 = NormBound(a.Norm2);
            var attn = AttentionBound(a.Attention, b.Attention, cfg, n1);
            double fm = n2 * OperatorNorm(a.Up) * OperatorNorm(a.Down), fmNew = n2 * OperatorNorm(b.Up) * OperatorNorm(b.Down);
            double um = n2 * (GeluLipschitz * DeltaOperatorNorm(a.Up, b.Up) * OperatorNorm(b.Down) + OperatorNorm(a.Up) * DeltaOperatorNorm(a.Down, b.Down));
            // The updated side keeps `model`'s norm gains, so Δω covers the matrices only.
            results.Add(new($"block{l}.attn", StabilityScope.Module, new(attn.F, 2 * attn.F, attn.U),
                Measure(x => a.Attention.Forward(Gpt.ApplyNorm(a.Norm1, x)), x => b.Attention.Forward(Gpt.ApplyNorm(a.Norm1, x)), shape, o, rng)));
            results.Add(new($"block{l}.mlp", StabilityScope.Module, new(fm, 2 * fm, um),
                Measure(x => MlpBranch(a, a, x), x => MlpBranch(b, a, x), shape, o, rng)));
            double fb = 1 + attn.F + fm;
            results.Add(new($"block{l}", StabilityScope.Block, new(fb, 2 * fb, attn.U + fm + fmNew),
                Measure(x => BlockForward(a, a, x), x => BlockForward(b, a, x), shape, o, rng)));
        }
        double nf = NormBound(model.FinalNorm);
        var (head, headNew) = (HeadMatrix(model), HeadMatrix(updated));
        double wh = head.Norm, whNew = headNew.Norm, dwh = DeltaOperatorNorm(head, headNew);
        results.Add(new("head", StabilityScope.Module, new(nf * wh, 2 * nf * wh, nf * dwh),
            Measure(x => HeadForward(model, model, x), x => HeadForward(updated, model, x), shape, o, rng)));
        double fModel = nf * wh;
        results.Add(new("model", StabilityScope.Model, new(fModel, 2 * fModel, 2 * nf * whNew + nf * dwh),
            Measure(x => ModelForward(model, model, x), x => ModelForward(updated, model, x), shape, o, rng)));
        model.ZeroGrad();
        updated.ZeroGrad();
        return results;
    }

    private static Tensor MlpBranch(Block weights, Block norms, Tensor x) =>
        weights.Down.Forward(Ops.Gelu(weights.Up.Forward(Gpt.ApplyNorm(norms.Norm2, x))));

    private static Tensor BlockForward(Block weights, Block norms, Tensor x)
    {
        x = Ops.Add(x, weights.Attention.Forward(Gpt.ApplyNorm(norms.Norm1, x)));
        return Ops.Add(x, MlpBranch(weights, norms, x));
    }

    private static Tensor HeadForward(Gpt weights, Gpt norms, Tensor x) // [B, T, C] → [B, T, V]
    {
        x = Gpt.ApplyNorm(norms.FinalNorm, x);
        int bs = x.Shape[0], t = x.Shape[1], c = x.Shape[2];
        var flat = Ops.Reshape(x, bs * t, c);
        var logits = weights.Head != null ? weights.Head.Forward(flat) : Ops.MatMul(flat, weights.Tokens.Table, transB: true);
        return Ops.Reshape(logits, bs, t, logits.Shape[1]);
    }

    private static Tensor ModelForward(Gpt weights, Gpt norms, Tensor x)
    {
        for (int l = 0; l < weights.Blocks.Count; l++) x = BlockForward(weights.Blocks[l], norms.Blocks[l], x);
        return HeadForward(weights, norms, x);
    }

    private readonly record struct AttentionBounds(double F, double U);

    private static AttentionBounds AttentionBound(CausalSelfAttention a, CausalSelfAttention b, GptConfig cfg, double n)
    {
        int heads = cfg.Heads, dh = cfg.HeadDim;
        double sumV = 0, sumDelta = 0;
        for (int h = 0; h < heads; h++)
        {
            double v = HeadNorm(a.Value, h, dh, null), dv = HeadNorm(a.Value, h, dh, b.Value);
            double q = HeadNorm(a.Query, h, dh, null), dq = HeadNorm(a.Query, h, dh, b.Query);
            double kNew = HeadNorm(b.Key, h, dh, null), dk = HeadNorm(a.Key, h, dh, b.Key);
            double ds = cfg.AttentionScale * dh * n * n * (dq * kNew + q * dk);   // |Δs| ≤ c·Dh·N²(…)
            sumV += v * v;
            sumDelta += (dv + ds * v) * (dv + ds * v);
        }
        double meanV = Math.Sqrt(sumV / heads), meanDelta = Math.Sqrt(sumDelta / heads);
        double f = n * OperatorNorm(a.Output) * meanV;
        double u = OperatorNorm(b.Output) * n * meanDelta + DeltaOperatorNorm(a.Output, b.Output) * n * meanV;
        return new(f, u);
    }

    /// <summary>sqrt(C/Dh)·‖c·W[:, h·Dh … (h+1)·Dh)‖₂ of head h (or of updated − model when <paramref name="updated"/> is given).</summary>
    private static double HeadNorm(Linear model, int h, int dh, Linear? updated)
    {
        int rows = model.FanIn, cols = model.FanOut;
        var slice = new float[rows * dh];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < dh; j++)
            {
                int at = i * cols + h * dh + j;
                float w = model.Multiplier * model.Weight.Data[at];
                slice[i * dh + j] = updated == null ? w : updated.Multiplier * updated.Weight.Data[at] - w;
            }
        return Math.Sqrt((double)rows / dh) * Lapack.SingularValues(slice, rows, dh)[0];
    }

    /// <summary>The head as a [C, V] matrix (the tied embedding's transpose) and its ‖·‖_R.</summary>
    private sealed record HeadWeights(float[] Data, int Rows, int Cols, double Norm);

    private static HeadWeights HeadMatrix(Gpt model)
    {
        if (model.Head is { } head)
        {
            var w = head.Weight.Data.Select(v => v * head.Multiplier).ToArray();
            return new(w, head.FanIn, head.FanOut, Scaled(w, head.FanIn, head.FanOut));
        }
        int v = model.Tokens.Count, c = model.Tokens.Dim;
        var t = new float[c * v];                                                   // Eᵀ [C, V]
        for (int i = 0; i < v; i++)
            for (int j = 0; j < c; j++) t[j * v + i] = model.Tokens.Table.Data[i * c + j];
        return new(t, c, v, Scaled(t, c, v));
    }

    private static double DeltaOperatorNorm(HeadWeights a, HeadWeights b)
    {
        var d = new float[a.Data.Length];
        for (int i = 0; i < d.Length; i++) d[i] = b.Data[i] - a.Data[i];
        return Scaled(d, a.Rows, a.Cols);
    }

    /// <summary>Bound on ‖Norm(x)‖_RMS: the normalized vector has RMS ≤ 1, so max|g| (+ ‖b‖_RMS for LayerNorm).</summary>
    private static double NormBound(Module norm) => norm switch
    {
        RmsNorm r => r.Gain.Data.Max(Math.Abs),
        LayerNorm l => l.Gain.Data.Max(Math.Abs) + UpdateMonitor.Rms(l.Bias.Data),
        _ => throw new ArgumentException($"Stability: unknown norm {norm.GetType().Name}."),
    };

    // ---- spectral pieces ----

    /// <summary>‖cW‖_R = sqrt(d_in/d_out)·|c|·‖W‖₂ (exact σ₁ by LAPACK).</summary>
    public static double OperatorNorm(Linear layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return Math.Abs(layer.Multiplier) * Scaled(layer.Weight.Data, layer.FanIn, layer.FanOut);
    }

    private static double DeltaOperatorNorm(Linear a, Linear b)
    {
        var d = new float[a.Weight.Size];
        for (int i = 0; i < d.Length; i++) d[i] = b.Multiplier * b.Weight.Data[i] - a.Multiplier * a.Weight.Data[i];
        return Scaled(d, a.FanIn, a.FanOut);
    }

    private static double Scaled(float[] w, int fanIn, int fanOut) =>
        Math.Sqrt((double)fanIn / fanOut) * Lapack.SingularValues(w, fanIn, fanOut)[0];

    private static double BiasRms(Parameter? b) => b == null ? 0 : UpdateMonitor.Rms(b.Data);

    private static double DeltaRms(Parameter? a, Parameter? b)
    {
        if (a == null || b == null) return 0;
        var d = new float[a.Size];
        for (int i = 0; i < d.Length; i++) d[i] = b.Data[i] - a.Data[i];
        return UpdateMonitor.Rms(d);
    }

    // ---- measurement: projected gradient ascent on the RMS sphere ----

    /// <summary>
    /// Lower bounds of the three metrics of f (and fNew for the update) by projected gradient ascent: inputs of
    /// <paramref name="shape"/> [restarts, (tokens,) d] with every token on the RMS sphere; each step ascends
    /// Σ‖objective‖², moves every token by StepSize along its gradient normalized to unit RMS and projects back. Every
    /// evaluated point is feasible, so the best per-token RMS seen is a valid lower bound.
    /// </summary>
    public static StabilityValues Measure(Func<Tensor, Tensor> f, Func<Tensor, Tensor> fNew, int[] shape, StabilityOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(fNew);
        ArgumentNullException.ThrowIfNull(options);
        double forward = Ascend(1, xs => f(xs[0]), shape, options, rng);
        double dependency = Ascend(2, xs => Ops.Sub(f(xs[0]), f(xs[1])), shape, options, rng);
        double update = Ascend(1, xs => Ops.Sub(fNew(xs[0]), f(xs[0])), shape, options, rng);
        return new(forward, dependency, update);
    }

    private static double Ascend(int inputs, Func<Tensor[], Tensor> objective, int[] shape, StabilityOptions o, Rng rng)
    {
        int d = shape[^1];
        var xs = new float[inputs][];
        for (int k = 0; k < inputs; k++)
        {
            xs[k] = new float[Shapes.Size(shape)];
            rng.FillNormal(xs[k], 0f, 1f);
            ProjectTokens(xs[k], d);
        }
        if (inputs == 2)                                  // start the pair antipodal: x₂ = −x₁ is optimal for linear maps
            for (int i = 0; i < xs[0].Length; i++) xs[1][i] = -xs[0][i] + 0.1f * xs[1][i];
        if (inputs == 2) ProjectTokens(xs[1], d);
        double best = 0;
        for (int it = 0; it <= o.Iterations; it++)
        {
            var tensors = xs.Select(x => new Tensor((float[])x.Clone(), (int[])shape.Clone(), requiresGrad: true)).ToArray();
            var y = objective(tensors);
            best = Math.Max(best, MaxTokenRms(y.Data, y.Shape[^1]));
            if (it == o.Iterations) break;
            var loss = Ops.Sum(Ops.Mul(y, y));
            loss.Backward();
            for (int k = 0; k < inputs; k++)
            {
                var g = tensors[k].Grad;
                if (g == null) continue;
                for (int s = 0; s < xs[k].Length; s += d)
                {
                    double gr = UpdateMonitor.Rms(g.AsSpan(s, d));
                    if (!(gr > 0)) continue;
                    float step = (float)(o.StepSize / gr);
                    for (int i = s; i < s + d; i++) xs[k][i] += step * g[i];
                }
                ProjectTokens(xs[k], d);
            }
        }
        return best;
    }

    private static void ProjectTokens(float[] x, int d)
    {
        for (int s = 0; s < x.Length; s += d)
        {
            double r = UpdateMonitor.Rms(x.AsSpan(s, d));
            float scale = r > 0 ? (float)(1 / r) : 1f;
            for (int i = s; i < s + d; i++) x[i] *= scale;
        }
    }

    private static double MaxTokenRms(float[] y, int d)
    {
        double best = 0;
        for (int s = 0; s < y.Length; s += d) best = Math.Max(best, UpdateMonitor.Rms(y.AsSpan(s, d)));
        return best;
    }
}
