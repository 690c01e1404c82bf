using MuSharp.Kernels;
using static MuSharp.Tests.Kernels.OneDnnGemmTests;

namespace MuSharp.Tests.Kernels;

/// <summary>
/// The default choice, on more than one thread, sends fp32 GEMMs with every dimension ≤ 1024 to OpenBLAS and the rest
/// to oneDNN; a backend named in MUSHARP_GEMM runs every call; bf16 GEMMs stay on oneDNN. OpenBLAS's idle spin is shortened unless the
/// user set it.
/// </summary>
public class GemmRoutingTests
{
    [Theory]
    [InlineData(null, "OneDnn", true, 2, true)]
    [InlineData("", "OneDnn", true, 16, true)]
    [InlineData("cublas", "OneDnn", true, 2, true)] // an unusable value leaves the default choice
    [InlineData(null, "OneDnn", true, 1, false)] // one thread: nothing to wake, the two measured even
    [InlineData("onednn", "OneDnn", true, 2, false)]
    [InlineData(" OneDNN ", "OneDnn", true, 2, false)]
    [InlineData(null, "OneDnn", false, 2, false)] // no OpenBLAS to route to
    [InlineData("openblas", "OpenBlas", true, 2, false)]
    [InlineData(null, "OpenBlas", true, 2, false)]
    [InlineData("managed", "Managed", true, 2, false)]
    public void OnlyTheDefaultMultiThreadedOneDnnChoiceRoutes(string? requested, string chosen, bool hasOpenBlas, int threads, bool routes) =>
        Assert.Equal(routes, Gemm.RoutesSmall(requested, Enum.Parse<GemmBackend>(chosen), hasOpenBlas, threads));

    [Theory]
    [InlineData(256, 1024, 784, "OpenBlas")]   // MLP forward at batch 256
    [InlineData(1024, 1024, 256, "OpenBlas")]  // its dW
    [InlineData(1024, 1024, 1024, "OpenBlas")] // the limit itself
    [InlineData(1, 1, 1, "OpenBlas")]
    [InlineData(1025, 1, 1, "OneDnn")]
    [InlineData(256, 768, 2048, "OneDnn")]     // GPT dW at 2,048 tokens
    [InlineData(2048, 96, 256, "OneDnn")]      // GPT head forward
    [InlineData(64, 2048, 64, "OneDnn")]
    public void SmallShapesGoToOpenBlas(int m, int n, int k, string expected)
    {
        Assert.Equal(Enum.Parse<GemmBackend>(expected), Gemm.Route(GemmBackend.OneDnn, true, m, n, k));
        Assert.Equal(GemmBackend.OneDnn, Gemm.Route(GemmBackend.OneDnn, false, m, n, k));
        Assert.Equal(GemmBackend.Managed, Gemm.Route(GemmBackend.Managed, false, m, n, k));
    }

    // This process: with both libraries, 2 or more threads and MUSHARP_GEMM unset (CI), a small call runs on OpenBLAS, a large one on
    // oneDNN, and the public entry point gives the reference's values on both sides of the limit.
    [Theory]
    [InlineData(1024, 33, 517, false, true)]
    [InlineData(1025, 33, 517, true, false)]
    public void PublicSgemmRoutesAndMatchesTheReference(int m, int n, int k, bool ta, bool tb)
    {
        bool routed = OneDnn.IsAvailable && OpenBlas.IsAvailable && OpenBlas.ConfiguredThreads > 1 &&
            string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Gemm.BackendVariable));
        if (routed)
            Assert.Equal(m <= Gemm.SmallShapeLimit ? GemmBackend.OpenBlas : GemmBackend.OneDnn, Gemm.For(m, n, k));
        CheckAgainstReference(m, n, k, ta, tb, roundInputs: false,
            (a, lda, b, ldb, c) => Gemm.Sgemm(ta, tb, m, n, k, Alpha, a, lda, b, ldb, Beta, c, n + 7));
    }

    [Fact]
    public void OpenBlasSpinIsShortenedUnlessTheUserSetIt()
    {
        if (!OpenBlas.IsAvailable) return; // skipped: libopenblas.so.0 absent (GemmTests.CiRequiresOpenBlas guards CI)
        var user = Environment.GetEnvironmentVariable(OpenBlas.ThreadTimeoutVariable);
        Assert.Equal(string.IsNullOrWhiteSpace(user) ? OpenBlas.DefaultThreadTimeout : null, OpenBlas.ThreadTimeoutRequested);
    }
}
