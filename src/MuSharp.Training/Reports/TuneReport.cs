using MuSharp.Experiments;

namespace MuSharp.Reports;

/// <summary>The HTML report of a tune: its printed summary, then <see cref="TuneSections"/>.</summary>
public static class TuneReport
{
    /// <summary>Writes the report to <paramref name="path"/> (figures/*.svg|png beside it with <paramref name="figures"/>) and returns the path.</summary>
    public static string Write(TuneResult result, string path, bool figures = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        HtmlReport.Write(path, new ReportData($"μTransfer tune: {result.Name}", [], [], [], TuneText.Lines(result), Tune: result), figures);
        return path;
    }
}
