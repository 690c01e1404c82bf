using System.Diagnostics;
using System.Globalization;
using System.Text;
using MuSharp.Kernels;
using MuSharp.Optim;

namespace MuSharp.Diagnostics;

/// <summary>One line of a <see cref="StepLedger"/>: a GEMM shape or an op class in one phase, averaged per step.</summary>
/// <param name="Name">"GEMM forward 2048×768×256 NN", "LayerNorm backward", "optimizer", ...</param>
/// <param name="Class">gemm, attention, norm, activation, loss, embedding, element-wise, shape, optimizer, autodiff, other.</param>
/// <param name="Phase">forward, backward or optimizer.</param>
/// <param name="Ms">Mean milliseconds per step.</param>
/// <param name="Calls">Calls per step.</param>
/// <param name="Gflop">GEMM floating-point operations per step, in 1e9 (0 for other rows).</param>
/// <param name="Share">Fraction of the mean step time.</param>
/// <param name="FloorMs">For GEMM rows: Gflop over the best rate the same backend reached at this shape in isolation, in
/// the same run; NaN otherwise.</param>
public sealed record LedgerRow(string Name, string Class, string Phase, double Ms, double Calls, double Gflop, double Share, double FloorMs)
{
    /// <summary>Achieved GFLOP/s of a GEMM row (NaN for rows without FLOPs).</summary>
    public double Gflops => Gflop > 0 ? Gflop / (Ms / 1e3) : double.NaN;
}

/// <summary>
/// Where one train step's time goes: per GEMM shape and per op class (attention, norms, activations, loss, optimizer,
/// autodiff bookkeeping), in forward, backward and optimizer phases, with GEMM FLOPs and GFLOP/s, each row's share of
/// the step, GC pauses and allocation, and the step's GEMM floor: its GEMM FLOPs over the rate the backend reaches at
/// the same shapes when run alone right after the steps. Times are exclusive: a GEMM inside an op is charged to the GEMM
/// row only; attention's per-head GEMMs (run on worker threads) stay inside the attention rows.
/// <code>
/// var ledger = StepLedger.Measure(() => model.Loss(x, labels), opt, lr: 1e-3f, steps: 10);
/// Console.WriteLine(ledger.Render());
/// </code>
/// Run the forward inside <c>MixedPrecision.Use(Precision.Bf16)</c> (in the delegate) to profile the bf16 path.
/// </summary>
public sealed class StepLedger
{
    /// <summary>Rows sorted by time, largest first.</summary>
    public IReadOnlyList<LedgerRow> Rows { get; }

    /// <summary>Wall time per step (whole step, unprofiled parts included): median, minimum and mean, ms.</summary>
    public double StepMedianMs { get; }
    public double StepMinMs { get; }
    public double StepMeanMs { get; }

    /// <summary>Steps timed (after warm-up).</summary>
    public int Steps { get; }

    /// <summary>GEMM time per step and its floor (Σ over shapes of FLOPs / best isolated rate), ms.</summary>
    public double GemmMs => Rows.Where(r => r.Class == "gemm").Sum(r => r.Ms);
    public double GemmFloorMs => Rows.Where(r => r.Class == "gemm").Sum(r => r.FloorMs);

    /// <summary>GEMM FLOPs per step, 1e9.</summary>
    public double GemmGflop => Rows.Sum(r => r.Gflop);

    /// <summary>Garbage-collector pause time per step (already inside the rows it interrupted), ms.</summary>
    public double GcPauseMs { get; }

    /// <summary>Managed bytes allocated per step, MiB.</summary>
    public double AllocatedMib { get; }

    /// <summary>The GEMM backend (and bf16 GEMM) in use.</summary>
    public string Backend { get; }

    private StepLedger(IReadOnlyList<LedgerRow> rows, double[] stepMs, double gcPauseMs, double allocatedMib)
    {
        Rows = rows;
        Steps = stepMs.Length;
        var sorted = stepMs.Order().ToArray();
        StepMedianMs = sorted[sorted.Length / 2];
        StepMinMs = sorted[0];
        StepMeanMs = stepMs.Average();
        GcPauseMs = gcPauseMs;
        AllocatedMib = allocatedMib;
        Backend = $"{Gemm.Backend}; bf16: {Gemm.Bf16Backend}";
    }

    /// <summary>Profiles <c>loss().Backward(); optimizer.Step(lr); optimizer.ZeroGrad()</c>.</summary>
    public static StepLedger Measure(Func<Tensor> loss, Optimizer optimizer, float lr, int steps = 10, int warmup = 3) =>
        Measure(loss, () =>
        {
            optimizer.Step(lr);
            optimizer.ZeroGrad();
        }, steps, warmup);

    /// <summary>
    /// Profiles a step made of <paramref name="forward"/> (returns the scalar loss), its backward, and
    /// <paramref name="update"/> (optimizer step and zero-grad): <paramref name="warmup"/> unrecorded steps, then
    /// <paramref name="steps"/> recorded ones, then each GEMM shape seen alone for the floor. Call it on the thread that
    /// trains; it must not run concurrently with another ledger on the same thread.
    /// </summary>
    public static StepLedger Measure(Func<Tensor> forward, Action update, int steps = 10, int warmup = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        for (int i = 0; i < warmup; i++) RunStep(forward, update, null);
        var recorder = new OpClock.Recorder();
        var stepMs = new double[steps];
        var pause0 = GC.GetTotalPauseDuration();
        long alloc0 = GC.GetTotalAllocatedBytes(precise: false);
        for (int i = 0; i < steps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            RunStep(forward, update, recorder);
            stepMs[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        double gcMs = (GC.GetTotalPauseDuration() - pause0).TotalMilliseconds / steps;
        double allocMib = (GC.GetTotalAllocatedBytes(precise: false) - alloc0) / (1024.0 * 1024) / steps;

        double mean = stepMs.Average();
        var rows = new List<LedgerRow>();
        foreach (var (key, e) in recorder.Entries)
        {
            double ms = e.Ticks * 1e3 / Stopwatch.Frequency / steps;
            double gflop = e.Flops / 1e9 / steps;
            double floor = e.Shape is { } s ? gflop / BestRate(s) : double.NaN;
            string phase = key.EndsWith(" backward", StringComparison.Ordinal) || key.StartsWith("GEMM backward", StringComparison.Ordinal) ? "backward"
                : key.EndsWith(" optimizer", StringComparison.Ordinal) || key.StartsWith("GEMM optimizer", StringComparison.Ordinal) ? "optimizer" : "forward";
            rows.Add(new LedgerRow(key, ClassOf(key), phase, ms, (double)e.Calls / steps, gflop, ms / mean, floor));
        }
        rows.Sort((a, b) => b.Ms.CompareTo(a.Ms));
        return new StepLedger(rows, stepMs, gcMs, allocMib);
    }

    private static void RunStep(Func<Tensor> forward, Action update, OpClock.Recorder? recorder)
    {
        var previous = OpClock.Current;
        OpClock.Attach(recorder);
        try
        {
            if (recorder != null)
            {
                recorder.Restart();
                recorder.Phase = "forward";
            }
            var loss = forward();
            OpClock.Charge("loss glue");
            if (recorder != null) recorder.Phase = "backward";
            loss.Backward();
            OpClock.Charge("autodiff bookkeeping");
            if (recorder != null) recorder.Phase = "optimizer";
            update();
            OpClock.Charge("update");
        }
        finally
        {
            OpClock.Attach(previous);
        }
    }

    // GFLOP per ms of the active backend at one shape, alone: best of 10 timed calls after 2 warm-ups.
    private static double BestRate(OpClock.GemmShape s)
    {
        int lda = s.TransA ? s.M : s.K, ldb = s.TransB ? s.K : s.N;
        var rng = new Random(1);
        var a = new float[(long)s.M * s.K];
        var b = new float[(long)s.K * s.N];
        var c = new float[(long)s.M * s.N];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextDouble() - 0.5f;
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextDouble() - 0.5f;
        double best = double.MaxValue;
        for (int r = 0; r < 12; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            if (s.Precision == Precision.Bf16) Gemm.SgemmBf16(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 1f, c, s.N);
            else Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, lda, b, ldb, 1f, c, s.N);
            double sec = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (r >= 2) best = Math.Min(best, sec);
        }
        return 2.0 * s.M * s.N * s.K / best / 1e9 / 1e3; // GFLOP per ms
    }

    // Op names (the Ops method that recorded the closure) to the classes of issue 12's ledger.
    internal static string ClassOf(string key)
    {
        if (key.StartsWith("GEMM ", StringComparison.Ordinal)) return "gemm";
        string op = key[..key.LastIndexOf(' ')];
        return op switch
        {
            "CausalSelfAttention" or "Rope" => "attention",
            "LayerNorm" or "RmsNorm" or "Norm" => "norm",
            "Gelu" or "GeluLinear" or "GeluLinearBf16" or "Relu" or "Silu" or "Tanh" or "Sigmoid" => "activation",
            "CrossEntropy" or "LogSoftmax" or "Softmax" or "Mse" => "loss/softmax",
            "Embedding" => "embedding",
            "Add" or "Sub" or "Mul" or "Div" or "MulScalar" or "AddScalar" or "PowScalar" or "Exp" or "Log" or "Sum" or "Mean" or "ReduceAll" or "ReduceAxis" => "element-wise",
            "Reshape" or "Transpose" or "Slice" or "Concat" => "shape",
            "Linear" or "LinearBf16" or "MatMul" => "linear (bias, around GEMM)",
            "bf16 conversion" => "bf16 conversion",
            "update" => "optimizer",
            "autodiff bookkeeping" => "autodiff",
            _ => "other",
        };
    }

    /// <summary>A Markdown table: rows (largest first), then per-class totals and the step summary with the GEMM floor.</summary>
    public string Render()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(inv, $"Step: median {StepMedianMs:F1} ms, min {StepMinMs:F1} ms, mean {StepMeanMs:F1} ms over {Steps} steps; GEMM backend: {Backend}");
        sb.AppendLine();
        sb.AppendLine("| row | class | ms/step | share | calls/step | GFLOP/step | GFLOP/s | floor ms |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in Rows)
            sb.AppendLine(inv, $"| {r.Name} | {r.Class} | {r.Ms:F2} | {r.Share:P1} | {r.Calls:0.#} | {Num(r.Gflop, "F2")} | {Num(r.Gflops, "F0")} | {Num(r.FloorMs, "F2")} |");
        sb.AppendLine();
        sb.AppendLine("| class | ms/step | share | GFLOP/s |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var g in Rows.GroupBy(r => r.Class).OrderByDescending(g => g.Sum(r => r.Ms)))
        {
            double ms = g.Sum(r => r.Ms), gflop = g.Sum(r => r.Gflop);
            sb.AppendLine(inv, $"| {g.Key} | {ms:F2} | {ms / StepMeanMs:P1} | {Num(gflop > 0 ? gflop / (ms / 1e3) : double.NaN, "F0")} |");
        }
        double recorded = Rows.Sum(r => r.Ms);
        sb.AppendLine(inv, $"| unrecorded (between steps, timer) | {StepMeanMs - recorded:F2} | {(StepMeanMs - recorded) / StepMeanMs:P1} | |");
        sb.AppendLine();
        sb.AppendLine(inv, $"GEMM: {GemmGflop:F2} GFLOP/step in {GemmMs:F1} ms ({GemmGflop / (GemmMs / 1e3):F0} GFLOP/s); " +
            $"GEMM floor {GemmFloorMs:F1} ms = {GemmFloorMs / StepMeanMs:P0} of the mean step (step / floor = {StepMeanMs / GemmFloorMs:F1}×).");
        sb.AppendLine(inv, $"GC pauses {GcPauseMs:F2} ms/step (inside the rows above); allocated {AllocatedMib:F1} MiB/step.");
        return sb.ToString();

        string Num(double v, string format) => double.IsNaN(v) ? "" : v.ToString(format, inv);
    }
}
