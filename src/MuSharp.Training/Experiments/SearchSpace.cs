namespace MuSharp.Experiments;

/// <summary>How a tune search picks its proxy trials.</summary>
public enum SearchMethod
{
    /// <summary>Every combination of the axes' listed values.</summary>
    Grid,

    /// <summary><see cref="SearchSpace.Trials"/> independent draws, seeded by <see cref="SearchSpace.Seed"/>.</summary>
    Random,
}

/// <summary>
/// The hyperparameters a tune searches on the proxy (theory §11.1: random search, as for GPT-3 6.7B, or a grid):
/// config keys (camelCase) and their ranges. <see cref="Expand"/> gives the points, the same for every parametrization.
/// </summary>
public sealed record SearchSpace
{
    public SearchMethod Method { get; init; } = SearchMethod.Random;

    /// <summary>Random search: how many points to draw (the trial budget per parametrization and proxy seed).</summary>
    public int Trials { get; init; }

    /// <summary>Random search: the seed of the draws.</summary>
    public int Seed { get; init; } = 1;

    public Dictionary<string, SearchAxis> Axes { get; init; } = [];

    /// <summary>The search points in order, each a key → value map; throws one line for an empty or malformed space.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Expand()
    {
        if (Axes.Count == 0) throw new ArgumentException("search: no axes, so the search space is empty; give \"axes\": { \"lr\": { \"logUniform\": [1e-4, 1e-1] } }.");
        var lists = Axes.ToDictionary(a => a.Key, a => a.Value.Points(a.Key));
        if (Method == SearchMethod.Grid)
        {
            if (lists.FirstOrDefault(l => l.Value is null) is { Key: not null } continuous)
                throw new ArgumentException($"search axis '{continuous.Key}': a grid search needs values or grid, not a continuous range; use method random.");
            IEnumerable<Dictionary<string, double>> points = [[]];
            foreach (var (key, values) in lists)
                points = points.SelectMany(p => values!.Select(v => new Dictionary<string, double>(p) { [key] = v }));
            return [.. points];
        }
        if (Trials <= 0) throw new ArgumentException($"search: a random search needs \"trials\" ≥ 1 (the budget), got {Trials}, so the search space is empty.");
        var random = new Random(Seed);
        var drawn = new List<IReadOnlyDictionary<string, double>>();
        var seen = new HashSet<string>();
        for (int attempt = 0; drawn.Count < Trials && attempt < Trials * 50; attempt++)
        {
            var point = Axes.ToDictionary(a => a.Key, a => a.Value.Sample(a.Key, random));
            if (seen.Add(string.Join(",", point.Values))) drawn.Add(point);
        }
        return drawn;
    }
}
