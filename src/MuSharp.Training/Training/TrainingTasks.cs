using System.Collections.Concurrent;
using MuSharp.Data;

namespace MuSharp.Training;

/// <summary>The built-in tasks by <see cref="TrainConfig.Task"/>; datasets are read once per process.</summary>
public static class TrainingTasks
{
    // Sweeps and coordinate checks build many models over the same data.
    private static readonly Lazy<FashionMnistData> FashionMnistOnce = new(() => Data.FashionMnist.Load());
    private static readonly ConcurrentDictionary<string, Lazy<TextCorpus>> Corpora = new();

    public static ITrainingTask Create(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Task switch
        {
            TaskKind.Mlp => new MlpTask(config),
            TaskKind.Gpt => new GptTask(config),
            _ => throw new ArgumentException($"config: task '{config.Task}' is not built in; pass the program's own task factory."),
        };
    }

    internal static FashionMnistData FashionMnist() => FashionMnistOnce.Value;

    internal static TextCorpus Corpus(string name) => Corpora.GetOrAdd(name, n => new Lazy<TextCorpus>(() => TextCorpus.Load(n))).Value;
}
