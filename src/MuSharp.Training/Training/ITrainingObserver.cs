using System.Text.Json.Nodes;

namespace MuSharp.Training;

/// <summary>
/// Receives the typed records of <see cref="TrainingLoop.Run"/> as they happen. Files, databases and progress bars are
/// observers: the loop never reads them back. Every method has an empty default, so an observer implements what it needs.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>The loop starts (or resumes) at <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    void OnStart(long step, long totalSteps) { }

    void OnInitial(InitialRecord record) { }

    void OnStep(StepRecord record) { }

    void OnMonitor(MonitorRecord record) { }

    void OnNoise(NoiseRecord record) { }

    /// <summary>A checkpoint of <paramref name="step"/> is on disk: everything emitted so far is what a resume will continue from.</summary>
    void OnCheckpoint(long step) { }

    /// <summary>Adds what this observer must keep across a resume (under a key of its own) to the checkpoint being saved.</summary>
    void OnSave(JsonObject state) { }

    /// <summary>On resume, before <see cref="OnStart"/>: what <see cref="OnSave"/> stored in the checkpoint.</summary>
    void OnRestore(JsonObject state) { }

    /// <summary>A human-readable line (resumed, evaluation, target reached, …).</summary>
    void OnMessage(string line) { }

    void OnEnd(TrainResult result) { }
}
