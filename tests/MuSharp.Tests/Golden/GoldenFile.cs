using System.Buffers.Binary;
using System.Text.Json;

namespace MuSharp.Tests.Golden;

/// <summary>
/// One golden case written by scripts/make_goldens.py: <c>&lt;case&gt;.json</c> names each array with its dtype
/// ("float32" or "int32"), shape and byte offset into <c>&lt;case&gt;.bin</c> (little-endian, row-major).
/// </summary>
public sealed class GoldenFile
{
    private sealed record Entry(string DType, int[] Shape, int Offset, int Count);

    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly byte[] blob;

    public string Case { get; }

    /// <summary>The model configuration the script used (the manifest's "config" object).</summary>
    public JsonElement Config { get; }

    /// <summary>Array names in manifest order.</summary>
    public IReadOnlyList<string> Names { get; }

    private GoldenFile(string caseName, JsonElement manifest, byte[] blob)
    {
        Case = caseName;
        this.blob = blob;
        int format = manifest.GetProperty("format").GetInt32();
        if (format != 1) throw new InvalidDataException($"golden '{caseName}': manifest format {format}, expected 1.");
        Config = manifest.GetProperty("config").Clone();
        var names = new List<string>();
        foreach (var a in manifest.GetProperty("arrays").EnumerateArray())
        {
            string name = a.GetProperty("name").GetString() ?? throw new InvalidDataException($"golden '{caseName}': array without a name.");
            string dtype = a.GetProperty("dtype").GetString() ?? "";
            if (dtype is not ("float32" or "int32"))
                throw new InvalidDataException($"golden '{caseName}': array '{name}' has dtype '{dtype}', expected float32 or int32.");
            int[] shape = a.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            int offset = a.GetProperty("offset").GetInt32();
            int count = shape.Aggregate(1, (n, d) => checked(n * d));
            if (offset < 0 || (long)offset + 4L * count > blob.Length)
                throw new InvalidDataException($"golden '{caseName}': array '{name}' (offset {offset}, {count} values) overruns the {blob.Length}-byte .bin.");
            if (!entries.TryAdd(name, new Entry(dtype, shape, offset, count)))
                throw new InvalidDataException($"golden '{caseName}': array '{name}' is listed twice.");
            names.Add(name);
        }
        Names = names;
    }

    /// <summary>Reads Golden/&lt;case&gt;.json and .bin from the test output directory.</summary>
    public static GoldenFile Load(string caseName)
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "Golden");
        string json = Path.Combine(dir, caseName + ".json"), bin = Path.Combine(dir, caseName + ".bin");
        if (!File.Exists(json) || !File.Exists(bin))
            throw new FileNotFoundException($"golden '{caseName}': expected {json} and {bin}; regenerate with /usr/bin/python3 scripts/make_goldens.py.");
        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        return new GoldenFile(caseName, doc.RootElement, File.ReadAllBytes(bin));
    }

    public bool Contains(string name) => entries.ContainsKey(name);

    public int[] Shape(string name) => (int[])Get(name).Shape.Clone();

    public float[] Floats(string name)
    {
        var e = Get(name, "float32");
        var data = new float[e.Count];
        for (int i = 0; i < data.Length; i++)
            data[i] = BinaryPrimitives.ReadSingleLittleEndian(blob.AsSpan(e.Offset + 4 * i, 4));
        return data;
    }

    public int[] Ints(string name)
    {
        var e = Get(name, "int32");
        var data = new int[e.Count];
        for (int i = 0; i < data.Length; i++)
            data[i] = BinaryPrimitives.ReadInt32LittleEndian(blob.AsSpan(e.Offset + 4 * i, 4));
        return data;
    }

    /// <summary>A float32 array as a tensor of its recorded shape (no autodiff).</summary>
    public Tensor Tensor(string name) => MuSharp.Tensor.From(Floats(name), Shape(name));

    private Entry Get(string name, string? dtype = null)
    {
        if (!entries.TryGetValue(name, out var e))
            throw new KeyNotFoundException($"golden '{Case}': no array '{name}'.");
        if (dtype != null && e.DType != dtype)
            throw new InvalidDataException($"golden '{Case}': array '{name}' is {e.DType}, read as {dtype}.");
        return e;
    }
}
