using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp train</c>: one training run in runs/NAME/ from a config file, with any key overridden as an option, or
/// <c>--resume RUN_DIR</c> to continue one. A run that diverges exits 3 naming the step; Ctrl+C exits 130 after a checkpoint.
/// </summary>
internal sealed class TrainCommand : IVerb
{
    public int Order => 10;

    public Command Build()
    {
        var config = Opt.Text("--config", "a JSON training config with camelCase keys (src/MuSharp.Cli/configs/ has examples); without it, the defaults", "FILE");
        var resume = Opt.Text("--resume", "continue the run in RUN_DIR from its checkpoint, with its saved config.json (key options still override)", "RUN_DIR");
        var listKeys = Opt.Flag("--list-keys", "print every config key with its type, default and meaning, and exit");
        var dataParallel = Opt.Flag("--data-parallel", "one rank of a data-parallel run under mpirun: each rank trains its slice of every batch, " +
            "gradients are all-reduced, rank 0 writes the run folder (docs/scaling-out.md)");
        var command = new Command("train", """
            Train an MLP or a GPT. Every config key is also an option (--batch-size 64, --hidden [512,512]); see --list-keys.
            Writes runs/NAME/: config.json, metrics.csv, checkpoint.bin, final.json. Stops, naming the step, when the loss
            turns NaN/Inf or exceeds divergenceFactor × its first value (exit 3).
            Under mpirun with --data-parallel, each rank takes its slice of the global batch (mpirun -np N musharp train … --data-parallel).
            """) { config, resume, listKeys, dataParallel };
        var keys = KeyOptions.AddTo(command);
        command.SetAction(parse => parse.GetValue(listKeys)
            ? ListKeys()
            : Run(parse.GetValue(config), parse.GetValue(resume), keys.Given(parse), parse.GetValue(dataParallel)));
        return command;
    }

    private static int ListKeys()
    {
        Console.Write(ConfigKeys.Describe());
        return Cli.Ok;
    }

    private static int Run(string? configPath, string? resumeDir, List<(string, string)> overrides, bool dataParallel)
    {
        if (resumeDir != null)
        {
            if (configPath != null) throw new ArgumentException("option --resume uses the run's saved config.json; drop --config (key options such as --steps still apply).");
            if (Resumable(resumeDir) is int finished) return finished;
            configPath = Path.Combine(resumeDir, Train.ConfigFile);
        }
        else if (configPath != null) Paths.InputFile(configPath, "option --config", "; see src/MuSharp.Cli/configs/ for examples");

        var config = TrainConfig.Load(configPath, overrides);
        string runDir = resumeDir ?? Path.Combine(config.RunsDir, config.Name);
        if (resumeDir == null)
        {
            if (File.Exists(Path.Combine(runDir, Train.FinalFile)))
                throw new ArgumentException($"run folder {runDir} holds a finished run (final.json); pick another --name, or delete the folder to train it again.");
            if (File.Exists(Path.Combine(runDir, Train.CheckpointFile)))
                throw new ArgumentException($"run folder {runDir} already holds a checkpoint; continue it with --resume {runDir}, or pick another --name.");
            Paths.WritableFolder(config.RunsDir, "runsDir (--runs-dir)");
        }
        Paths.WritableFolder(runDir, resumeDir != null ? "option --resume" : "the run folder");
        MemoryEstimate.For(config).EnsureFits();
        if (dataParallel) return RunDataParallel(config, runDir, resumeDir != null);

        var view = ProgressView.ForConsole();
        var result = Interruptible.Run(cancel => view.Run(() => Train.Run(config, runDir, resumeDir != null, [view], cancel: cancel)));
        if (result.Completed) return Cli.Ok;
        Console.WriteLine($"interrupted at step {result.Steps}; checkpoint saved, continue with: musharp train --resume {runDir}");
        return Cli.Interrupted;
    }

    // A run folder that can be resumed gives null; a finished one gives exit code 0 after saying so; anything else throws.
    private static int? Resumable(string dir)
    {
        if (File.Exists(dir)) throw new ArgumentException($"option --resume: {dir} is a file; name a run folder (runs/NAME).");
        if (!Directory.Exists(dir)) throw new ArgumentException($"option --resume: run folder {dir} does not exist; check the path (runs go to runs/NAME).");
        if (!File.Exists(Path.Combine(dir, Train.ConfigFile)))
            throw new ArgumentException($"option --resume: {dir} has no {Train.ConfigFile}, so it is not a run folder; name the folder train created (runs/NAME).");
        if (File.Exists(Path.Combine(dir, Train.FinalFile)))
        {
            Console.WriteLine($"run {dir} already finished ({Path.Combine(dir, Train.FinalFile)}); nothing to resume. Start a new run with another --name.");
            return Cli.Ok;
        }
        if (!File.Exists(Path.Combine(dir, Train.CheckpointFile)))
            throw new ArgumentException($"option --resume: {dir} stopped before its first checkpoint, so there is nothing to resume; start it again with: musharp train --config {Path.Combine(dir, Train.ConfigFile)}");
        return null;
    }

    // One rank of an mpirun job: plain lines on rank 0 (mpirun's output is no terminal), the loop in MuSharp.Distributed.
    private static int RunDataParallel(TrainConfig config, string runDir, bool resume)
    {
        var result = Interruptible.Run(cancel => MuSharp.Distributed.DataParallel.Run(config, runDir, resume, [new PlainLines()], cancel: cancel));
        return result.Completed ? Cli.Ok : Cli.Interrupted;
    }

    private sealed class PlainLines : ITrainingObserver
    {
        public void OnMessage(string line) => Console.WriteLine(line);

        public void OnStep(StepRecord record) =>
            Console.WriteLine($"step {record.Step}: loss {record.TrainLoss:F4}{(record.Validation is { } v ? $", validation {v.Loss:F4}" : "")}");
    }
}
