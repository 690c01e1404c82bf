using System.Globalization;
using MuSharp.Training;
using MuSharp.Experiments;
using MuSharp.Reports;
using MuSharp.Sweeps;

namespace MuSharp.Cli.BatchScaling;

/// <summary>
/// <c>musharp batch-scaling [--quick] [--config SWEEP.json]... [--workers N] [--out DIR] [--retry-failed] [--summary] [--figures]</c>:
/// the learning-rate vs batch-size lab of theory §6–§7 on real models. Runs stored, resumable, parallel sweeps of
/// batch sizes × learning rates × optimizers (each trial trains to a target validation loss and measures the gradient
/// noise scale on the way), Adam's update RMS for several β1, and the planted-quadratic Monte-Carlo checks; prints per
/// optimizer the measured optimal lr per batch, the fitted η*(B) law, the steps–samples trade-off and the measured
/// B_simple, and writes an HTML report that overlays the measurements on the theory's predictions.
/// </summary>
public static class BatchScalingCommand
{
    public const string Verb = "batch-scaling";
    private static readonly string[] QuickConfigs = ["batch-scaling-mlp-quick.json", "batch-scaling-mlp-muon-quick.json"];
    private static readonly string[] FullConfigs = ["batch-scaling-mlp.json", "batch-scaling-mlp-muon.json", "batch-scaling-gpt.json", "batch-scaling-gpt-muon.json"];
    private static readonly double[] UpdateRmsBetas = [0.5, 0.8, 0.9, 0.95];
    private const string UpdateRmsDir = "update-rms";

    public static int Run(string[] args)
    {
        var configs = new List<string>();
        string? output = null;
        int? workers = null;
        bool quick = false, retryFailed = false, summaryOnly = false, figures = false;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{Verb}: option {a} needs a value.");
            switch (a)
            {
                case "--quick": quick = true; break;
                case "--config": configs.Add(Value()); break;
                case "--out": output = Value(); break;
                case "--workers":
                    string w = Value();
                    workers = int.TryParse(w, CultureInfo.InvariantCulture, out int n) && n >= 0 ? n
                        : throw new ArgumentException($"{Verb}: --workers takes a count ≥ 0 (0 = one per core), got '{w}'.");
                    break;
                case "--retry-failed": retryFailed = true; break;
                case "--summary": summaryOnly = true; break;
                case "--figures": figures = true; break;
                default: throw new ArgumentException($"{Verb}: unexpected argument '{a}'; usage: musharp {Verb} [--quick] [--config SWEEP.json]... [--workers N] [--out DIR] [--retry-failed] [--summary] [--figures].");
            }
        }
        if (configs.Count == 0) configs.AddRange((quick ? QuickConfigs : FullConfigs).Select(BundledConfig));
        output ??= Path.Combine("runs", quick ? "batch-scaling-quick" : "batch-scaling");
        Directory.CreateDirectory(output);

        var plans = configs.Select(SweepConfig.Load).ToList();
        foreach (var plan in plans) BatchScalingSweep.Target(plan); // a sweep without a target is an error before anything runs
        if (!summaryOnly)
            foreach (var plan in plans)
            {
                string rerun = $"musharp {Verb} {string.Join(' ', args)}".TrimEnd();
                int status = SweepCoordinator.Run(plan, plan.DefaultDbPath, workers, retryFailed, rerun, Sweeps.TransferWorkerCommand.Launch);
                if (status != 0) return status;
            }

        var sweeps = plans.Select(BatchScalingSweep.Load).ToList();
        var mlp = plans.FirstOrDefault(p => p.Axes.BaseConfig.Task == TaskKind.Mlp);
        IReadOnlyList<UpdateRmsSeries> updateRms = mlp is null ? [] : summaryOnly ? ReadUpdateRms(output, mlp.Axes.BaseConfig)
            : UpdateRmsExperiment.Run(mlp.Axes.BaseConfig with { RunsDir = output }, Path.Combine(output, UpdateRmsDir), UpdateRmsBetas, quick ? 200 : 400, Console.Out);

        Console.WriteLine("planted quadratics: Monte-Carlo one-step optimal lr vs theory §7 (5 cases)");
        var quadratic = QuadraticDemo.Run();
        var lines = new List<string>();
        foreach (var s in sweeps)
            lines.AddRange($"sweep {s.Name} ({s.Trials.Count} finished trials)\n{BatchSummaryText.Format(s.Groups, s.Target)}".Split('\n'));
        lines.AddRange(UpdateRmsLines(updateRms));
        lines.AddRange(QuadraticLines(quadratic));
        foreach (string line in lines) Console.WriteLine(line);

        string report = Path.Combine(output, "report.html");
        HtmlReport.Write(report, BatchScalingReport.Data($"Learning rate vs batch size: {string.Join(", ", plans.Select(p => p.Name))}", sweeps, updateRms, quadratic, lines), figures);
        Console.WriteLine($"report: {report}");
        int failed = sweeps.Sum(s => s.Failed);
        if (failed > 0) Console.Error.WriteLine($"musharp: {failed} trial{(failed == 1 ? "" : "s")} failed; see the sweep's trials table, fix the cause and rerun with --retry-failed.");
        return failed > 0 ? 1 : 0;
    }

    private static IReadOnlyList<UpdateRmsSeries> ReadUpdateRms(string output, TrainConfig mlp) =>
        UpdateRmsExperiment.ReadFinished(Path.Combine(output, UpdateRmsDir), UpdateRmsBetas);

    private static IEnumerable<string> UpdateRmsLines(IReadOnlyList<UpdateRmsSeries> series)
    {
        if (series.Count == 0) yield break;
        yield return "Adam update RMS on the MLP (theory §6): mean over steps 20–50 vs sqrt((1−β1)/(1+β1)), and the inverted ‖μ‖²/‖σ‖²";
        foreach (var s in series)
        {
            double measured = s.MeanOver(20, 50);
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  β1 {s.Beta1,-5} measured {measured:F4}  predicted {s.Predicted:F4}  ratio {measured / s.Predicted:F3}  SNR {MuSharp.BatchScaling.AdamUpdateRms.InverseSnr(measured, s.Beta1):F4}");
        }
        yield return "";
    }

    // Per case, the worst ratio of measured to predicted optimal lr over its batch grid.
    private static IEnumerable<string> QuadraticLines(IReadOnlyList<QuadraticLrPoint> points)
    {
        if (points.Count == 0) yield break;
        yield return "Planted quadratics (theory §7 test ideas): Monte-Carlo optimal lr / prediction over each batch grid";
        foreach (var c in points.GroupBy(p => p.Case))
            yield return string.Create(CultureInfo.InvariantCulture,
                $"  {c.Key,-28} min {c.Min(p => p.Measured / p.Predicted):F3}  max {c.Max(p => p.Measured / p.Predicted):F3}");
        yield return "";
    }

    private static string BundledConfig(string file) => RepoFiles.FindFile(Path.Combine("src", "MuSharp.Cli", "configs", file))
        ?? (File.Exists(Path.Combine(AppContext.BaseDirectory, "configs", file)) ? Path.Combine(AppContext.BaseDirectory, "configs", file) : null) // installed tool
        ?? throw new FileNotFoundException($"{Verb}: the bundled sweep src/MuSharp.Cli/configs/{file} was not found; run from the repository or pass --config.", file);
}
