using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Homeroom.Games;
using Homeroom.Images;
using Homeroom.Quizzes;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Assignments;

/// <summary>
/// What a student's phone does with an assignment, without signing in: look up the code, start (or continue) an
/// attempt, be shown the next question and answer it. The device keeps a continuation token (the server stores only
/// its SHA-256); a roster student on another device continues with their name and the resume code the teacher sees.
/// A question is timed from when the server showed it; an answer is only taken for the question shown, once, and
/// is stored before it is acknowledged. After the deadline (or once closed) every write is 409.
/// </summary>
public static class AssignmentPlay
{
    /// <summary>Latency allowed past a question's time limit before its answer counts as too late.</summary>
    public const int GraceMs = 1000;

    public sealed record AssignmentLookup(
        string Code, string Title, int QuestionCount, DateTimeOffset Deadline, bool Open, bool Timer, int Attempts, string ShowAnswers,
        string JoinMode, IReadOnlyList<string>? Names);

    public sealed record StartAttempt(string? Name, string? Token, string? ResumeCode) : IValidatable
    {
        public void Validate(ValidationErrors errors)
        {
            ArgumentNullException.ThrowIfNull(errors);
            if (Token is null)
            {
                errors.RequireText("name", Name, 200);
            }
        }
    }

    public sealed record TokenRequest(string? Token) : IValidatable
    {
        public void Validate(ValidationErrors errors)
        {
            ArgumentNullException.ThrowIfNull(errors);
            errors.RequireText("token", Token, 200);
        }
    }

    public sealed record AnswerRequest(string? Token, int? QuestionIndex, JsonElement? Answer) : IValidatable
    {
        public void Validate(ValidationErrors errors)
        {
            ArgumentNullException.ThrowIfNull(errors);
            errors.RequireText("token", Token, 200);
            if (QuestionIndex is null)
            {
                errors.Add("questionIndex", "questionIndex is required: the index of the question shown.");
            }

            if (Answer is null || Answer.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                errors.Add("answer", "answer is required.");
            }
        }
    }

    /// <summary>
    /// A question as shown: answers and items carry their index in the quiz as id. TimeLimit and ClosesInMs are null with the timer off.
    /// Image is where the question's picture loads from (an address good for a day), null when it has none.
    /// </summary>
    public sealed record ShownQuestion(
        int Index, int Number, int Count, string Type, string Text, int Points, int? TimeLimit, long? ClosesInMs,
        IReadOnlyList<ShownChoice>? Answers, IReadOnlyList<ShownChoice>? Items, string? Image = null);

    /// <summary>The right answer, as a live game's question end gives it.</summary>
    public sealed record RightAnswer(IReadOnlyList<int>? Choices, bool? Value, IReadOnlyList<string>? Accepted, IReadOnlyList<ShownChoice>? Order);

    /// <summary>How one answer went (null Correct for polls); RightAnswer is left out for polls.</summary>
    public sealed record Feedback(int QuestionIndex, bool Answered, bool? Correct, int Points, int StreakBonus, RightAnswer? RightAnswer);

    /// <summary>
    /// Where an attempt stands. Status: question (Question is the one to answer), finished. Score and Results are
    /// null while the assignment's showAnswers setting holds them back.
    /// </summary>
    public sealed record AttemptState(
        string Status, int Answered, int Count, int? Score, ShownQuestion? Question, IReadOnlyList<Feedback>? Results, int AttemptsLeft, bool Open);

    public sealed record Started(string Token, int PlayerId, string Nickname, int Attempt, AttemptState State);

    /// <summary>What an answer gets back: it is stored. Feedback is there when showAnswers is after-each.</summary>
    public sealed record AnswerStored(int QuestionIndex, long TimeMs, Feedback? Feedback, AttemptState State);

    internal static void MapAssignmentPlay(this IEndpointRouteBuilder api)
    {
        var play = api.MapGroup("/a/{code}").WithTags("Assignments (students)").AllowAnonymous();
        play.MapGet("/", Lookup).RequireRateLimiting(GamesApi.PinLookupRateLimit)
            .WithSummary("For students: the assignment behind a code, and how to name yourself")
            .Problem(StatusCodes.Status404NotFound, "No assignment has that code.");
        play.MapPost("/start", Start).RequireRateLimiting(GamesApi.PinLookupRateLimit)
            .WithSummary("Start an attempt (a name), or continue one (the device's token, or for a roster student their name and resume code)")
            .Problem(StatusCodes.Status404NotFound, "No assignment has that code, or the token is not one of its attempts.")
            .Problem(StatusCodes.Status409Conflict, "The assignment is over, no attempts are left, or the name is in use (continue with the resume code).")
            .Problem(StatusCodes.Status422UnprocessableEntity, "The name is not on the class list.");
        play.MapPost("/next", Next).WithSummary("Show the next question of my attempt (its time starts now) or my results when I am done")
            .Problem(StatusCodes.Status404NotFound, "No assignment has that code, or the token is not one of its attempts.");
        play.MapPost("/answers", Answer).WithSummary("Answer the question shown (stored before this returns)")
            .Problem(StatusCodes.Status404NotFound, "No assignment has that code, or the token is not one of its attempts.")
            .Problem(StatusCodes.Status409Conflict, "The assignment is over, the attempt is finished, time is up, or that question is not the one shown.");
    }

    private static ProblemHttpResult NoSuchCode() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such assignment",
        detail: "There is no assignment with that code. Check the code your teacher gave you.");

    private static ProblemHttpResult BadToken() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such attempt",
        detail: "That continuation token is not one of this assignment's attempts. Start again with your name.");

    private static ProblemHttpResult Over() => Problems.Conflict("This assignment is over: the deadline has passed, and no more answers are accepted.");

    private static string Normalize(string code) => code.Trim().ToUpperInvariant();

    private static async Task<AssignmentsApi.AssignmentRow?> ByCodeAsync(Database database, string code)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<AssignmentsApi.AssignmentRow>(
            $"SELECT {AssignmentsApi.Columns} FROM assignments a LEFT JOIN classes c ON c.id = a.class_id WHERE a.code = @code",
            new { code = Normalize(code) });
    }

    private static async Task<IReadOnlyList<RosterName>> RosterAsync(TeacherDb owner, long classId) =>
        GamesApi.RosterNames(await Classes.ClassesApi.ActiveStudentsAsync(owner, classId));

    private static async Task<Results<Ok<AssignmentLookup>, ProblemHttpResult>> Lookup(string code, Database database, TimeProvider clock)
    {
        if (await ByCodeAsync(database, code) is not { } row)
        {
            return NoSuchCode();
        }

        var settings = row.Settings;
        var names = settings.ClassId is { } classId ? (await RosterAsync(TeacherDb.For(database, row.TeacherId), classId)).Select(r => r.Name).ToList() : null;
        return TypedResults.Ok(new AssignmentLookup(row.Code, row.Title, row.QuestionList.Count, DateTimeOffset.FromUnixTimeMilliseconds(row.Deadline),
            row.IsOpen(clock.GetUtcNow().ToUnixTimeMilliseconds()), settings.Timer, settings.Attempts, settings.ShowAnswers,
            names is null ? "nickname" : "roster", names));
    }

    internal sealed class AttemptRow
    {
        public int PlayerId { get; init; }

        public string Nickname { get; init; } = "";

        public string Participant { get; init; } = "";

        public int Attempt { get; init; }

        public string ResumeCode { get; init; } = "";

        public string QuestionOrder { get; init; } = "[]";

        public int Position { get; init; }

        public long? ShownAt { get; init; }

        public int Streak { get; init; }

        public long? FinishedAt { get; init; }

        public IReadOnlyList<int> Order => JsonSerializer.Deserialize<List<int>>(QuestionOrder) ?? [];
    }

    private const string AttemptColumns =
        "p.player_id, p.nickname, p.participant, p.attempt, p.resume_code, p.question_order, p.position, p.shown_at, p.streak, p.finished_at";

    internal static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static Task<AttemptRow?> AttemptByTokenAsync(TeacherDb owner, long id, string token) => owner.QuerySingleOrDefaultAsync<AttemptRow>(
        $"""
        SELECT {AttemptColumns} FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
        WHERE p.assignment_id = @id AND p.token_hash = @hash AND a.teacher_id = @TeacherId
        """, new { id, hash = Hash(token) });

    private static async Task<Results<Ok<Started>, Created<Started>, ProblemHttpResult, ValidationProblem>> Start(
        string code, StartAttempt request, Database database, Nicknames nicknames, IRandomSource random, TimeProvider clock, ImageLinks links)
    {
        if (await ByCodeAsync(database, code) is not { } row)
        {
            return NoSuchCode();
        }

        var owner = TeacherDb.For(database, row.TeacherId);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var settings = row.Settings;

        // The same device continues its attempt with its token.
        if (request.Token is { } token)
        {
            if (await AttemptByTokenAsync(owner, row.Id, token) is not { } mineAttempt)
            {
                return BadToken();
            }

            if (mineAttempt.FinishedAt is null || request.Name is null)
            {
                return TypedResults.Ok(new Started(token, mineAttempt.PlayerId, mineAttempt.Nickname, mineAttempt.Attempt,
                    await StateAsync(owner, row, mineAttempt.PlayerId, now, show: false, links)));
            }
        }

        if (!row.IsOpen(now))
        {
            return Over();
        }

        var name = Names.Normalize(request.Name) ?? "";
        long? studentId = null;
        if (settings.ClassId is null)
        {
            if (nicknames.Check(request.Name, out var problem) is not { } nickname)
            {
                return Problems.Invalid("name", problem!);
            }

            name = nickname;
        }
        else if (settings.ClassId is { } classId)
        {
            if ((await RosterAsync(owner, classId)).FirstOrDefault(r => Nicknames.Key(r.Name) == Nicknames.Key(name)) is not { } student)
            {
                return Problems.Unprocessable("That name is not on the class list: choose yours from the list.");
            }

            (studentId, name) = (student.StudentId, student.Name);
        }

        var participant = studentId is { } sid ? string.Create(CultureInfo.InvariantCulture, $"student:{sid}") : "nickname:" + Nicknames.Key(name);
        var previous = await owner.QueryAsync<AttemptRow>(
            $"""
            SELECT {AttemptColumns} FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
            WHERE p.assignment_id = @id AND p.participant = @participant AND a.teacher_id = @TeacherId ORDER BY p.attempt
            """, new { id = row.Id, participant });
        var ownsPrevious = request.Token is { } held && previous.Count > 0 && await AttemptByTokenAsync(owner, row.Id, held) is { } heldAttempt
            && previous.Any(p => p.PlayerId == heldAttempt.PlayerId);
        if (previous.Count > 0 && previous[^1] is { FinishedAt: null } unfinished)
        {
            // Another device: a roster student continues with the resume code the teacher sees; a nickname is simply taken.
            if (studentId is null || request.ResumeCode is null)
            {
                return Problems.Conflict(studentId is null
                    ? "That nickname is in use in this assignment: choose another."
                    : "You have started this assignment on another device. Ask your teacher for your resume code to continue here.");
            }

            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.ResumeCode.Trim()), Encoding.UTF8.GetBytes(unfinished.ResumeCode)))
            {
                return Problems.Conflict("That resume code is not right. Ask your teacher for the code beside your name.");
            }

            var moved = NewToken();
            await owner.ExecuteAsync(
                """
                UPDATE assignment_players SET token_hash = @hash, devices = devices + 1
                WHERE assignment_id = @id AND player_id = @playerId AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = @id AND a.teacher_id = @TeacherId)
                """, new { id = row.Id, playerId = unfinished.PlayerId, hash = Hash(moved) });
            return TypedResults.Ok(new Started(moved, unfinished.PlayerId, unfinished.Nickname, unfinished.Attempt,
                await StateAsync(owner, row, unfinished.PlayerId, now, show: false, links)));
        }

        if (previous.Count > 0 && studentId is null && !ownsPrevious)
        {
            return Problems.Conflict("That nickname is in use in this assignment: choose another.");
        }

        if (previous.Count >= settings.Attempts)
        {
            return Problems.Conflict(settings.Attempts == 1
                ? "You have already done this assignment: it allows one attempt."
                : $"You have used all {settings.Attempts} attempts this assignment allows.");
        }

        var order = Enumerable.Range(0, row.QuestionList.Count).ToList();
        if (settings.ShuffleQuestions)
        {
            random.Shuffle(order);
        }

        var newToken = NewToken();
        var resumeCode = string.Create(CultureInfo.InvariantCulture, $"{random.NextBelow(10000):D4}");
        var attempt = previous.Count + 1;
        var playerId = await owner.WriteAsync(async tx =>
        {
            var next = await tx.ExecuteScalarAsync<int>(
                """
                SELECT COALESCE(MAX(p.player_id), 0) + 1 FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
                WHERE p.assignment_id = @id AND a.teacher_id = @TeacherId
                """, new { id = row.Id });
            var inserted = await tx.ExecuteAsync(
                """
                INSERT INTO assignment_players (assignment_id, player_id, nickname, participant, student_id, attempt, token_hash, resume_code, question_order, started_at)
                SELECT a.id, @next, @name, @participant, @studentId, @attempt, @hash, @resumeCode, @order, @now FROM assignments a
                WHERE a.id = @id AND a.teacher_id = @TeacherId AND a.closed_at IS NULL AND a.deadline > @now
                ON CONFLICT DO NOTHING
                """,
                new { id = row.Id, next, name, participant, studentId, attempt, hash = Hash(newToken), resumeCode, order = JsonSerializer.Serialize(order), now });
            return inserted == 1 ? next : 0;
        });
        if (playerId == 0)
        {
            // The deadline passed, or the same student started on two devices at once: the other one won.
            return row.IsOpen(clock.GetUtcNow().ToUnixTimeMilliseconds()) ? Problems.Conflict("You have just started this assignment on another device.") : Over();
        }

        return TypedResults.Created($"/api/a/{row.Code}", new Started(newToken, playerId, name, attempt, await StateAsync(owner, row, playerId, now, show: false, links)));
    }

    private static async Task<Results<Ok<AttemptState>, ProblemHttpResult, ValidationProblem>> Next(
        string code, TokenRequest request, Database database, TimeProvider clock, ImageLinks links)
    {
        if (await ByCodeAsync(database, code) is not { } row)
        {
            return NoSuchCode();
        }

        var owner = TeacherDb.For(database, row.TeacherId);
        if (await AttemptByTokenAsync(owner, row.Id, request.Token!) is not { } attempt)
        {
            return BadToken();
        }

        return TypedResults.Ok(await StateAsync(owner, row, attempt.PlayerId, clock.GetUtcNow().ToUnixTimeMilliseconds(), show: true, links));
    }

    /// <summary>
    /// The attempt's state. With <paramref name="show"/>, an unshown current question is shown now (its time starts), and
    /// a shown one whose time ran out is passed (unanswered) first; without it nothing changes.
    /// </summary>
    private static async Task<AttemptState> StateAsync(TeacherDb owner, AssignmentsApi.AssignmentRow row, int playerId, long now, bool show, ImageLinks links)
    {
        var questions = row.QuestionList;
        var settings = row.Settings;
        var open = row.IsOpen(now);
        AttemptRow attempt;
        if (show && open)
        {
            attempt = await owner.WriteAsync(async tx =>
            {
                var current = (await tx.QuerySingleOrDefaultAsync<AttemptRow>(
                    $"""
                    SELECT {AttemptColumns} FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
                    WHERE p.assignment_id = @id AND p.player_id = @playerId AND a.teacher_id = @TeacherId
                    """, new { id = row.Id, playerId }))!;
                if (current.FinishedAt is not null)
                {
                    return current;
                }

                var position = current.Position;
                var streak = current.Streak;
                if (current.ShownAt is { } shown && settings.Timer && TimedOut(questions[current.Order[position]], shown, now))
                {
                    position++;
                    streak = 0;
                }

                long? finished = position >= current.Order.Count ? now : null;
                long? shownAt = finished is null && (current.ShownAt is null || position != current.Position) ? now : current.ShownAt;
                await tx.ExecuteAsync(
                    """
                    UPDATE assignment_players SET position = @position, shown_at = @shownAt, streak = @streak, finished_at = @finished
                    WHERE assignment_id = @id AND player_id = @playerId AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = @id AND a.teacher_id = @TeacherId)
                    """, new { id = row.Id, playerId, position, shownAt, streak, finished });
                return new AttemptRow
                {
                    PlayerId = current.PlayerId, Nickname = current.Nickname, Participant = current.Participant, Attempt = current.Attempt,
                    ResumeCode = current.ResumeCode, QuestionOrder = current.QuestionOrder, Position = position, ShownAt = shownAt, Streak = streak, FinishedAt = finished,
                };
            });
        }
        else
        {
            attempt = (await owner.QuerySingleOrDefaultAsync<AttemptRow>(
                $"""
                SELECT {AttemptColumns} FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
                WHERE p.assignment_id = @id AND p.player_id = @playerId AND a.teacher_id = @TeacherId
                """, new { id = row.Id, playerId }))!;
        }

        var given = await owner.QueryAsync<GivenAnswer>(
            """
            SELECT x.question_index, x.answer, x.correct, x.points, x.streak_bonus FROM assignment_answers x JOIN assignments a ON a.id = x.assignment_id
            WHERE x.assignment_id = @id AND x.player_id = @playerId AND a.teacher_id = @TeacherId
            """, new { id = row.Id, playerId });
        var attemptsUsed = await owner.ExecuteScalarAsync<int>(
            """
            SELECT COUNT(*) FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
            WHERE p.assignment_id = @id AND p.participant = @participant AND a.teacher_id = @TeacherId
            """, new { id = row.Id, participant = attempt.Participant });

        var finishedOrOver = attempt.FinishedAt is not null || !open;
        var reveal = settings.ShowAnswers switch
        {
            AssignmentSettings.AfterEach => true,
            AssignmentSettings.AtEnd => finishedOrOver,
            _ => !open,
        };
        var order = attempt.Order;
        ShownQuestion? question = null;
        if (attempt.FinishedAt is null && open && attempt.ShownAt is { } shownAt && attempt.Position < order.Count)
        {
            question = Shown(questions, order[attempt.Position], attempt.Position, order.Count, settings, shownAt, now, attempt.PlayerId);
            if (questions[question.Index].ImageId is { } image)
            {
                question = question with { Image = links.ForPlayers(image) };
            }
        }

        var byIndex = given.ToDictionary(g => g.QuestionIndex);
        IReadOnlyList<Feedback>? results = reveal && finishedOrOver
            ? order.Select(i => byIndex.TryGetValue(i, out var g)
                ? FeedbackFor(questions[i], i, g.Correct, g.Points, g.StreakBonus)
                : FeedbackFor(questions[i], i, null, 0, 0) with { Answered = false, Correct = questions[i].Type == QuestionTypes.Poll ? null : false }).ToList()
            : null;
        return new AttemptState(
            question is not null ? "question" : attempt.FinishedAt is not null ? "finished" : open ? "ready" : "over",
            given.Count, order.Count, reveal ? given.Sum(g => g.Points + g.StreakBonus) : null, question, results,
            Math.Max(0, settings.Attempts - attemptsUsed), open);
    }

    private sealed class GivenAnswer
    {
        public int QuestionIndex { get; init; }

        public string Answer { get; init; } = "";

        public bool? Correct { get; init; }

        public int Points { get; init; }

        public int StreakBonus { get; init; }
    }

    private static bool TimedOut(Question question, long shownAt, long now) =>
        now - shownAt > ((question.TimeLimit ?? QuizRules.DefaultTimeLimit) * 1000L) + GraceMs;

    private static ShownQuestion Shown(IReadOnlyList<Question> questions, int index, int position, int count, AssignmentSettings settings, long shownAt, long now, int playerId)
    {
        var question = questions[index];
        var limit = question.TimeLimit ?? QuizRules.DefaultTimeLimit;
        var n = question.Answers?.Count ?? question.Items?.Count ?? 0;
        var shown = Enumerable.Range(0, n).ToArray();
        // The shown order is the same each time this attempt sees the question (a reload does not reshuffle): a seed
        // from the attempt, the question and when it was shown (not HashCode, which differs from process to process).
        var shuffle = new Random(unchecked((int)(shownAt ^ (playerId * 7919L) ^ (index * 104729L))));
        if (question.Type == QuestionTypes.Order)
        {
            for (var tries = 0; tries < 20 && n > 1 && shown.SequenceEqual(Enumerable.Range(0, n)); tries++)
            {
#pragma warning disable CA5394 // Display order only: nothing depends on it being unpredictable.
                shuffle.Shuffle(shown);
            }
        }
        else if (settings.ShuffleAnswers)
        {
            shuffle.Shuffle(shown);
#pragma warning restore CA5394
        }

        return new ShownQuestion(
            index, position + 1, count, question.Type!, question.Text!, question.Points ?? QuizRules.DefaultPoints,
            settings.Timer ? limit : null, settings.Timer ? Math.Max(0, shownAt + (limit * 1000L) - now) : null,
            question.Answers is { } answers ? [.. shown.Select(i => new ShownChoice(i, answers[i].Text!))] : null,
            question.Items is { } items ? [.. shown.Select(i => new ShownChoice(i, items[i]))] : null);
    }

    private static Feedback FeedbackFor(Question question, int index, bool? correct, int points, int bonus) => new(
        index, true, correct, points, bonus,
        question.Type == QuestionTypes.Poll ? null : new RightAnswer(
            question.Answers is { } answers ? [.. Enumerable.Range(0, answers.Count).Where(i => answers[i].Correct == true)] : null,
            question.Type == QuestionTypes.TrueFalse ? question.Correct : null,
            question.Type == QuestionTypes.TypeAnswer ? question.Accepted : null,
            question.Type == QuestionTypes.Order ? [.. question.Items!.Select((text, i) => new ShownChoice(i, text))] : null));

    private static async Task<Results<Ok<AnswerStored>, ProblemHttpResult, ValidationProblem>> Answer(
        string code, AnswerRequest request, Database database, TimeProvider clock, ImageLinks links)
    {
        if (await ByCodeAsync(database, code) is not { } row)
        {
            return NoSuchCode();
        }

        var owner = TeacherDb.For(database, row.TeacherId);
        if (await AttemptByTokenAsync(owner, row.Id, request.Token!) is not { } attempt)
        {
            return BadToken();
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        if (!row.IsOpen(now))
        {
            return Over();
        }

        if (attempt.FinishedAt is not null)
        {
            return Problems.Conflict("You have finished this attempt: no more answers are taken.");
        }

        var questions = row.QuestionList;
        var order = attempt.Order;
        var index = request.QuestionIndex!.Value;
        if (attempt.ShownAt is not { } shownAt || order[attempt.Position] != index)
        {
            return Problems.Conflict("That question is not the one shown to you: ask for the next question first.");
        }

        var question = questions[index];
        var settings = row.Settings;
        if (Scoring.Read(question, request.Answer!.Value) is not { } answer)
        {
            return Problems.Invalid("answer", Scoring.ShapeHelp(question));
        }

        if (Scoring.RangeProblem(question, answer) is { } wrongRange)
        {
            return Problems.Invalid("answer", wrongRange);
        }

        if (settings.Timer && TimedOut(question, shownAt, now))
        {
            return Problems.Conflict("Time is up for this question: ask for the next one.");
        }

        var time = TimeSpan.FromMilliseconds(Math.Max(0, now - shownAt));
        var score = settings.Timer
            ? Scoring.Score(question, answer, time, attempt.Streak, streaks: true)
            : Scoring.Score(question, answer, TimeSpan.Zero, attempt.Streak, streaks: false);
        bool? correct = question.Type == QuestionTypes.Poll ? null : score.Correct;
        var position = attempt.Position + 1;
        long? finished = position >= order.Count ? now : null;
        // Stored in one write with the move to the next position, guarded by the position: an answer sent twice is taken once.
        var stored = await owner.WriteAsync(async tx =>
        {
            var moved = await tx.ExecuteAsync(
                """
                UPDATE assignment_players SET position = @position, shown_at = NULL, streak = @streak, finished_at = @finished
                WHERE assignment_id = @id AND player_id = @playerId AND position = @previous AND shown_at IS NOT NULL
                  AND EXISTS (SELECT 1 FROM assignments a WHERE a.id = @id AND a.teacher_id = @TeacherId AND a.closed_at IS NULL AND a.deadline > @now)
                """, new { id = row.Id, playerId = attempt.PlayerId, position, streak = score.Streak, finished, previous = attempt.Position, now });
            if (moved == 0)
            {
                return false;
            }

            await tx.ExecuteAsync(
                """
                INSERT INTO assignment_answers (assignment_id, player_id, question_index, answer, correct, points, streak_bonus, streak, time_ms, answered_at)
                SELECT a.id, @playerId, @index, @answer, @correct, @points, @bonus, @streak, @timeMs, @now FROM assignments a WHERE a.id = @id AND a.teacher_id = @TeacherId
                """,
                new
                {
                    id = row.Id, playerId = attempt.PlayerId, index, answer = request.Answer.Value.GetRawText(), correct,
                    points = score.Points, bonus = score.StreakBonus, streak = score.Streak, timeMs = (long)time.TotalMilliseconds, now,
                });
            return true;
        });
        if (!stored)
        {
            return row.IsOpen(clock.GetUtcNow().ToUnixTimeMilliseconds())
                ? Problems.Conflict("That question has already been answered.")
                : Over();
        }

        var feedback = settings.ShowAnswers == AssignmentSettings.AfterEach ? FeedbackFor(question, index, correct, score.Points, score.StreakBonus) : null;
        return TypedResults.Ok(new AnswerStored(index, (long)time.TotalMilliseconds, feedback, await StateAsync(owner, row, attempt.PlayerId, now, show: false, links)));
    }
}
