using System.Diagnostics;
using System.Reflection;

namespace MuSharp.Diagnostics;

/// <summary>
/// The step ledger's clock. While <see cref="StepLedger"/> measures, the measuring thread holds a recorder, and every
/// instant of that thread between two marks is charged to exactly one key: a forward op's time is the interval that
/// ends at its <see cref="Tape.Record"/>, a backward op's is its closure, a GEMM's is its call, and the time before a
/// GEMM inside an op is held and charged to that op when it ends. Other threads (parallel attention heads) are not
/// recorded: their work lies inside the op that started them. With no recorder, every call is one thread-static read.
/// </summary>
internal static class OpClock
{
    [ThreadStatic] private static Recorder? current;

    internal static bool On => current != null;

    internal static Recorder? Current => current;

    internal static void Attach(Recorder? recorder) => current = recorder;

    /// <summary>Ends the current interval and keeps it for the next <see cref="Charge"/> (time of the op around a GEMM).</summary>
    internal static void Hold() => current?.Hold();

    /// <summary>Charges the interval since the last mark, plus held time, to <paramref name="key"/>.</summary>
    internal static void Charge(string key) => current?.Charge(key);

    /// <summary>Charges only the interval since the last mark to a GEMM key, with its FLOPs and shape for the floor.</summary>
    internal static void Gemm(Precision precision, bool transA, bool transB, int m, int n, int k) =>
        current?.Gemm(precision, transA, transB, m, n, k);

    /// <summary>Charges only the interval since the last mark to <paramref name="key"/> (a sub-step of a GEMM).</summary>
    internal static void Lap(string key) => current?.Lap(key);

    // The op that recorded a backward closure, from the compiler's name for the lambda ("<Linear>b__1_0" → "Linear").
    private static readonly Dictionary<MethodInfo, string> OpNames = [];

    internal static string OpName(Delegate backward)
    {
        var method = backward.Method;
        lock (OpNames)
        {
            if (OpNames.TryGetValue(method, out var name)) return name;
            string raw = method.Name;
            int open = raw.IndexOf('<'), close = raw.IndexOf('>');
            name = open >= 0 && close > open + 1 ? raw[(open + 1)..close] : raw;
            OpNames[method] = name;
            return name;
        }
    }

    internal sealed class Recorder
    {
        private long mark = Stopwatch.GetTimestamp();
        private long held;

        internal string Phase { get; set; } = "forward";
        internal Dictionary<string, Entry> Entries { get; } = [];

        internal void Restart()
        {
            mark = Stopwatch.GetTimestamp();
            held = 0;
        }

        internal void Hold()
        {
            long now = Stopwatch.GetTimestamp();
            held += now - mark;
            mark = now;
        }

        internal void Charge(string key)
        {
            long now = Stopwatch.GetTimestamp();
            Add($"{key} {Phase}", now - mark + held, 0, null);
            held = 0;
            mark = now;
        }

        internal void Lap(string key)
        {
            long now = Stopwatch.GetTimestamp();
            Add($"{key} {Phase}", now - mark, 0, null);
            mark = now;
        }

        internal void Gemm(Precision precision, bool transA, bool transB, int m, int n, int k)
        {
            long now = Stopwatch.GetTimestamp();
            var shape = new GemmShape(precision, transA, transB, m, n, k);
            Add($"GEMM {Phase} {shape}", now - mark, 2.0 * m * n * k, shape);
            mark = now;
        }

        private void Add(string key, long ticks, double flops, GemmShape? shape)
        {
            if (!Entries.TryGetValue(key, out var e)) Entries[key] = e = new Entry(shape);
            e.Ticks += ticks;
            e.Calls++;
            e.Flops += flops;
        }
    }

    internal sealed class Entry(GemmShape? shape)
    {
        public GemmShape? Shape { get; } = shape;
        public long Ticks { get; set; }
        public long Calls { get; set; }
        public double Flops { get; set; }
    }

    internal sealed record GemmShape(Precision Precision, bool TransA, bool TransB, int M, int N, int K)
    {
        public override string ToString() =>
            $"{M}×{N}×{K} {(TransA ? 'T' : 'N')}{(TransB ? 'T' : 'N')}{(Precision == Precision.Bf16 ? " bf16" : "")}";
    }
}
