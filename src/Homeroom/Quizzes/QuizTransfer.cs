using Homeroom.Images;
using Homeroom.Quizzes.Formats;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Quizzes;

/// <summary>What an export in <c>Format</c> would hold: <c>LeftOut</c> are question numbers (from 1); <c>Notes</c> say why, and what changed.</summary>
public sealed record QuizExportCheck(string Format, int Questions, int Written, IReadOnlyList<int> LeftOut, IReadOnlyList<string> Notes);

public sealed record QuizImportReport(QuizDetail Quiz, string Format, IReadOnlyList<ImportProblem> Skipped, IReadOnlyList<ImportProblem> Notes);

/// <summary>
/// Quizzes in and out, in the formats teachers already have: Moodle GIFT and Aiken, the Kahoot
/// spreadsheet, our CSV and the JSON contract itself (docs/quiz-formats.md). An import creates one new
/// quiz and reports what it skipped, by line; a broken file creates nothing and gets a 422 that names the
/// line and the reason.
/// </summary>
public static class QuizTransfer
{
    /// <summary>A JSON export carries its pictures (each up to 5 MB as uploaded, usually a few hundred KB once stored), so the limit leaves room for them.</summary>
    public const int MaxUploadBytes = 32 * 1024 * 1024;

    public static void MapQuizTransfer(this RouteGroupBuilder quizzes)
    {
        ArgumentNullException.ThrowIfNull(quizzes);
        quizzes.MapPost("/import", Import)
            .WithSummary("Create a quiz from a file or pasted text (GIFT, Aiken, Kahoot .xlsx, CSV or JSON): the raw body or a multipart 'file'; ?format= or detected; ?title= names the quiz")
            .Accepts<string>("text/plain", "text/csv", "application/json", QuizFormats.XlsxContentType, "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes))
            .WithFormOptions(multipartBodyLengthLimit: MaxUploadBytes)
            .Problem(StatusCodes.Status422UnprocessableEntity, "The file cannot be read as a quiz in that format; `problems` lists each line and why.");
        quizzes.MapGet("/{id:long}/export/check", CheckExport)
            .WithSummary("Before a download: which questions a format would leave out (and why) or change");
        quizzes.MapGet("/{id:long}/export", Export)
            .WithSummary("Download a quiz as gift, aiken, xlsx (Kahoot spreadsheet), csv or json (the default)")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/json", "text/plain", "text/csv", QuizFormats.XlsxContentType);
    }

    private static async Task<Results<Created<QuizImportReport>, ProblemHttpResult, ValidationProblem>> Import(
        string? format, string? title, HttpRequest request, TeacherDb mine, TimeProvider clock)
    {
        // The teacher may name the quiz (else the file's title, or its name, is used).
        var named = Names.Normalize(title);
        if (named is not null && new System.Globalization.StringInfo(named).LengthInTextElements > QuizRules.MaxTitle)
        {
            return Problems.Invalid("title", $"title has at most {QuizRules.MaxTitle} characters.");
        }

        var requested = format?.Trim().ToLowerInvariant() switch
        {
            null or "" => null,
            "xlsx" => QuizFormats.Kahoot,
            var name when QuizFormats.ImportFormats.Contains(name) => name,
            _ => "?",
        };
        if (requested == "?")
        {
            return Problems.Invalid("format", $"format must be one of {string.Join(", ", QuizFormats.ImportFormats)} (or leave it out to detect it).");
        }

        var (upload, error) = await Uploads.ReadAsync(request, MaxUploadBytes, "text/plain", "text/csv", "application/csv", "application/json", QuizFormats.XlsxContentType);
        if (upload is null)
        {
            return error!;
        }

        var bytes = upload.Content;
        var chosen = requested ?? QuizFormats.Detect(bytes, upload.FileName, upload.ContentType);
        if (chosen is null)
        {
            return Problems.Unprocessable(
                $"Could not tell what kind of file this is. Name the format with ?format= ({string.Join(", ", QuizFormats.ImportFormats)}).");
        }

        var result = QuizFormats.Import(bytes, chosen, upload.FileName);
        if (result.Error is not null || result.Quiz is null)
        {
            var problem = result.Error ?? new ImportProblem(0, "The file holds no question that can be imported.");
            return Problems.Unprocessable(
                problem.Line > 0 && !problem.Message.StartsWith("Line ", StringComparison.Ordinal) ? $"Line {problem.Line}: {problem.Message}" : problem.Message,
                new Dictionary<string, object?> { ["line"] = problem.Line, ["format"] = chosen, ["skipped"] = result.Skipped });
        }

        var imported = string.IsNullOrEmpty(named) ? result.Quiz : QuizRules.Normalize(result.Quiz with { Title = named });
        // A JSON quiz may carry its pictures inline (or name images of the importing teacher by id).
        var (resolved, invalid) = await QuizImages.ResolveAsync(mine, imported, clock, request.HttpContext.RequestAborted);
        if (resolved is null)
        {
            return invalid!;
        }

        imported = resolved;
        var id = await mine.WriteAsync(tx => QuizzesApi.InsertAsync(tx, imported, clock));
        var quiz = (await QuizzesApi.FindAsync(mine, id))!.ToDetail();
        request.HttpContext.Response.Headers.ETag = QuizzesApi.ETag(quiz.Version);
        return TypedResults.Created($"/api/quizzes/{id}", new QuizImportReport(quiz, chosen, result.Skipped, result.Notes));
    }

    private static async Task<Results<Ok<QuizExportCheck>, ProblemHttpResult, ValidationProblem>> CheckExport(long id, string? format, TeacherDb mine)
    {
        var (chosen, invalid) = ExportFormat(format);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await QuizzesApi.FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("quiz");
        }

        var content = row.ToDetail().ToContent();
        var export = QuizFormats.Export(content, chosen);
        var count = content.Questions?.Count ?? 0;
        return TypedResults.Ok(new QuizExportCheck(chosen, count, count - export.LeftOut.Count, export.LeftOut, export.Notes));
    }

    private static (string Format, ValidationProblem? Invalid) ExportFormat(string? format)
    {
        var chosen = format?.Trim().ToLowerInvariant() switch
        {
            null or "" => QuizFormats.Json,
            QuizFormats.Kahoot => "xlsx",
            var name => name,
        };
        return QuizFormats.ExportFormats.Contains(chosen)
            ? (chosen, null)
            : (chosen, Problems.Invalid("format", $"format must be one of {string.Join(", ", QuizFormats.ExportFormats)}."));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Export(long id, string? format, TeacherDb mine, HttpContext context)
    {
        var (chosen, invalid) = ExportFormat(format);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await QuizzesApi.FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("quiz");
        }

        var quiz = row.ToDetail();
        var content = chosen == QuizFormats.Json ? await QuizImages.InlineAsync(mine, quiz.ToContent()) : quiz.ToContent();
        var export = QuizFormats.Export(content, chosen);
        if (export.LeftOut.Count > 0)
        {
            // The file cannot say what it lacks: the response does (the numbers, and the reasons percent-encoded, one a line).
            context.Response.Headers["X-Export-Left-Out"] = string.Join(", ", export.LeftOut.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            context.Response.Headers["X-Export-Notes"] = Uri.EscapeDataString(string.Join('\n', export.Notes));
        }

        var fileName = string.Concat(quiz.Title.Select(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_' ? c : '-')).Trim();
        return TypedResults.File(export.Content, export.ContentType, (fileName.Length == 0 ? "quiz" : fileName) + export.FileExtension);
    }
}
