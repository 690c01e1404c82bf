namespace MuSharp.Training;

/// <summary>How a hyperparameter tuned on a proxy model reaches a target model of another shape.</summary>
public enum TransferKind
{
    /// <summary>The value is carried unchanged and the parametrization (or depth rule) makes it mean the same thing.</summary>
    AsIs,

    /// <summary>The value is multiplied by a named rule's factor (<see cref="TransferRule.Factor"/>).</summary>
    Scaled,

    /// <summary>Copied unchanged without a rule that makes it invariant (SP across width; empirical axes): the baseline.</summary>
    Copied,

    /// <summary>Cannot be transferred; a search must refuse it.</summary>
    None,
}

/// <summary>
/// The verdict of <see cref="HyperparameterTransfer"/> for one config key between one proxy and one target:
/// what kind of transfer, the rule in words (with its theory section), and the factor applied to the value.
/// </summary>
public sealed record TransferRule(string Key, TransferKind Kind, string Rule, double Factor = 1)
{
    /// <summary>The target's value for the proxy's <paramref name="value"/>; throws for <see cref="TransferKind.None"/>.</summary>
    public double Apply(double value) => Kind == TransferKind.None
        ? throw new ArgumentException($"{Key} does not transfer: {Rule}.")
        : value * Factor;

    /// <summary>Combines the verdicts of two axes (width, depth, data): the worse kind, the product of factors, both rules.</summary>
    public TransferRule And(TransferRule other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Kind == TransferKind.AsIs && other.Factor == 1) return this;
        if (Kind == TransferKind.AsIs && Factor == 1) return other;
        return new(Key, (TransferKind)Math.Max((int)Kind, (int)other.Kind), $"{Rule}; {other.Rule}", Factor * other.Factor);
    }
}
