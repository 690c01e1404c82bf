using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace MuSharp.Cli.CommandLine;

/// <summary>
/// Typed options whose parse errors read like the rest of the tool's messages: <c>option --workers: must be an
/// integer from 0 to 1024, got 'abc'</c>, never a .NET type name. Defaults appear in the help.
/// </summary>
internal static class Opt
{
    public static Option<int> Int(string name, string description, int @default, int min, int max) => new(name)
    {
        Description = description, DefaultValueFactory = _ => @default, HelpName = "N",
        CustomParser = r => Parse(r, name, $"an integer from {min} to {max}",
            s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max ? n : (int?)null),
    };

    public static Option<ulong> ULong(string name, string description, ulong @default) => new(name)
    {
        Description = description, DefaultValueFactory = _ => @default, HelpName = "N",
        CustomParser = r => Parse(r, name, "a non-negative integer",
            s => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong n) ? n : (ulong?)null),
    };

    public static Option<double> Double(string name, string description, double @default, double min, double max) => new(name)
    {
        Description = description, DefaultValueFactory = _ => @default, HelpName = "X",
        CustomParser = r => Parse(r, name, $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}",
            s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && x >= min && x <= max ? x : (double?)null),
    };

    /// <summary>An optional value with no default (a path, a name); null when not given.</summary>
    public static Option<string?> Text(string name, string description, string helpName) => new(name)
    {
        Description = description, HelpName = helpName,
        CustomParser = r => ParseRef<string>(r, name, "a non-empty value", s => s.Length > 0 ? s : null),
    };

    /// <summary>
    /// --store [URL]: a PostgreSQL store; given with no value it means MUSHARP_STORE (StoreAddress.Resolve), so it is
    /// tested with GetResult, not by its value.
    /// </summary>
    public static Option<string?> Store(string description) => new("--store")
    {
        Description = description, HelpName = "URL", Arity = ArgumentArity.ZeroOrOne,
    };

    /// <summary>One name from <paramref name="choices"/> (exact).</summary>
    public static Option<string> Choice(string name, string description, string @default, params string[] choices) => new(name)
    {
        Description = description, DefaultValueFactory = _ => @default, HelpName = string.Join("|", choices),
        CustomParser = r => ParseRef<string>(r, name, "one of " + string.Join(", ", choices), s => choices.Contains(s) ? s : null),
    };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    /// <summary>A comma-separated list (<c>--widths 64,128,256</c>) whose items <paramref name="parse"/> turns into values, or null.</summary>
    public static Option<T[]> List<T>(string name, string description, T[] @default, string accepts, Func<string, T?> parse) where T : struct => new(name)
    {
        Description = description, DefaultValueFactory = _ => @default, HelpName = "A,B,...",
        CustomParser = r => ParseRef(r, name, accepts, s =>
        {
            var items = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
            return items.Length > 0 && items.All(i => i.HasValue) ? items.Select(i => i!.Value).ToArray() : null;
        }),
    };

    /// <summary>A name from a fixed set, for enum-like options (matched ignoring case).</summary>
    public static TEnum? EnumValue<TEnum>(string s) where TEnum : struct, Enum =>
        Enum.TryParse(s, ignoreCase: true, out TEnum v) && Enum.IsDefined(v) && !int.TryParse(s, CultureInfo.InvariantCulture, out _) ? v : null;

    private static T ParseRef<T>(ArgumentResult r, string name, string accepts, Func<string, T?> parse) where T : class
    {
        string s = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (parse(s) is T value) return value;
        r.AddError($"option {name}: must be {accepts}, got '{s}'");
        return default!;
    }

    private static T Parse<T>(ArgumentResult r, string name, string accepts, Func<string, T?> parse) where T : struct
    {
        string s = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (parse(s) is T value) return value;
        r.AddError($"option {name}: must be {accepts}, got '{s}'");
        return default;
    }
}
