namespace MuSharp.Sweeps;

/// <summary>
/// Sweeps across machines, the library side of <c>musharp transfer --store URL --enqueue</c>, <c>--summary</c>,
/// <c>musharp report --store URL</c> and <c>musharp worker</c>: fill a PostgreSQL store's queue with a sweep's trials,
/// and read any store's summary while workers drain it (docs/scaling-out.md).
/// </summary>
public static class SharedSweep
{
    /// <summary>
    /// Adds the sweep of <paramref name="plan"/> to the store at <paramref name="address"/> with every trial pending (an
    /// existing sweep of that name must come from the same config: then nothing is added) and returns one line for the user.
    /// </summary>
    public static string Enqueue(SweepPlan plan, StoreAddress address, bool retryFailed = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var store = PostgresSweepStore.Open(address, plan);
        int retried = retryFailed ? store.RetryFailed() : 0;
        var rows = store.Trials();
        int pending = rows.Count(r => r.Status == TrialStatus.Pending), running = rows.Count(r => r.Status == TrialStatus.Running);
        return $"sweep {plan.Name} in {address.Display}: {rows.Count} trials, {pending} pending, {running} running, {rows.Count - pending - running} finished" +
            (retried > 0 ? $" ({retried} failed put back to pending)" : "") + $"; start workers with 'musharp worker --store {address.Display} --sweep {Quote(plan.Name)}'";
    }

    /// <summary>The counts by status and the μTransfer summary table of any store, as <c>--summary</c> prints it.</summary>
    public static string Summary(ISweepStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rows = store.Trials();
        string counts = string.Join(", ", Enum.GetValues<TrialStatus>().Select(s => (s, n: rows.Count(r => r.Status == s)))
            .Where(x => x.n > 0).Select(x => $"{x.n} {SweepStore.StatusName(x.s)}"));
        return $"sweep {store.Name}: {rows.Count} trials ({counts})\n\n" + SummaryTable.Format(TransferSummary.Summarize(rows, store.BaseWidth()));
    }

    // A sweep name as a shell word.
    private static string Quote(string s) => s.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.') ? s : "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
