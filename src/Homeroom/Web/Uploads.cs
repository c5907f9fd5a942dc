using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Homeroom.Web;

/// <summary>Something an import skipped or could not read, by line (or spreadsheet row) and why.</summary>
public sealed record ImportProblem(int Line, string Message);

/// <summary>An uploaded file: either the raw request body or the <c>file</c> part of a multipart form.</summary>
public sealed record Upload(Stream Content, string? FileName, string? ContentType);

/// <summary>A (small) uploaded file read into memory.</summary>
public sealed record UploadedBytes(byte[] Content, string? FileName, string? ContentType);

/// <summary>
/// The one way the import endpoints read an uploaded file, so every way a request can fail to carry one is
/// answered the same way, as a problem that says why: a multipart form without a boundary, that cannot be
/// parsed, with no file or with several (400 naming <c>file</c>); a form or body of a type the endpoint does
/// not read (415); an empty file (422); a file over the endpoint's limit (413).
/// </summary>
public static class Uploads
{
    private const string MultipartFormData = "multipart/form-data";

    /// <summary>
    /// Opens what was uploaded: the raw body (of one of <paramref name="acceptedTypes"/>, or untyped) or the one
    /// file of a multipart form. No upload, and the problem to answer with, when the request carries no file.
    /// The size limit is the endpoint's own (<see cref="RequestSizeLimitAttribute"/>: Kestrel answers 413 past it).
    /// </summary>
    public static async Task<(Upload? Upload, ProblemHttpResult? Error)> OpenAsync(HttpRequest request, params string[] acceptedTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parsed = MediaTypeHeaderValue.TryParse(request.ContentType, out var header) ? header : null;
        var type = parsed?.MediaType.Value;
        if (parsed is not null && string.Equals(type, MultipartFormData, StringComparison.OrdinalIgnoreCase))
        {
            return await OpenFormAsync(request, parsed);
        }

        if (type is not null && !acceptedTypes.Contains(type, StringComparer.OrdinalIgnoreCase) && type != "application/octet-stream")
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported media type",
                detail: $"Send the file as the body ({string.Join(", ", acceptedTypes)}) or as a {MultipartFormData} form with a 'file' part, not '{type}'."));
        }

        if (request.ContentLength == 0)
        {
            return (null, Empty(null));
        }

        return (new Upload(request.Body, null, type), null);
    }

    /// <summary>
    /// Reads a whole (small) upload into memory: what <see cref="OpenAsync"/> opens, refused with 413 past
    /// <paramref name="maxBytes"/> and with 422 when it is empty.
    /// </summary>
    public static async Task<(UploadedBytes? Upload, ProblemHttpResult? Error)> ReadAsync(HttpRequest request, long maxBytes, params string[] acceptedTypes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (upload, error) = await OpenAsync(request, acceptedTypes);
        if (upload is null)
        {
            return (null, error);
        }

        var bytes = await ReadAllAsync(upload.Content, maxBytes, request.HttpContext.RequestAborted);
        if (bytes is null)
        {
            return (null, TooLarge(maxBytes));
        }

        return bytes.Length == 0 ? (null, Empty(upload.FileName)) : (new UploadedBytes(bytes, upload.FileName, upload.ContentType), null);
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

    /// <summary>413 for a file over an endpoint's limit.</summary>
    public static ProblemHttpResult TooLarge(long maxBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "File too large",
        detail: $"The file is larger than this endpoint accepts ({maxBytes / (1024 * 1024)} MB at most).");

    private static async Task<(Upload? Upload, ProblemHttpResult? Error)> OpenFormAsync(HttpRequest request, MediaTypeHeaderValue type)
    {
        if (HeaderUtilities.RemoveQuotes(type.Boundary).Length == 0)
        {
            return (null, FileProblem(
                "Malformed form",
                $"The content type {MultipartFormData} needs a boundary (boundary=…); let the HTTP client build the form, e.g. curl -F file=@names.csv."));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException and not BadHttpRequestException && !request.HttpContext.RequestAborted.IsCancellationRequested))
        {
            // The form reader's own limits (parts, headers, lengths) and bodies that are not multipart at all (the
            // reader runs out of body looking for the boundary). A body over the size limit stays Kestrel's 413.
            return (null, FileProblem("Malformed form", $"The body is not a {MultipartFormData} form that can be read: {e.Message}"));
        }

        var files = form.Files;
        if (files.Count == 0)
        {
            return (null, FileProblem("No file", "The form has no file: send it in a part named 'file'."));
        }

        if (files.Count > 1)
        {
            return (null, FileProblem("More than one file", $"The form has {files.Count} files: send one, in a part named 'file'."));
        }

        var file = files[0];
        return file.Length == 0
            ? (null, Empty(file.FileName))
            : (new Upload(file.OpenReadStream(), file.FileName, file.ContentType), null);
    }

    private static ProblemHttpResult Empty(string? fileName) => Problems.Unprocessable(
        fileName is { Length: > 0 } ? $"The file '{fileName}' is empty." : "The upload is empty: send a file.");

    /// <summary>A 400 naming the field <c>file</c>, shaped like a validation problem.</summary>
    private static ProblemHttpResult FileProblem(string title, string detail) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status400BadRequest,
        Title = title,
        Detail = detail,
        Extensions = { ["errors"] = new Dictionary<string, string[]> { ["file"] = [detail] } },
    });
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
