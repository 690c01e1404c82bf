using System.Buffers.Binary;
using System.IO.Compression;

namespace MuSharp.Data;

/// <summary>Images of an IDX file: <see cref="Pixels"/> is u8 row-major [Count, Rows, Cols].</summary>
public sealed record IdxImages(byte[] Pixels, int Count, int Rows, int Cols);

/// <summary>
/// Reader and writer of the IDX format (LeCun's MNIST files): a big-endian header of a magic number
/// (0x0000 then the element type 0x08 = u8, then the rank) and one int32 per dimension, followed by the
/// elements. Files may be gzip-compressed; compression is detected from the content, not the name.
/// </summary>
public static class Idx
{
    /// <summary>Magic of a u8 rank-3 file [N, rows, cols].</summary>
    public const int ImagesMagic = 2051;

    /// <summary>Magic of a u8 rank-1 file [N].</summary>
    public const int LabelsMagic = 2049;

    /// <exception cref="InvalidDataException">Bad magic, a bad header, truncated or trailing data; the message names the file.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dims, data) = Read(path, ImagesMagic, "images");
        return new IdxImages(data, dims[0], dims[1], dims[2]);
    }

    /// <exception cref="InvalidDataException">Bad magic, a bad header, truncated or trailing data; the message names the file.</exception>
    public static byte[] ReadLabels(string path) => Read(path, LabelsMagic, "labels").Data;

    /// <summary>Writes <paramref name="pixels"/> [count, rows, cols] as an IDX images file, gzip-compressed if asked.</summary>
    public static void WriteImages(string path, byte[] pixels, int count, int rows, int cols, bool gzip)
    {
        if ((long)count * rows * cols != pixels.Length)
            throw new ArgumentException($"Idx.WriteImages: {pixels.Length} pixels do not fill [{count}, {rows}, {cols}].");
        Write(path, ImagesMagic, [count, rows, cols], pixels, gzip);
    }

    /// <summary>Writes <paramref name="labels"/> [N] as an IDX labels file, gzip-compressed if asked.</summary>
    public static void WriteLabels(string path, byte[] labels, bool gzip) => Write(path, LabelsMagic, [labels.Length], labels, gzip);

    private static void Write(string path, int magic, int[] dims, byte[] data, bool gzip)
    {
        using var file = File.Create(path);
        using Stream stream = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, magic);
        stream.Write(word);
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            stream.Write(word);
        }
        stream.Write(data);
    }

    private static (int[] Dims, byte[] Data) Read(string path, int expectedMagic, string kind)
    {
        try
        {
            using var stream = Open(path);
            Span<byte> word = stackalloc byte[4];
            if (ReadFully(stream, word) < 4)
                throw Bad(path, "truncated: the file is shorter than the 4-byte magic number");
            int magic = BinaryPrimitives.ReadInt32BigEndian(word);
            if (magic != expectedMagic)
                throw Bad(path, $"bad magic {magic} (0x{magic:X8}); expected {expectedMagic} (0x{expectedMagic:X8}) for u8 {kind}");

            int rank = magic & 0xFF;
            var dims = new int[rank];
            long size = 1;
            for (int i = 0; i < rank; i++)
            {
                if (ReadFully(stream, word) < 4)
                    throw Bad(path, $"truncated in the header (dimension {i} of {rank} is missing)");
                dims[i] = BinaryPrimitives.ReadInt32BigEndian(word);
                if (dims[i] < 0 || (i > 0 && dims[i] == 0))
                    throw Bad(path, $"bad header: dimension {i} is {dims[i]}");
                size *= dims[i];
                if (size > Array.MaxLength)
                    throw Bad(path, $"bad header: dimensions [{string.Join(", ", dims[..(i + 1)])}] exceed the largest array");
            }

            var data = new byte[size];
            int got = ReadFully(stream, data);
            if (got < size)
                throw Bad(path, $"truncated: header declares [{string.Join(", ", dims)}] = {size} bytes of data, found {got} (count mismatch)");
            if (stream.ReadByte() >= 0)
                throw Bad(path, $"count mismatch: data continues past the {size} bytes that the header [{string.Join(", ", dims)}] declares");
            return (dims, data);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith("IDX file ", StringComparison.Ordinal))
        {
            // A damaged gzip stream: name the file, keep the decompressor's reason.
            throw Bad(path, $"corrupt gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw Bad(path, "truncated gzip stream", e);
        }
    }

    // Gzip members start with 1F 8B; an IDX header starts with 00 00, so the two cannot be confused.
    private static Stream Open(string path)
    {
        var file = File.OpenRead(path);
        int b0 = file.ReadByte(), b1 = file.ReadByte();
        file.Position = 0;
        return b0 == 0x1F && b1 == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InvalidDataException Bad(string path, string what, Exception? inner = null) =>
        new($"IDX file {path}: {what}.", inner);
}
