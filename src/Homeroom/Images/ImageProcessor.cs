using System.Security.Cryptography;
using SkiaSharp;

namespace Homeroom.Images;

/// <summary>A picture as Homeroom keeps it: re-encoded, within the bounds, without metadata.</summary>
public sealed record ProcessedImage(byte[] Data, string ContentType, int Width, int Height, string Hash);

/// <summary>
/// Turns uploaded bytes into a picture fit to store and show, or says why not. What the bytes are is told by
/// decoding them (the codec reads the magic bytes and the header), never by a file name or a Content-Type. The
/// picture is always decoded whole. Then it is encoded again, which drops every piece of metadata (EXIF with GPS
/// positions and camera serial numbers, XMP, ICC profiles, PNG text chunks, GIF comments), applies the EXIF
/// orientation first so a phone photo stands the right way up, and brings the long side down to <see cref="MaxSide"/>;
/// or, for a JPEG or PNG that needs none of that (upright, in bounds, sRGB), the metadata segments are cut out and the
/// pixels kept as they were (<see cref="MetadataStripper"/>). A header that
/// claims more than <see cref="MaxPixels"/> (a decompression bomb, or a picture no projector needs) is refused
/// before anything is decoded.
/// </summary>
public static class ImageProcessor
{
    /// <summary>The largest upload read (413 above it).</summary>
    public const int MaxUploadBytes = 5 * 1024 * 1024;

    /// <summary>The long side of a stored picture: enough for a 1080p projector.</summary>
    public const int MaxSide = 1920;

    /// <summary>Refused above this, from the header alone: 50 megapixels (a 48 MP phone photo is 8000 × 6000; see <see cref="MaxDecodedPixels"/>).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Pictures are decoded at most this large (JPEG and WebP are decoded at a reduced scale when larger, others refused): 100 MB of pixels.</summary>
    public const long MaxDecodedPixels = 25_000_000;

    public const int MaxDimension = 20_000;

    private const int JpegQuality = 85;

    public static readonly string[] ContentTypes = ["image/jpeg", "image/png", "image/webp", "image/gif"];

    // Decoding takes memory (up to 100 MB for the largest picture): at most two at once per server.
    private static readonly SemaphoreSlim Decoders = new(2);

    /// <summary>The picture, or the reason (addressed to a person) it cannot be one.</summary>
    public static async Task<(ProcessedImage? Image, string? Error)> ProcessAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        await Decoders.WaitAsync(cancellationToken);
        try
        {
            return Process(bytes);
        }
        finally
        {
            Decoders.Release();
        }
    }

    private static (ProcessedImage? Image, string? Error) Process(byte[] bytes)
    {
        using var codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out var result);
        if (codec is null)
        {
            return (null, result == SKCodecResult.IncompleteInput
                ? "The picture is cut short: upload the whole file."
                : "This is not a picture Homeroom can show: send a JPEG, PNG, WebP or GIF image.");
        }

        var (output, contentType) = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Jpeg => (SKEncodedImageFormat.Jpeg, "image/jpeg"),
            SKEncodedImageFormat.Png => (SKEncodedImageFormat.Png, "image/png"),
            SKEncodedImageFormat.Webp => (SKEncodedImageFormat.Webp, "image/webp"),
            // Skia writes no GIF: a GIF is kept as a PNG of its first frame (lossless; animation is not kept).
            SKEncodedImageFormat.Gif => (SKEncodedImageFormat.Png, "image/png"),
            var other => (other, ""),
        };
        if (contentType.Length == 0)
        {
            return (null, $"{codec.EncodedFormat} pictures are not accepted: send a JPEG, PNG, WebP or GIF image.");
        }

        var width = codec.Info.Width;
        var height = codec.Info.Height;
        if (width <= 0 || height <= 0 || width > MaxDimension || height > MaxDimension || (long)width * height > MaxPixels)
        {
            return (null, $"The picture says it is {width} × {height} pixels: at most {MaxDimension} pixels a side and {MaxPixels / 1_000_000} megapixels are accepted.");
        }

        // JPEG and WebP decode at a reduced scale directly, so a big photo never needs its full size in memory.
        // The smallest scale the codec offers (JPEG: eighths) that is still at least MaxSide long; Bound does the rest.
        var decodeSize = new SKSizeI(width, height);
        var target = Math.Min(MaxSide, Math.Max(width, height));
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var size = codec.GetScaledDimensions(eighths / 8f);
            if (size.Width >= 1 && size.Height >= 1 && Math.Max(size.Width, size.Height) >= target)
            {
                decodeSize = size;
                break;
            }
        }

        if ((long)decodeSize.Width * decodeSize.Height > MaxDecodedPixels)
        {
            return (null, $"The picture is {width} × {height} pixels, more than Homeroom decodes in this format ({MaxDecodedPixels / 1_000_000} megapixels): make it smaller first.");
        }

        var info = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888,
            codec.Info.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Premul, SKColorSpace.CreateSrgb());
        using var decoded = new SKBitmap(info);
        var decodedResult = codec.GetPixels(info, decoded.GetPixels());
        if (decodedResult is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return (null, "The picture's data cannot be read: the file is damaged.");
        }

        // A JPEG or PNG that is upright, in bounds, sRGB and decodes whole keeps its own pixels: only its metadata is cut
        // out (no generation loss, and a picture exported and imported again is the same bytes, the same image).
        if (decodedResult == SKCodecResult.Success && decodeSize.Width == width && decodeSize.Height == height
            && Math.Max(width, height) <= MaxSide && codec.EncodedOrigin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default
            && (codec.Info.ColorSpace is null || codec.Info.ColorSpace.IsSrgb)
            && codec.EncodedFormat switch
            {
                SKEncodedImageFormat.Jpeg => MetadataStripper.Jpeg(bytes),
                SKEncodedImageFormat.Png => MetadataStripper.Png(bytes),
                _ => null,
            } is { } stripped)
        {
            return (new ProcessedImage(stripped, contentType, width, height, Convert.ToHexStringLower(SHA256.HashData(stripped))), null);
        }

        using var upright = Orient(decoded, codec.EncodedOrigin);
        using var bounded = Bound(upright);
        using var image = SKImage.FromBitmap(bounded);
        using var encoded = image.Encode(output, output == SKEncodedImageFormat.Png ? 100 : JpegQuality);
        if (encoded is null)
        {
            return (null, "The picture could not be encoded again.");
        }

        var stored = encoded.ToArray();
        return (new ProcessedImage(stored, contentType, bounded.Width, bounded.Height, Convert.ToHexStringLower(SHA256.HashData(stored))), null);
    }

    /// <summary>The long side brought down to <see cref="MaxSide"/> (when the codec could not scale enough itself).</summary>
    private static SKBitmap Bound(SKBitmap source)
    {
        var longSide = Math.Max(source.Width, source.Height);
        if (longSide <= MaxSide)
        {
            return source.Copy();
        }

        var factor = (double)MaxSide / longSide;
        var size = new SKImageInfo(
            Math.Max(1, (int)Math.Round(source.Width * factor)), Math.Max(1, (int)Math.Round(source.Height * factor)),
            source.ColorType, source.AlphaType, source.ColorSpace);
        return source.Resize(size, new SKSamplingOptions(SKCubicResampler.Mitchell)) ?? source.Copy();
    }

    /// <summary>The picture turned the way its EXIF orientation says it is to be seen (the tag itself is dropped with the rest).</summary>
    private static SKBitmap Orient(SKBitmap source, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default)
        {
            return source.Copy();
        }

        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var (w, h) = swap ? (source.Height, source.Width) : (source.Width, source.Height);
        var turned = new SKBitmap(new SKImageInfo(w, h, source.ColorType, source.AlphaType, source.ColorSpace));
        using var canvas = new SKCanvas(turned);
        canvas.Clear(SKColors.Transparent);
        var matrix = origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, w, 0, 1, 0, 0, 0, 1),
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, w, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, h, 0, 0, 1),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, w, 1, 0, 0, 0, 0, 1),
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, w, -1, 0, h, 0, 0, 1),
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, h, 0, 0, 1),
            _ => SKMatrix.Identity,
        };
        canvas.SetMatrix(matrix);
        using var image = SKImage.FromBitmap(source);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), null);
        canvas.Flush();
        return turned;
    }
}
