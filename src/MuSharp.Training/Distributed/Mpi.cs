using System.Runtime.InteropServices;

namespace MuSharp.Distributed;

/// <summary>
/// A thin P/Invoke of Open MPI's C API (libmpi.so.40, Debian's openmpi 4.1): init, rank and size of MPI_COMM_WORLD,
/// all-reduce (sum), broadcast, all-gather-v, abort and finalize. Open MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM,
/// …) are the addresses of exported globals (<c>ompi_mpi_comm_world</c>, …), read with <see cref="NativeLibrary.GetExport"/>.
/// One instance per process (<see cref="Init"/>); MPI.NET binds to Microsoft MPI only, so it is not used.
/// </summary>
public sealed unsafe class Mpi : IDisposable
{
    private const string Lib = "libmpi.so.40";
    private const int ThreadFunneled = 1; // MPI_THREAD_FUNNELED: only the main thread calls MPI
    private static Mpi? instance;
    private readonly nint world, floatType, byteType, sum;
    private bool finalized;

    private Mpi(nint library)
    {
        world = NativeLibrary.GetExport(library, "ompi_mpi_comm_world");
        floatType = NativeLibrary.GetExport(library, "ompi_mpi_float");
        byteType = NativeLibrary.GetExport(library, "ompi_mpi_byte");
        sum = NativeLibrary.GetExport(library, "ompi_mpi_op_sum");
        int rank, size;
        Check(MPI_Comm_rank(world, &rank), "MPI_Comm_rank");
        Check(MPI_Comm_size(world, &size), "MPI_Comm_size");
        (Rank, Size) = (rank, size);
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; }

    /// <summary>The number of processes.</summary>
    public int Size { get; }

    /// <summary>Whether this process was started by Open MPI's mpirun (OMPI_COMM_WORLD_SIZE is set).</summary>
    public static bool UnderMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>MPI_Init_thread once per process; later calls return the same instance.</summary>
    public static Mpi Init()
    {
        if (instance is { finalized: false } live) return live;
        nint library;
        try { library = NativeLibrary.Load(Lib); }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException($"data-parallel training needs Open MPI ({Lib}): apt-get install openmpi-bin libopenmpi-dev (scripts/setup.sh).", e);
        }
        int flag, provided;
        Check(MPI_Initialized(&flag), "MPI_Initialized");
        if (flag == 0) Check(MPI_Init_thread(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
        return instance = new Mpi(library);
    }

    /// <summary>Element-wise sum over all ranks, in place; every rank receives the same result.</summary>
    public void AllreduceSum(Span<float> data)
    {
        fixed (float* p = data) Check(MPI_Allreduce((void*)1 /* MPI_IN_PLACE */, p, data.Length, floatType, sum, world), "MPI_Allreduce");
    }

    /// <summary>Rank <paramref name="root"/>'s bytes to every rank.</summary>
    public void Broadcast(Span<byte> data, int root = 0)
    {
        fixed (byte* p = data) Check(MPI_Bcast(p, data.Length, byteType, root, world), "MPI_Bcast");
    }

    /// <summary>Rank <paramref name="root"/>'s floats to every rank.</summary>
    public void Broadcast(Span<float> data, int root = 0)
    {
        fixed (float* p = data) Check(MPI_Bcast(p, data.Length, floatType, root, world), "MPI_Bcast");
    }

    /// <summary>Concatenates every rank's <paramref name="send"/> (rank r contributes counts[r] floats) into <paramref name="receive"/> on every rank.</summary>
    public void AllgatherV(ReadOnlySpan<float> send, Span<float> receive, int[] counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var displacements = new int[counts.Length];
        for (int r = 1; r < counts.Length; r++) displacements[r] = displacements[r - 1] + counts[r - 1];
        fixed (float* s = send)
        fixed (float* d = receive)
        fixed (int* c = counts)
        fixed (int* o = displacements)
            Check(MPI_Allgatherv(s, send.Length, floatType, d, c, o, floatType, world), "MPI_Allgatherv");
    }

    /// <summary>Ends every rank of the job with <paramref name="code"/> (mpirun reports it).</summary>
    public void Abort(int code) => _ = MPI_Abort(world, code); // the job ends here; its status has no reader

    /// <summary>MPI_Finalize.</summary>
    public void Dispose()
    {
        if (finalized) return;
        finalized = true;
        _ = MPI_Finalize(); // at exit: an error has nothing left to stop
    }

    private static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error {code}.");
    }

    [DllImport(Lib)] private static extern int MPI_Initialized(int* flag);
    [DllImport(Lib)] private static extern int MPI_Init_thread(int* argc, byte*** argv, int required, int* provided);
    [DllImport(Lib)] private static extern int MPI_Comm_rank(nint comm, int* rank);
    [DllImport(Lib)] private static extern int MPI_Comm_size(nint comm, int* size);
    [DllImport(Lib)] private static extern int MPI_Allreduce(void* send, void* receive, int count, nint type, nint op, nint comm);
    [DllImport(Lib)] private static extern int MPI_Bcast(void* buffer, int count, nint type, int root, nint comm);
    [DllImport(Lib)] private static extern int MPI_Allgatherv(void* send, int sendCount, nint sendType, void* receive, int* counts, int* displacements, nint receiveType, nint comm);
    [DllImport(Lib)] private static extern int MPI_Abort(nint comm, int code);
    [DllImport(Lib)] private static extern int MPI_Finalize();
}
