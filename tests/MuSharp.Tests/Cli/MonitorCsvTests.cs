using System.Globalization;
using MuSharp.Cli.Experiments;
using MuSharp.Training;

namespace MuSharp.Tests.Cli;

public sealed class MonitorCsvTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("musharp-monitors-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private static TrainConfig Config(int steps) => TrainRunTests.TinyMlp(steps) with { MonitorEvery = 2 };

    private static string[][] Rows(string runDir)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, MonitorsCsv.FileName));
        Assert.Equal(MonitorsCsv.HeaderLine, lines[0]);
        return lines.Skip(1).Select(l => l.Split(',')).ToArray();
    }

    private static double D(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    [Fact]
    public void TinyRunWithMonitorEvery2WritesOneRowPerParameterEveryOtherStep()
    {
        string dir = Path.Combine(root, "run");
        Assert.True(Train.Run(Config(7), dir, resume: false).Completed);
        var rows = Rows(dir);
        var names = rows.Select(r => r[1]).Distinct().ToArray();
        Assert.Equal(new long[] { 2, 4, 6 }, rows.Select(r => long.Parse(r[0], CultureInfo.InvariantCulture)).Distinct());
        Assert.Equal(3 * names.Length, rows.Length);
        Assert.All(rows, r => Assert.Equal(12, r.Length));

        var matrices = rows.Where(r => r[2] != "vector").ToArray();
        Assert.NotEmpty(matrices);
        Assert.Contains(rows, r => r[2] == "vector");
        foreach (var r in matrices)
        {
            for (int c = 5; c < 10; c++) Assert.True(double.IsFinite(D(r[c])), $"{r[1]} column {c} = {r[c]}");
            Assert.True(D(r[6]) > 0, $"{r[1]}: SGD at lr 0.1 moved nothing");
            Assert.InRange(D(r[9]), 0.0, 1.0);                       // normalised entropy, §5.1
            // ‖ΔW‖₂ ≤ ‖ΔW‖_F = update_rms·sqrt(d_in·d_out), scaled by sqrt(d_in/d_out) (§1, §3.1).
            Assert.True(D(r[8]) <= D(r[6]) * D(r[3]) * (1 + 1e-4), $"{r[1]}: spectral bound violated");
        }
        foreach (var r in rows.Where(r => r[2] == "vector"))
        {
            Assert.True(double.IsFinite(D(r[5])) && double.IsFinite(D(r[6])));
            Assert.Equal("", r[7]);
            Assert.Equal("", r[8]);
            Assert.Equal("", r[9]);
        }
    }

    [Fact]
    public void MonitorsOffByDefaultWritesNoFile()
    {
        string dir = Path.Combine(root, "off");
        Train.Run(TrainRunTests.TinyMlp(3), dir, resume: false);
        Assert.False(File.Exists(Path.Combine(dir, MonitorsCsv.FileName)));
    }

    [Fact]
    public void ResumeDropsRowsAfterTheCheckpointLikeMetricsCsv()
    {
        string full = Path.Combine(root, "full"), crashed = Path.Combine(root, "crashed");
        Train.Run(Config(10), full, resume: false);
        Train.Run(Config(10), crashed, resume: false, haltAfterStep: 6);   // checkpoint at 4
        Assert.Contains(Rows(crashed), r => r[0] == "6");
        Train.Run(Config(10), crashed, resume: true);

        var expected = Rows(full);
        var actual = Rows(crashed);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i][..7], actual[i][..7]);   // step, name, shape and both RMS values, bit for bit
            // The power iteration restarts cold after a resume, so σ agrees to its tolerance, not bitwise.
            for (int c = 7; c < 10; c++)
                if (expected[i][c] != "") Assert.Equal(D(expected[i][c]), D(actual[i][c]), 1e-3 * Math.Max(1, D(expected[i][c])));
        }
    }
}
