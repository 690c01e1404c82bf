using System.CommandLine;

namespace MuSharp.Cli.CommandLine;

/// <summary>
/// Every <see cref="TrainConfig"/> key as a command-line option (<c>--batch-size 64</c>) on a verb. Values stay text
/// here: <see cref="TrainConfig.Load"/> types and checks them, so a file and an option go through one path.
/// </summary>
internal sealed class KeyOptions
{
    private readonly List<(ConfigKey Key, Option<string> Option)> options = [];

    /// <summary>Adds an option per key to <paramref name="command"/>, except the keys the verb sets itself.</summary>
    public static KeyOptions AddTo(Command command, params string[] except)
    {
        var result = new KeyOptions();
        foreach (var key in ConfigKeys.All.Where(k => !except.Contains(k.Name)))
        {
            var option = new Option<string>(key.Option) { Description = $"{key.Meaning} [default: {key.Default}]", HelpName = key.TypeName };
            command.Options.Add(option);
            result.options.Add((key, option));
        }
        return result;
    }

    /// <summary>The keys given on the command line, as (kebab-case option name, text) for <see cref="TrainConfig.Load"/>.</summary>
    public List<(string Key, string Value)> Given(ParseResult parse) =>
        [.. options.Where(o => parse.GetResult(o.Option) is { Implicit: false }).Select(o => (o.Option.Name.TrimStart('-'), parse.GetValue(o.Option) ?? ""))];
}
