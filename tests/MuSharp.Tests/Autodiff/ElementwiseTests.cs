using MuSharp.Tests.Oracles;

namespace MuSharp.Tests.Autodiff;

public class ElementwiseTests
{
    // Sizes are chosen above 16 and not multiples of 16, so both the SIMD loops and the scalar tails run.
    public static TheoryData<string, int[], int[]> BroadcastCases()
    {
        var cases = new (int[] a, int[] b)[]
        {
            ([4, 37], [4, 37]),       // same shape
            ([4, 37], [37]),          // row [C]
            ([4, 37], [1, 37]),       // row [1, C]
            ([2, 3, 37], [37]),       // row over [B, T, C]
            ([2, 3, 37], [1, 37]),    // row, suffix with a leading 1
            ([2, 3, 37], [3, 37]),    // trailing block [T, C] over [B, T, C]
            ([4, 37], [4, 1]),        // column [N, 1]
            ([2, 3, 37], [2, 3, 1]),  // column [B, T, 1]
        };
        var data = new TheoryData<string, int[], int[]>();
        foreach (var op in new[] { "Add", "Sub", "Mul", "Div" })
            foreach (var (a, b) in cases) data.Add(op, a, b);
        return data;
    }

    // NumPy-style index into b for flat index i of a: shapes right-aligned, size-1 dims of b repeat.
    private static int BroadcastIndex(int[] aShape, int[] bShape, int i)
    {
        int bi = 0, bStride = 1;
        for (int d = 1; d <= aShape.Length; d++)
        {
            int coord = i % aShape[^d];
            i /= aShape[^d];
            if (d > bShape.Length) continue;
            if (bShape[^d] != 1) bi += coord * bStride;
            bStride *= bShape[^d];
        }
        return bi;
    }

    [Theory]
    [MemberData(nameof(BroadcastCases))]
    public void BinaryOpsBroadcastAndMatchFiniteDifferences(string op, int[] aShape, int[] bShape)
    {
        var a = GradCheck.Input(1, 1f, aShape);
        var b = GradCheck.Input(2, 1f, bShape);
        if (op == "Div")
            for (int j = 0; j < b.Size; j++) b.Data[j] = (j % 2 == 0 ? 1f : -1f) * (0.75f + 0.5f * MathF.Abs(b.Data[j]));
        Func<double, double, double> f = op switch
        {
            "Add" => (x, y) => x + y,
            "Sub" => (x, y) => x - y,
            "Mul" => (x, y) => x * y,
            _ => (x, y) => x / y,
        };
        GradCheck.Check(x => op switch
            {
                "Add" => Ops.Add(x[0], x[1]),
                "Sub" => Ops.Sub(x[0], x[1]),
                "Mul" => Ops.Mul(x[0], x[1]),
                _ => Ops.Div(x[0], x[1]),
            },
            x => x[0].Select((v, i) => f(v, x[1][BroadcastIndex(aShape, bShape, i)])).ToArray(), [a, b]);
    }

    [Theory]
    [InlineData("Add", 3, 4, 5)]    // wrong row length
    [InlineData("Mul", 3, 4, 3)]    // [3] is neither a row nor a column of [3, 4]
    [InlineData("Div", 3, 4, 2)]
    public void IncompatibleBroadcastNamesOpAndBothShapes(string op, int rows, int cols, int bLen)
    {
        var a = Tensor.Zeros(rows, cols);
        var b = Tensor.Ones(bLen);
        var ex = Assert.Throws<ArgumentException>(() => op switch
        {
            "Add" => Ops.Add(a, b),
            "Mul" => Ops.Mul(a, b),
            _ => Ops.Div(a, b),
        });
        Assert.Equal($"{op}: cannot broadcast [{bLen}] to [{rows}, {cols}]", ex.Message);
    }

    [Fact]
    public void ColumnWithWrongRowCountIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Ops.Sub(Tensor.Zeros(3, 4), Tensor.Zeros(2, 1)));
        Assert.Contains("Sub", ex.Message);
        Assert.Contains("[2, 1]", ex.Message);
        Assert.Contains("[3, 4]", ex.Message);
    }

    private const double SqrtTwoOverPi = 0.79788456080286535588;

    private static double GeluRef(double x) => 0.5 * x * (1 + Math.Tanh(SqrtTwoOverPi * (x + 0.044715 * x * x * x)));
    private static double SigmoidRef(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [InlineData("Exp")]
    [InlineData("Log")]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    [InlineData("Relu")]
    [InlineData("Gelu")]
    [InlineData("Silu")]
    public void UnaryOpsMatchFiniteDifferences(string op)
    {
        var a = GradCheck.Input(3, 1.5f, 4, 37);
        if (op == "Log")
            for (int j = 0; j < a.Size; j++) a.Data[j] = 0.2f + MathF.Abs(a.Data[j]);
        (Func<Tensor, Tensor> fn, Func<double, double> reference) = op switch
        {
            "Exp" => ((Func<Tensor, Tensor>)Ops.Exp, (Func<double, double>)Math.Exp),
            "Log" => (Ops.Log, Math.Log),
            "Tanh" => (Ops.Tanh, Math.Tanh),
            "Sigmoid" => (Ops.Sigmoid, SigmoidRef),
            "Relu" => (Ops.Relu, x => Math.Max(x, 0)),
            "Gelu" => (Ops.Gelu, GeluRef),
            _ => (Ops.Silu, x => x * SigmoidRef(x)),
        };
        GradCheck.Check(x => fn(x[0]), x => x[0].Select(reference).ToArray(), [a]);
    }

    [Theory]
    [InlineData(2f, false)]
    [InlineData(3f, false)]
    [InlineData(1f, false)]
    [InlineData(0.5f, true)]
    [InlineData(-1f, true)]
    [InlineData(-1.5f, true)]
    public void PowScalarMatchesFiniteDifferences(float p, bool positiveBase)
    {
        var a = GradCheck.Input(4, 1f, 3, 29);
        if (positiveBase)
            for (int j = 0; j < a.Size; j++) a.Data[j] = 0.3f + MathF.Abs(a.Data[j]);
        GradCheck.Check(x => Ops.PowScalar(x[0], p), x => x[0].Select(v => Math.Pow(v, p)).ToArray(), [a]);
    }

    [Fact]
    public void PowScalarZeroHasZeroGradient()
    {
        var a = GradCheck.Input(5, 1f, 2, 3);
        a.Data[0] = 0f;
        GradCheck.Check(x => Ops.PowScalar(x[0], 0f), x => x[0].Select(_ => 1.0).ToArray(), [a]);
    }

    [Fact]
    public void ScalarOpsMatchFiniteDifferences()
    {
        var a = GradCheck.Input(6, 1f, 3, 29);
        GradCheck.Check(x => Ops.AddScalar(x[0], 1.25f), x => x[0].Select(v => v + 1.25).ToArray(), [a]);
        GradCheck.Check(x => Ops.MulScalar(x[0], -0.7f), x => x[0].Select(v => v * -0.7f).ToArray(), [a]);
        GradCheck.Check(x => -x[0], x => x[0].Select(v => -v).ToArray(), [a]);
    }

    [Fact]
    public void GeluMatchesPyTorchTanhApproximation()
    {
        // torch.nn.functional.gelu(x, approximate='tanh') in float32 at 1.0 and -0.5 (the float32 rounding of the
        // double formula); the other points are checked against the double formula only.
        float[] xs = [1.0f, -0.5f, 2.0f, -3.0f, 0.1f, 0f];
        var y = Ops.Gelu(Tensor.From(xs, xs.Length));
        Assert.Equal(0.8411920070648193, GeluRef(1.0), 1e-7);
        Assert.Equal(-0.1542859971523285, GeluRef(-0.5), 1e-7);
        Assert.Equal(0.8411920070648193, y.Data[0], 1e-6);
        Assert.Equal(-0.1542859971523285, y.Data[1], 1e-6);
        for (int i = 0; i < xs.Length; i++) Assert.Equal(GeluRef(xs[i]), y.Data[i], 1e-6);
    }

    [Fact]
    public void GeluAndSiluStayFiniteForLargeInputs()
    {
        float[] xs = [-100f, -30f, 30f, 100f, -100f, -30f, 30f, 100f, -100f, -30f, 30f, 100f, -100f, -30f, 30f, 100f, -100f, 100f];
        foreach (var op in new Func<Tensor, Tensor>[] { Ops.Gelu, Ops.Silu })
        {
            var x = Tensor.From((float[])xs.Clone(), xs.Length);
            x.RequiresGrad = true;
            var y = op(x);
            Ops.Sum(y).Backward();
            for (int i = 0; i < xs.Length; i++)
            {
                Assert.Equal(xs[i] > 0 ? xs[i] : 0f, y.Data[i], 1e-5f);
                Assert.Equal(xs[i] > 0 ? 1f : 0f, x.Grad![i], 1e-5f);
            }
        }
    }

    [Fact]
    public void OpsOnTensorsWithoutGradRecordNothing()
    {
        var a = Tensor.Ones(2, 3);
        var b = Tensor.Ones(3);
        Assert.False(Ops.Add(a, b).RequiresGrad);
        Assert.False(Ops.Mul(a, b).RequiresGrad);
        Assert.False(Ops.Gelu(a).RequiresGrad);
        Assert.False(Ops.PowScalar(a, 2f).RequiresGrad);
        var x = GradCheck.Input(7, 1f, 2, 3);
        using (Tape.NoGrad()) Assert.False(Ops.Exp(x).RequiresGrad);
        Assert.True(Ops.Exp(x).RequiresGrad);
    }

    [Fact]
    public void SameTensorUsedTwiceAccumulatesGradient()
    {
        var x = GradCheck.Input(8, 1f, 5, 7);
        Ops.Sum(x * x).Backward();
        for (int i = 0; i < x.Size; i++) Assert.Equal(2f * x.Data[i], x.Grad![i], 1e-6f);

        var z = GradCheck.Input(9, 1f, 3, 4);
        GradCheck.Check(t => Ops.Add(Ops.Mul(t[0], t[0]), Ops.Tanh(t[0])),
            t => t[0].Select(v => v * v + Math.Tanh(v)).ToArray(), [z]);
    }
}
