namespace MuSharp.Optim;

public enum DecayKind { Constant, Cosine, Linear, WarmupStableDecay }

/// <summary>
/// Learning-rate schedule: linear warmup from 0 to <see cref="PeakLr"/> over <see cref="WarmupSteps"/>,
/// then constant, cosine or linear decay to <see cref="MinLrRatio"/>·peak at the last step, or
/// warmup-stable-decay (constant, then a linear decay over the final <see cref="DecayFraction"/> of steps).
/// </summary>
public sealed record Schedule(float PeakLr, int WarmupSteps = 0, DecayKind Decay = DecayKind.Constant,
    float MinLrRatio = 0f, float DecayFraction = 0.2f)
{
    /// <summary>The learning rate for 0-based <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public float At(long step, long totalSteps)
    {
        if (step < WarmupSteps) return PeakLr * (step + 1) / WarmupSteps;
        float min = MinLrRatio * PeakLr;
        long last = Math.Max(1, totalSteps - 1);
        switch (Decay)
        {
            case DecayKind.Constant:
                return PeakLr;
            case DecayKind.Cosine:
            {
                double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, last - WarmupSteps), 0, 1);
                return min + (PeakLr - min) * (float)(0.5 * (1 + Math.Cos(Math.PI * progress)));
            }
            case DecayKind.Linear:
            {
                double progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, last - WarmupSteps), 0, 1);
                return PeakLr + (min - PeakLr) * (float)progress;
            }
            case DecayKind.WarmupStableDecay:
            {
                long decaySteps = Math.Max(1, (long)Math.Round(DecayFraction * totalSteps));
                long start = totalSteps - decaySteps;
                if (step < start) return PeakLr;
                double progress = Math.Clamp((double)(step - start + 1) / decaySteps, 0, 1);
                return PeakLr + (min - PeakLr) * (float)progress;
            }
            default:
                throw new InvalidOperationException($"Schedule: unknown decay kind {Decay}.");
        }
    }

    public void Validate()
    {
        if (!(PeakLr > 0) || float.IsInfinity(PeakLr)) throw new ArgumentException($"Schedule: peak learning rate must be positive and finite, got {PeakLr}.");
        if (WarmupSteps < 0) throw new ArgumentException($"Schedule: warmup steps must be ≥ 0, got {WarmupSteps}.");
        if (MinLrRatio is < 0 or > 1) throw new ArgumentException($"Schedule: min lr ratio must lie in [0, 1], got {MinLrRatio}.");
        if (DecayFraction is <= 0 or > 1) throw new ArgumentException($"Schedule: decay fraction must lie in (0, 1], got {DecayFraction}.");
    }
}
