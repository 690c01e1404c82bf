using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MuSharp.Kernels;

// Managed row-major SGEMM, C = alpha·op(A)·op(B) + beta·C, in the BLIS/Goto layout: op(B) is packed into
// Nr-wide column strips per Kc-deep block, op(A) into Mr-tall row strips per Mc×Kc block (packing absorbs
// transposes and strides), and an Mr×Nr register-blocked micro-kernel accumulates one C tile with FMAs. Rows
// (or column strips, when m is small) are split across threads.
internal static unsafe class ManagedGemm
{
    private const int Kc = 256;       // depth of a packed block: a Kc×Nr strip of B is 32 KiB (L1)
    private const int McStrips = 12;  // Mr-strips per packed A block: 144×256 floats = 144 KiB (L2)
    private const double ParallelFlops = 4e6; // below ~128³ the fork/join costs more than it saves

    // Vector512: 12×32 tile = 24 zmm accumulators of 32. Vector256: 6×16 tile = 12 ymm accumulators of 16.
    private static readonly bool Wide = Vector512.IsHardwareAccelerated;
    private static readonly int Mr = Wide ? 12 : 6;
    private static readonly int Nr = Wide ? 32 : 16;

    // Threads used for large problems: MUSHARP_THREADS, else the processor count.
    internal static int Threads { get; set; } = OpenBlas.ConfiguredThreads;

    internal static string Name => $"managed {(Wide ? "Vector512" : "Vector256")}, {Threads} thread{(Threads == 1 ? "" : "s")}";

    // Validated call (see Gemm): m, n, k positive, spans long enough for their strides.
    internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        int strips = (n + Nr - 1) / Nr;
        long packedB = (long)k * strips * Nr;
        float* bPack = (float*)NativeMemory.AlignedAlloc((nuint)(packedB * sizeof(float)), 64);
        try
        {
            fixed (float* pa = a)
            fixed (float* pb = b)
            fixed (float* pc = c)
            {
                var job = new Job(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, bPack, strips);
                int workers = 2.0 * m * n * k < ParallelFlops ? 1 : Math.Max(1, Threads);
                if (workers == 1)
                {
                    job.PackB(0, strips);
                    job.Compute(0, 1);
                    return;
                }
                var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
                Parallel.For(0, workers, options, w => job.PackB(w * strips / workers, (w + 1) * strips / workers));
                Parallel.For(0, workers, options, w => job.Compute(w, workers));
            }
        }
        finally
        {
            NativeMemory.AlignedFree(bPack);
        }
    }

    private readonly struct Job(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc, float* bPack, int strips)
    {
        // Packed B: block pc (depth kb) starts at pc·strips·Nr; strip s of it at s·kb·Nr; element (p, col) at p·Nr + col.
        public void PackB(int s0, int s1)
        {
            for (int pc = 0; pc < k; pc += Kc)
            {
                int kb = Math.Min(Kc, k - pc);
                for (int s = s0; s < s1; s++)
                {
                    float* dst = bPack + (nint)pc * strips * Nr + (nint)s * kb * Nr;
                    int j0 = s * Nr, nr = Math.Min(Nr, n - j0);
                    if (nr < Nr) new Span<float>(dst, kb * Nr).Clear();
                    if (!transB) // op(B)[p, j] = b[p·ldb + j]: rows of the strip are contiguous
                        for (int p = 0; p < kb; p++)
                            new ReadOnlySpan<float>(b + (pc + p) * ldb + j0, nr).CopyTo(new Span<float>(dst + p * Nr, nr));
                    else // op(B)[p, j] = b[j·ldb + p]: read each stored row once, scatter down a column
                        for (int col = 0; col < nr; col++)
                        {
                            float* src = b + (j0 + col) * ldb + pc;
                            for (int p = 0; p < kb; p++) dst[p * Nr + col] = src[p];
                        }
                }
            }
        }

        // Packed A block: strip t (rows i0 + t·Mr …) at t·Mr·kb; element (p, row) at p·Mr + row.
        private void PackA(float* dst, int i0, int mb, int pc, int kb)
        {
            for (int t = 0; t * Mr < mb; t++, dst += Mr * kb)
            {
                int r0 = i0 + t * Mr, mr = Math.Min(Mr, i0 + mb - r0);
                if (mr < Mr) new Span<float>(dst, Mr * kb).Clear();
                if (!transA) // op(A)[i, p] = a[i·lda + p]
                    for (int r = 0; r < mr; r++)
                    {
                        float* src = a + (r0 + r) * lda + pc;
                        for (int p = 0; p < kb; p++) dst[p * Mr + r] = src[p];
                    }
                else // op(A)[i, p] = a[p·lda + i]: each depth step is a contiguous run of rows
                    for (int p = 0; p < kb; p++)
                        new ReadOnlySpan<float>(a + (pc + p) * lda + r0, mr).CopyTo(new Span<float>(dst + p * Mr, mr));
            }
        }

        // Worker w of `workers` owns a contiguous range of Mr-row strips, or of Nr-column strips when m is too short to share.
        public void Compute(int w, int workers)
        {
            int rowStrips = (m + Mr - 1) / Mr;
            bool splitRows = rowStrips >= workers || strips < workers;
            int i0 = 0, i1 = m, s0 = 0, s1 = strips;
            if (splitRows)
            {
                i0 = Math.Min(m, w * rowStrips / workers * Mr);
                i1 = Math.Min(m, (w + 1) * rowStrips / workers * Mr);
            }
            else
            {
                s0 = w * strips / workers;
                s1 = (w + 1) * strips / workers;
            }
            if (i0 >= i1 || s0 >= s1) return;

            int mc = McStrips * Mr;
            float* aPack = (float*)NativeMemory.AlignedAlloc((nuint)(mc * Kc * sizeof(float)), 64);
            float* tile = stackalloc float[Mr * Nr + 16];
            tile = (float*)(((nint)tile + 63) & ~(nint)63);
            try
            {
                for (int pc = 0; pc < k; pc += Kc)
                {
                    int kb = Math.Min(Kc, k - pc);
                    float betaNow = pc == 0 ? beta : 1f; // later depth blocks accumulate onto the first
                    float* bBlock = bPack + (nint)pc * strips * Nr;
                    for (int ic = i0; ic < i1; ic += mc)
                    {
                        int mb = Math.Min(mc, i1 - ic);
                        PackA(aPack, ic, mb, pc, kb);
                        for (int s = s0; s < s1; s++)
                        {
                            int j0 = s * Nr, nr = Math.Min(Nr, n - j0);
                            float* bs = bBlock + (nint)s * kb * Nr;
                            for (int ir = 0; ir < mb; ir += Mr)
                            {
                                int mr = Math.Min(Mr, mb - ir);
                                float* ap = aPack + (nint)ir * kb, cp = c + (ic + ir) * ldc + j0;
                                if (mr == Mr && nr == Nr)
                                    Kernel(kb, ap, bs, cp, ldc, alpha, betaNow);
                                else
                                    EdgeTile(kb, ap, bs, tile, cp, mr, nr, betaNow);
                            }
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.AlignedFree(aPack);
            }
        }

        // Partial tile at the bottom/right border: full tile into scratch (padding is zero), then merge the valid part.
        private void EdgeTile(int kb, float* ap, float* bs, float* tile, float* cp, int mr, int nr, float betaNow)
        {
            Kernel(kb, ap, bs, tile, Nr, 1f, 0f);
            for (int r = 0; r < mr; r++)
                for (int col = 0; col < nr; col++)
                {
                    float prev = betaNow == 0f ? 0f : betaNow * cp[r * ldc + col];
                    cp[r * ldc + col] = alpha * tile[r * Nr + col] + prev;
                }
        }
    }

    private static void Kernel(int kb, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        if (Wide) SmallGemm.Kernel12x32(kb, a, 1, 12, b, Nr, c, ldc, alpha, beta); // a: packed strip [kb, 12]
        else Kernel6x16(kb, a, b, c, ldc, alpha, beta);
    }

    // C[6, 16] (+)= alpha · Σₚ a[p, 0..5]ᵀ · b[p, 0..15], for hardware without fast 512-bit vectors.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kb, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default,
            c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kb; p++, a += 6, b += 16)
        {
            var b0 = Vector256.LoadAligned(b);
            var b1 = Vector256.LoadAligned(b + 8);
            var x = Vector256.Create(a[0]); c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]); c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]); c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]); c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]); c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]); c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
        }
        Store(c, c00, alpha, beta); Store(c + 8, c01, alpha, beta); c += ldc;
        Store(c, c10, alpha, beta); Store(c + 8, c11, alpha, beta); c += ldc;
        Store(c, c20, alpha, beta); Store(c + 8, c21, alpha, beta); c += ldc;
        Store(c, c30, alpha, beta); Store(c + 8, c31, alpha, beta); c += ldc;
        Store(c, c40, alpha, beta); Store(c + 8, c41, alpha, beta); c += ldc;
        Store(c, c50, alpha, beta); Store(c + 8, c51, alpha, beta);
    }

    // c = alpha·acc + beta·c; with beta = 0, C is never read (it may hold NaN garbage from an uninitialized tensor).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> acc, float alpha, float beta)
    {
        var r = acc * alpha;
        if (beta != 0f) r = Vector256.FusedMultiplyAdd(Vector256.Load(c), Vector256.Create(beta), r);
        r.Store(c);
    }
}
