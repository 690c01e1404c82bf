namespace MuSharp;

/// <summary>
/// Seeded generator (xoshiro256**, Blackman and Vigna) whose whole state is four ulongs, so checkpoints
/// can store it and a resumed run draws the same numbers as an uninterrupted one.
/// </summary>
public sealed class Rng
{
    private ulong s0, s1, s2, s3;

    public Rng(ulong seed)
    {
        // splitmix64 expands the seed into a non-zero state.
        ulong x = seed;
        s0 = SplitMix(ref x); s1 = SplitMix(ref x); s2 = SplitMix(ref x); s3 = SplitMix(ref x);
    }

    private Rng(ulong[] state) => State = state;

    /// <summary>The full generator state; assigning it restores a saved position in the stream.</summary>
    public ulong[] State
    {
        get => [s0, s1, s2, s3];
        set
        {
            if (value is not { Length: 4 } || (value[0] | value[1] | value[2] | value[3]) == 0)
                throw new ArgumentException("Rng.State: expected four ulongs, not all zero.");
            (s0, s1, s2, s3) = (value[0], value[1], value[2], value[3]);
        }
    }

    public static Rng FromState(ulong[] state) => new(state);

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextULong()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), $"NextInt: bound must be positive, got {n}.");
        return (int)((NextULong() >> 33) * (ulong)n >> 31);
    }

    /// <summary>Standard normal by Box–Muller (both outputs are used by <see cref="FillNormal"/>).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public void FillNormal(Span<float> dst, float mean, float std)
    {
        int i = 0;
        for (; i + 1 < dst.Length; i += 2)
        {
            double u1 = 1.0 - NextDouble(), u2 = NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)), th = 2 * Math.PI * u2;
            dst[i] = mean + std * (float)(r * Math.Cos(th));
            dst[i + 1] = mean + std * (float)(r * Math.Sin(th));
        }
        if (i < dst.Length) dst[i] = mean + std * (float)NextNormal();
    }

    public void FillUniform(Span<float> dst, float low, float high)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = low + (high - low) * (float)NextDouble();
    }

    /// <summary>In-place Fisher–Yates shuffle.</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
