namespace MuSharp.BatchScaling;

/// <summary>
/// Argument checks shared by the batch-scaling laws: each throws <see cref="ArgumentException"/> with one line that
/// names the function and what is wrong.
/// </summary>
internal static class Require
{
    public static void Batch(double batch, string where)
    {
        if (!(batch > 0) || double.IsInfinity(batch))
            throw new ArgumentException($"{where}: batch size must be positive and finite, got {batch}.");
    }

    public static void NoiseScale(double bNoise, string where, string name = "noise scale")
    {
        if (!(bNoise >= 0) || double.IsInfinity(bNoise))
            throw new ArgumentException($"{where}: {name} must be non-negative and finite, got {bNoise}.");
    }

    public static void Beta1(double beta1, string where)
    {
        if (!(beta1 >= 0 && beta1 < 1))
            throw new ArgumentException($"{where}: β1 must lie in [0, 1), got {beta1}.");
    }

    public static void Beta2(double beta2, string where)
    {
        if (!(beta2 >= 0 && beta2 < 1))
            throw new ArgumentException($"{where}: β2 must lie in [0, 1), got {beta2}.");
    }

    public static void Positive(double value, string name, string where)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentException($"{where}: {name} must be positive and finite, got {value}.");
    }

    public static void NonNegative(double value, string name, string where)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"{where}: {name} must be non-negative and finite, got {value}.");
    }

    public static void SameLength(int a, int b, string what, string where)
    {
        if (a != b) throw new ArgumentException($"{where}: {what} have mismatched lengths ({a} vs {b}).");
    }
}
