using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Training;

/// <summary>
/// What <see cref="Train.Run"/> needs to run one process of a data-parallel job (MuSharp.Distributed.DataParallel
/// implements it over MPI): the process's rank among Size, a setup of model and optimizer, the gradient reduction of
/// <see cref="LoopOptions.ReduceGradients"/>, and a way to read rank 0's checkpoint on every rank.
/// </summary>
public interface IDataParallel
{
    int Rank { get; }
    int Size { get; }

    /// <summary>Before training: make the replicas identical (broadcast weights) and install optimizer hooks (distributed msign).</summary>
    void Prepare(ITrainingTask task, Optimizer optimizer);

    /// <summary>The <see cref="GradientReducer"/>.</summary>
    float Reduce(IReadOnlyList<Parameter> parameters, float localLoss);

    /// <summary>Resume: rank 0's checkpoint at <paramref name="path"/>, made readable on this rank; returns the path to read.</summary>
    string ShareCheckpoint(string path);
}
