using System.Globalization;
using System.Text.Json;
using Homeroom.Games;
using Homeroom.Quizzes;
using Homeroom.Reports;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;

namespace Homeroom.Assignments;

/// <summary>
/// Assignments as their teacher manages them: assign a quiz with a deadline, list them with progress, extend the
/// deadline, close early, delete with their data, the join QR code, and the report (the same shape and exports as a
/// game's). Another teacher's assignment is 404 on every route. Students play through <see cref="AssignmentPlay"/>.
/// </summary>
public static class AssignmentsApi
{
    /// <summary>Codes drawn for one new assignment before giving up (each is a fresh draw; collisions are rare).</summary>
    private const int MaxCodeAttempts = 20;

    /// <summary>Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).</summary>
    internal const string CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";

    internal const int CodeLength = 6;

    /// <summary>
    /// An assignment as its teacher sees it. Status is open (before the deadline), closed (closed early) or over
    /// (the deadline passed). Finished counts students (or nicknames) with a finished attempt, Of the class's
    /// students for a class assignment and everyone who started otherwise ("14 of 25 finished").
    /// </summary>
    public sealed record AssignmentInfo(
        long Id, string Code, string JoinUrl, string QrCodeUrl, string Title, long? QuizId, long? ClassId, string? ClassName,
        int QuestionCount, DateTimeOffset CreatedAt, DateTimeOffset Deadline, DateTimeOffset? ClosedAt, string Status,
        int Started, int Finished, int Of, AssignmentSettings Options);

    /// <summary>A student's (or nickname's) attempts: the best score, and the code that continues on another device.</summary>
    public sealed record AssignmentStudent(
        string Name, long? StudentId, int Attempts, bool Finished, int Answered, int BestScore, string ResumeCode, int Devices, DateTimeOffset LastStartedAt);

    public sealed record AssignmentDetail(AssignmentInfo Assignment, IReadOnlyList<AssignmentStudent> Students, IReadOnlyList<string> NotStarted);

    public static void MapAssignments(this IEndpointRouteBuilder api)
    {
        var assignments = api.MapGroup("/assignments").WithTags("Assignments").RequireAuthorization();
        assignments.MapPost("/", Create).WithSummary("Assign a quiz (mine or public) to play at one's own pace before a deadline: a code, a join URL and its QR code")
            .Problem(StatusCodes.Status404NotFound, "No quiz of mine or public quiz has that quizId.")
            .Problem(StatusCodes.Status422UnprocessableEntity, "The quiz has no questions, the class has no students, or the deadline has passed.");
        assignments.MapGet("/", List).WithSummary("My assignments, newest first, with progress (?quizId=, ?classId=)");
        assignments.MapGet("/{id:long}", Get).WithSummary("One of my assignments: progress student by student, with their continuation codes");
        assignments.MapPatch("/{id:long}", Extend).WithSummary("Move the deadline later (while the assignment is open)")
            .Problem(StatusCodes.Status409Conflict, "The assignment is over: its results are final.")
            .Problem(StatusCodes.Status422UnprocessableEntity, "The new deadline is not later than the current one.");
        assignments.MapPost("/{id:long}/close", Close).WithSummary("Close an assignment now: nothing more is accepted, the results are final")
            .Problem(StatusCodes.Status409Conflict, "The assignment is already over.");
        assignments.MapDelete("/{id:long}", Delete).WithSummary("Delete an assignment and everything recorded about it");
        assignments.MapGet("/{id:long}/qr.svg", QrCode).WithSummary("The join URL as a QR code (SVG)")
            .Produces<string>(StatusCodes.Status200OK, "image/svg+xml");
        assignments.MapGet("/{id:long}/report", Report).WithSummary("The assignment's report: the same shape as a game's (each student's best attempt)");
        assignments.MapGet("/{id:long}/export", Export)
            .WithSummary("Download the assignment's report: ?format=csv or xlsx, as a game's")
            .Produces<byte[]>(StatusCodes.Status200OK, "text/csv", Spreadsheet.ContentType);

        api.MapAssignmentPlay();
    }

    internal sealed class AssignmentRow
    {
        public long Id { get; init; }

        public long TeacherId { get; init; }

        public long? QuizId { get; init; }

        public long? ClassId { get; init; }

        public string? ClassName { get; init; }

        public string Code { get; init; } = "";

        public string Title { get; init; } = "";

        public string Questions { get; init; } = "[]";

        public string Options { get; init; } = "{}";

        public long CreatedAt { get; init; }

        public long Deadline { get; init; }

        public long? ClosedAt { get; init; }

        public AssignmentSettings Settings => JsonSerializer.Deserialize<AssignmentSettings>(Options, QuizzesApi.Json)!;

        public IReadOnlyList<Question> QuestionList => ReportMath.ReadQuestions(Questions);

        /// <summary>Open until the deadline or until closed; after that nothing is accepted and the results are final.</summary>
        public bool IsOpen(long now) => ClosedAt is null && now < Deadline;

        public string Status(long now) => ClosedAt is not null ? "closed" : now < Deadline ? "open" : "over";

        /// <summary>When it stopped accepting answers, or null while open.</summary>
        public long? EndedAt(long now) => ClosedAt ?? (now >= Deadline ? Deadline : null);
    }

    internal const string Columns =
        "a.id, a.teacher_id, a.quiz_id, a.class_id, c.name AS class_name, a.code, a.title, a.questions, a.options, a.created_at, a.deadline, a.closed_at";

    private sealed class ProgressRow
    {
        public long AssignmentId { get; init; }

        public long Started { get; init; }

        public long Finished { get; init; }
    }

    private sealed class CountRow
    {
        public long ClassId { get; init; }

        public long Students { get; init; }
    }

    internal static Task<AssignmentRow?> FindAsync(TeacherDb mine, long id) => mine.QuerySingleOrDefaultAsync<AssignmentRow>(
        $"SELECT {Columns} FROM assignments a LEFT JOIN classes c ON c.id = a.class_id WHERE a.id = @id AND a.teacher_id = @TeacherId", new { id });

    private static async Task<Results<Created<AssignmentInfo>, ProblemHttpResult, ValidationProblem>> Create(
        NewAssignment request, TeacherDb mine, IRandomSource random, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        if (await QuizzesApi.FindAsync(mine, request.QuizId!.Value) is not { } quiz)
        {
            return Problems.NotFound("quiz (or public quiz)");
        }

        if (quiz.ToDetail().Questions.Count == 0)
        {
            return Problems.Unprocessable("This quiz has no questions yet: add some before assigning it.");
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var deadline = request.Deadline!.Value.ToUnixTimeMilliseconds();
        if (deadline <= now)
        {
            return Problems.Invalid("deadline", "The deadline has passed: choose a later date and time.");
        }

        var settings = AssignmentSettings.From(request.Options);
        if (settings.ClassId is { } classId)
        {
            if (await Classes.ClassesApi.FindClassAsync(mine, classId) is null)
            {
                return Problems.Invalid("options.classId", "There is no class of yours with that id.");
            }

            if ((await Classes.ClassesApi.ActiveStudentsAsync(mine, classId)).Count == 0)
            {
                return Problems.Unprocessable("This class has no students yet: add the roster before assigning to it.");
            }
        }

        var options = JsonSerializer.Serialize(settings, QuizzesApi.Json);
        for (var attempt = 0; attempt < MaxCodeAttempts; attempt++)
        {
            var code = string.Create(CodeLength, random, (chars, source) =>
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = CodeAlphabet[(int)source.NextBelow(CodeAlphabet.Length)];
                }
            });
            var id = await mine.WriteAsync(tx => tx.ExecuteScalarAsync<long?>(
                """
                INSERT INTO assignments (teacher_id, quiz_id, class_id, code, title, questions, options, created_at, deadline)
                VALUES (@TeacherId, @quizId, @classId, @code, @title, @questions, @options, @now, @deadline)
                ON CONFLICT DO NOTHING
                RETURNING id
                """,
                new { quizId = quiz.Id, classId = settings.ClassId, code, title = quiz.Title, questions = quiz.Questions, options, now, deadline }));
            if (id is { } assignmentId)
            {
                var info = (await InfosAsync(mine, [(await FindAsync(mine, assignmentId))!], now, JoinAddress.Root(configuration, context)))[0];
                return TypedResults.Created($"/api/assignments/{assignmentId}", info);
            }
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No free assignment code",
            detail: "Every assignment code drawn is in use. Try again in a moment.");
    }

    private static async Task<Ok<List<AssignmentInfo>>> List(
        TeacherDb mine, long? quizId, long? classId, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        var rows = await mine.QueryAsync<AssignmentRow>(
            $"""
            SELECT {Columns} FROM assignments a LEFT JOIN classes c ON c.id = a.class_id
            WHERE a.teacher_id = @TeacherId AND (@quizId IS NULL OR a.quiz_id = @quizId) AND (@classId IS NULL OR a.class_id = @classId)
            ORDER BY a.created_at DESC, a.id DESC
            """, new { quizId, classId });
        return TypedResults.Ok(await InfosAsync(mine, rows, clock.GetUtcNow().ToUnixTimeMilliseconds(), JoinAddress.Root(configuration, context)));
    }

    private static async Task<List<AssignmentInfo>> InfosAsync(TeacherDb mine, IReadOnlyList<AssignmentRow> rows, long now, string joinRoot)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var progress = (await mine.QueryAsync<ProgressRow>(
            """
            SELECT p.assignment_id, COUNT(DISTINCT p.participant) AS started,
                COUNT(DISTINCT CASE WHEN p.finished_at IS NOT NULL THEN p.participant END) AS finished
            FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
            WHERE a.teacher_id = @TeacherId GROUP BY p.assignment_id
            """)).ToDictionary(p => p.AssignmentId);
        var classSizes = (await mine.QueryAsync<CountRow>(
            """
            SELECT s.class_id, COUNT(*) AS students FROM students s JOIN classes c ON c.id = s.class_id
            WHERE c.teacher_id = @TeacherId AND s.removed_at IS NULL GROUP BY s.class_id
            """)).ToDictionary(c => c.ClassId, c => (int)c.Students);
        return rows.Select(row =>
        {
            var done = progress.GetValueOrDefault(row.Id);
            var started = (int)(done?.Started ?? 0);
            return new AssignmentInfo(
                row.Id, row.Code, JoinUrl(joinRoot, row.Code), $"/api/assignments/{row.Id}/qr.svg", row.Title, row.QuizId, row.ClassId, row.ClassName,
                row.QuestionList.Count, DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.Deadline),
                row.ClosedAt is { } closed ? DateTimeOffset.FromUnixTimeMilliseconds(closed) : null, row.Status(now),
                started, (int)(done?.Finished ?? 0), row.ClassId is { } c ? classSizes.GetValueOrDefault(c) : started, row.Settings);
        }).ToList();
    }

    internal static string JoinUrl(string root, string code) => string.Create(CultureInfo.InvariantCulture, $"{root}/a/{code}");

    private sealed class StudentProgressRow
    {
        public string Nickname { get; init; } = "";

        public string Participant { get; init; } = "";

        public long? StudentId { get; init; }

        public int Attempt { get; init; }

        public string ResumeCode { get; init; } = "";

        public int Devices { get; init; }

        public long StartedAt { get; init; }

        public long? FinishedAt { get; init; }

        public long Answered { get; init; }

        public long Score { get; init; }
    }

    private static async Task<Results<Ok<AssignmentDetail>, ProblemHttpResult>> Get(
        long id, TeacherDb mine, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        if (await FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("assignment");
        }

        var info = (await InfosAsync(mine, [row], clock.GetUtcNow().ToUnixTimeMilliseconds(), JoinAddress.Root(configuration, context)))[0];
        var attempts = await mine.QueryAsync<StudentProgressRow>(
            """
            SELECT p.nickname, p.participant, p.student_id, p.attempt, p.resume_code, p.devices, p.started_at, p.finished_at,
                COUNT(x.question_index) AS answered, COALESCE(SUM(x.points + x.streak_bonus), 0) AS score
            FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
            LEFT JOIN assignment_answers x ON x.assignment_id = p.assignment_id AND x.player_id = p.player_id
            WHERE a.id = @id AND a.teacher_id = @TeacherId
            GROUP BY p.nickname, p.participant, p.student_id, p.attempt, p.resume_code, p.devices, p.started_at, p.finished_at
            """, new { id });
        var students = attempts.GroupBy(a => a.Participant).Select(g =>
        {
            var latest = g.MaxBy(a => a.Attempt)!;
            return new AssignmentStudent(latest.Nickname, latest.StudentId, g.Count(), g.Any(a => a.FinishedAt is not null), (int)latest.Answered,
                (int)g.Max(a => a.Score), latest.ResumeCode, latest.Devices, DateTimeOffset.FromUnixTimeMilliseconds(latest.StartedAt));
        }).OrderBy(s => s.Name, StringComparer.CurrentCultureIgnoreCase).ToList();

        IReadOnlyList<string> notStarted = [];
        if (row.ClassId is { } classId)
        {
            var started = students.Where(s => s.StudentId is not null).Select(s => s.StudentId!.Value).ToHashSet();
            notStarted = GamesApi.RosterNames(await Classes.ClassesApi.ActiveStudentsAsync(mine, classId))
                .Where(r => !started.Contains(r.StudentId)).Select(r => r.Name).ToList();
        }

        return TypedResults.Ok(new AssignmentDetail(info, students, notStarted));
    }

    private static async Task<Results<Ok<AssignmentInfo>, ProblemHttpResult, ValidationProblem>> Extend(
        long id, AssignmentChange change, TeacherDb mine, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var deadline = change.Deadline!.Value.ToUnixTimeMilliseconds();
        // Read and changed in one write, so a deadline that passes in between is not moved.
        var outcome = await mine.WriteAsync(async tx =>
        {
            var current = await tx.QuerySingleOrDefaultAsync<AssignmentRow>(
                "SELECT a.id, a.deadline, a.closed_at FROM assignments a WHERE a.id = @id AND a.teacher_id = @TeacherId", new { id });
            if (current is null || !current.IsOpen(now) || deadline <= current.Deadline)
            {
                return current is null ? "missing" : current.IsOpen(now) ? "earlier" : "over";
            }

            await tx.ExecuteAsync("UPDATE assignments SET deadline = @deadline WHERE id = @id AND teacher_id = @TeacherId", new { id, deadline });
            return "moved";
        });
        return outcome switch
        {
            "missing" => Problems.NotFound("assignment"),
            "over" => Problems.Conflict("This assignment is over: its results are final and its deadline cannot move."),
            "earlier" => Problems.Invalid("deadline", "The new deadline must be later than the current one (close the assignment to end it now)."),
            _ => TypedResults.Ok((await InfosAsync(mine, [(await FindAsync(mine, id))!], now, JoinAddress.Root(configuration, context)))[0]),
        };
    }

    private static async Task<Results<Ok<AssignmentInfo>, ProblemHttpResult>> Close(
        long id, TeacherDb mine, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var closed = await mine.WriteAsync(tx => tx.ExecuteAsync(
            "UPDATE assignments SET closed_at = @now WHERE id = @id AND teacher_id = @TeacherId AND closed_at IS NULL AND deadline > @now", new { id, now }));
        if (await FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("assignment");
        }

        return closed == 0
            ? Problems.Conflict("This assignment is already over.")
            : TypedResults.Ok((await InfosAsync(mine, [row], now, JoinAddress.Root(configuration, context)))[0]);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, TeacherDb mine) =>
        await mine.ExecuteAsync("DELETE FROM assignments WHERE id = @id AND teacher_id = @TeacherId", new { id }) == 0
            ? Problems.NotFound("assignment")
            : TypedResults.NoContent();

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> QrCode(long id, TeacherDb mine, IConfiguration configuration, HttpContext context)
    {
        if (await FindAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("assignment");
        }

        using var data = QRCodeGenerator.GenerateQrCode(JoinUrl(JoinAddress.Root(configuration, context), row.Code), QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(10, "#000000", "#ffffff", true, SvgQRCode.SizingMode.ViewBoxAttribute);
        context.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.Content(svg, "image/svg+xml");
    }

    private static async Task<Results<Ok<GameReport>, ProblemHttpResult>> Report(long id, TeacherDb mine, TimeProvider clock) =>
        await AssignmentReports.FindAsync(mine, id, clock.GetUtcNow().ToUnixTimeMilliseconds()) is { } report
            ? TypedResults.Ok(report)
            : Problems.NotFound("assignment");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Export(long id, string? format, TeacherDb mine, TimeProvider clock)
    {
        var chosen = format?.Trim().ToLowerInvariant() ?? ReportExport.Csv;
        if (!ReportExport.Formats.Contains(chosen))
        {
            return Problems.Invalid("format", $"format must be one of {string.Join(", ", ReportExport.Formats)}.");
        }

        if (await AssignmentReports.FindAsync(mine, id, clock.GetUtcNow().ToUnixTimeMilliseconds()) is not { } report)
        {
            return Problems.NotFound("assignment");
        }

        var (content, contentType, fileName) = ReportExport.Export(report, chosen);
        return TypedResults.File(content, contentType, fileName);
    }
}
