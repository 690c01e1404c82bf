namespace MuSharp.Tests.Oracles;

/// <summary>
/// Checks an op's float32 forward and backward against an independent double-precision reference:
/// forward values are compared directly; gradients of L = Σ R ⊙ op(x) (R fixed random) are compared with
/// central finite differences of the double reference, so the oracle shares no code with the op.
/// </summary>
public static class GradCheck
{
    /// <param name="op">The MuSharp op under test, applied to <paramref name="inputs"/>.</param>
    /// <param name="reference">The same function written in double, taking each input's values.</param>
    /// <param name="inputs">Small tensors; those with RequiresGrad are checked.</param>
    /// <param name="gradTol">Max |analytic − numeric| relative to max |numeric| per input.</param>
    /// <param name="forwardTol">Max |float − double| relative to max(1, max |double|).</param>
    public static void Check(Func<Tensor[], Tensor> op, Func<double[][], double[]> reference, Tensor[] inputs,
        double gradTol = 2e-3, double forwardTol = 1e-4, ulong seed = 7)
    {
        foreach (var x in inputs) x.Grad = null;
        var y = op(inputs);
        double[][] x64 = inputs.Select(t => t.Data.Select(v => (double)v).ToArray()).ToArray();
        double[] yRef = reference(x64);
        Assert.True(yRef.Length == y.Size, $"reference returned {yRef.Length} values, op returned shape {Shapes.Format(y.Shape)}");
        double yScale = Math.Max(1.0, yRef.Max(Math.Abs));
        for (int i = 0; i < yRef.Length; i++)
        {
            double err = Math.Abs(y.Data[i] - yRef[i]) / yScale;
            Assert.True(err <= forwardTol, $"forward[{i}]: op {y.Data[i]} vs reference {yRef[i]} (rel err {err:E2} > {forwardTol:E1})");
        }

        var rng = new Rng(seed);
        var r = new float[y.Size];
        rng.FillNormal(r, 0f, 1f);
        Tape.Backward(y, r);

        double Loss()
        {
            var v = reference(x64);
            double s = 0;
            for (int i = 0; i < v.Length; i++) s += r[i] * v[i];
            return s;
        }

        for (int t = 0; t < inputs.Length; t++)
        {
            if (!inputs[t].RequiresGrad) continue;
            var analytic = inputs[t].Grad;
            Assert.True(analytic != null, $"input {t} requires grad but received none");
            var numeric = new double[x64[t].Length];
            for (int j = 0; j < numeric.Length; j++)
            {
                double orig = x64[t][j], h = 1e-6 * Math.Max(1.0, Math.Abs(orig));
                x64[t][j] = orig + h; double fp = Loss();
                x64[t][j] = orig - h; double fm = Loss();
                x64[t][j] = orig;
                numeric[j] = (fp - fm) / (2 * h);
            }
            double scale = Math.Max(1e-6, numeric.Max(Math.Abs));
            for (int j = 0; j < numeric.Length; j++)
            {
                double err = Math.Abs(analytic![j] - numeric[j]) / scale;
                Assert.True(err <= gradTol, $"grad of input {t} [{j}]: analytic {analytic[j]} vs numeric {numeric[j]:G6} (rel err {err:E2} > {gradTol:E1})");
            }
        }
    }

    /// <summary>A tensor of N(0,1) entries (times <paramref name="scale"/>) that requires grad.</summary>
    public static Tensor Input(ulong seed, float scale, params int[] shape)
    {
        var t = Tensor.Randn(new Rng(seed), scale, shape);
        t.RequiresGrad = true;
        return t;
    }
}
