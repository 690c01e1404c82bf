using System.Text.Json;
using MuSharp.Training;
using MuSharp.Cli.Experiments;
using MuSharp.Cli.Reports;
using MuSharp.Sweeps;
using MuSharp.Cli.Sweeps;
using MuSharp.Data;

namespace MuSharp.Cli;

/// <summary>Verb dispatch for the <c>musharp</c> tool. Errors in user input print one line and exit 2.</summary>
public static class Cli
{
    private const string Usage = """
        usage: musharp --version
               musharp train [--config FILE.json] [--KEY VALUE ...] [--resume RUN_DIR]
          --config FILE     a JSON config (see src/MuSharp.Cli/configs/); keys are camelCase
          --KEY VALUE       overrides one config key, kebab-case: --batch-size 64 --lr 3e-4 --hidden [512,512]
          --resume RUN_DIR  continue an interrupted run from its checkpoint and saved config
        Runs go to runs/NAME/ (config.json, metrics.csv, checkpoint.bin, final.json; monitors.csv with --monitor-every N).
               musharp msign [--rows R] [--cols C] [--schedule kj|su|sux3|youjiacheng|pe|cubic|taylor] [--steps N] [--seed S] [--bench]
          Newton-Schulz msign of a Gaussian matrix, step by step: singular-value range, error against the exact
          msign (SVD) and time; --bench also times it against an SVD with vectors.
               musharp coord-check [--config FILE] [--widths 64,128,...,2048] [--seeds 3] [--steps 3]
                                   [--parametrizations standard,mup,spectral] [--optimizers sgd,adamw,muon]
                                   [--tolerance 0.1] [--no-spectral] [--out DIR] [--KEY VALUE ...]
          Coordinate check: trains each width a few steps, fits the log-log slope of every module's ‖x‖_RMS,
          ‖x_t − x_0‖_RMS, ‖W‖₂·sqrt(d_in/d_out) and ‖ΔW‖₂·sqrt(d_in/d_out) against width and prints flat / growing /
          shrinking; writes coord.csv and slopes.csv to DIR (default runs/coord-check). Default model: the MLP on Fashion-MNIST.
               musharp transfer --config SWEEP.json [--workers N] [--db PATH] [--retry-failed] [--summary]
          A μTransfer sweep (widths × lrs × seeds × parametrizations × optimizers over a base config) stored in
          runs/NAME/sweep.db and run on N worker processes (0 = one per core); rerun to continue after an interruption.
          --summary prints each width's optimal lr and the transfer table without running.
               musharp report SWEEP.db|RUN_DIR [--coord DIR] [--out FILE] [--figures]
          Self-contained HTML report (Vega-Lite): loss vs lr per width and parametrization, the coordinate check found in
          RUN_DIR/coord-check/, spectral ratios and the summary; --figures also writes figures/*.svg and *.png.
          For a batch-scaling sweep: optimal lr vs batch, steps to target, steps vs samples and the noise scale.
               musharp batch-scaling [--quick] [--config SWEEP.json]... [--workers N] [--out DIR] [--retry-failed] [--summary] [--figures]
          Learning rate vs batch size (theory §6-§7): sweeps batch sizes × lrs × optimizers to a target validation loss
          while measuring the gradient noise scale; fits η*(B) = η_max/(1+B_noise/B)^α and S = S_min(1+B_noise/B), compares
          B_noise with the measured B_simple, measures Adam's update RMS, and writes DIR/report.html (default
          runs/batch-scaling[-quick]). --quick: the MLP only, < 10 min. Rerun to continue; --summary only reads.
               musharp transfer --config SWEEP.json --store postgres://USER@HOST:PORT/DB --enqueue | --store URL [--sweep NAME] --summary
               musharp worker [--store URL] [--sweep NAME] [--threads N] [--lease SECONDS]
               musharp report --store URL [--sweep NAME] [--out FILE]
          Sweeps in PostgreSQL drained by workers on any machine (docs/scaling-out.md); the password comes from PGPASSWORD,
          ~/.pgpass or MUSHARP_STORE, never the command line.
               mpirun -np N musharp train --config FILE.json --data-parallel
          Data-parallel training over Open MPI: each rank a slice of the batch, gradients all-reduced; rank 0 writes the run.
        """;

    public static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "--version")
        {
            Console.WriteLine(ToolVersion.Informational);
            return 0;
        }
        try
        {
            return args[0] switch
            {
                "train" when args.Contains(Distributed.DataParallelTrainCommand.Flag) => Distributed.DataParallelTrainCommand.Run(args[1..]),
                "train" => TrainCommand(args[1..]),
                "msign" => MsignReport.Run(args[1..]),
                "coord-check" => CoordCheckCommand.Execute(args[1..]),
                TransferCommand.Verb => TransferCommand.Run(args[1..]),
                TransferWorkerCommand.Verb => TransferWorkerCommand.Run(args[1..]),
                WorkerCommand.Verb => WorkerCommand.Run(args[1..]),
                ReportCommand.Verb => ReportCommand.Run(args[1..]),
                BatchScaling.BatchScalingCommand.Verb => BatchScaling.BatchScalingCommand.Run(args[1..]),
                _ => Fail($"unknown command '{args[0]}'; run 'musharp --help'"),
            };
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException or DatasetNotFoundException or JsonException or SweepStoreUnavailableException)
        {
            return Fail(e.Message);
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"musharp: {e.Message}");
            return 3;
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"musharp: {message}");
        return 2;
    }

    private static int TrainCommand(string[] args)
    {
        string? configPath = null, resumeDir = null;
        var overrides = new List<(string, string)>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{a}'; options look like --key value.");
            string key = a[2..], value;
            int eq = key.IndexOf('=');
            if (eq >= 0) (key, value) = (key[..eq], key[(eq + 1)..]);
            else if (i + 1 < args.Length) value = args[++i];
            else throw new ArgumentException($"option --{key} needs a value.");
            switch (key)
            {
                case "config": configPath = value; break;
                case "resume": resumeDir = value; break;
                default: overrides.Add((key, value)); break;
            }
        }
        if (resumeDir != null)
        {
            if (configPath != null) throw new ArgumentException("--resume uses the run's saved config.json; drop --config (overrides such as --steps still apply).");
            configPath = Path.Combine(resumeDir, Train.ConfigFile);
            if (!File.Exists(configPath)) throw new FileNotFoundException($"{resumeDir} has no {Train.ConfigFile}; is it a run folder?", configPath);
        }
        var config = TrainConfig.Load(configPath, overrides);
        string runDir = resumeDir ?? Path.Combine(config.RunsDir, config.Name);
        if (resumeDir == null && File.Exists(Path.Combine(runDir, Train.CheckpointFile)))
            throw new ArgumentException($"run folder {runDir} already holds a checkpoint; continue it with --resume {runDir}, or pick another --name.");

        // Ctrl+C (SIGINT) and a scheduler's SIGTERM both finish the current step, save a checkpoint and exit 130.
        using var cancel = new CancellationTokenSource();
        using var signals = StopSignals.Register(cancel);
        var view = ProgressView.ForConsole();
        var result = view.Run(() => Train.Run(config, runDir, resumeDir != null, [view], cancel.Token));
        if (!result.Completed) Console.WriteLine($"interrupted at step {result.Steps}; checkpoint saved, continue with --resume {runDir}");
        return result.Completed ? 0 : 130;
    }
}
