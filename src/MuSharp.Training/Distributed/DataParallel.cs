using System.Numerics.Tensors;
using MuSharp.Nn;
using MuSharp.Optim;
using MuSharp.Training;

namespace MuSharp.Distributed;

/// <summary>
/// Data-parallel training over MPI (<c>mpirun -np N musharp train --config X --data-parallel</c>): every rank builds
/// the same model (rank 0's weights are broadcast), draws the same global batch and trains on its slice
/// (<see cref="LoopOptions.Shards"/>); between backward and the optimizer step the gradients are summed over the ranks in
/// buckets of <see cref="BucketFloats"/> floats and scaled by 1/N (<see cref="LoopOptions.ReduceGradients"/>), so that
/// every rank takes the same step. Muon's msign is shared out (<see cref="DistributedMsign"/>). Rank 0 writes the
/// checkpoints, metrics and final.json; a resume reads rank 0's checkpoint (broadcast to the others) and works with any
/// N that divides the batch. An exception on any rank aborts the whole job (MPI_Abort) with one line naming the rank;
/// the last checkpoint, written atomically, stays intact.
/// </summary>
public static class DataParallel
{
    /// <summary>Floats per all-reduce (4 MiB): large enough to amortise latency, small enough to keep the copy cheap.</summary>
    public const int BucketFloats = 1 << 20;

    /// <summary>
    /// Trains <paramref name="config"/> in <paramref name="runDir"/> as one rank of an mpirun job; <paramref name="observers"/>
    /// are attached on rank 0 only. Ctrl+C (on any rank) stops every rank after the same step, with a checkpoint.
    /// </summary>
    public static TrainResult Run(TrainConfig config, string runDir, bool resume, IReadOnlyList<ITrainingObserver>? observers = null,
        Func<TrainConfig, ITrainingTask>? tasks = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var mpi = Mpi.Init();
        try
        {
            if (config.BatchSize % mpi.Size != 0)
                throw new ArgumentException($"batch size {config.BatchSize} does not split into {mpi.Size} equal slices; pick -np dividing it.");
            if (config.MicroBatches != 1) throw new ArgumentException("--data-parallel and microBatches do not combine; use one or the other.");
            using var stop = new CancellationTokenSource();
            var parallel = new MpiParallel(mpi, stop, cancel);
            var result = Train.Run(config, runDir, resume, mpi.Rank == 0 ? observers : [], cancel: stop.Token, tasks: tasks, parallel: parallel);
            mpi.Dispose();
            return result;
        }
        catch (Exception e) when (mpi.Size > 1)
        {
            Console.Error.WriteLine($"musharp: rank {mpi.Rank} of {mpi.Size}: {e.Message} — stopping the job; the last checkpoint ({Path.Combine(runDir, Train.CheckpointFile)}) is intact.");
            Console.Error.Flush();
            mpi.Abort(e is TrainingDivergedException ? 3 : 2);
            throw;
        }
    }

    // The hooks Train.Run uses under MPI.
    private sealed class MpiParallel(Mpi mpi, CancellationTokenSource stop, CancellationToken local) : IDataParallel
    {
        private float[] bucket = [];

        public int Rank => mpi.Rank;
        public int Size => mpi.Size;

        public void Prepare(ITrainingTask task, Optimizer optimizer)
        {
            foreach (var p in task.Model.Parameters()) mpi.Broadcast(p.Data.AsSpan()); // identical replicas from the start
            foreach (var muon in Muons(optimizer)) muon.Executor = new DistributedMsign(mpi);
        }

        public float Reduce(IReadOnlyList<Parameter> parameters, float localLoss)
        {
            // The loss and the stop flag travel together: every rank sees the same mean loss and stops after the same step.
            Span<float> head = [localLoss, local.IsCancellationRequested ? 1f : 0f];
            mpi.AllreduceSum(head);
            if (head[1] > 0) stop.Cancel();
            float scale = 1f / mpi.Size;
            int total = parameters.Sum(p => p.Size);
            if (bucket.Length < Math.Min(total, BucketFloats)) bucket = new float[Math.Min(total, BucketFloats)];
            int start = 0;
            while (start < parameters.Count)
            {
                // A bucket: whole parameters up to BucketFloats (a larger one travels alone, in BucketFloats pieces).
                int end = start, floats = 0;
                while (end < parameters.Count && (end == start || floats + parameters[end].Size <= BucketFloats)) floats += parameters[end++].Size;
                if (end - start == 1 && floats > BucketFloats) ReduceLarge(parameters[start], scale);
                else
                {
                    int at = 0;
                    for (int i = start; i < end; i++) { Grad(parameters[i]).CopyTo(bucket.AsSpan(at)); at += parameters[i].Size; }
                    mpi.AllreduceSum(bucket.AsSpan(0, floats));
                    at = 0;
                    for (int i = start; i < end; i++) { TensorPrimitives.Multiply(bucket.AsSpan(at, parameters[i].Size), scale, Grad(parameters[i])); at += parameters[i].Size; }
                }
                start = end;
            }
            return head[0] * scale;
        }

        public string ShareCheckpoint(string path)
        {
            byte[] data = Rank == 0 ? File.ReadAllBytes(path) : [];
            Span<byte> length = BitConverter.GetBytes((long)data.Length);
            mpi.Broadcast(length);
            if (Rank != 0) data = new byte[BitConverter.ToInt64(length)];
            for (long at = 0; at < data.Length; at += int.MaxValue / 2)
                mpi.Broadcast(data.AsSpan((int)at, (int)Math.Min(int.MaxValue / 2, data.Length - at)));
            if (Rank == 0) return path;
            string local = Path.Combine(Path.GetTempPath(), $"musharp-rank{Rank}-{Environment.ProcessId}.ckpt");
            File.WriteAllBytes(local, data);
            return local;
        }

        private void ReduceLarge(Parameter p, float scale)
        {
            var g = Grad(p);
            for (int at = 0; at < g.Length; at += BucketFloats)
            {
                var piece = g.AsSpan(at, Math.Min(BucketFloats, g.Length - at));
                mpi.AllreduceSum(piece);
                TensorPrimitives.Multiply(piece, scale, piece);
            }
        }

        private static float[] Grad(Parameter p) => p.Grad ??= new float[p.Size];

        private static IEnumerable<Muon> Muons(Optimizer o) => o switch
        {
            Muon m => [m],
            GroupedOptimizer g => g.Groups.SelectMany(x => Muons(x.Optimizer)),
            _ => [],
        };
    }
}

/// <summary>
/// Distributed Muon for replicated (data-parallel) training, as in dion's DDP path and Keller Jordan's code (theory §13.2):
/// every rank holds every momentum, the matrices are assigned to ranks to balance Newton–Schulz FLOPs
/// (<see cref="Assign"/>), each rank orthogonalises its own, and an all-gather hands every rank every result. The
/// result equals single-process Muon bit for bit: the same function of the same input, computed once.
/// </summary>
public sealed class DistributedMsign(Mpi mpi) : IMsignExecutor
{
    private float[] scratch = [];

    /// <summary>
    /// Longest-processing-time assignment: jobs by decreasing <see cref="MsignJob.Cost"/> (ties by index), each to the
    /// least-loaded rank (ties to the lowest); the same on every rank. Returns each job's rank.
    /// </summary>
    public static int[] Assign(IReadOnlyList<MsignJob> jobs, int ranks)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var owner = new int[jobs.Count];
        var load = new double[ranks];
        foreach (int j in Enumerable.Range(0, jobs.Count).OrderByDescending(j => jobs[j].Cost).ThenBy(j => j))
        {
            int best = 0;
            for (int r = 1; r < ranks; r++) if (load[r] < load[best]) best = r;
            owner[j] = best;
            load[best] += jobs[j].Cost;
        }
        return owner;
    }

    /// <inheritdoc/>
    public void Run(IReadOnlyList<MsignJob> jobs, MuonConfig config)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        int ranks = mpi.Size, rank = mpi.Rank;
        var owner = Assign(jobs, ranks);
        int need = jobs.Count == 0 ? 0 : jobs.Max(j => Spectral.Msign.ScratchLength(j.View.Rows, j.View.Cols));
        if (scratch.Length < need) scratch = new float[need];
        var counts = new int[ranks];
        for (int j = 0; j < jobs.Count; j++) counts[owner[j]] += jobs[j].Output.Length;
        var send = new float[counts[rank]];
        int at = 0;
        for (int j = 0; j < jobs.Count; j++)
        {
            if (owner[j] != rank) continue;
            Muon.Orthogonalize(jobs[j].Direction, jobs[j].View, config, scratch, jobs[j].Output);
            jobs[j].Output.CopyTo(send, at);
            at += jobs[j].Output.Length;
        }
        if (ranks == 1) return;
        var all = new float[counts.Sum()];
        mpi.AllgatherV(send, all, counts);
        at = 0;
        for (int r = 0; r < ranks; r++)
            for (int j = 0; j < jobs.Count; j++)
            {
                if (owner[j] != r) continue;
                all.AsSpan(at, jobs[j].Output.Length).CopyTo(jobs[j].Output);
                at += jobs[j].Output.Length;
            }
    }
}
