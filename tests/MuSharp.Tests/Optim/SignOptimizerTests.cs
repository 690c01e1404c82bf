using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Optim;

/// <summary>SignSGD/signum, SoftSignSGD and Lion against scalar double references (theory §7.3, §7.4; Chen et al. 2023).</summary>
public class SignOptimizerTests
{
    private const int Steps = 5;

    // 37 elements: exercises both the SIMD body and the scalar tail.
    private static Parameter MakeParam(Role role = Role.Hidden, int n = 37, ulong seed = 1) =>
        Parameter.Matrix("w", role, 1, n, new Rng(seed), 1f);

    private static void SetGrad(Parameter p, ulong seed)
    {
        p.Grad = new float[p.Size];
        new Rng(seed).FillNormal(p.Grad, 0f, 1f);
    }

    /// <summary>Runs <see cref="Steps"/> steps of the optimizer and of a double reference on the same gradients.</summary>
    private static void AssertMatchesReference(Func<Parameter, Optimizer> make, Action<double[], double[], double[], double> reference, double lr)
    {
        var p = MakeParam();
        var opt = make(p);
        double[] theta = p.Data.Select(v => (double)v).ToArray(), m = new double[p.Size];
        for (int t = 1; t <= Steps; t++)
        {
            SetGrad(p, (ulong)(30 + t));
            reference(theta, m, p.Grad!.Select(v => (double)v).ToArray(), lr);
            opt.Step((float)lr);
        }
        for (int i = 0; i < theta.Length; i++) Assert.Equal(theta[i], p.Data[i], 2e-6);
        Assert.Equal(Steps, opt.StepCount);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0f)]
    [InlineData(0.9f, 0.1f)]
    public void SignSgdMatchesDoubleReference(float beta, float wd) => AssertMatchesReference(
        p => new SignSgd([p], beta, wd),
        (theta, m, g, lr) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                m[i] = beta * m[i] + (1 - beta) * g[i];
                theta[i] -= lr * wd * theta[i] + lr * Math.Sign(beta == 0 ? g[i] : m[i]);
            }
        }, 0.01);

    [Theory]
    [InlineData(0.5f, 0f, 0f)]
    [InlineData(0.3f, 0.9f, 0.1f)]
    [InlineData(1e-8f, 0f, 0f)]
    public void SoftSignSgdMatchesDoubleReference(float eps, float beta, float wd) => AssertMatchesReference(
        p => new SoftSignSgd([p], eps, beta, wd),
        (theta, m, g, lr) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                m[i] = beta * m[i] + (1 - beta) * g[i];
                double d = beta == 0 ? g[i] : m[i];
                theta[i] -= lr * wd * theta[i] + lr * d / Math.Sqrt(d * d + (double)eps * eps);
            }
        }, 0.01);

    [Theory]
    [InlineData(0.9f, 0.99f, 0f)]
    [InlineData(0.95f, 0.98f, 0.3f)]
    public void LionMatchesDoubleReference(float b1, float b2, float wd) => AssertMatchesReference(
        p => new Lion([p], b1, b2, wd),
        (theta, m, g, lr) =>
        {
            for (int i = 0; i < theta.Length; i++)
            {
                double c = b1 * m[i] + (1 - b1) * g[i];
                theta[i] -= lr * (Math.Sign(c) + wd * theta[i]);
                m[i] = b2 * m[i] + (1 - b2) * g[i];
            }
        }, 0.01);

    [Fact]
    public void LionMovesEveryCoordinateByExactlyLr()
    {
        var p = MakeParam();
        var opt = new Lion([p]);
        for (int t = 0; t < 4; t++)
        {
            var before = (float[])p.Data.Clone();
            SetGrad(p, (ulong)(50 + t));
            opt.Step(0.003f);
            for (int i = 0; i < p.Size; i++) Assert.Equal(0.003f, MathF.Abs(p.Data[i] - before[i]), 6);
        }
    }

    [Fact]
    public void SoftSignInterpolatesBetweenSgdAndSignSgd()
    {
        // |g| ≪ ε: Δ ≈ −(η/ε)·g (SGD);  |g| ≫ ε: Δ ≈ −η·sign(g) (theory §7.4).
        float[] theta = [0f, 0f], g = [1e-4f, -1e4f];
        SoftSignSgd.Update(theta, g, [], lr: 1f, eps: 1f, beta: 0f, wd: 0f);
        Assert.Equal(-1e-4f, theta[0], 1e-9f);
        Assert.Equal(1f, theta[1], 1e-6f);
    }

    [Fact]
    public void ZeroGradientGivesNoSignUpdate()
    {
        float[] theta = Enumerable.Repeat(2f, 37).ToArray();
        SignSgd.Update(theta, new float[37], [], 0.1f, 0f, 0f);
        SoftSignSgd.Update(theta, new float[37], [], 0.1f, 0f, 0f, 0f);
        Assert.All(theta, v => Assert.Equal(2f, v));
    }

    public static TheoryData<string> StatefulOptimizers => ["signum", "softsign", "lion"];

    private static Optimizer Make(string kind, Parameter p) => kind switch
    {
        "signum" => new SignSgd([p], momentum: 0.9f, weightDecay: 0.1f),
        "softsign" => new SoftSignSgd([p], eps: 0.5f, momentum: 0.9f),
        "lion" => new Lion([p], weightDecay: 0.1f),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(StatefulOptimizers))]
    public void StepAfterRestoreEqualsUninterruptedStep(string kind)
    {
        var a = MakeParam();
        var straight = Make(kind, a);
        for (int t = 0; t < 3; t++) { SetGrad(a, (ulong)(60 + t)); straight.Step(0.01f); }

        var b = MakeParam();
        var first = Make(kind, b);
        for (int t = 0; t < 2; t++) { SetGrad(b, (ulong)(60 + t)); first.Step(0.01f); }
        Assert.NotEmpty(first.State);
        var restored = Make(kind, b);
        restored.LoadState(first.State, first.StepCount);
        SetGrad(b, 62);
        restored.Step(0.01f);

        Assert.Equal(a.Data, b.Data);
        Assert.Equal(3, restored.StepCount);
    }

    [Fact]
    public void RestoredStateMatters()
    {
        // Guards the round-trip test: a fresh signum (m = 0) after two steps takes a different third step.
        var a = MakeParam();
        var opt = Make("signum", a);
        for (int t = 0; t < 3; t++) { SetGrad(a, (ulong)(60 + t)); opt.Step(0.01f); }
        var b = MakeParam();
        var first = Make("signum", b);
        for (int t = 0; t < 2; t++) { SetGrad(b, (ulong)(60 + t)); first.Step(0.01f); }
        SetGrad(b, 62);
        Make("signum", b).Step(0.01f);
        Assert.NotEqual(a.Data, b.Data);
    }
}
