namespace MuSharp.Reports;

/// <summary>
/// The report sections of a batch-scaling sweep (theory §7): the learning rate against batch size with the sweep
/// behind it and the steps–samples trade-off, then the noise scale and Adam update RMS measured in training, then
/// the planted-quadratic check. A figure whose list is empty is left out, a section without content too.
/// </summary>
public static class BatchScalingSections
{
    /// <summary>The sections, in reading order. Throws ArgumentException naming a malformed row.</summary>
    public static IReadOnlyList<ReportSection> Build(BatchScalingData data)
    {
        BatchScalingSpec.Validate(data);
        var sections = new List<ReportSection>();

        var scaling = Present(BatchScalingOptimumFigure.Build(data), BatchScalingCurvesFigure.Build(data), BatchScalingTradeoffFigure.Build(data));
        var tables = new List<string>();
        if (data.Optima.Count > 0) tables.Add("<h3>Optimal learning rate per batch size</h3>\n" + BatchScalingTable.Optima(data.Optima));
        if (data.Curves.Count > 0) tables.Add("<h3>Fitted and predicted laws</h3>\n" + BatchScalingTable.Laws(data.Curves));
        if (data.Trials.Count > 0) tables.Add("<h3>Trial outcomes</h3>\n" + BatchScalingTable.Outcomes(data.Trials));
        if (scaling.Count > 0 || tables.Count > 0)
            sections.Add(new ReportSection("batch-scaling", "Learning rate vs batch size", scaling, string.Concat(tables)));

        var training = Present(BatchScalingTrainingFigures.NoiseScale(data), BatchScalingTrainingFigures.UpdateRms(data));
        if (training.Count > 0)
            sections.Add(new ReportSection("batch-noise", "Gradient noise and update size in training", training));

        if (BatchScalingQuadraticFigure.Build(data) is { } quadratic)
            sections.Add(new ReportSection("quadratic", "Planted quadratic", [quadratic]));
        return sections;
    }

    private static List<ReportFigure> Present(params ReportFigure?[] figures) => [.. figures.OfType<ReportFigure>()];
}
