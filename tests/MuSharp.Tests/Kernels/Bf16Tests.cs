using MuSharp.Kernels;

namespace MuSharp.Tests.Kernels;

public class Bf16Tests
{
    [Theory]
    [InlineData(1f, 0x3F80)]
    [InlineData(-2f, 0xC000)]
    [InlineData(0f, 0x0000)]
    [InlineData(float.PositiveInfinity, 0x7F80)]
    [InlineData(float.NegativeInfinity, 0xFF80)]
    [InlineData(3.4028235e38f, 0x7F80)]          // float.MaxValue rounds up to +Inf, as in PyTorch
    [InlineData(1.00390625f, 0x3F80)]            // 1 + 2^-8: exactly half an ulp above 1 → ties to even (1)
    [InlineData(1.01171875f, 0x3F82)]            // 1 + 3·2^-8: half an ulp above 0x3F81 → ties to even (0x3F82)
    [InlineData(1.004f, 0x3F81)]                 // just above the tie rounds up
    public void FromFloatRoundsToNearestEven(float x, int expected) => Assert.Equal((ushort)expected, Bf16.FromFloat(x));

    [Fact]
    public void NaNStaysNaN()
    {
        // A NaN whose payload lives only in the dropped bits must not turn into Inf.
        float nan = BitConverter.UInt32BitsToSingle(0x7F800001);
        Assert.True(float.IsNaN(Bf16.Round(nan)));
        Assert.True(float.IsNaN(Bf16.Round(float.NaN)));
    }

    [Fact]
    public void VectorConvertMatchesScalar()
    {
        var rng = new Random(5);
        var x = new float[1000];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30)));
        x[7] = float.NaN; x[40] = BitConverter.UInt32BitsToSingle(0xFF800001); x[41] = float.PositiveInfinity; x[99] = 1.00390625f;
        var h = new ushort[x.Length];
        Bf16.Convert(x, h);
        for (int i = 0; i < x.Length; i++)
        {
            if (float.IsNaN(x[i])) Assert.True(float.IsNaN(Bf16.ToFloat(h[i])), $"element {i}");
            else Assert.Equal(Bf16.FromFloat(x[i]), h[i]);
        }
    }

    [Fact]
    public void RoundingErrorIsAtMostHalfAnUlp()
    {
        var rng = new Random(6);
        for (int i = 0; i < 10000; i++)
        {
            float x = (float)(rng.NextDouble() * 2 - 1);
            Assert.True(Math.Abs(Bf16.Round(x) - x) <= Math.Abs(x) * (1.0 / 256) + 1e-40, $"{x}");
        }
    }
}
