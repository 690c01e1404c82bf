using System.CommandLine;
using MuSharp.Cli.CommandLine;

namespace MuSharp.Cli.Commands;

/// <summary>
/// <c>musharp report SWEEP.db|RUN_DIR [--coord DIR] [--out FILE] [--figures]</c>: the HTML report of a stored μTransfer
/// sweep, with the coordinate check found beside it (RUN_DIR/coord-check/, written by <c>musharp coord-check --out</c>).
/// </summary>
internal sealed class ReportCommand : IVerb
{
    public int Order => 60;

    public Command Build()
    {
        var sweep = new Argument<string?>("SWEEP") { Description = "the sweep: its sweep.db, or the run folder holding it (runs/NAME)", Arity = ArgumentArity.ZeroOrOne };
        var store = Opt.Store("instead of SWEEP: a sweep in PostgreSQL, postgres://USER@HOST:PORT/DB (no value: MUSHARP_STORE)");
        var name = Opt.Text("--sweep", "with --store: the sweep's name (needed when the database holds several)", "NAME");
        var coord = Opt.Text("--coord", "the coordinate check's folder [default: RUN_DIR/coord-check if present]", "DIR");
        var output = Opt.Text("--out", "the HTML file to write [default: RUN_DIR/report.html]", "FILE");
        var figures = Opt.Flag("--figures", "also write figures/*.svg and *.png beside the report");
        var command = new Command("report", """
            A self-contained HTML report (Vega-Lite) of a stored sweep: loss vs lr per width and parametrization, the
            coordinate check, spectral ratios and the summary tables.
            """) { sweep, coord, output, figures, store, name };
        command.SetAction(p =>
        {
            if (p.GetResult(store) != null)
            {
                string file = p.GetValue(output) ?? "report.html";
                Paths.WritableFile(file, "option --out");
                using var opened = PostgresSweepStore.OpenExisting(StoreAddress.Resolve(p.GetValue(store)), p.GetValue(name));
                Console.WriteLine($"report: {SweepReport.Write(opened, file, p.GetValue(coord), p.GetValue(figures))}");
                return Cli.Ok;
            }
            string source = p.GetValue(sweep) ?? throw new ArgumentException("report: SWEEP is missing; name a sweep.db or the run folder holding it (runs/NAME), or give --store.");
            if (!File.Exists(source) && !Directory.Exists(source))
                throw new ArgumentException($"report: {source} does not exist; name a sweep.db or the run folder holding it (runs/NAME).");
            string? coordDir = p.GetValue(coord);
            if (coordDir != null && !Directory.Exists(coordDir))
                throw new ArgumentException($"option --coord: {coordDir} is not a folder; name the folder coord-check --out wrote.");
            string? outFile = p.GetValue(output);
            if (outFile != null) Paths.WritableFile(outFile, "option --out");
            else Paths.WritableFolder(Directory.Exists(source) ? source : Path.GetDirectoryName(Path.GetFullPath(source))!, "the report's folder (choose another with --out)");
            Console.WriteLine($"report: {SweepReport.Write(source, coordDir, outFile, p.GetValue(figures))}");
            return Cli.Ok;
        });
        return command;
    }
}
