using System.Buffers.Binary;

namespace Homeroom.Images;

/// <summary>
/// Cuts the metadata out of a JPEG or PNG without touching its pixels. Only for files the decoder has just read
/// whole: anything unexpected in the structure gives null, and the caller encodes the picture again instead.
/// </summary>
public static class MetadataStripper
{
    /// <summary>
    /// The JPEG without its APP0–APP15 segments except APP14 (Adobe's colour transform, needed to decode some files;
    /// it holds no personal data) and without comments: EXIF (GPS, camera, thumbnail), XMP, ICC, JFIF thumbnails, IPTC.
    /// </summary>
    public static byte[]? Jpeg(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8)
        {
            return null;
        }

        var output = new List<byte>(bytes.Length) { 0xFF, 0xD8 };
        var at = 2;
        while (at + 4 <= bytes.Length)
        {
            if (bytes[at] != 0xFF)
            {
                return null;
            }

            var marker = bytes[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(at + 2)..]);
            if (length < 2 || at + 2 + length > bytes.Length)
            {
                return null;
            }

            var segment = bytes.Slice(at, 2 + length);
            var metadata = (marker is >= 0xE0 and <= 0xEF && marker != 0xEE) || marker == 0xFE;
            if (!metadata)
            {
                output.AddRange(segment);
            }

            at += 2 + length;
            if (marker == 0xDA)
            {
                // Start of scan: the entropy-coded data and everything after it (further scans, EOI) as it is.
                output.AddRange(bytes[at..]);
                return [.. output];
            }
        }

        return null;
    }

    private static readonly HashSet<string> KeptChunks = ["IHDR", "PLTE", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "IDAT", "IEND"];

    /// <summary>The PNG with only the chunks that draw it: no text, EXIF, time, ICC profile or animation chunks.</summary>
    public static byte[]? Png(ReadOnlySpan<byte> bytes)
    {
        ReadOnlySpan<byte> signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        if (!bytes.StartsWith(signature))
        {
            return null;
        }

        var output = new List<byte>(bytes.Length);
        output.AddRange(signature);
        var at = signature.Length;
        while (at + 12 <= bytes.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(bytes[at..]);
            if (length > int.MaxValue || at + 12 + (long)length > bytes.Length)
            {
                return null;
            }

            var type = System.Text.Encoding.ASCII.GetString(bytes.Slice(at + 4, 4));
            var chunk = bytes.Slice(at, 12 + (int)length);
            if (KeptChunks.Contains(type))
            {
                output.AddRange(chunk);
            }

            at += chunk.Length;
            if (type == "IEND")
            {
                return [.. output];
            }
        }

        return null;
    }
}
