using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Optim;

public class OptimizerTests
{
    // 37 elements: exercises both the SIMD body and the scalar tail.
    private static Parameter MakeParam(Role role = Role.Hidden, int n = 37, ulong seed = 1)
    {
        var p = Parameter.Matrix("w", role, 1, n, new Rng(seed), 1f);
        return p;
    }

    private static void SetGrad(Parameter p, ulong seed)
    {
        p.Grad = new float[p.Size];
        new Rng(seed).FillNormal(p.Grad, 0f, 1f);
    }

    [Theory]
    [InlineData(0f, false, 0f)]
    [InlineData(0.9f, false, 0f)]
    [InlineData(0.9f, true, 0.1f)]
    public void SgdMatchesDoubleReferenceOverSteps(float mu, bool nesterov, float wd)
    {
        var p = MakeParam();
        double[] theta = p.Data.Select(v => (double)v).ToArray(), buf = new double[p.Size];
        var opt = new Sgd([p], mu, nesterov, wd);
        const double lr = 0.05;
        for (int step = 0; step < 4; step++)
        {
            SetGrad(p, (ulong)(10 + step));
            for (int i = 0; i < theta.Length; i++)
            {
                double g = p.Grad![i];
                buf[i] = mu * buf[i] + g;
                double d = mu == 0 ? g : nesterov ? g + mu * buf[i] : buf[i];
                theta[i] = theta[i] - lr * wd * theta[i] - lr * d;
            }
            opt.Step((float)lr);
        }
        for (int i = 0; i < theta.Length; i++) Assert.Equal(theta[i], p.Data[i], 2e-6);
        Assert.Equal(4, opt.StepCount);
    }

    [Fact]
    public void AdamWMatchesDoubleReferenceOverSteps()
    {
        var p = MakeParam();
        double[] theta = p.Data.Select(v => (double)v).ToArray(), m = new double[p.Size], v = new double[p.Size];
        const double lr = 1e-2, b1 = 0.9, b2 = 0.95, eps = 1e-8, wd = 0.1;
        var opt = new AdamW([p], (float)b1, (float)b2, (float)eps, (float)wd);
        for (int t = 1; t <= 5; t++)
        {
            SetGrad(p, (ulong)(20 + t));
            for (int i = 0; i < theta.Length; i++)
            {
                double g = p.Grad![i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mh = m[i] / (1 - Math.Pow(b1, t)), vh = v[i] / (1 - Math.Pow(b2, t));
                theta[i] = theta[i] - lr * wd * theta[i] - lr * mh / (Math.Sqrt(vh) + eps);
            }
            opt.Step((float)lr);
        }
        for (int i = 0; i < theta.Length; i++) Assert.Equal(theta[i], p.Data[i], 2e-6);
    }

    [Fact]
    public void FirstAdamStepMovesEachCoordinateByLr()
    {
        // With bias correction, step 1 gives m̂/√v̂ = sign(g): every coordinate moves by exactly lr.
        var p = MakeParam();
        var before = (float[])p.Data.Clone();
        SetGrad(p, 3);
        new AdamW([p], eps: 0f).Step(0.01f);
        for (int i = 0; i < p.Size; i++) Assert.Equal(0.01f, MathF.Abs(p.Data[i] - before[i]), 5);
    }

    [Fact]
    public void VectorParametersAreNotDecayed()
    {
        var gain = Parameter.Vector("g", 5, 2f);
        gain.Grad = new float[5];
        new Sgd([gain], weightDecay: 0.5f).Step(1f);
        Assert.All(gain.Data, v => Assert.Equal(2f, v));
    }

    [Fact]
    public void MissingGradientIsAClearError()
    {
        var p = MakeParam();
        var ex = Assert.Throws<InvalidOperationException>(() => new AdamW([p]).Step(0.1f));
        Assert.Contains("'w'", ex.Message);
    }

    [Fact]
    public void StateRoundTripsAndRejectsForeignState()
    {
        var p = MakeParam();
        SetGrad(p, 4);
        var a = new AdamW([p]);
        a.Step(0.1f);
        var b = new AdamW([MakeParam()]);
        b.LoadState(a.State, a.StepCount);
        Assert.Equal(a.State["m:w"], b.State["m:w"]);
        Assert.Equal(1, b.StepCount);
        var foreign = new Dictionary<string, float[]> { ["m:other"] = new float[3] };
        var ex = Assert.Throws<InvalidDataException>(() => b.LoadState(foreign, 1));
        Assert.Contains("other", ex.Message);
    }
}
