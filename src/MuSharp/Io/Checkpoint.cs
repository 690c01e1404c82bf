using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MuSharp.Nn;
using MuSharp.Optim;

namespace MuSharp.Io;

/// <summary>
/// A training snapshot: named float arrays (weights "param:NAME", optimizer state "opt:KIND:NAME") and a
/// JSON header (step, RNG and batcher state, config, anything the caller adds).
/// File layout: magic, version, header length + UTF-8 JSON, tensor count, then (name, length, floats)
/// records, then a SHA-256 of everything before it so that truncated or corrupted files are detected.
/// </summary>
public sealed class Checkpoint
{
    private static readonly byte[] Magic = "MUSHARP-CKPT"u8.ToArray();
    private const int Version = 1;

    public JsonObject Header { get; init; } = [];
    public Dictionary<string, float[]> Tensors { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Snapshots the model weights and the optimizer state; the header is the caller's.</summary>
    public static Checkpoint Capture(Module model, Optimizer optimizer, JsonObject header)
    {
        var c = new Checkpoint { Header = header };
        foreach (var p in model.Parameters()) c.Tensors["param:" + p.Name] = (float[])p.Data.Clone();
        foreach (var (key, buf) in optimizer.State) c.Tensors["opt:" + key] = (float[])buf.Clone();
        c.Header["optimizer_steps"] = optimizer.StepCount;
        c.Header["optimizer"] = optimizer.GetType().Name;
        // Width-scaling metadata travels with the weights (mup loses it on torch.save): [base fan-in, base fan-out, lr scale, output multiplier].
        var scaling = new JsonObject();
        foreach (var p in model.Parameters())
            scaling[p.Name] = new JsonArray(p.BaseFanIn, p.BaseFanOut, p.LrScale, p.OutputMultiplier);
        c.Header["scaling"] = scaling;
        return c;
    }

    /// <summary>Copies the saved weights and optimizer state into <paramref name="model"/> and <paramref name="optimizer"/>.</summary>
    public void Restore(Module model, Optimizer optimizer, string source = "checkpoint")
    {
        string savedOpt = (string?)Header["optimizer"] ?? "?";
        if (savedOpt != optimizer.GetType().Name)
            throw new InvalidDataException($"{source}: saved with optimizer {savedOpt}, but this run uses {optimizer.GetType().Name}; resume with the same optimizer.");
        foreach (var p in model.Parameters())
        {
            if (!Tensors.TryGetValue("param:" + p.Name, out var saved))
                throw new InvalidDataException($"{source}: has no weights for parameter '{p.Name}'; it was written by a different model configuration.");
            if (saved.Length != p.Size)
                throw new InvalidDataException($"{source}: parameter '{p.Name}' has {saved.Length} values, the model expects {p.Size} ({Shapes.Format(p.Shape)}).");
            saved.CopyTo(p.Data, 0);
            RestoreScaling(p, source);
        }
        var state = Tensors.Where(kv => kv.Key.StartsWith("opt:", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[4..], kv => kv.Value, StringComparer.Ordinal);
        optimizer.LoadState(state, (long?)Header["optimizer_steps"] ?? 0);
    }

    /// <summary>
    /// Sets the parameter's lr scale and output multiplier to the saved ones, so a resumed run keeps the parametrization
    /// it was trained with and nothing is rescaled twice; base fans must match, or the model was built for another base width.
    /// </summary>
    private void RestoreScaling(Parameter p, string source)
    {
        if (Header["scaling"]?[p.Name] is not JsonArray s) return; // written before scaling metadata existed
        int baseIn = (int)s[0]!, baseOut = (int)s[1]!;
        if (baseIn != p.BaseFanIn || baseOut != p.BaseFanOut)
            throw new InvalidDataException($"{source}: parameter '{p.Name}' was trained with base fans ({baseIn}, {baseOut}) but the model declares ({p.BaseFanIn}, {p.BaseFanOut}); rebuild it with the saved baseWidth.");
        p.LrScale = (float)s[2]!;
        p.OutputMultiplier = (float)s[3]!;
    }

    /// <summary>Writes atomically: a temp file in the same folder, flushed to disk, then renamed over <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                void Write(ReadOnlySpan<byte> bytes) { sha.AppendData(bytes); fs.Write(bytes); }
                void WriteInt(int v) { Span<byte> b = stackalloc byte[4]; BitConverter.TryWriteBytes(b, v); Write(b); }

                Write(Magic);
                WriteInt(Version);
                var header = Encoding.UTF8.GetBytes(Header.ToJsonString());
                WriteInt(header.Length);
                Write(header);
                WriteInt(Tensors.Count);
                foreach (var (name, data) in Tensors)
                {
                    var nameBytes = Encoding.UTF8.GetBytes(name);
                    WriteInt(nameBytes.Length);
                    Write(nameBytes);
                    WriteInt(data.Length);
                    Write(MemoryMarshal.AsBytes(data.AsSpan()));
                }
                fs.Write(sha.GetHashAndReset());
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    public static Checkpoint Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint {path} does not exist.", path);
        byte[] bytes = File.ReadAllBytes(path);
        string Bad(string what) => $"checkpoint {path} is corrupt ({what}); delete it or resume from another run.";
        if (bytes.Length < Magic.Length + 32 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException(Bad("not a MuSharp checkpoint: bad magic or too short"));
        int bodyLen = bytes.Length - 32;
        var body = bytes.AsSpan(0, bodyLen);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
            throw new InvalidDataException(Bad("checksum mismatch: truncated or modified"));

        int pos = Magic.Length;
        int ReadInt()
        {
            if (pos + 4 > bodyLen) throw new InvalidDataException(Bad("unexpected end of data"));
            int v = BitConverter.ToInt32(bytes, pos);
            pos += 4;
            return v;
        }
        int version = ReadInt();
        if (version != Version) throw new InvalidDataException(Bad($"format version {version}, this MuSharp reads {Version}"));
        int headerLen = ReadInt();
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, pos, headerLen)) as JsonObject
            ?? throw new InvalidDataException(Bad("header is not a JSON object"));
        pos += headerLen;
        int count = ReadInt();
        var tensors = new Dictionary<string, float[]>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            int nameLen = ReadInt();
            string name = Encoding.UTF8.GetString(bytes, pos, nameLen);
            pos += nameLen;
            int len = ReadInt();
            if (len < 0 || pos + 4L * len > body.Length) throw new InvalidDataException(Bad($"tensor '{name}' runs past the end"));
            tensors[name] = MemoryMarshal.Cast<byte, float>(body.Slice(pos, 4 * len)).ToArray();
            pos += 4 * len;
        }
        return new Checkpoint { Header = header, Tensors = tensors };
    }
}
