using System.Globalization;
using MuSharp.Cli.Experiments;
using MuSharp.Optim;
using MuSharp.Training;

namespace MuSharp.Tests.Cli;

/// <summary>Each optimizer the CLI offers, chosen by name, trains the tiny blobs MLP.</summary>
public sealed class OptimizerChoiceTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-optim-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static TrainConfig TinyMlp(string optimizer, string lr, params (string, string)[] extra) =>
        TrainRunTests.TinyMlp(60, lr, [("optimizer", optimizer), .. extra]);

    [Theory]
    [InlineData("signsgd", "0.01", "momentum", "0", typeof(SignSgd))]
    [InlineData("signsgd", "0.01", "momentum", "0.9", typeof(SignSgd))]
    [InlineData("softsignsgd", "0.01", "eps", "1e-3", typeof(SoftSignSgd))]
    [InlineData("lion", "0.003", "beta2", "0.99", typeof(Lion))]
    public void NewOptimizerTrainsTheTinyMlp(string optimizer, string lr, string key, string value, Type expected)
    {
        var config = TinyMlp(optimizer, lr, (key, value));
        Assert.IsType(expected, config.MakeOptimizer([]));

        string dir = Path.Combine(root, optimizer + "-" + value);
        var result = Train.Run(config, dir, false);
        var losses = File.ReadLines(Path.Combine(dir, Train.MetricsFile)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(60, losses.Length);
        Assert.True(losses[^5..].Average() < 0.5 * losses[..5].Average(), $"{optimizer}: loss did not halve: {losses[0]} → {losses[^1]}");
        Assert.True(result.Final!.Accuracy > 0.9, $"{optimizer}: blobs test accuracy {result.Final.Accuracy}");
    }

    [Fact]
    public void ConfigHyperparametersReachTheOptimizer()
    {
        var lion = Assert.IsType<Lion>(TinyMlp("lion", "0.003", ("beta1", "0.8"), ("beta2", "0.97"), ("weight-decay", "0.5")).MakeOptimizer([]));
        Assert.Equal((0.8f, 0.97f, 0.5f), (lion.Beta1, lion.Beta2, lion.WeightDecay));
        var soft = Assert.IsType<SoftSignSgd>(TinyMlp("softSignSgd", "0.01", ("eps", "0.25"), ("momentum", "0.5")).MakeOptimizer([]));
        Assert.Equal((0.25f, 0.5f), (soft.Eps, soft.Momentum));
        var sign = Assert.IsType<SignSgd>(TinyMlp("SignSgd", "0.01", ("momentum", "0.7")).MakeOptimizer([]));
        Assert.Equal(0.7f, sign.Momentum);
    }
}
