// A μTransfer width sweep of your own model, from code: widths × learning rates × SP/μP, stored in SQLite, run in
// this process with your task factory, summarized, and rendered as the HTML report. Rerunning continues the sweep.
// Usage: dotnet run [-- --quick] [--dir DIR]
using System.Text.Json.Nodes;
using Examples;
using MuSharp.Reports;
using MuSharp.Sweeps;

bool quick = args.Contains("--quick");
int dirAt = Array.IndexOf(args, "--dir");
string dir = dirAt >= 0 ? args[dirAt + 1] : Path.Combine("runs", "example-width-sweep");
Directory.CreateDirectory(dir);

var sweep = new SweepConfig
{
    Name = "example-width-sweep",
    // The base training config: everything but the axes. The width axis sets hidden[0], which BlobsTask reads.
    Base = new JsonObject { ["optimizer"] = "adamw", ["hidden"] = new JsonArray(32), ["batchSize"] = 32, ["logEvery"] = 5, ["evalEvery"] = 50, ["evalBatches"] = 1 },
    Widths = quick ? [32, 128] : [32, 64, 128, 256, 512],
    Lrs = quick ? [0.001, 0.004, 0.016] : [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032],
    Seeds = [1],
    Parametrizations = ["standard", "mup"],
    Steps = quick ? 30 : 200,
};
var plan = sweep.Resolve("WidthSweep/Program.cs");
string db = Path.Combine(dir, "sweep.db");
using (var store = SweepStore.Open(db, plan))
{
    SweepWorker.Work(store, CancellationToken.None, BlobsTask.FromConfig);
    var rows = store.Trials();
    Console.WriteLine($"{rows.Count} trials, {rows.Count(r => r.Status == TrialStatus.Done)} done");
    Console.Write(SummaryTable.Format(TransferSummary.Summarize(rows, store.BaseWidth)));
}
Console.WriteLine($"report: {SweepReport.Write(db)}");
return 0;
