namespace MuSharp.Sweeps;

/// <summary>
/// One (width, learning rate) cell: the seed-mean final validation loss over finished trials. A diverged seed makes
/// the mean +∞; null when no seed has finished (pending, running or failed trials are left out).
/// </summary>
public sealed record LossCell(int Width, int LrIndex, double Lr, double? MeanLoss, int Finished, int Diverged);

/// <summary>The learning rate with the lowest mean loss at one width.</summary>
public sealed record WidthOptimum(int Width, int LrIndex, double Lr, double Loss);

/// <summary>The mean loss of one width at a fixed learning rate (null: no finished trial).</summary>
public sealed record WidthLoss(int Width, double? Loss);

/// <summary>One learning rate across widths; <see cref="WiderIsBetter"/>: the loss never rises as width grows.</summary>
public sealed record LrTrend(int LrIndex, double Lr, IReadOnlyList<WidthLoss> Losses, bool? WiderIsBetter);

/// <summary>
/// μTransfer at a glance for one (task, optimizer, parametrization): where each width's optimal learning rate lies,
/// how far it drifts across widths (in grid steps; 0 = perfect transfer), whether the reference width's optimum keeps
/// improving as the model widens, and for each learning rate whether wider is better.
/// </summary>
public sealed record TransferGroup
{
    public required string Task { get; init; }
    public required string Optimizer { get; init; }
    public required string Parametrization { get; init; }

    /// <summary>Widths ascending.</summary>
    public required int[] Widths { get; init; }

    /// <summary>The grid, indexed by lr_index (NaN where no trial has that index).</summary>
    public required double[] Lrs { get; init; }
    public required IReadOnlyList<LossCell> Cells { get; init; }

    /// <summary>One per width that has a finite loss at some learning rate.</summary>
    public required IReadOnlyList<WidthOptimum> Optima { get; init; }

    /// <summary>max − min of the optimal lr_index over widths; null when no width has an optimum.</summary>
    public required int? DriftSteps { get; init; }

    /// <summary>The sweep's baseWidth when it is one of the widths, else the smallest width.</summary>
    public required int ReferenceWidth { get; init; }
    public required WidthOptimum? ReferenceOptimum { get; init; }

    /// <summary>Every width's loss at the reference width's optimal learning rate (empty without a reference optimum).</summary>
    public required IReadOnlyList<WidthLoss> AtReferenceOptimum { get; init; }

    /// <summary>Loss non-increasing in width at the reference optimum; null with fewer than two widths measured.</summary>
    public required bool? MonotoneAtReferenceOptimum { get; init; }
    public required IReadOnlyList<LrTrend> ByLr { get; init; }

    public LossCell? Cell(int width, int lrIndex) => Cells.FirstOrDefault(c => c.Width == width && c.LrIndex == lrIndex);
}

/// <summary>Pure functions from trial rows to <see cref="TransferGroup"/>s; the CLI table and the report both read these.</summary>
public static class TransferSummary
{
    /// <summary>Groups <paramref name="rows"/> by (task, optimizer, parametrization), in order of first appearance.</summary>
    public static IReadOnlyList<TransferGroup> Summarize(IEnumerable<TrialRow> rows, int baseWidth)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return [.. rows.GroupBy(r => (r.Spec.Task, r.Spec.Optimizer, r.Spec.Parametrization)).Select(g => Group(g.Key, [.. g], baseWidth))];
    }

    /// <summary>Seed mean of the final validation loss over Done and Diverged trials (diverged = +∞); null if none.</summary>
    public static double? MeanLoss(IEnumerable<TrialRow> seeds)
    {
        var losses = seeds.Select(Loss).OfType<double>().ToList();
        return losses.Count == 0 ? null : losses.Average();
    }

    /// <summary>
    /// Whether the losses (ordered by width, missing ones skipped) never rise: null with fewer than two values or when
    /// every value is +∞ (nothing trained, so nothing to compare).
    /// </summary>
    public static bool? NonIncreasing(IEnumerable<double?> lossesByWidth)
    {
        var v = lossesByWidth.OfType<double>().ToList();
        if (v.Count < 2 || v.All(double.IsPositiveInfinity)) return null;
        for (int i = 1; i < v.Count; i++)
            if (v[i] > v[i - 1]) return false;
        return true;
    }

    private static double? Loss(TrialRow r) => r.Status switch
    {
        TrialStatus.Diverged => double.PositiveInfinity,
        TrialStatus.Done => r.Result.FinalValLoss,
        _ => null,
    };

    private static TransferGroup Group((string Task, string Optimizer, string Parametrization) key, List<TrialRow> rows, int baseWidth)
    {
        int[] widths = [.. rows.Select(r => r.Spec.Width).Distinct().Order()];
        var lrs = new double[rows.Max(r => r.Spec.LrIndex) + 1];
        Array.Fill(lrs, double.NaN);
        foreach (var r in rows) lrs[r.Spec.LrIndex] = r.Spec.Lr;

        var cells = new List<LossCell>();
        foreach (int w in widths)
            for (int i = 0; i < lrs.Length; i++)
            {
                var seeds = rows.Where(r => r.Spec.Width == w && r.Spec.LrIndex == i).ToList();
                if (seeds.Count == 0) continue;
                cells.Add(new LossCell(w, i, lrs[i], MeanLoss(seeds), seeds.Count(s => s.Status is TrialStatus.Done or TrialStatus.Diverged),
                    seeds.Count(s => s.Status == TrialStatus.Diverged)));
            }

        var optima = new List<WidthOptimum>();
        foreach (int w in widths)
        {
            // Lowest finite mean; a tie goes to the smaller learning rate.
            var best = cells.Where(c => c.Width == w && c.MeanLoss is double m && double.IsFinite(m)).OrderBy(c => c.MeanLoss).ThenBy(c => c.LrIndex).FirstOrDefault();
            if (best != null) optima.Add(new WidthOptimum(w, best.LrIndex, best.Lr, best.MeanLoss!.Value));
        }

        int reference = widths.Contains(baseWidth) ? baseWidth : widths[0];
        var referenceOptimum = optima.FirstOrDefault(o => o.Width == reference);
        IReadOnlyList<WidthLoss> atReference = referenceOptimum is null ? [] :
            [.. widths.Select(w => new WidthLoss(w, cells.FirstOrDefault(c => c.Width == w && c.LrIndex == referenceOptimum.LrIndex)?.MeanLoss))];

        var byLr = new List<LrTrend>();
        for (int i = 0; i < lrs.Length; i++)
        {
            if (double.IsNaN(lrs[i])) continue;
            var losses = widths.Select(w => new WidthLoss(w, cells.FirstOrDefault(c => c.Width == w && c.LrIndex == i)?.MeanLoss)).ToList();
            byLr.Add(new LrTrend(i, lrs[i], losses, NonIncreasing(losses.Select(l => l.Loss))));
        }

        return new TransferGroup
        {
            Task = key.Task, Optimizer = key.Optimizer, Parametrization = key.Parametrization, Widths = widths, Lrs = lrs, Cells = cells,
            Optima = optima, DriftSteps = optima.Count == 0 ? null : optima.Max(o => o.LrIndex) - optima.Min(o => o.LrIndex),
            ReferenceWidth = reference, ReferenceOptimum = referenceOptimum, AtReferenceOptimum = atReference,
            MonotoneAtReferenceOptimum = referenceOptimum is null ? null : NonIncreasing(atReference.Select(l => l.Loss)),
            ByLr = byLr,
        };
    }
}
