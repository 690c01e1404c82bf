using System.Globalization;
using MuSharp.Training;
using MuSharp.Cli.Reports;
using MuSharp.Experiments;
using MuSharp.Scaling;

namespace MuSharp.Cli.Experiments;

/// <summary>
/// <c>musharp coord-check</c>: for every parametrization × optimizer, trains the configured model at each width for a
/// few steps (<see cref="CoordCheck"/>), prints a verdict table of log-log slopes and writes coord.csv and slopes.csv.
/// </summary>
public static class CoordCheckCommand
{
    /// <summary>Parses the verb's arguments, runs it, prints the verdict tables; exit code 0.</summary>
    public static int Execute(string[] args)
    {
        var o = Parse(args);
        CoordCheckRun.Run(o, Console.WriteLine);
        return 0;
    }

    public static CoordCheckOptions Parse(string[] args)
    {
        var o = new CoordCheckOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"coord-check: unexpected argument '{a}'; options look like --key value.");
            string key = a[2..];
            if (key == "no-spectral") { o = o with { Spectral = false }; continue; }
            if (i + 1 >= args.Length) throw new ArgumentException($"coord-check: option --{key} needs a value.");
            string value = args[++i];
            o = key switch
            {
                "config" => o with { ConfigPath = value },
                "widths" => o with { Widths = List(key, value, s => int.Parse(s, CultureInfo.InvariantCulture)) },
                "seeds" => o with { Seeds = Positive(key, value) },
                "steps" => o with { Steps = Positive(key, value) },
                "parametrizations" => o with { Parametrizations = List(key, value, s => Enum.Parse<ParametrizationKind>(s, ignoreCase: true)) },
                "optimizers" => o with { Optimizers = List(key, value, s => Enum.Parse<OptimizerKind>(s, ignoreCase: true)) },
                "tolerance" => o with { Tolerance = double.Parse(value, CultureInfo.InvariantCulture) },
                "out" => o with { Out = value },
                _ => o with { Overrides = [.. o.Overrides, (key, value)] },
            };
        }
        return o;
    }

    private static int Positive(string key, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"coord-check: --{key} needs a positive integer, got '{value}'.");

    private static T[] List<T>(string key, string value, Func<string, T> parse)
    {
        try { return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray(); }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"coord-check: --{key} '{value}' is not a comma-separated list of valid values ({e.Message.Split('.')[0]}).");
        }
    }
}
