using MuSharp.Reports;

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

    public static readonly int[] Batches = [8, 16, 32, 64, 128, 256];
    public static readonly string[] BatchTasks = ["mlp", "gpt"];
    public static readonly string[] BatchOptimizers = ["sgd", "adamw", "muon"];
    public const int GridSize = 8;

    // Per (task, optimizer): η_max, exponent α (1 for SGD, ~½ for sign-like updates), speed factor on S, lowest grid log₂ lr.
    private static (double EtaMax, double Alpha, double Speed, int GridLow) Law(string task, string optimizer) => optimizer switch
    {
        "sgd" => (task == "gpt" ? 4.0 : 1.0, 1.0, 1.5, -7),
        "adamw" => (Math.Pow(2, -7), 0.55, 1.0, -12),
        _ => (Math.Pow(2, -3), 0.5, 0.8, -8),
    };

    private static double BNoise(string task) => task == "gpt" ? 600 : 180;

    private static double SMin(string task) => task == "gpt" ? 800 : 300;

    /// <summary>
    /// A batch-scaling sweep with a known answer: 2 tasks × 3 optimizers × 6 batch sizes × 8 learning rates (one seed).
    /// The optimum follows η_max/(1+B_noise/B)^α and S = speed·S_min(1+B_noise/B); away from it the steps grow by
    /// 1 + 0.35·d² (d = octaves off); more than 2 octaves above diverges, more than 2.5 below never reaches the target.
    /// gpt·sgd's optimum at batch 256 lies above its grid (AtEdge). Noise estimates include one negative B_simple.
    /// </summary>
    public static BatchScalingData BatchScaling()
    {
        var trials = new List<BatchTrialPoint>();
        var optima = new List<BatchOptimumPoint>();
        var curves = new List<BatchCurvePoint>();
        var noise = new List<NoiseScalePoint>();
        foreach (string task in BatchTasks)
            foreach (string optimizer in BatchOptimizers)
            {
                var (etaMax, alpha, speed, low) = Law(task, optimizer);
                double bNoise = BNoise(task), sMin = speed * SMin(task);
                double Optimal(double b) => etaMax / Math.Pow(1 + bNoise / b, alpha);
                foreach (int batch in Batches)
                {
                    double best = Optimal(batch), bestSteps = sMin * (1 + bNoise / batch);
                    for (int k = 0; k < GridSize; k++)
                    {
                        double lr = Math.Pow(2, low + k), d = Math.Log2(lr / best);
                        double steps = bestSteps * (1 + 0.35 * d * d);
                        var trial = d > 2 ? new BatchTrialPoint(task, optimizer, batch, lr, 1, null, null, TransferPoint.Diverged)
                            : d < -2.5 ? new BatchTrialPoint(task, optimizer, batch, lr, 1, 3.2 - 0.1 * d, null, TransferPoint.Done)
                            : new BatchTrialPoint(task, optimizer, batch, lr, 1, 2.9 + 0.02 * d * d, steps, TransferPoint.Done);
                        trials.Add(trial);
                    }
                    double top = Math.Pow(2, low + GridSize - 1), bottom = Math.Pow(2, low);
                    double shown = Math.Clamp(best, bottom, top);
                    double shownSteps = sMin * (1 + bNoise / batch) * (1 + 0.35 * Math.Pow(Math.Log2(shown / best), 2));
                    optima.Add(new BatchOptimumPoint(task, optimizer, batch, shown, shownSteps, batch * shownSteps, best >= top || best <= bottom));
                }
                for (int i = 0; i <= 40; i++)
                {
                    double b = 4 * Math.Pow(2, 7.0 * i / 40);
                    curves.Add(new(task, optimizer, "fit", $"fit: B_noise {bNoise:0}, α {alpha:0.00}", b, Optimal(b)));
                    double bSimple = 0.8 * bNoise, predictedAlpha = optimizer == "sgd" ? 1 : 0.5;
                    curves.Add(new(task, optimizer, "prediction", $"prediction: B_simple {bSimple:0}", b, etaMax / Math.Pow(1 + bSimple / b, predictedAlpha)));
                    curves.Add(new(task, optimizer, "steps-fit", $"steps fit: S_min {sMin:0}, B_noise {bNoise:0}", b, sMin * (1 + bNoise / b)));
                }
                if (optimizer == "muon") continue;
                foreach (int batch in (int[])[16, 64, 256])
                    for (int i = 0; i < 20; i++)
                    {
                        long step = 50L * i;
                        // Larger batches train faster per step, so their noise scale (which grows as |G| shrinks) rises sooner.
                        double progress = 1 - Math.Exp(-step * Math.Sqrt(batch) / 4000.0);
                        double bSimple = task == "mlp" && optimizer == "sgd" && batch == 16 && i == 0 ? -12 : 0.8 * bNoise * (0.3 + 0.9 * progress);
                        double gradNormSq = 2.0 / (1 + i);
                        noise.Add(new(task, optimizer, batch, Optimal(batch), step, gradNormSq, bSimple * gradNormSq, bSimple));
                    }
            }

        var updateRms = new List<UpdateRmsPoint>();
        foreach (double beta1 in (double[])[0.0, 0.5, 0.9, 0.95])
            for (int i = 0; i <= 20; i++)
            {
                double predicted = Math.Sqrt((1 - beta1) / (1 + beta1)), snr = 0.02 * Math.Exp(-i / 5.0);
                double measured = Math.Sqrt((snr + predicted * predicted) / (snr + 1));
                updateRms.Add(new("mlp", beta1, 100L * i, measured, predicted, snr));
            }
        return new BatchScalingData(trials, optima, curves, noise, updateRms, Quadratic());
    }

    public static readonly string[] QuadraticCases = ["sgd", "signsgd", "momentum β1=0.9", "surge (signsgd)", "adam β1=0.9"];

    /// <summary>Theory §7's one-step optimal lr on a quadratic (B_noise = B_simple = 64), Monte-Carlo within ±3 %.</summary>
    public static List<QuadraticLrPoint> Quadratic()
    {
        const double bn = 64, k = (1 - 0.9) / (1 + 0.9);
        var points = new List<QuadraticLrPoint>();
        foreach (string c in QuadraticCases)
            for (int e = 0; e <= 10; e++)
            {
                double b = Math.Pow(2, e), beta = 1 / Math.Sqrt(1 + bn / b);
                double predicted = c switch
                {
                    "sgd" => 1 / (1 + bn / b),
                    "signsgd" => beta,
                    "momentum β1=0.9" => 1 / (1 + k * bn / b),
                    "surge (signsgd)" => 1 / (1 / beta + 20 * beta),
                    _ => 1 / (k / beta + beta * (1 - k)),
                };
                points.Add(new(c, b, predicted * (1 + 0.03 * Math.Sin(3 * e + c.Length)), predicted));
            }
        return points;
    }

    public static ReportData Full() =>
        new("Synthetic sweep <&>", Transfer(), Coord(), Verdicts(), ["best lr per width:", "  mup: 2^-6 at 64, 128, 256"]);
}
