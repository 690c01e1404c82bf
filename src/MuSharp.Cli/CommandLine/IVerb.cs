using System.CommandLine;

namespace MuSharp.Cli.CommandLine;

/// <summary>
/// A verb of the <c>musharp</c> tool. Each verb is one class in one file under Commands/; <see cref="Cli"/> finds every
/// implementation by reflection, so adding a verb is adding a file (docs/cli.md).
/// </summary>
internal interface IVerb
{
    /// <summary>Position in the top-level help (ascending); verbs that share a number sort by name.</summary>
    int Order { get; }

    /// <summary>The verb's command: its options with descriptions and defaults, and its action returning the exit code.</summary>
    Command Build();
}
