using System.Globalization;
using MuSharp.Sweeps;

namespace MuSharp.Experiments;

/// <summary>
/// One hyperparameter's range in a tune search, exactly one of: <see cref="Values"/> (a list), <see cref="Grid"/>
/// (a log grid min·factorᵏ ≤ max), <see cref="Uniform"/> or <see cref="LogUniform"/> ([low, high], random search only).
/// </summary>
public sealed record SearchAxis
{
    public double[]? Values { get; init; }
    public LrGrid? Grid { get; init; }
    public double[]? Uniform { get; init; }
    public double[]? LogUniform { get; init; }

    /// <summary>The listed points (values or grid), or null for a continuous range; throws one line naming the key.</summary>
    public double[]? Points(string key)
    {
        int given = new object?[] { Values, Grid, Uniform, LogUniform }.Count(x => x != null);
        if (given != 1) throw new ArgumentException($"search axis '{key}': give exactly one of values, grid, uniform, logUniform (got {given}).");
        if (Values is { } v)
        {
            if (v.Length == 0) throw new ArgumentException($"search axis '{key}': values is empty, so the search space is empty.");
            if (v.Any(x => !double.IsFinite(x))) throw new ArgumentException($"search axis '{key}': values must be finite numbers.");
            if (v.Distinct().Count() != v.Length) throw new ArgumentException($"search axis '{key}': a value is listed twice.");
            return v;
        }
        if (Grid is { } g)
        {
            if (!(g.Min > 0) || !double.IsFinite(g.Max) || !(g.Factor > 1) || double.IsInfinity(g.Factor))
                throw new ArgumentException($"search axis '{key}': grid needs 0 < min, finite max and factor > 1, got min {g.Min}, max {g.Max}, factor {g.Factor}.");
            if (g.Min > g.Max) throw new ArgumentException($"search axis '{key}': grid min {g.Min} > max {g.Max}, so the search space is empty.");
            var points = new List<double>();
            for (double x = g.Min; x <= g.Max * (1 + 1e-9) && points.Count <= 200; x *= g.Factor) points.Add(Round(x, 12));
            return [.. points];
        }
        double[] range = (Uniform ?? LogUniform)!;
        if (range.Length != 2 || !double.IsFinite(range[0]) || !double.IsFinite(range[1]))
            throw new ArgumentException($"search axis '{key}': {(Uniform != null ? "uniform" : "logUniform")} takes [low, high], two finite numbers.");
        if (!(range[0] < range[1])) throw new ArgumentException($"search axis '{key}': low {range[0]} must be below high {range[1]}, else the search space is empty.");
        if (LogUniform != null && !(range[0] > 0)) throw new ArgumentException($"search axis '{key}': logUniform needs a positive low end, got {range[0]}.");
        return null;
    }

    /// <summary>A random point: a listed value, or a draw from the range rounded to 4 significant digits.</summary>
    public double Sample(string key, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (Points(key) is { } points) return points[random.Next(points.Length)];
        double u = random.NextDouble();
        return LogUniform is { } l
            ? Round(Math.Exp(Math.Log(l[0]) + u * (Math.Log(l[1]) - Math.Log(l[0]))), 4)
            : Round(Uniform![0] + u * (Uniform[1] - Uniform[0]), 4);
    }

    private static double Round(double x, int digits) =>
        double.Parse(x.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
