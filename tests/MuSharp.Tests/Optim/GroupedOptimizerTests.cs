using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Tests.Optim;

public class GroupedOptimizerTests
{
    private static (MlpClassifier Model, Tensor X, int[] Y) Problem()
    {
        var rng = new Rng(3);
        var model = new MlpClassifier([8, 16, 16, 3], rng);
        return (model, Tensor.Randn(rng, 1f, 12, 8), Enumerable.Range(0, 12).Select(i => i % 3).ToArray());
    }

    private static GroupedOptimizer Make(MlpClassifier model)
    {
        var (matrices, others) = GroupedOptimizer.SplitByRole(model.Parameters());
        return new GroupedOptimizer([new(new Sgd(matrices, momentum: 0.9f)), new(new AdamW(others), LrMultiplier: 0.5f)]);
    }

    [Fact]
    public void SplitByRoleSendsHiddenAndInputMatricesApart()
    {
        var (model, _, _) = Problem();
        var (matrices, others) = GroupedOptimizer.SplitByRole(model.Parameters());
        Assert.Equal(["layer0.weight", "layer1.weight"], matrices.Select(p => p.Name));
        Assert.All(others, p => Assert.True(p.Role is Role.Output or Role.Vector, p.Name));
    }

    [Fact]
    public void EachGroupStepsWithItsOwnOptimizerAndLearningRate()
    {
        var (model, x, y) = Problem();
        var (reference, _, _) = Problem();
        var grouped = Make(model);
        var (refMatrices, refOthers) = GroupedOptimizer.SplitByRole(reference.Parameters());
        var sgd = new Sgd(refMatrices, momentum: 0.9f);
        var adam = new AdamW(refOthers);
        for (int step = 0; step < 3; step++)
        {
            model.Loss(x, y).Backward();
            grouped.Step(0.05f);
            grouped.ZeroGrad();
            reference.Loss(x, y).Backward();
            sgd.Step(0.05f);
            adam.Step(0.025f); // 0.05 · 0.5, exact in float
            sgd.ZeroGrad();
            adam.ZeroGrad();
        }
        foreach (var (p, q) in model.Parameters().Zip(reference.Parameters())) Assert.Equal(q.Data, p.Data);
    }

    [Fact]
    public void StateRoundTripsAndStepsAfterRestoreMatch()
    {
        var (a, x, y) = Problem();
        var (b, _, _) = Problem();
        var optA = Make(a);
        a.Loss(x, y).Backward();
        optA.Step(0.05f);
        optA.ZeroGrad();
        foreach (var (p, q) in a.Parameters().Zip(b.Parameters())) p.Data.CopyTo(q.Data, 0);
        var optB = Make(b);
        optB.LoadState(optA.State, optA.StepCount);
        Assert.Contains(optA.State.Keys, k => k.StartsWith("0/momentum:", StringComparison.Ordinal));
        Assert.Contains(optA.State.Keys, k => k.StartsWith("1/m:", StringComparison.Ordinal));
        foreach (var (model, opt) in new[] { (a, optA), (b, optB) })
        {
            model.Loss(x, y).Backward();
            opt.Step(0.05f);
        }
        foreach (var (p, q) in a.Parameters().Zip(b.Parameters())) Assert.Equal(p.Data, q.Data);
    }

    [Fact]
    public void AParameterInTwoGroupsOrAForeignStateIsAnError()
    {
        var (model, _, _) = Problem();
        var ps = model.Parameters().ToList();
        var ex = Assert.Throws<ArgumentException>(() => new GroupedOptimizer([new(new Sgd(ps)), new(new AdamW(ps.Take(1)))]));
        Assert.Contains("layer0.weight", ex.Message);
        var opt = Make(model);
        Assert.Throws<InvalidDataException>(() => opt.LoadState(new Dictionary<string, float[]> { ["7/m:x"] = [] }, 1));
    }
}
