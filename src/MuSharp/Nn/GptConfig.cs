namespace MuSharp.Nn;

public enum PositionEncoding { Learned, Rope }

public enum NormKind { RmsNorm, LayerNorm }

/// <summary>
/// Shape and choices of the pre-norm GPT. <see cref="AttentionScale"/> = <see cref="AttentionMultiplier"/> / Dh
/// when <see cref="AttentionScaleInvDh"/> (μP, docs/theory.md §2.3) or / sqrt(Dh) otherwise.
/// </summary>
public sealed record GptConfig
{
    public int VocabSize { get; init; } = 96;
    public int ContextLength { get; init; } = 128;
    public int DModel { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int MlpRatio { get; init; } = 4;
    public PositionEncoding Positions { get; init; } = PositionEncoding.Learned;
    public NormKind Norm { get; init; } = NormKind.LayerNorm;
    public bool TiedHead { get; init; }
    public bool AttentionScaleInvDh { get; init; }
    public float AttentionMultiplier { get; init; } = 1f;
    public float RopeTheta { get; init; } = 10000f;

    /// <summary>d_model of the base model for width scaling (theory §2); 0 = this model's own d_model.</summary>
    public int BaseDModel { get; init; }

    public int HeadDim => DModel / Heads;

    /// <summary>A dimension of <paramref name="size"/> that scales with d_model (size·base/d_model in the base model).</summary>
    public Dim Width(int size) => Dim.Scaled(size, DModel, BaseDModel > 0 ? BaseDModel : DModel);

    public float AttentionScale => AttentionScaleInvDh
        ? AttentionMultiplier / HeadDim
        : AttentionMultiplier / MathF.Sqrt(HeadDim);

    /// <summary>Throws one line naming the first inconsistent field and how to fix it.</summary>
    public void Validate()
    {
        if (VocabSize <= 0 || ContextLength <= 0 || DModel <= 0 || Layers <= 0 || Heads <= 0 || MlpRatio <= 0)
            throw new ArgumentException($"GptConfig: all sizes must be positive (vocab {VocabSize}, context {ContextLength}, d_model {DModel}, layers {Layers}, heads {Heads}, mlp ratio {MlpRatio}).");
        if (BaseDModel < 0)
            throw new ArgumentException($"GptConfig: base d_model must be ≥ 0 (0 = d_model), got {BaseDModel}.");
        if (BaseDModel > 0 && BaseDModel % Heads != 0)
            throw new ArgumentException($"GptConfig: base d_model {BaseDModel} is not divisible by heads {Heads}; pick a base width that heads divide.");
        if (DModel % Heads != 0)
            throw new ArgumentException($"GptConfig: d_model {DModel} is not divisible by heads {Heads}; pick heads dividing d_model.");
        if (Positions == PositionEncoding.Rope && HeadDim % 2 != 0)
            throw new ArgumentException($"GptConfig: RoPE needs an even head dimension, got {HeadDim} (d_model {DModel} / heads {Heads}).");
    }
}
