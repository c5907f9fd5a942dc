using Dapper;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Images;

/// <summary>An uploaded picture: <c>Url</c> is where the teacher's pages load it from.</summary>
public sealed record ImageInfo(long Id, string Url, string ContentType, int Width, int Height, int Bytes);

/// <summary>
/// Pictures for questions. A teacher uploads one (POST /api/images) and puts its id in a question's <c>imageId</c>;
/// the picture is stored re-encoded (<see cref="ImageProcessor"/>) in the database, so every server serves it.
/// A teacher reads their own images and those of public quizzes; another teacher's private image is 404. Players
/// load a question's picture from the address the game or the assignment gave them with it (<see cref="ImageLinks"/>).
/// Images no quiz uses any more are deleted a week after they were last touched (<see cref="ImageSweep"/>).
/// </summary>
public static class ImagesApi
{
    /// <summary>Readable by the signed-in teacher: their own, and every image a public quiz uses.</summary>
    private const string Readable = """
        (i.teacher_id = @TeacherId OR EXISTS (
            SELECT 1 FROM quiz_images r JOIN quizzes q ON q.id = r.quiz_id WHERE r.image_id = i.id AND q.visibility = 'public'))
        """;

    /// <summary>An image's bytes never change (its id names one picture), so browsers may keep it for a year.</summary>
    private const string ForeverPrivately = "private, max-age=31536000, immutable";

    public static void MapImages(this IEndpointRouteBuilder api)
    {
        var images = api.MapGroup("/images").WithTags("Images").RequireAuthorization();
        images.MapPost("/", Upload)
            .WithSummary("Upload a picture for questions (JPEG, PNG, WebP or GIF, up to 5 MB): the raw body or a multipart 'file'. Stored re-encoded, at most 1920 px, without metadata")
            .Accepts<byte[]>("image/jpeg", "image/png", "image/webp", "image/gif", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(ImageProcessor.MaxUploadBytes))
            .WithFormOptions(multipartBodyLengthLimit: ImageProcessor.MaxUploadBytes)
            .Problem(StatusCodes.Status422UnprocessableEntity, "The file is not a JPEG, PNG, WebP or GIF picture, or is too large in pixels; `errors.file` says why.");
        images.MapGet("/{id:long}", Get)
            .WithSummary("A picture (mine, or used by a public quiz), with its content hash as ETag")
            .Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp")
            .WithIfNoneMatch();
        api.MapGet("/play/images/{token}", ForPlayers).WithTags("Live games").AllowAnonymous()
            .WithSummary("For players: a question's picture, at the address the live game or the assignment sent with the question")
            .Produces<byte[]>(StatusCodes.Status200OK, "image/jpeg", "image/png", "image/webp")
            .Produces(StatusCodes.Status304NotModified)
            .Problem(StatusCodes.Status404NotFound, "The address is not one the service gave out, has expired, or the picture is gone.");
    }

    private static async Task<Results<Created<ImageInfo>, ProblemHttpResult>> Upload(HttpRequest request, TeacherDb mine, TimeProvider clock)
    {
        var (upload, error) = await Uploads.ReadAsync(request, ImageProcessor.MaxUploadBytes, [.. ImageProcessor.ContentTypes, "image/jpg"]);
        if (upload is null)
        {
            return error!;
        }

        var (image, why) = await ImageProcessor.ProcessAsync(upload.Content, request.HttpContext.RequestAborted);
        if (image is null)
        {
            return Problems.Unprocessable(why!, new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["file"] = [why!] } });
        }

        var id = await StoreAsync(mine, image, clock.GetUtcNow().ToUnixTimeMilliseconds());
        return TypedResults.Created($"/api/images/{id}", new ImageInfo(id, $"/api/images/{id}", image.ContentType, image.Width, image.Height, image.Data.Length));
    }

    /// <summary>Stores a processed picture as the teacher's (the same picture twice is one image) and returns its id.</summary>
    internal static Task<long> StoreAsync(TeacherDb mine, ProcessedImage image, long now) => mine.WriteAsync(tx => tx.ExecuteScalarAsync<long>(
        """
        INSERT INTO images (teacher_id, hash, content_type, width, height, data, created_at, touched_at)
        VALUES (@TeacherId, @Hash, @ContentType, @Width, @Height, @Data, @now, @now)
        ON CONFLICT (teacher_id, hash) DO UPDATE SET touched_at = excluded.touched_at
        RETURNING id
        """,
        new { image.Hash, image.ContentType, image.Width, image.Height, image.Data, now }));

    internal sealed class StoredImage
    {
        public long Id { get; init; }

        public string Hash { get; init; } = "";

        public string ContentType { get; init; } = "";

        public byte[] Data { get; init; } = [];
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, StatusCodeHttpResult>> Get(long id, TeacherDb mine, HttpContext context)
    {
        var image = await mine.QuerySingleOrDefaultAsync<StoredImage>(
            $"SELECT i.id, i.hash, i.content_type, i.data FROM images i WHERE i.id = @id AND {Readable}", new { id });
        return image is null ? Problems.NotFound("image") : Send(image, context, ForeverPrivately);
    }

    /// <summary>The images (with their bytes) of these ids that the teacher may read.</summary>
    internal static async Task<IReadOnlyList<StoredImage>> ReadableAsync(TeacherDb mine, IReadOnlyCollection<long> ids) =>
        ids.Count == 0 ? [] : await mine.QueryAsync<StoredImage>(
            $"SELECT i.id, i.hash, i.content_type, i.data FROM images i WHERE {QuizImages.AnyOf(mine.Database, "i.id", "ids")} AND {Readable}", new { ids = ids.ToArray() });

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, StatusCodeHttpResult>> ForPlayers(
        string token, ImageLinks links, PlayerImageCache recent, Database database, HttpContext context)
    {
        if (links.Open(token) is not { } id)
        {
            return NoPicture();
        }

        if (!recent.TryGet(id, out var image))
        {
            await using var connection = await database.OpenAsync(context.RequestAborted);
            image = await connection.QuerySingleOrDefaultAsync<StoredImage>(
                "SELECT id, hash, content_type, data FROM images WHERE id = @id", new { id });
            if (image is null)
            {
                return NoPicture();
            }

            recent.Add(image);
        }

        // A capability address: no shared cache keeps it; the browser may, for as long as the address lasts.
        return Send(image, context, "private, max-age=86400, immutable");
    }

    private static ProblemHttpResult NoPicture() => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no picture at this address (or it has expired).");

    private static Results<FileContentHttpResult, ProblemHttpResult, StatusCodeHttpResult> Send(StoredImage image, HttpContext context, string cacheControl)
    {
        var etag = "\"" + image.Hash + "\"";
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = cacheControl;
        headers.XContentTypeOptions = "nosniff";
        if (context.Request.Headers.IfNoneMatch.ToString().Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*"))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.File(image.Data, image.ContentType);
    }
}

/// <summary>
/// The pictures players asked for lately, in memory: the picture of the question on the screen is asked for by every
/// phone in the room at once, and would otherwise be read from the database once per phone. Bounded to 64 MB (emptied
/// when full). Only reached through a sealed address, so an image swept from the database meanwhile harms nobody.
/// </summary>
public sealed class PlayerImageCache
{
    private const long MaxBytes = 64L * 1024 * 1024;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, ImagesApi.StoredImage> images = new();
    private long bytes;

    internal bool TryGet(long id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImagesApi.StoredImage? image) =>
        images.TryGetValue(id, out image);

    internal void Add(ImagesApi.StoredImage image)
    {
        if (Interlocked.Add(ref bytes, image.Data.Length) > MaxBytes)
        {
            images.Clear();
            Interlocked.Exchange(ref bytes, image.Data.Length);
        }

        images[image.Id] = image;
    }
}
