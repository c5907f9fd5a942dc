using System.Data.Common;
using Homeroom.Accounts;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Classes;

public sealed record StudentRef(long Id, string Name, string? PreferredName, string? Pronouns);

public sealed record PickedStudent(long PickId, StudentRef Student);

/// <summary>A pick: its id, the student (and all of them when several were drawn), the round and what is left of it.</summary>
public sealed record Pick(long Id, string Mode, int Round, StudentRef Student, IReadOnlyList<PickedStudent>? Students, int RemainingInRound, int Present, string Day, DateTimeOffset PickedAt);

/// <summary>One entry of the history. Undone picks stay in it, marked, so the history is complete.</summary>
public sealed record PickRecord(long Id, string Mode, int Round, StudentRef Student, string? Outcome, bool Undone, string Day, DateTimeOffset PickedAt, DateTimeOffset? UndoneAt);

public sealed record PickPage(IReadOnlyList<PickRecord> Items, int Page, int PageSize, long Total);

public sealed record RoundStatus(int Round, int Present, IReadOnlyList<StudentRef> Picked, IReadOnlyList<StudentRef> Remaining);

public sealed record StudentEquity(StudentRef Student, int Calls, int Passes, int Absences, double Expected, bool Removed);

/// <summary>The equity report. <see cref="Uneven"/> is true when the spread is judged and p is below 0.01.</summary>
public sealed record PickStats(int TotalCalls, int TotalPasses, IReadOnlyList<StudentEquity> Students, double ChiSquare, int DegreesOfFreedom, double? PValue, bool Judged, bool Uneven, string Verdict);

public sealed record PickRequest(string? Mode, int? Count) : IValidatable
{
    public const int MaxCount = 100;

    public PickMode ParsedMode => Enum.TryParse<PickMode>(Mode, ignoreCase: true, out var mode) ? mode : PickMode.Fair;

    public void Validate(ValidationErrors errors)
    {
        if (Mode is not null && (!Enum.TryParse<PickMode>(Mode, ignoreCase: true, out _) || int.TryParse(Mode, out _)))
        {
            errors.Add("mode", "mode must be 'fair', 'random' or 'weighted'.");
        }

        if (Count is < 1 or > MaxCount)
        {
            errors.Add("count", $"count must be between 1 and {MaxCount}.");
        }
    }
}

public sealed record PickOutcomeRequest(string? Outcome) : IValidatable
{
    public static readonly string[] Outcomes = ["answered", "passed", "absent"];

    public void Validate(ValidationErrors errors)
    {
        if (Outcome is null || !Outcomes.Contains(Outcome))
        {
            errors.Add("outcome", "outcome must be 'answered', 'passed' or 'absent'.");
        }
    }
}

/// <summary>
/// The student picker. A turn is a pick that was not undone and was not a pass or an absence: passes
/// and "absent after all" send the student back into the round and do not count as calls.
/// </summary>
public static class PicksApi
{
    /// <summary>The SQL condition for "this pick counts as a turn".</summary>
    private const string IsTurn = "p.undone_at IS NULL AND (p.outcome IS NULL OR p.outcome = 'answered')";

    public static void MapPicks(this RouteGroupBuilder classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var picks = classes.MapGroup("/{id:long}/picks");
        picks.MapPost("/", PickStudents).WithSummary("Pick a student: mode fair (default, a round without repeats), random or weighted; count for several");
        picks.MapGet("/", History).WithSummary("Every pick, newest first, paged (?page=1&pageSize=50)");
        picks.MapPatch("/{pickId:long}", SetOutcome).WithSummary("Record the outcome: answered, passed (not a turn) or absent (marks the student absent today)");
        picks.MapDelete("/{pickId:long}", Undo).WithSummary("Undo a pick: the student goes back into the round");
        picks.MapGet("/round", Round).WithSummary("The current fair round: who has had a turn and who is left");
        picks.MapPost("/reshuffle", Reshuffle).WithSummary("Start a new fair round now");
        picks.MapGet("/stats", Stats).WithSummary("Calls, passes and absences per student against a fair share, with a verdict");
    }

    private sealed class PresentRow
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }

        public int Round { get; init; }

        public long Taken { get; init; }

        public long Calls { get; init; }

        public StudentRef ToRef() => new(Id, Name, PreferredName, Pronouns);
    }

    private sealed class PickRow
    {
        public long Id { get; init; }

        public string Mode { get; init; } = "";

        public int Round { get; init; }

        public long StudentId { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }

        public string? Outcome { get; init; }

        public string Day { get; init; } = "";

        public long PickedAt { get; init; }

        public long? UndoneAt { get; init; }

        public PickRecord ToRecord() => new(Id, Mode, Round, new StudentRef(StudentId, Name, PreferredName, Pronouns), Outcome, UndoneAt is not null, Day,
            DateTimeOffset.FromUnixTimeMilliseconds(PickedAt), UndoneAt is { } undone ? DateTimeOffset.FromUnixTimeMilliseconds(undone) : null);
    }

    /// <summary>
    /// The present students of a class with, for each, whether they have had a turn in the class's current
    /// round (and their calls, for the weighted mode): the one read a pick needs.
    /// </summary>
    private static string PresentSql(bool withCalls) => $"""
        SELECT s.id, s.name, s.preferred_name, s.pronouns, c.round,
            CASE WHEN EXISTS (SELECT 1 FROM picks p WHERE p.class_id = s.class_id AND p.round = c.round AND p.student_id = s.id
                AND p.mode = 'fair' AND {IsTurn}) THEN 1 ELSE 0 END AS taken
            {(withCalls ? $", (SELECT COUNT(*) FROM picks p WHERE p.student_id = s.id AND {IsTurn}) AS calls" : "")}
        FROM students s JOIN classes c ON c.id = s.class_id
        WHERE s.class_id = @id AND c.teacher_id = @TeacherId AND s.removed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.class_id = s.class_id AND a.day = @day AND a.student_id = s.id)
        ORDER BY s.id
        """;

    /// <summary>How often a single fair pick that lost races to concurrent picks reads and tries again.</summary>
    internal const int MaxAttempts = 20;

    /// <summary>
    /// A new fair round, as one conditional statement: the class moves from round @from to @from + 1 only if
    /// it is still in round @from and every student present today has had a turn in it.
    /// </summary>
    private const string AdvanceRoundSql = $"""
        UPDATE classes SET round = @from + 1
        WHERE id = @id AND teacher_id = @TeacherId AND round = @from
          AND NOT EXISTS (SELECT 1 FROM students s WHERE s.class_id = @id AND s.removed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.class_id = @id AND a.day = @day AND a.student_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM picks p WHERE p.class_id = @id AND p.round = @from AND p.student_id = s.id
                  AND p.mode = 'fair' AND {IsTurn}))
        """;

    /// <summary>
    /// A fair turn, as one conditional statement: inserted only if the class is still in @round, the student is
    /// on the roster and not absent today, and has had no turn in @round yet; it returns the pick's id and the
    /// student's names. Otherwise nothing is inserted and nothing returned: it never fails over a lost race (on
    /// SQLite a failing write would make its whole group commit replay). On PostgreSQL two concurrent inserts
    /// can both pass the NOT EXISTS; the unique index picks_one_turn_per_round then keeps one, and the ON CONFLICT
    /// clause turns the other into "nothing inserted".
    /// </summary>
    private const string InsertTurnSql = $"""
        INSERT INTO picks (class_id, student_id, mode, round, eligible, day, picked_at)
        SELECT c.id, s.id, 'fair', @round, @eligible, @day, @at
        FROM classes c JOIN students s ON s.class_id = c.id
        WHERE c.id = @id AND c.teacher_id = @TeacherId AND c.round = @round
          AND s.id = @studentId AND s.removed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.class_id = @id AND a.day = @day AND a.student_id = @studentId)
          AND NOT EXISTS (SELECT 1 FROM picks p WHERE p.class_id = @id AND p.round = @round AND p.student_id = @studentId
              AND p.mode = 'fair' AND {IsTurn})
        ON CONFLICT (class_id, round, student_id) WHERE mode = 'fair' AND undone_at IS NULL AND (outcome IS NULL OR outcome = 'answered')
        DO NOTHING
        RETURNING id,
            (SELECT s.name FROM students s WHERE s.id = picks.student_id) AS name,
            (SELECT s.preferred_name FROM students s WHERE s.id = picks.student_id) AS preferred_name,
            (SELECT s.pronouns FROM students s WHERE s.id = picks.student_id) AS pronouns
        """;

    /// <summary>
    /// A single fair pick's read: the class's round and its present students (ids only), with whether each has
    /// had a turn in that round.
    /// </summary>
    private const string TurnsSql = $"""
        SELECT s.id, c.round,
            CASE WHEN EXISTS (SELECT 1 FROM picks p WHERE p.class_id = c.id AND p.round = c.round AND p.student_id = s.id
                AND p.mode = 'fair' AND {IsTurn}) THEN 1 ELSE 0 END AS taken
        FROM classes c JOIN students s ON s.class_id = c.id
        WHERE c.id = @id AND c.teacher_id = @TeacherId AND s.removed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM absences a WHERE a.class_id = @id AND a.day = @day AND a.student_id = s.id)
        ORDER BY s.id
        """;

    private sealed class TurnRow
    {
        public long Id { get; init; }

        public int Round { get; init; }

        public long Taken { get; init; }
    }

    private sealed class InsertedTurn
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }
    }

    private static async Task<Results<Created<Pick>, ProblemHttpResult>> PickStudents(
        long id, PickRequest request, TeacherDb mine, TimeProvider clock, IRandomSource random, SecurityStampCheck sessions)
    {
        var mode = request.ParsedMode;
        var count = request.Count ?? 1;
        var now = clock.GetUtcNow();
        var day = ClassRules.Today(clock, await sessions.TimeZoneAsync(mine.TeacherId));
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var (pick, problem) = mode == PickMode.Fair && count == 1
                ? await TryPickOneFairAsync(id, mine, random, day, now)
                : await TryPickInWriterAsync(id, mode, count, mine, random, day, now);
            if (problem is not null)
            {
                return problem;
            }

            if (pick is not null)
            {
                return TypedResults.Created($"/api/classes/{id}/picks/{pick.Id}", pick);
            }
        }

        return Problems.Conflict("Too many picks at once in this class: try again.");
    }

    /// <summary>No present students: 404 when the class is not the teacher's, else 409.</summary>
    private static async Task<ProblemHttpResult> NobodyPresentAsync(Func<string, object, Task<long?>> scalar, long id) =>
        await scalar("SELECT c.id FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId", new { id }) is null
            ? Problems.NotFound("class")
            : Problems.Conflict("Nobody in this class is present to pick: add students or mark some present.");

    /// <summary>
    /// The hot path, one fair student, in one write: read the round, draw, then one conditional insert (after a
    /// conditional UPDATE when the round ends). On SQLite the single writer runs it with nothing in between, its
    /// statements kept prepared, so the insert always lands. On PostgreSQL a concurrent pick, undo, pass,
    /// absence, removal or reshuffle can commit between the read and the insert; nothing is then inserted and
    /// the caller reads and draws again (null, null). No lock is taken.
    /// </summary>
    private static Task<(Pick? Pick, ProblemHttpResult? Problem)> TryPickOneFairAsync(
        long id, TeacherDb mine, IRandomSource random, string day, DateTimeOffset now) =>
        mine.WriteAsync<(Pick? Pick, ProblemHttpResult? Problem)>(async tx =>
        {
            var present = await tx.QueryPreparedAsync<TurnRow>(TurnsSql, new { id, day });
            if (present.Count == 0)
            {
                return (null, await NobodyPresentAsync((sql, args) => tx.ExecuteScalarAsync<long?>(sql, args), id));
            }

            var current = present[0].Round;
            var left = present.Where(p => p.Taken == 0).ToList();
            var newRound = left.Count == 0;
            if (newRound)
            {
                // Everyone present has had a turn: a new round begins.
                left = [.. present];
            }

            var studentId = Picker.Draw(PickMode.Fair, left.ConvertAll(p => new Candidate(p.Id, 0)), 1, random)[0];
            var round = newRound ? current + 1 : current;
            if (newRound)
            {
                // Unchanged if, on PostgreSQL, a concurrent pick started the round already or a student went back into
                // the old one; the insert's own conditions then decide.
                await tx.ExecutePreparedAsync(AdvanceRoundSql, new { id, from = current, day });
            }

            var rows = await tx.QueryPreparedAsync<InsertedTurn>(
                InsertTurnSql, new { id, studentId, round, eligible = present.Count, day, at = now.ToUnixTimeMilliseconds() });
            return rows.Count == 0
                ? (null, null)
                : (new Pick(rows[0].Id, Name(PickMode.Fair), round, new StudentRef(studentId, rows[0].Name, rows[0].PreferredName, rows[0].Pronouns),
                    null, left.Count - 1, present.Count, day, now), null);
        });

    /// <summary>
    /// Several students, or the random and weighted modes: read, draw and insert inside one write. On
    /// PostgreSQL concurrent picks of this kind take turns on the class row (FOR NO KEY UPDATE, which single
    /// fair picks do not wait for); one of those can still take a student first, which the unique index
    /// reports and the caller retries (null, null).
    /// </summary>
    private static async Task<(Pick? Pick, ProblemHttpResult? Problem)> TryPickInWriterAsync(
        long id, PickMode mode, int count, TeacherDb mine, IRandomSource random, string day, DateTimeOffset now)
    {
        try
        {
            return await mine.WriteAsync<(Pick? Pick, ProblemHttpResult? Problem)>(async tx =>
            {
                if (!mine.Database.IsSqlite)
                {
                    await tx.ExecuteScalarAsync<long?>("SELECT c.id FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId FOR NO KEY UPDATE", new { id });
                }

                var present = await tx.QueryAsync<PresentRow>(PresentSql(mode == PickMode.Weighted), new { id, day });
                if (present.Count == 0)
                {
                    return (null, await NobodyPresentAsync((sql, args) => tx.ExecuteScalarAsync<long?>(sql, args), id));
                }

                if (count > present.Count)
                {
                    return (null, Problems.Unprocessable($"Cannot pick {count} different students: only {present.Count} are present."));
                }

                var currentRound = present[0].Round;
                var round = currentRound;
                var taken = present.Where(p => p.Taken != 0).Select(p => p.Id).ToHashSet();
                var drawn = new List<(long StudentId, int Round)>(count);
                if (mode == PickMode.Fair)
                {
                    for (var i = 0; i < count; i++)
                    {
                        var left = present.Where(p => !taken.Contains(p.Id) && !drawn.Exists(d => d.StudentId == p.Id)).Select(p => new Candidate(p.Id, 0)).ToList();
                        if (left.Count == 0)
                        {
                            // Everyone present has had a turn: a new round begins. The students drawn so far keep
                            // their turns in the round they were drawn in.
                            round++;
                            taken.Clear();
                            left = present.Where(p => !drawn.Exists(d => d.StudentId == p.Id)).Select(p => new Candidate(p.Id, 0)).ToList();
                        }

                        var student = Picker.Draw(PickMode.Fair, left, 1, random)[0];
                        drawn.Add((student, round));
                        taken.Add(student);
                    }

                    if (round != currentRound)
                    {
                        await tx.ExecuteAsync("UPDATE classes SET round = @round WHERE id = @id AND teacher_id = @TeacherId", new { id, round });
                    }
                }
                else
                {
                    drawn = Picker.Draw(mode, present.Select(p => new Candidate(p.Id, (int)p.Calls)).ToList(), count, random).ConvertAll(s => (s, round));
                }

                var byId = present.ToDictionary(p => p.Id);
                var picked = new List<PickedStudent>(count);
                foreach (var (studentId, studentRound) in drawn)
                {
                    var pickId = await tx.ExecuteScalarAsync<long>(
                        """
                        INSERT INTO picks (class_id, student_id, mode, round, eligible, day, picked_at)
                        SELECT @id, @studentId, @mode, @studentRound, @eligible, @day, @at
                        WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                        RETURNING id
                        """,
                        new { id, studentId, mode = Name(mode), studentRound, eligible = present.Count, day, at = now.ToUnixTimeMilliseconds() });
                    picked.Add(new PickedStudent(pickId, byId[studentId].ToRef()));
                }

                var remaining = present.Count(p => !taken.Contains(p.Id));
                return (new Pick(picked[0].PickId, Name(mode), round, picked[0].Student, count > 1 ? picked : null, remaining, present.Count, day, now), null);
            });
        }
        catch (DbException e) when (mine.Database.IsUniqueViolation(e))
        {
            // PostgreSQL: a concurrent single fair pick gave one of the drawn students a turn first.
            return (null, null);
        }
    }

    private static async Task<Results<Ok<PickPage>, ProblemHttpResult, ValidationProblem>> History(long id, int? page, int? pageSize, TeacherDb mine)
    {
        if (Paging.TryRead(page, pageSize, defaultSize: 50, maxSize: 200, out var paging) is { } invalid)
        {
            return invalid;
        }

        if (await ClassesApi.FindClassAsync(mine, id) is null)
        {
            return Problems.NotFound("class");
        }

        var total = await mine.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM picks p JOIN classes c ON c.id = p.class_id WHERE p.class_id = @id AND c.teacher_id = @TeacherId", new { id });
        var rows = await mine.QueryAsync<PickRow>(
            $"""
            {PickSelect} WHERE p.class_id = @id AND c.teacher_id = @TeacherId
            ORDER BY p.id DESC LIMIT @size OFFSET @skip
            """, new { id, size = paging.PageSize, skip = paging.Skip });
        return TypedResults.Ok(new PickPage(rows.Select(r => r.ToRecord()).ToList(), paging.Page, paging.PageSize, total));
    }

    private const string PickSelect = """
        SELECT p.id, p.mode, p.round, p.student_id, s.name, s.preferred_name, s.pronouns, p.outcome, p.day, p.picked_at, p.undone_at
        FROM picks p JOIN students s ON s.id = p.student_id JOIN classes c ON c.id = p.class_id
        """;

    private static Task<PickRow?> FindPickAsync(TeacherTransaction tx, long id, long pickId) => tx.QuerySingleOrDefaultAsync<PickRow>(
        $"{PickSelect} WHERE p.id = @pickId AND p.class_id = @id AND c.teacher_id = @TeacherId", new { id, pickId });

    private static async Task<Results<Ok<PickRecord>, ProblemHttpResult>> SetOutcome(long id, long pickId, PickOutcomeRequest request, TeacherDb mine, TimeProvider clock)
    {
        (PickRecord? Pick, ProblemHttpResult? Problem) result;
        try
        {
            result = await SetOutcomeAsync(id, pickId, request, mine, clock);
        }
        catch (DbException e) when (mine.Database.IsUniqueViolation(e))
        {
            // PostgreSQL: the student was given another turn in this round while this pick became one again.
            result = (null, SecondTurn);
        }

        return result.Problem is not null ? result.Problem : TypedResults.Ok(result.Pick!);
    }

    private static ProblemHttpResult SecondTurn => Problems.Conflict(
        "The student has had another turn in this round since: undo that pick before counting this one as answered.");

    private static Task<(PickRecord? Pick, ProblemHttpResult? Problem)> SetOutcomeAsync(
        long id, long pickId, PickOutcomeRequest request, TeacherDb mine, TimeProvider clock) =>
        mine.WriteAsync<(PickRecord? Pick, ProblemHttpResult? Problem)>(async tx =>
        {
            var pick = await FindPickAsync(tx, id, pickId);
            if (pick is null)
            {
                return (null, Problems.NotFound("pick"));
            }

            if (pick.UndoneAt is not null)
            {
                return (null, Problems.Conflict("This pick was undone; its outcome cannot change."));
            }

            // A passed or absent pick is not a turn; counting it as answered makes it one, and a student has at
            // most one turn per fair round (the unique index would refuse it; asking first keeps SQLite's group
            // commit from replaying).
            if (pick.Mode == "fair" && request.Outcome == "answered" && pick.Outcome is ("passed" or "absent")
                && await tx.ExecuteScalarAsync<long?>(
                    $"""
                    SELECT p.id FROM picks p JOIN classes c ON c.id = p.class_id
                    WHERE p.class_id = @id AND c.teacher_id = @TeacherId AND p.round = @Round AND p.student_id = @StudentId
                      AND p.mode = 'fair' AND {IsTurn}
                    """,
                    new { id, pick.Round, pick.StudentId }) is not null)
            {
                return (null, SecondTurn);
            }

            await tx.ExecuteAsync(
                "UPDATE picks SET outcome = @Outcome WHERE id = @pickId AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)",
                new { pickId, request.Outcome });
            if (request.Outcome == "absent")
            {
                var timeZone = await tx.ExecuteScalarAsync<string>("SELECT time_zone FROM teachers WHERE id = @TeacherId") ?? "UTC";
                await tx.ExecuteAsync(
                    """
                    INSERT INTO absences (class_id, day, student_id)
                    SELECT @id, @day, @studentId WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                    ON CONFLICT DO NOTHING
                    """,
                    new { id, day = ClassRules.Today(clock, timeZone), studentId = pick.StudentId });
            }

            return ((await FindPickAsync(tx, id, pickId))!.ToRecord(), null);
        });

    private static async Task<Results<NoContent, ProblemHttpResult>> Undo(long id, long pickId, TeacherDb mine, TimeProvider clock)
    {
        var found = await mine.WriteAsync(async tx =>
        {
            await tx.ExecuteAsync(
                """
                UPDATE picks SET undone_at = @now
                WHERE id = @pickId AND class_id = @id AND undone_at IS NULL
                  AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)
                """,
                new { id, pickId, now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            return await FindPickAsync(tx, id, pickId) is not null;
        });
        return found ? TypedResults.NoContent() : Problems.NotFound("pick");
    }

    private static async Task<Results<Ok<RoundStatus>, ProblemHttpResult>> Round(long id, TeacherDb mine, TimeProvider clock)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        return TypedResults.Ok(await RoundStatusAsync(mine, row, clock));
    }

    private static async Task<Results<Ok<RoundStatus>, ProblemHttpResult>> Reshuffle(long id, TeacherDb mine, TimeProvider clock)
    {
        if (await mine.ExecuteAsync("UPDATE classes SET round = round + 1 WHERE id = @id AND teacher_id = @TeacherId", new { id }) == 0)
        {
            return Problems.NotFound("class");
        }

        return await Round(id, mine, clock);
    }

    private static async Task<RoundStatus> RoundStatusAsync(TeacherDb mine, ClassRow row, TimeProvider clock)
    {
        var day = ClassRules.Today(clock, row.TimeZone);
        var present = await mine.QueryAsync<PresentRow>(PresentSql(withCalls: false), new { id = row.Id, day });
        var picked = await mine.QueryAsync<PickRow>(
            $"""
            {PickSelect} WHERE p.class_id = @id AND c.teacher_id = @TeacherId AND p.round = @round AND p.mode = 'fair' AND {IsTurn}
            ORDER BY p.id
            """, new { id = row.Id, round = row.Round });
        return new RoundStatus(
            row.Round,
            present.Count,
            picked.Select(p => new StudentRef(p.StudentId, p.Name, p.PreferredName, p.Pronouns)).ToList(),
            present.Where(p => p.Taken == 0).Select(p => p.ToRef()).ToList());
    }

    private sealed class CallRow
    {
        public long StudentId { get; init; }

        public string? Outcome { get; init; }

        public string Day { get; init; } = "";

        public long PickedAt { get; init; }
    }

    private sealed class AbsenceRow
    {
        public long StudentId { get; init; }

        public string Day { get; init; } = "";
    }

    private static async Task<Results<Ok<PickStats>, ProblemHttpResult>> Stats(long id, TeacherDb mine)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is null)
        {
            return Problems.NotFound("class");
        }

        return TypedResults.Ok(await EquityAsync(mine, id));
    }

    /// <summary>The equity report of a class the caller has checked is the teacher's (the picker's stats, and the class report's).</summary>
    internal static async Task<PickStats> EquityAsync(TeacherDb mine, long id)
    {
        var students = await mine.QueryAsync<StudentRow>(
            $"SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id WHERE s.class_id = @id AND c.teacher_id = @TeacherId ORDER BY s.name, s.id",
            new { id });
        var calls = await mine.QueryAsync<CallRow>(
            "SELECT p.student_id, p.outcome, p.day, p.picked_at FROM picks p JOIN classes c ON c.id = p.class_id WHERE p.class_id = @id AND c.teacher_id = @TeacherId AND p.undone_at IS NULL",
            new { id });
        var absences = await mine.QueryAsync<AbsenceRow>(
            "SELECT a.student_id, a.day FROM absences a JOIN classes c ON c.id = a.class_id WHERE a.class_id = @id AND c.teacher_id = @TeacherId",
            new { id });
        return ComputeStats(students, calls, absences);
    }

    /// <summary>
    /// Each turn is shared equally among the students who could have been picked at that moment: on the
    /// roster then (added before, not yet removed) and not absent that day. A student's expected calls
    /// are the sum of their shares; <see cref="Equity"/> turns observed against expected into a verdict.
    /// </summary>
    private static PickStats ComputeStats(IReadOnlyList<StudentRow> students, IReadOnlyList<CallRow> calls, IReadOnlyList<AbsenceRow> absences)
    {
        var absent = absences.Select(a => (a.StudentId, a.Day)).ToHashSet();
        var expected = students.ToDictionary(s => s.Id, _ => 0.0);
        var turns = calls.Where(c => c.Outcome is null or "answered").ToList();
        foreach (var turn in turns)
        {
            var eligible = students.Where(s => s.CreatedAt <= turn.PickedAt && (s.RemovedAt is null || s.RemovedAt > turn.PickedAt) && !absent.Contains((s.Id, turn.Day))).ToList();
            if (eligible.Count == 0)
            {
                // The student was picked, then marked absent or removed; share the call among the whole roster of the time.
                eligible = students.Where(s => s.CreatedAt <= turn.PickedAt).ToList();
            }

            foreach (var student in eligible)
            {
                expected[student.Id] += 1.0 / eligible.Count;
            }
        }

        var rows = students
            .Select(s => new StudentEquity(
                new StudentRef(s.Id, s.Name, s.PreferredName, s.Pronouns),
                turns.Count(c => c.StudentId == s.Id),
                calls.Count(c => c.StudentId == s.Id && c.Outcome == "passed"),
                absences.Count(a => a.StudentId == s.Id),
                Math.Round(expected[s.Id], 3),
                s.RemovedAt is not null))
            .Where(r => !r.Removed || r.Calls + r.Passes + r.Absences > 0)
            .ToList();
        var verdict = Equity.Judge(students.Select(s => (turns.Count(c => c.StudentId == s.Id), expected[s.Id])).ToList());
        return new PickStats(turns.Count, calls.Count(c => c.Outcome == "passed"), rows, Math.Round(verdict.ChiSquare, 4), verdict.DegreesOfFreedom,
            verdict.PValue is { } p ? Math.Round(p, 6) : null, verdict.Judged, verdict.PValue < Equity.UnevenBelow, verdict.Summary);
    }

    private static string Name(PickMode mode) => mode.ToString().ToLowerInvariant();
}
