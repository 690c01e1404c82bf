using System.Globalization;
using MuSharp.Training;

namespace MuSharp.Experiments;

/// <summary>coord.csv (every measurement) and slopes.csv (every fitted curve) of a coordinate check, one row each.</summary>
public static class CoordCsv
{
    public const string StatsFile = "coord.csv";
    public const string SlopesFile = "slopes.csv";

    public static void Write(string dir, IReadOnlyList<CoordCase> cases)
    {
        Directory.CreateDirectory(dir);
        var inv = CultureInfo.InvariantCulture;
        var stats = new List<string> { "parametrization,optimizer,width,seed,step,module,metric,value" };
        var slopes = new List<string> { "parametrization,optimizer,module,metric,step,slope,trend" };
        foreach (var c in cases)
        {
            string p = CoordCheckRun.Name(c.Parametrization), o = c.Optimizer.ToString().ToLowerInvariant();
            stats.AddRange(c.Stats.Select(s => string.Create(inv, $"{p},{o},{s.Width},{s.Seed},{s.Step},{s.Module},{s.Metric.ToString().ToLowerInvariant()},{s.Value:R}")));
            slopes.AddRange(c.Slopes.Select(s => string.Create(inv, $"{p},{o},{s.Module},{s.Metric.ToString().ToLowerInvariant()},{s.Step},{s.Slope:R},{s.Trend.ToString().ToLowerInvariant()}")));
        }
        File.WriteAllLines(Path.Combine(dir, StatsFile), stats);
        File.WriteAllLines(Path.Combine(dir, SlopesFile), slopes);
    }
}
