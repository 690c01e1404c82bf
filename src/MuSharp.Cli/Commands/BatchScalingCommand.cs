using System.CommandLine;
using System.Globalization;
using MuSharp.Cli.CommandLine;
using MuSharp.Experiments;
using MuSharp.Reports;
using MuSharp.Sweeps;
using MuSharp.Training;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp batch-scaling [--quick] [--config SWEEP.json]... [--workers N] [--out DIR] [--retry-failed] [--summary] [--figures]</c>:
/// the learning-rate vs batch-size lab of theory §6–§7 on real models. Runs stored, resumable, parallel sweeps of
/// batch sizes × learning rates × optimizers (each trial trains to a target validation loss and measures the gradient
/// noise scale on the way), Adam's update RMS for several β1, and the planted-quadratic Monte-Carlo checks; prints per
/// optimizer the measured optimal lr per batch, the fitted η*(B) law, the steps–samples trade-off and the measured
/// B_simple, and writes an HTML report that overlays the measurements on the theory's predictions.
/// </summary>
internal sealed class BatchScalingCommand : IVerb
{
    public const string Verb = "batch-scaling";
    private static readonly string[] QuickConfigs = ["batch-scaling-mlp-quick.json", "batch-scaling-mlp-muon-quick.json"];
    private static readonly string[] FullConfigs = ["batch-scaling-mlp.json", "batch-scaling-mlp-muon.json", "batch-scaling-gpt.json", "batch-scaling-gpt-muon.json"];
    private static readonly double[] UpdateRmsBetas = [0.5, 0.8, 0.9, 0.95];
    private const string UpdateRmsDir = "update-rms";

    public int Order => 50;

    public Command Build()
    {
        var quick = Opt.Flag("--quick", "the MLP only (SGD, Adam, Muon), under 10 minutes");
        var config = new Option<string[]>("--config")
        {
            Description = "a batch-scaling sweep file; repeat for several [default: the bundled src/MuSharp.Cli/configs/batch-scaling-*.json]",
            HelpName = "SWEEP.json", AllowMultipleArgumentsPerToken = false,
        };
        var workers = Opt.Int("--workers", "worker processes; 0 = one per core (or the sweep file's workers)", 0, 0, 1024);
        var output = Opt.Text("--out", "where the report and the update-RMS runs go [default: runs/batch-scaling or runs/batch-scaling-quick]", "DIR");
        var retryFailed = Opt.Flag("--retry-failed", "run trials that threw again");
        var summaryOnly = Opt.Flag("--summary", "print the tables and write the report from the stored sweeps, without training");
        var figures = Opt.Flag("--figures", "also write figures/*.svg and *.png beside the report");
        var store = Opt.Store("keep the sweeps in PostgreSQL, postgres://USER@HOST:PORT/DB (no value: MUSHARP_STORE): with --enqueue fill " +
                "their queues for musharp worker on any machine; without, read their results (the summary and report, also while they run)");
        var enqueue = Opt.Flag("--enqueue", "with --store: fill the queues and return; workers run the trials");
        var command = new Command(Verb, """
            Learning rate vs batch size (theory §6-§7): sweeps batch sizes × lrs × optimizers to a target validation loss
            while measuring the gradient noise scale; fits η*(B) = η_max/(1+B_noise/B)^α and S = S_min(1+B_noise/B), compares
            B_noise with the measured B_simple, measures Adam's update RMS, and writes DIR/report.html. Rerun to continue.
            With --store the sweeps live in PostgreSQL: --enqueue fills their queues, musharp worker drains them from any
            machine, and the same command without --enqueue prints the tables and writes the report from the store.
            """) { quick, config, workers, output, retryFailed, summaryOnly, figures, store, enqueue };
        command.SetAction(p => Run(p.Tokens.Select(t => t.Value).ToArray(), [.. p.GetValue(config) ?? []], p.GetValue(output),
            p.GetResult(workers) is { Implicit: false } ? p.GetValue(workers) : null, p.GetValue(quick), p.GetValue(retryFailed), p.GetValue(summaryOnly), p.GetValue(figures),
            p.GetResult(store) != null || p.GetValue(enqueue) ? StoreAddress.Resolve(p.GetValue(store)) : null, p.GetValue(enqueue)));
        return command;
    }

    private static int Run(string[] args, List<string> configs, string? output, int? workers, bool quick, bool retryFailed, bool summaryOnly, bool figures,
        StoreAddress? shared, bool enqueue)
    {
        foreach (string c in configs) Paths.InputFile(c, "option --config", "; see src/MuSharp.Cli/configs/batch-scaling-mlp-quick.json");
        if (configs.Count == 0) configs.AddRange((quick ? QuickConfigs : FullConfigs).Select(f => Paths.BundledConfig(f, Verb)));
        output ??= Path.Combine("runs", quick ? "batch-scaling-quick" : "batch-scaling");
        Paths.WritableFolder(output, "option --out");

        var plans = configs.Select(SweepConfig.Load).ToList();
        if (shared != null) return RunShared(plans, shared, enqueue, retryFailed, output, quick, figures);
        foreach (var plan in plans)
        {
            BatchScalingSweep.Target(plan); // a sweep without a target is an error before anything runs
            if (summaryOnly) Stores.Open(plan.DefaultDbPath).Dispose();
            else Stores.CheckWritable(plan.DefaultDbPath);
        }
        if (!summaryOnly)
            foreach (var plan in plans)
            {
                string rerun = $"musharp {string.Join(' ', args)}".TrimEnd();
                int status = SweepCoordinator.Run(plan, plan.DefaultDbPath, workers, retryFailed, rerun, TransferWorkerCommand.Launch);
                if (status != 0) return status;
            }

        return Summarize(plans, [.. plans.Select(BatchScalingSweep.Load)], output, quick, summaryOnly, figures);
    }

    // Sweeps in PostgreSQL: fill their queues (workers anywhere run them), or summarize what the store holds so far.
    private static int RunShared(List<SweepPlan> plans, StoreAddress shared, bool enqueue, bool retryFailed, string output, bool quick, bool figures)
    {
        if (enqueue)
        {
            foreach (var plan in plans) Console.WriteLine(SharedSweep.Enqueue(plan, shared, retryFailed));
            return Cli.Ok;
        }
        var sweeps = plans.Select(plan =>
        {
            using var store = PostgresSweepStore.OpenExisting(shared, plan.Name);
            store.Verify(plan);
            return BatchScalingSweep.Load(store);
        }).ToList();
        return Summarize(plans, sweeps, output, quick, summaryOnly: true, figures);
    }

    // The tables, Adam's update RMS, the planted quadratics and the report, from the sweeps' results.
    private static int Summarize(List<SweepPlan> plans, List<BatchScalingSweep.Results> sweeps, string output, bool quick, bool summaryOnly, bool figures)
    {
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

}
