using System.Text.Json;
using System.Text.Json.Nodes;
using MuSharp.Training;

namespace MuSharp.Sweeps;

/// <summary>
/// Collects a trial's records in memory for the sweep store: the initial validation, every logged step and noise
/// measurement. What it holds is kept in each checkpoint, so a trial resumed by another worker still reports its whole run.
/// </summary>
public sealed class TrialRecorder : ITrainingObserver
{
    private const string Key = "trial";
    private List<MetricRow> metrics = [];
    private List<NoiseRow> noise = [];

    /// <summary>The validation loss at initialization, the reference for divergence.</summary>
    public double? InitialLoss { get; private set; }

    public IReadOnlyList<MetricRow> Metrics => metrics;
    public IReadOnlyList<NoiseRow> Noise => noise;

    public void OnInitial(InitialRecord record) => InitialLoss = record?.Validation.Loss;

    public void OnStep(StepRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        metrics.Add(new MetricRow(record.Step, record.Lr, record.TrainLoss, record.Validation?.Loss, record.Validation?.Accuracy, record.ElapsedSeconds));
    }

    public void OnNoise(NoiseRecord record) => noise.Add(NoiseRow.From(record));

    public void OnSave(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state[Key] = JsonSerializer.SerializeToNode(new Saved(InitialLoss, metrics, noise), Options);
    }

    public void OnRestore(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state[Key]?.Deserialize<Saved>(Options) is not { } saved) return;
        InitialLoss = saved.InitialLoss;
        metrics = [.. saved.Metrics];
        noise = [.. saved.Noise];
    }

    // NaN (a missing noise value) is not JSON; it round-trips as a named literal.
    private static readonly JsonSerializerOptions Options = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private sealed record Saved(double? InitialLoss, List<MetricRow> Metrics, List<NoiseRow> Noise);
}
