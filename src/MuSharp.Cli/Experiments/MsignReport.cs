using System.Diagnostics;
using System.Globalization;
using MuSharp.Kernels;
using MuSharp.Spectral;
using Spectre.Console;

namespace MuSharp.Cli.Experiments;

/// <summary>
/// <c>musharp msign</c> (Commands/MsignCommand.cs parses it): how a Newton–Schulz schedule (theory §5.2, §5.3) approaches msign (§1) on a Gaussian matrix,
/// one iteration count at a time: the achieved singular-value range of the output (compare §5.4's scalar maps),
/// the Frobenius distance to the exact msign from an SVD, and the time. <c>--bench</c> also times the N-step
/// iteration against a full SVD with vectors (<see cref="Lapack.Svd"/>).
/// </summary>
public static class MsignReport
{
    /// <summary>Parsed arguments. Steps = 0 means the schedule's default step count.</summary>
    public sealed record Options(int Rows = 96, int Cols = 48, string Schedule = "kj", int Steps = 0, ulong Seed = 12345, bool Bench = false);

    /// <summary>The NS output after <see cref="Step"/> iterations: its singular-value range, ‖X − msign(M)‖_F and time.</summary>
    public sealed record StepRow(int Step, double SigmaMin, double SigmaMax, double FrobeniusError, double Milliseconds);

    /// <summary>Best-of-repeats wall time of the N-step iteration and of the SVD with vectors.</summary>
    public sealed record BenchResult(int Steps, double NewtonSchulzMs, double SvdMs)
    {
        public double Ratio => SvdMs / NewtonSchulzMs;
    }

    /// <summary>Largest matrix side and step count the verb accepts.</summary>
    public const int MaxDim = 8192, MaxSteps = 100;
    private const int Repeats = 3;

    /// <summary>The schedule behind a CLI name (see <see cref="NsSchedule.ByName"/>), with the verb's error prefix.</summary>
    public static NsSchedule ScheduleByName(string name, int steps)
    {
        try { return NsSchedule.ByName(name, steps); }
        catch (ArgumentException e) { throw new ArgumentException("msign: " + e.Message); }
    }

    /// <summary>Step count actually run: --steps, or the schedule's default.</summary>
    public static int StepCount(Options o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o.Steps > 0 ? o.Steps : ScheduleByName(o.Schedule, 8).DefaultSteps;
    }

    /// <summary>The Gaussian test matrix M [rows, cols], N(0, 1) entries from the seed.</summary>
    public static float[] GaussianMatrix(Options o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var m = new float[o.Rows * o.Cols];
        new Rng(o.Seed).FillNormal(m, 0f, 1f);
        return m;
    }

    /// <summary>
    /// One row per iteration count k = 1..N. Each k reruns NS from M (the normalisation X₀ = M/‖M‖_F is inside
    /// <see cref="Msign.NewtonSchulz(ReadOnlySpan{float}, int, int, NsSchedule, int, Span{float})"/>), so the time is
    /// that of a full k-step msign.
    /// </summary>
    public static IReadOnlyList<StepRow> Measure(Options o)
    {
        int steps = StepCount(o);
        var schedule = ScheduleByName(o.Schedule, steps);
        var m = GaussianMatrix(o);
        var exact = new float[m.Length];
        Msign.Exact(m, o.Rows, o.Cols, exact);
        var x = new float[m.Length];
        var rows = new List<StepRow>(steps);
        for (int k = 1; k <= steps; k++)
        {
            int kk = k;
            double ms = BestOf(() => Msign.NewtonSchulz(m, o.Rows, o.Cols, schedule, kk, x));
            var sigma = Lapack.SingularValues(x, o.Rows, o.Cols);
            double err = 0;
            for (int i = 0; i < x.Length; i++) err += (double)(x[i] - exact[i]) * (x[i] - exact[i]);
            rows.Add(new StepRow(k, sigma[^1], sigma[0], Math.Sqrt(err), ms));
        }
        return rows;
    }

    /// <summary>Times the N-step Newton–Schulz msign against <see cref="Lapack.Svd"/> (U, Σ, Vᵀ) on the same M.</summary>
    public static BenchResult Bench(Options o)
    {
        int steps = StepCount(o);
        var schedule = ScheduleByName(o.Schedule, steps);
        var m = GaussianMatrix(o);
        int k = Math.Min(o.Rows, o.Cols);
        var x = new float[m.Length];
        var u = new float[o.Rows * k];
        var s = new float[k];
        var vt = new float[k * o.Cols];
        double ns = BestOf(() => Msign.NewtonSchulz(m, o.Rows, o.Cols, schedule, steps, x));
        double svd = BestOf(() => Lapack.Svd(m, o.Rows, o.Cols, u, s, vt));
        return new BenchResult(steps, ns, svd);
    }

    /// <summary>Measures and prints Spectre tables to <see cref="Console.Out"/>. Returns 0.</summary>
    public static int Print(Options o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        int steps = StepCount(o);
        var schedule = ScheduleByName(o.Schedule, steps);
        console.WriteLine($"msign of a Gaussian [{o.Rows}, {o.Cols}] (seed {o.Seed}) by Newton-Schulz '{schedule.Name}', {steps} steps; " +
            $"exact msign by SVD ({(Lapack.IsNative ? "LAPACK" : "managed Jacobi")}), ||msign||_F = {Math.Sqrt(Math.Min(o.Rows, o.Cols)):G4}");
        var table = RightAligned(new Table().AddColumns("step", "sigma_min", "sigma_max", "frob_err", "time_ms"), 0);
        foreach (var r in Measure(o))
            table.AddRow(r.Step.ToString(CultureInfo.InvariantCulture), G(r.SigmaMin), G(r.SigmaMax), G(r.FrobeniusError),
                r.Milliseconds.ToString("F3", CultureInfo.InvariantCulture));
        console.Write(table);
        if (o.Bench)
        {
            var b = Bench(o);
            var bench = RightAligned(new Table().AddColumns("method", "time_ms", "svd/ns"), 1);
            bench.AddRow($"newton-schulz x{b.Steps}", b.NewtonSchulzMs.ToString("F3", CultureInfo.InvariantCulture), b.Ratio.ToString("F2", CultureInfo.InvariantCulture));
            bench.AddRow("svd (U, S, Vt)", b.SvdMs.ToString("F3", CultureInfo.InvariantCulture), "1.00");
            console.Write(bench);
        }
        return 0;
    }

    // Numbers right-aligned, so their fixed decimals line up.
    private static Table RightAligned(Table table, int from)
    {
        foreach (var column in table.Columns.Skip(from)) column.RightAligned();
        return table;
    }

    private static string G(double v) => v.ToString("F6", CultureInfo.InvariantCulture);

    // Best of a warm-up plus Repeats timed calls, in milliseconds.
    private static double BestOf(Action action)
    {
        action();
        double best = double.MaxValue;
        for (int i = 0; i < Repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
        }
        return best;
    }
}
