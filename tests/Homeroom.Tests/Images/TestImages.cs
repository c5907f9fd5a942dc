using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Homeroom.Tests.Images;

/// <summary>Pictures made for the tests: every accepted format, with metadata to strip, and hostile headers.</summary>
public static class TestImages
{
    /// <summary>Written into the metadata of <see cref="JpegWithExif"/> and <see cref="PngWithText"/>: it must not survive an upload.</summary>
    public const string Secret = "SecretCam-47.3769N-8.5417E";

    /// <summary>A 1 × 1 GIF (the classic transparent pixel's layout, white).</summary>
    public static readonly byte[] Gif =
    [
        .. "GIF89a"u8, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
        0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
        0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
    ];

    public static byte[] Encode(SKEncodedImageFormat format, int width, int height, int quality = 90)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0x1e, 0x88, 0xe5));
            using var paint = new SKPaint { Color = new SKColor(0xff, 0xc1, 0x07) };
            canvas.DrawRect(width / 4f, height / 4f, width / 2f, height / 2f, paint);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    public static byte[] Jpeg(int width = 64, int height = 48) => Encode(SKEncodedImageFormat.Jpeg, width, height);

    public static byte[] Png(int width = 64, int height = 48) => Encode(SKEncodedImageFormat.Png, width, height);

    public static byte[] Webp(int width = 64, int height = 48) => Encode(SKEncodedImageFormat.Webp, width, height);

    /// <summary>A JPEG with an EXIF block (APP1) holding a camera make and a GPS IFD, as phones write them.</summary>
    public static byte[] JpegWithExif(int width = 64, int height = 48)
    {
        var jpeg = Jpeg(width, height);
        var tiff = new byte[56 + Secret.Length + 1];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        // IFD0 at 8: Make (ASCII, at 56) and the GPS IFD pointer (at 38).
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 2);
        Entry(tiff, 10, 0x010F, 2, (uint)(Secret.Length + 1), 56);
        Entry(tiff, 22, 0x8825, 4, 1, 38);
        // GPS IFD at 38: GPSLatitudeRef "N".
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(38), 1);
        Entry(tiff, 40, 0x0001, 2, 2, 'N');
        Encoding.ASCII.GetBytes(Secret).CopyTo(tiff, 56);
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    /// <summary>
    /// A JPEG, left half red and right half blue as stored, whose EXIF says how to turn it for viewing (6: a quarter
    /// turn clockwise, as a phone held upright writes it).
    /// </summary>
    public static byte[] JpegWithOrientation(ushort orientation, int width = 80, int height = 40)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(0, 0, width / 2f, height, red);
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Jpeg, 95);
        var jpeg = data.ToArray();
        var tiff = new byte[26];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);
        Entry(tiff, 10, 0x0112, 3, 1, orientation);
        byte[] payload = [.. "Exif\0\0"u8, .. tiff];
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment, 4);
        return [.. jpeg[..2], .. segment, .. jpeg[2..]];
    }

    private static void Entry(byte[] tiff, int at, ushort tag, ushort type, uint count, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), tag);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 2), type);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 4), count);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 8), value);
    }

    /// <summary>A PNG with a tEXt chunk after its header.</summary>
    public static byte[] PngWithText(int width = 64, int height = 48)
    {
        var png = Png(width, height);
        var chunk = Chunk("tEXt", [.. "Comment"u8, 0, .. Encoding.ASCII.GetBytes(Secret)]);
        return [.. png[..33], .. chunk, .. png[33..]];
    }

    /// <summary>
    /// A PNG whose header claims <paramref name="width"/> × <paramref name="height"/> pixels, followed by a few bytes of
    /// pixel data: a decompression bomb's header (a real one inflates gigabytes of zeros from a few megabytes).
    /// </summary>
    public static byte[] PngClaiming(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        byte[] zlib = [0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01];
        return [0x89, .. "PNG\r\n\u001a\n"u8, .. Chunk("IHDR", header), .. Chunk("IDAT", zlib), .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    /// <summary>The size and format a picture decodes to.</summary>
    public static (int Width, int Height, SKEncodedImageFormat Format) Inspect(byte[] bytes)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        Assert.NotNull(codec);
        return (codec.Info.Width, codec.Info.Height, codec.EncodedFormat);
    }
}
