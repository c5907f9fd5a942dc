using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Homeroom.Images;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Homeroom.Quizzes;

public sealed record QuizOwner(string Username, string DisplayName);

public sealed record QuizSummary(
    long Id, string Title, string? Description, IReadOnlyList<string> Tags, string Visibility, int QuestionCount,
    QuizOwner Owner, bool Mine, bool Favorite, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record QuizDetail(
    long Id, string Title, string? Description, IReadOnlyList<string> Tags, string Visibility, IReadOnlyList<Question> Questions,
    QuizOwner Owner, bool Mine, bool Favorite, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public QuizContent ToContent() => new(Title, Description, Tags, Visibility, Questions);
}

public sealed record QuizPage(IReadOnlyList<QuizSummary> Items, int Page, int PageSize, long Total);

/// <summary>PATCH body: the fields given replace the quiz's own; the result must be a valid quiz.</summary>
public sealed record QuizPatch(string? Title, string? Description, IReadOnlyList<string>? Tags, string? Visibility, IReadOnlyList<Question>? Questions);

/// <summary>
/// The quiz library: my quizzes, my favourites (mine or other teachers' public ones) and the public
/// catalogue, with ranked full-text search over titles, descriptions and question text. Edits carry
/// the quiz's version as an ETag; an If-Match that no longer matches gets 412 instead of overwriting.
/// Another teacher's private quiz is 404 on every route.
/// </summary>
public static partial class QuizzesApi
{
    internal static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private const string Columns = """
        q.id, q.title, q.description, q.tags, q.visibility, q.question_count, q.version, q.created_at, q.updated_at,
        t.username AS owner_username, t.display_name AS owner_display_name,
        CASE WHEN q.teacher_id = @TeacherId THEN 1 ELSE 0 END AS mine,
        CASE WHEN EXISTS (SELECT 1 FROM quiz_favorites f WHERE f.quiz_id = q.id AND f.teacher_id = @TeacherId) THEN 1 ELSE 0 END AS favorite
        """;

    /// <summary>Quizzes the signed-in teacher may read: their own and every public one.</summary>
    private const string Readable = "(q.teacher_id = @TeacherId OR q.visibility = 'public')";

    public static RouteGroupBuilder MapQuizzes(this IEndpointRouteBuilder api)
    {
        var quizzes = api.MapGroup("/quizzes").WithTags("Quizzes").RequireAuthorization();
        quizzes.MapGet("/", List).WithSummary("My quizzes (or ?favorites=true: my favourites), newest first or ranked by ?q=");
        quizzes.MapGet("/public", Catalogue).WithSummary("The public catalogue: everyone's public quizzes, searchable with ?q=");
        quizzes.MapPost("/", Create).WithSummary("Create a quiz");
        quizzes.MapGet("/{id:long}", Get).WithSummary("One quiz (mine or public); sends its version as ETag").WithIfNoneMatch();
        quizzes.MapPut("/{id:long}", Replace).WithSummary("Replace a quiz; If-Match with the ETag guards against lost edits (412)").WithIfMatch();
        quizzes.MapPatch("/{id:long}", Patch).WithSummary("Change some fields of a quiz; If-Match as for PUT").WithIfMatch();
        quizzes.MapDelete("/{id:long}", Delete).WithSummary("Delete a quiz");
        quizzes.MapPost("/{id:long}/copy", Copy).WithSummary("Copy a quiz (mine or public) into my library");
        quizzes.MapPut("/{id:long}/favorite", Favorite).WithSummary("Add a quiz (mine or public) to my favourites");
        quizzes.MapDelete("/{id:long}/favorite", Unfavorite).WithSummary("Remove a quiz from my favourites");
        quizzes.MapQuizTransfer();
        return quizzes;
    }

    internal sealed class QuizRow
    {
        public long Id { get; init; }

        public string Title { get; init; } = "";

        public string? Description { get; init; }

        public string Tags { get; init; } = "[]";

        public string Visibility { get; init; } = "private";

        public long QuestionCount { get; init; }

        public long Version { get; init; }

        public long CreatedAt { get; init; }

        public long UpdatedAt { get; init; }

        public string OwnerUsername { get; init; } = "";

        public string OwnerDisplayName { get; init; } = "";

        public long Mine { get; init; }

        public long Favorite { get; init; }

        public string? Questions { get; init; }

        public QuizSummary ToSummary() => new(Id, Title, Description, ReadTags(), Visibility, (int)QuestionCount, Owner, Mine != 0, Favorite != 0,
            (int)Version, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));

        public QuizDetail ToDetail() => new(Id, Title, Description, ReadTags(), Visibility,
            JsonSerializer.Deserialize<List<Question>>(Questions ?? "[]", Json) ?? [], Owner, Mine != 0, Favorite != 0,
            (int)Version, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt));

        private QuizOwner Owner => new(OwnerUsername, OwnerDisplayName);

        private List<string> ReadTags() => JsonSerializer.Deserialize<List<string>>(Tags, Json) ?? [];
    }

    internal static Task<QuizRow?> FindAsync(TeacherDb mine, long id) => mine.QuerySingleOrDefaultAsync<QuizRow>(
        $"SELECT {Columns}, q.questions FROM quizzes q JOIN teachers t ON t.id = q.teacher_id WHERE q.id = @id AND {Readable}", new { id });

    private static async Task<Results<Ok<QuizPage>, ValidationProblem>> List(TeacherDb mine, string? q, bool? favorites, int? page, int? pageSize) =>
        await ListAsync(mine, favorites == true ? Scope.Favorites : Scope.Mine, q, page, pageSize);

    private static async Task<Results<Ok<QuizPage>, ValidationProblem>> Catalogue(TeacherDb mine, string? q, int? page, int? pageSize) =>
        await ListAsync(mine, Scope.Public, q, page, pageSize);

    private enum Scope
    {
        Mine,
        Favorites,
        Public,
    }

    private static async Task<Results<Ok<QuizPage>, ValidationProblem>> ListAsync(TeacherDb mine, Scope scope, string? q, int? page, int? pageSize)
    {
        if (Paging.TryRead(page, pageSize, defaultSize: 20, maxSize: 100, out var paging) is { } invalid)
        {
            return invalid;
        }

        var where = scope switch
        {
            Scope.Mine => "q.teacher_id = @TeacherId",
            Scope.Favorites => $"EXISTS (SELECT 1 FROM quiz_favorites f WHERE f.quiz_id = q.id AND f.teacher_id = @TeacherId) AND {Readable}",
            _ => "q.visibility = 'public'",
        };
        var match = SearchExpression(q, mine.Database);
        string from = "quizzes q", order = "q.updated_at DESC, q.id DESC";
        if (match is not null)
        {
            if (mine.Database.IsSqlite)
            {
                from = "quiz_search s JOIN quizzes q ON q.id = s.rowid";
                where += " AND quiz_search MATCH @match";
                order = "bm25(quiz_search, 10.0, 1.0), q.id";
            }
            else
            {
                where += " AND q.search @@ to_tsquery('simple', @match)";
                order = "ts_rank(q.search, to_tsquery('simple', @match)) DESC, q.id";
            }
        }

        var rows = await mine.QueryAsync<QuizRow>(
            $"""
            SELECT {Columns} FROM {from} JOIN teachers t ON t.id = q.teacher_id
            WHERE {where} ORDER BY {order} LIMIT @size OFFSET @skip
            """,
            new { match, size = paging.PageSize, skip = paging.Skip });
        var total = await CountAsync(mine, from, where, match);
        return TypedResults.Ok(new QuizPage(rows.Select(r => r.ToSummary()).ToList(), paging.Page, paging.PageSize, total));
    }

    private static async Task<long> CountAsync(TeacherDb mine, string from, string where, string? match)
    {
        // The conditions are the listing's own (scoped to the teacher for "mine" and "favourites"); the
        // public catalogue's count has no owner to scope by, so this runs outside TeacherDb's guard.
        await using var connection = await mine.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM {from} WHERE {where}", new { match, mine.TeacherId });
    }

    /// <summary>
    /// Every word of the query, as a prefix, must occur ("frac" finds "fractions"); case and accents do
    /// not matter. Words are letters and digits only, so no query syntax can be injected.
    /// </summary>
    internal static string? SearchExpression(string? query, Database database)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return null;
        }

        var terms = Words().Matches(QuizRules.MatchKey(query)).Select(m => m.Value).Distinct().Take(8).ToList();
        if (terms.Count == 0)
        {
            return null;
        }

        return database.IsSqlite
            ? string.Join(" AND ", terms.Select(t => $"\"{t}\"*"))
            : string.Join(" & ", terms.Select(t => $"{t}:*"));
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Words();

    private static async Task<Results<Created<QuizDetail>, ProblemHttpResult, ValidationProblem>> Create(QuizContent request, TeacherDb mine, TimeProvider clock, HttpContext context)
    {
        var (resolved, invalid) = await QuizImages.ResolveAsync(mine, request, clock, context.RequestAborted);
        if (resolved is null)
        {
            return invalid!;
        }

        var quiz = QuizRules.Normalize(resolved);
        var id = await mine.WriteAsync(tx => InsertAsync(tx, quiz, clock));
        return await CreatedAsync(mine, id, context);
    }

    internal static async Task<Created<QuizDetail>> CreatedAsync(TeacherDb mine, long id, HttpContext context)
    {
        var created = (await FindAsync(mine, id))!.ToDetail();
        context.Response.Headers.ETag = ETag(created.Version);
        return TypedResults.Created($"/api/quizzes/{id}", created);
    }

    /// <summary>
    /// Stores a normalised, valid quiz as a new quiz of the signed-in teacher (its pictures already the teacher's:
    /// <see cref="QuizImages.ResolveAsync"/>), with its image references.
    /// </summary>
    internal static async Task<long> InsertAsync(TeacherTransaction tx, QuizContent quiz, TimeProvider clock)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var id = await tx.ExecuteScalarAsync<long>(
            """
            INSERT INTO quizzes (teacher_id, title, description, tags, visibility, questions, question_count, version, created_at, updated_at, search_title, search_body)
            VALUES (@TeacherId, @title, @description, @tags, @visibility, @questions, @questionCount, 1, @now, @now, @searchTitle, @searchBody)
            RETURNING id
            """,
            Parameters(quiz, now, id: 0));
        await QuizImages.SyncReferencesAsync(tx, id, quiz, now);
        return id;
    }

    private static object Parameters(QuizContent quiz, long now, long id) => new
    {
        id,
        title = quiz.Title,
        description = quiz.Description,
        tags = JsonSerializer.Serialize(quiz.Tags, Json),
        visibility = quiz.Visibility,
        questions = JsonSerializer.Serialize(quiz.Questions, Json),
        questionCount = quiz.Questions!.Count,
        now,
        searchTitle = QuizRules.MatchKey(quiz.Title!),
        searchBody = SearchBody(quiz),
    };

    private static string SearchBody(QuizContent quiz)
    {
        var text = new StringBuilder();
        void Add(string? part)
        {
            if (!string.IsNullOrWhiteSpace(part))
            {
                text.Append(QuizRules.MatchKey(part)).Append('\n');
            }
        }

        Add(quiz.Description);
        foreach (var tag in quiz.Tags ?? [])
        {
            Add(tag);
        }

        foreach (var question in quiz.Questions ?? [])
        {
            Add(question.Text);
            foreach (var answer in question.Answers ?? [])
            {
                Add(answer.Text);
            }

            foreach (var item in (question.Accepted ?? []).Concat(question.Items ?? []))
            {
                Add(item);
            }
        }

        return text.ToString();
    }

    private static async Task<Results<Ok<QuizDetail>, ProblemHttpResult, StatusCodeHttpResult>> Get(long id, TeacherDb mine, HttpContext context)
    {
        if (await FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("quiz");
        }

        var etag = ETag((int)row.Version);
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        return TypedResults.Ok(row.ToDetail());
    }

    private static Task<Results<Ok<QuizDetail>, ProblemHttpResult, ValidationProblem>> Replace(
        long id, QuizContent request, TeacherDb mine, TimeProvider clock, HttpContext context) =>
        UpdateAsync(id, _ => request, mine, clock, context);

    private static Task<Results<Ok<QuizDetail>, ProblemHttpResult, ValidationProblem>> Patch(
        long id, QuizPatch patch, TeacherDb mine, TimeProvider clock, HttpContext context) =>
        UpdateAsync(id, current => new QuizContent(
            patch.Title ?? current.Title,
            patch.Description ?? current.Description,
            patch.Tags ?? current.Tags,
            patch.Visibility ?? current.Visibility,
            patch.Questions ?? current.Questions), mine, clock, context);

    private static async Task<Results<Ok<QuizDetail>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        long id, Func<QuizContent, QuizContent> change, TeacherDb mine, TimeProvider clock, HttpContext context)
    {
        if (!TryReadIfMatch(context.Request, out var expected))
        {
            return Problems.Invalid("If-Match", "If-Match must be the quiz's ETag, as sent by GET (e.g. \"3\"), or *.");
        }

        if (await FindAsync(mine, id) is not { } row || row.Mine == 0)
        {
            return Problems.NotFound("quiz");
        }

        var updated = change(row.ToDetail().ToContent());
        var errors = new ValidationErrors();
        QuizRules.Validate(updated, errors);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        var (resolved, invalid) = await QuizImages.ResolveAsync(mine, updated, clock, context.RequestAborted);
        if (resolved is null)
        {
            return invalid!;
        }

        var quiz = QuizRules.Normalize(resolved);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var version = await mine.WriteAsync(async tx =>
        {
            var current = await tx.QuerySingleOrDefaultAsync<long?>("SELECT version FROM quizzes WHERE id = @id AND teacher_id = @TeacherId", new { id });
            if (current is null || (expected is not null && expected != current))
            {
                return current is null ? 0 : -current.Value;
            }

            await tx.ExecuteAsync(
                """
                UPDATE quizzes SET title = @title, description = @description, tags = @tags, visibility = @visibility, questions = @questions,
                    question_count = @questionCount, version = version + 1, updated_at = @now, search_title = @searchTitle, search_body = @searchBody
                WHERE id = @id AND teacher_id = @TeacherId
                """,
                Parameters(quiz, now, id));
            await QuizImages.SyncReferencesAsync(tx, id, quiz, now);
            return current.Value + 1;
        });
        if (version == 0)
        {
            return Problems.NotFound("quiz");
        }

        if (version < 0)
        {
            context.Response.Headers.ETag = ETag((int)-version);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status412PreconditionFailed,
                title: "The quiz has changed",
                detail: $"Someone saved this quiz after you loaded it (it is now at version {-version}, you edited version {expected}). Reload it and make your change again.");
        }

        var detail = (await FindAsync(mine, id))!.ToDetail();
        context.Response.Headers.ETag = ETag(detail.Version);
        return TypedResults.Ok(detail);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, TeacherDb mine, TimeProvider clock)
    {
        var deleted = await mine.WriteAsync(async tx =>
        {
            // Its images lose this reference: their grace period starts now (ImageSweep).
            await QuizImages.TouchAsync(tx, id, clock.GetUtcNow().ToUnixTimeMilliseconds());
            return await tx.ExecuteAsync("DELETE FROM quizzes WHERE id = @id AND teacher_id = @TeacherId", new { id });
        });
        return deleted == 0 ? Problems.NotFound("quiz") : TypedResults.NoContent();
    }

    private static async Task<Results<Created<QuizDetail>, ProblemHttpResult>> Copy(long id, TeacherDb mine, TimeProvider clock, HttpContext context)
    {
        if (await FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("quiz");
        }

        var source = row.ToDetail();
        var title = "Copy of " + source.Title;
        var info = new StringInfo(title);
        if (info.LengthInTextElements > QuizRules.MaxTitle)
        {
            title = info.SubstringByTextElements(0, QuizRules.MaxTitle);
        }

        var copy = QuizRules.Normalize(source.ToContent() with { Title = title, Visibility = "private" });
        var newId = await mine.WriteAsync(async tx =>
        {
            // The copy's pictures are the copier's own (the original's owner may delete them, or make the quiz private).
            var questions = await QuizImages.CopyAsync(tx, copy.Questions!, clock.GetUtcNow().ToUnixTimeMilliseconds());
            return await InsertAsync(tx, copy with { Questions = questions }, clock);
        });
        return await CreatedAsync(mine, newId, context);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Favorite(long id, TeacherDb mine, TimeProvider clock)
    {
        var added = await mine.ExecuteAsync(
            $"""
            INSERT INTO quiz_favorites (teacher_id, quiz_id, created_at)
            SELECT @TeacherId, q.id, @now FROM quizzes q WHERE q.id = @id AND {Readable}
            ON CONFLICT DO NOTHING
            """,
            new { id, now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
        return added > 0 || await FindAsync(mine, id) is not null ? TypedResults.NoContent() : Problems.NotFound("quiz");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Unfavorite(long id, TeacherDb mine)
    {
        if (await FindAsync(mine, id) is null)
        {
            return Problems.NotFound("quiz");
        }

        await mine.ExecuteAsync("DELETE FROM quiz_favorites WHERE quiz_id = @id AND teacher_id = @TeacherId", new { id });
        return TypedResults.NoContent();
    }

    internal static string ETag(int version) => "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";

    /// <summary>Reads If-Match: absent or * means "whatever the version", else the one version it names.</summary>
    private static bool TryReadIfMatch(HttpRequest request, out long? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return true;
        }

        if (EntityTagHeaderValue.TryParseList([header], out var tags) && tags.Count == 1 && !tags[0].IsWeak
            && long.TryParse(tags[0].Tag.Value?.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }
}
