using MuSharp.Cli.Reports.Html;

namespace MuSharp.Tests.Reports;

/// <summary>
/// Small synthetic report data with a known answer: loss is a parabola in log₂ lr whose minimum sits at lr 2^-6 for
/// μP at every width and drifts one octave per width doubling for SP; lr 2^-3 diverges at the widest width.
/// </summary>
internal static class ReportSamples
{
    public static readonly int[] Widths = [64, 128, 256];
    public static readonly double[] Lrs = [Math.Pow(2, -9), Math.Pow(2, -8), Math.Pow(2, -7), Math.Pow(2, -6), Math.Pow(2, -5), Math.Pow(2, -4), Math.Pow(2, -3)];
    public static readonly string[] Modules = ["input", "hidden.0", "output"];

    public static List<TransferPoint> Transfer()
    {
        var points = new List<TransferPoint>();
        foreach (string optimizer in (string[])["adamw", "muon"])
        foreach (string param in (string[])["sp", "mup"])
        for (int w = 0; w < Widths.Length; w++)
        foreach (double lr in Lrs)
        foreach (ulong seed in (ulong[])[1, 2])
        {
            double best = param == "mup" ? -6 : -5 - w;
            double loss = 1.0 + 0.05 * Math.Pow(Math.Log2(lr) - best, 2) - 0.1 * w + 0.01 * seed;
            bool diverged = lr == Math.Pow(2, -3) && w == Widths.Length - 1;
            points.Add(new TransferPoint("mlp", optimizer, param, Widths[w], lr, seed,
                diverged ? null : loss, diverged ? TransferPoint.Diverged : TransferPoint.Done));
        }
        points.Add(new TransferPoint("mlp", "adamw", "sp", 64, Math.Pow(2, -3), 3, null, TransferPoint.Failed));
        return points;
    }

    /// <summary>μP: width-independent (slope 0); SP: activations grow like √width (slope ½). Step 0 change is 0.</summary>
    public static List<CoordPoint> Coord()
    {
        var points = new List<CoordPoint>();
        foreach (string param in (string[])["sp", "mup"])
        foreach (int step in (int[])[0, 10])
        foreach (string module in Modules)
        foreach (int width in Widths)
        {
            double slope = param == "sp" ? 0.5 : 0.0, scale = 1 + Array.IndexOf(Modules, module);
            double grown = scale * Math.Pow(width / 64.0, slope);
            points.Add(new CoordPoint(param, "adamw", module, CoordPoint.Activation, step, width, grown));
            points.Add(new CoordPoint(param, "adamw", module, CoordPoint.Change, step, width, step == 0 ? 0 : 0.1 * grown));
            points.Add(new CoordPoint(param, "adamw", module, CoordPoint.Weight, step, width, grown));
            points.Add(new CoordPoint(param, "adamw", module, CoordPoint.Update, step, width, step == 0 ? 0 : 0.01 * grown));
        }
        return points;
    }

    public static List<CoordVerdict> Verdicts() =>
    [
        new("mup", "adamw", "hidden.0", CoordPoint.Activation, 10, 0.01, CoordVerdict.Flat),
        new("sp", "adamw", "hidden.0", CoordPoint.Activation, 10, 0.5, CoordVerdict.Growing),
        new("sp", "adamw", "output", CoordPoint.Change, 10, -0.5, CoordVerdict.Shrinking),
    ];

    public static ReportData Full() =>
        new("Synthetic sweep <&>", Transfer(), Coord(), Verdicts(), ["best lr per width:", "  mup: 2^-6 at 64, 128, 256"]);
}
