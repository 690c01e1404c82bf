namespace MuSharp.Training;

/// <summary>
/// A task that edits its own weights after every optimizer step, such as QK-Clip (theory §12.2) in <see cref="GptTask"/>.
/// <see cref="TrainingLoop.Run"/> calls <see cref="AfterStep"/> right after <c>optimizer.Step</c>, so a monitored step's ΔW
/// includes the edit.
/// </summary>
public interface IAfterStepTask
{
    /// <summary>
    /// Applies the edit to the weights the last <see cref="ITrainingTask.NextLoss"/> batch trained. Returns the max attention
    /// logit measured before the edit keyed by the query weight's parameter name (the monitors' max_logit column), or an
    /// empty dictionary when there is nothing to report.
    /// </summary>
    IReadOnlyDictionary<string, double> AfterStep();
}
