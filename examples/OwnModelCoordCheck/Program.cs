// Your own model under μP, checked the way Tensor Programs V checks it: train each width a few steps and fit the
// log-log slope of every block's activation size against width. Under μP the hidden curves are flat; under SP the
// output logits' change grows with width. Usage: dotnet run [-- --quick]
using Examples;
using MuSharp;
using MuSharp.Data;
using MuSharp.Diagnostics;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Scaling;

bool quick = args.Contains("--quick");
int[] widths = quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024, 2048];
ulong[] seeds = quick ? [1, 2] : [1, 2, 3];
const double Tolerance = 0.1;
var data = Synthetic.GaussianBlobs(2048, 16, 4, seed: 7, separation: 1f, spread: 0.5f);

CoordSubject Build(ParametrizationKind kind, int width, ulong seed)
{
    var model = new ResidualMlp(16, width, baseWidth: widths[0], depth: 2, classes: 4, new Init(new Rng(seed), kind, OptimizerFamily.Adam));
    var batcher = new ClassificationBatcher(data, 64, seed + 1, dropLast: true);
    var probe = ClassificationBatcher.EvalBatches(data, 256).First();
    return new CoordSubject(model, new AdamW(model.Parameters()), 1e-2f,
        () => { var b = batcher.Next(); return Ops.CrossEntropy(model.Forward(b.X), b.Y); },
        taps => model.Forward(probe.X, taps));
}

int failures = 0;
foreach (var kind in (ParametrizationKind[])[ParametrizationKind.Standard, ParametrizationKind.Mup])
{
    var stats = CoordCheck.Run(widths, seeds, steps: 3, (w, s) => Build(kind, w, s), spectral: false);
    var slopes = CoordCheck.Fit(stats, Tolerance);
    var hidden = slopes.Where(s => s.Module != "logits" && s.Step >= 1).ToList();
    var worst = hidden.MaxBy(s => Math.Abs(s.Slope))!;
    var logits = slopes.Where(s => s.Module == "logits" && s.Metric == CoordMetric.Change).MaxBy(s => s.Slope)!;
    bool flat = hidden.All(s => s.Trend == CoordTrend.Flat);
    Console.WriteLine($"{kind,-8} hidden curves {(flat ? "all flat" : "NOT all flat")} (max |slope| {Math.Abs(worst.Slope):0.000} at {worst.Module} {worst.Metric} t={worst.Step}); logits' change slope {logits.Slope:+0.000;-0.000}");
    // The verdict the theory predicts: μP keeps every hidden curve flat, SP does not.
    if (flat != (kind == ParametrizationKind.Mup)) failures++;
}
Console.WriteLine(failures == 0 ? "verdicts: as predicted (μP flat, SP not)" : "verdicts: NOT as predicted");
return failures == 0 ? 0 : 1;
