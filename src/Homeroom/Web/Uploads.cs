using System.Text;
using Microsoft.Net.Http.Headers;

namespace Homeroom.Web;

/// <summary>Something an import skipped or could not read, by line (or spreadsheet row) and why.</summary>
public sealed record ImportProblem(int Line, string Message);

/// <summary>An uploaded file: either the raw request body or the <c>file</c> part of a multipart form.</summary>
public sealed record Upload(Stream Content, string? FileName, string? ContentType);

public static class Uploads
{
    /// <summary>
    /// Opens what was uploaded. No upload, and an error to return, when the request carries no file
    /// (415 for a content type that is neither a file nor a form, 400 for a form without a file).
    /// The size limit is the endpoint's own (Kestrel answers 413 past it).
    /// </summary>
    public static async Task<(Upload? Upload, IResult? Error)> OpenAsync(HttpRequest request, params string[] acceptedTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                // A multipart type without a boundary, or a body that is not the multipart it says it is.
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed form", detail: "The form cannot be read: " + e.Message));
            }

            var file = form.Files.GetFile("file") ?? (form.Files.Count > 0 ? form.Files[0] : null);
            return file is null
                ? (null, Problems.Invalid("file", "The form has no file: send it in a part named 'file'."))
                : (new Upload(file.OpenReadStream(), file.FileName, file.ContentType), null);
        }

        var type = MediaTypeHeaderValue.TryParse(request.ContentType, out var parsed) ? parsed.MediaType.Value : null;
        if (type is not null && !acceptedTypes.Contains(type, StringComparer.OrdinalIgnoreCase) && type != "application/octet-stream")
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"Send the file as the body ({string.Join(", ", acceptedTypes)}) or as a multipart form with a 'file' part, not '{type}'."));
        }

        return (new Upload(request.Body, null, type), null);
    }

    /// <summary>Reads a whole (small) upload into memory, stopping at <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAllAsync(Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}

/// <summary>Turns uploaded bytes into text the way people's files actually arrive.</summary>
public static class TextDecoding
{
    /// <summary>
    /// UTF-8 (with or without a byte-order mark) or UTF-16 with a mark; a file that is not valid UTF-8 is
    /// read as Latin-1 (what older spreadsheet exports use). Null for binary data (NUL bytes).
    /// </summary>
    public static (string Text, string Encoding)? Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Strict(bytes[3..]) is { } text ? (text, "utf-8") : null;
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (Encoding.Unicode.GetString(bytes[2..]), "utf-16le");
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (Encoding.BigEndianUnicode.GetString(bytes[2..]), "utf-16be");
        }

        if (bytes.Contains((byte)0))
        {
            return null;
        }

        return Strict(bytes) is { } utf8 ? (utf8, "utf-8") : (Encoding.Latin1.GetString(bytes), "latin-1");
    }

    private static string? Strict(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}

/// <summary>
/// Spreadsheet programs run a cell that starts with =, +, - or @ as a formula ("CSV injection"). Exports
/// put an apostrophe in front of such cells, which shows as text; imports take it off again.
/// </summary>
public static class CsvSafety
{
    /// <summary>True when a spreadsheet program would read the text as a formula if it were typed into a cell.</summary>
    public static bool LooksLikeFormula(string? value) => value is { Length: > 0 } && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r';

    public static string Neutralise(string? value) => LooksLikeFormula(value) ? "'" + value : value ?? "";

    public static string Restore(string value) =>
        value is { Length: > 1 } && value[0] == '\'' && value[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? value[1..] : value;
}
