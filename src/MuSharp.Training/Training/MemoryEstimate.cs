using System.Globalization;

namespace MuSharp.Training;

/// <summary>
/// What a built-in model needs in memory before anything is allocated: parameters and their gradients, the optimizer's
/// state, the activations kept for the backward pass at the batch size, and the dataset. An estimate (float32
/// throughout, the largest live set of one step), good to a factor of about 1.5: enough to refuse a width of a million
/// with a sentence instead of an "Out of memory." after gigabytes of allocation.
/// </summary>
public sealed record MemoryEstimate(string Model, string Remedy, double Parameters, double ParameterBytes, double OptimizerBytes, double ActivationBytes, double DataBytes)
{
    private const double Float = 4;

    public double TotalBytes => ParameterBytes + OptimizerBytes + ActivationBytes + DataBytes;

    /// <summary>The estimate for <paramref name="config"/>'s model at its batch size (MLP or GPT).</summary>
    public static MemoryEstimate For(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Task == TaskKind.Gpt ? Gpt(config) : Mlp(config);
    }

    private static MemoryEstimate Mlp(TrainConfig c)
    {
        bool blobs = c.Dataset == "blobs";
        double inputs = blobs ? 16 : 784, classes = blobs ? 4 : 10;
        double[] sizes = [inputs, .. c.Hidden.Select(h => (double)h), classes];
        double parameters = 0;
        for (int i = 1; i < sizes.Length; i++) parameters += sizes[i - 1] * sizes[i] + sizes[i];
        // Validation runs in batches of 1000 images; per layer: the pre-activation, the activation and their gradients.
        double rows = Math.Max(c.BatchSize, 1000);
        double activations = rows * sizes.Sum() * 4;
        double data = blobs ? 4000 * 17 : 70_000 * 785.0;
        return new($"MLP {string.Join('-', sizes)}", "lower hidden or batchSize", parameters, 2 * parameters * Float, OptimizerStates(c) * parameters * Float,
            activations * Float, data * Float);
    }

    private static MemoryEstimate Gpt(TrainConfig c)
    {
        const double vocab = 256; // character vocabularies; the corpus is not read yet
        double d = c.DModel, t = c.ContextLength, layers = c.Layers, heads = c.Heads;
        double parameters = vocab * d + t * d + layers * (12 * d * d + 13 * d) + (c.TiedHead ? 0 : d * vocab) + 2 * d;
        double rows = Math.Max(c.BatchSize, c.EvalBatchSize);
        // Per token and layer: norms, q/k/v, attention output, residuals and the 4d MLP (about 16d), plus the attention
        // scores and probabilities (2·heads·T); doubled for the gradients. The logits and their softmax: 3·vocab.
        double activations = rows * t * (layers * 2 * (16 * d + 2 * heads * t) + 3 * vocab);
        double data = c.Dataset == "synthetic" ? 200_000 : 7_000_000; // characters as int32 token ids
        return new($"GPT d{c.DModel} L{c.Layers} T{c.ContextLength}", "lower dModel, layers, contextLength or batchSize", parameters, 2 * parameters * Float,
            OptimizerStates(c) * parameters * Float, activations * Float, data * Float);
    }

    // Floats of state per parameter: AdamW two moments; SGD, the sign methods, Lion and Muon one momentum buffer.
    private static double OptimizerStates(TrainConfig c) => c.Optimizer switch
    {
        OptimizerKind.AdamW => 2,
        OptimizerKind.Sgd => c.Momentum > 0 ? 1 : 0,
        OptimizerKind.Muon => 1.5, // momentum, plus AdamW's two moments on the non-matrix minority
        _ => 1,
    };

    /// <summary>
    /// Memory this process may still take: MemAvailable from /proc/meminfo (free plus reclaimable page cache), capped by
    /// the runtime's view of a container limit.
    /// </summary>
    public static double AvailableBytes()
    {
        double gc = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        try
        {
            foreach (string line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return Math.Min(gc, double.Parse(parts[1], CultureInfo.InvariantCulture) * 1024);
                }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return gc;
    }

    /// <summary>
    /// Throws a one-line <see cref="ArgumentException"/> with the estimate and the available memory when the model
    /// cannot fit; <paramref name="available"/> defaults to <see cref="AvailableBytes"/>.
    /// </summary>
    public void EnsureFits(double? available = null)
    {
        double free = available ?? AvailableBytes();
        if (TotalBytes <= free) return;
        string parts = string.Create(CultureInfo.InvariantCulture,
            $"{Parameters:N0} parameters: weights and gradients {Gb(ParameterBytes)}, optimizer state {Gb(OptimizerBytes)}, activations {Gb(ActivationBytes)}, data {Gb(DataBytes)}");
        throw new ArgumentException($"config: the {Model} needs about {Gb(TotalBytes)} ({parts}) but {Gb(free)} is available (MemAvailable); {Remedy}.");
    }

    /// <summary>Bytes in GB: whole GB from 10 GB up, else two decimals.</summary>
    public static string Gb(double bytes) => (bytes / 1e9).ToString(bytes >= 10e9 ? "N0" : "0.00", CultureInfo.InvariantCulture) + " GB";
}
