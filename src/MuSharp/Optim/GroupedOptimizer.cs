using MuSharp.Nn;

namespace MuSharp.Optim;

/// <summary>
/// One optimizer over disjoint parameter groups, each driven by its own optimizer and learning-rate multiplier:
/// the standard recipe of Muon for hidden matrices and AdamW for embeddings, the output head and gains/biases
/// (docs/theory.md §4.5; anchors.md §2). A parameter may belong to one group only. The schedule's lr is multiplied
/// per group, so one schedule drives both (e.g. Muon at lr and AdamW at lr·0.15).
/// </summary>
public sealed class GroupedOptimizer : Optimizer
{
    /// <summary>A group: its optimizer (which holds the group's parameters) and its learning-rate multiplier.</summary>
    public sealed record Group(Optimizer Optimizer, float LrMultiplier = 1f);

    private const char Separator = '/';

    public GroupedOptimizer(IReadOnlyList<Group> groups) : base(groups.SelectMany(g => g.Optimizer.Parameters))
    {
        if (groups.Count == 0) throw new ArgumentException("GroupedOptimizer: needs at least one group.");
        foreach (var g in groups)
            if (!(g.LrMultiplier > 0) || float.IsInfinity(g.LrMultiplier))
                throw new ArgumentException($"GroupedOptimizer: the {g.Optimizer.GetType().Name} group's lr multiplier must be positive and finite, got {g.LrMultiplier}.");
        Groups = groups;
    }

    public IReadOnlyList<Group> Groups { get; }

    public override void Step(float lr)
    {
        StepCount++;
        foreach (var g in Groups) g.Optimizer.Step(lr * g.LrMultiplier);
    }

    /// <summary>Every group's buffers, keyed "GROUPINDEX/KIND:NAME".</summary>
    public override IReadOnlyDictionary<string, float[]> State =>
        Groups.SelectMany((g, i) => g.Optimizer.State.Select(kv => (Key: $"{i}{Separator}{kv.Key}", kv.Value)))
              .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    public override void LoadState(IReadOnlyDictionary<string, float[]> buffers, long stepCount)
    {
        var perGroup = Groups.Select(_ => new Dictionary<string, float[]>(StringComparer.Ordinal)).ToList();
        foreach (var (key, buf) in buffers)
        {
            int cut = key.IndexOf(Separator);
            if (cut < 0 || !int.TryParse(key.AsSpan(0, cut), out int group) || group < 0 || group >= Groups.Count)
                throw new InvalidDataException($"GroupedOptimizer: saved state '{key}' names no group of this optimizer ({Groups.Count} groups); the checkpoint was written with another optimizer layout.");
            perGroup[group][key[(cut + 1)..]] = buf;
        }
        for (int i = 0; i < Groups.Count; i++) Groups[i].Optimizer.LoadState(perGroup[i], stepCount);
        StepCount = stepCount;
    }

    /// <summary>
    /// Splits parameters by role for a matrix optimizer: Hidden and Input matrices (which msign-type updates are made
    /// for, theory §4.2) versus embeddings, the output head and vectors (theory §4.3: these want AdamW or the
    /// per-role steepest-descent updates). Reads the role, never the name or rank.
    /// </summary>
    public static (List<Parameter> Matrices, List<Parameter> Others) SplitByRole(IEnumerable<Parameter> parameters)
    {
        var matrices = new List<Parameter>();
        var others = new List<Parameter>();
        foreach (var p in parameters)
            (p.Role is Role.Hidden or Role.Input ? matrices : others).Add(p);
        return (matrices, others);
    }
}
