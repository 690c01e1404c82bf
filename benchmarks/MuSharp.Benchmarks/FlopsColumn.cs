using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MuSharp.Benchmarks;

/// <summary>
/// A BenchmarkDotNet column of 1e9 floating-point operations per second: the case's FLOP count (from its parameters)
/// divided by the mean time. BenchmarkDotNet reports the mean in nanoseconds, so FLOPs/ns is GFLOP/s.
/// </summary>
internal sealed class FlopsColumn(string columnName, string legend, Func<BenchmarkCase, double?> flops) : IColumn
{
    public string Id => nameof(FlopsColumn) + columnName;
    public string ColumnName => columnName;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => legend;
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        summary[benchmarkCase]?.ResultStatistics is { } stats && flops(benchmarkCase) is double f
            ? (f / stats.Mean).ToString("F1")
            : "-";
}
