using System.Data.Common;
using System.Globalization;
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
        picks.MapPost("/", PickStudents).WithSummary("Pick a student: mode fair (default, a round without repeats), random or weighted; count for several")
            .Problem(StatusCodes.Status409Conflict, "Nobody in the class is present, or too many picks at once: try again.")
            .Problem(StatusCodes.Status422UnprocessableEntity, "count is more than the students present.");
        picks.MapGet("/", History).WithSummary("Every pick, newest first, paged (?page=1&pageSize=50)");
        picks.MapPatch("/{pickId:long}", SetOutcome).WithSummary("Record the outcome: answered, passed (not a turn) or absent (marks the student absent today)")
            .Problem(StatusCodes.Status409Conflict, "The pick was undone, or the change would give the student a second turn in the round.");
        picks.MapDelete("/{pickId:long}", Undo).WithSummary("Undo a pick: the student goes back into the round");
        picks.MapGet("/round", Round).WithSummary("The current fair round: who has had a turn and who is left");
        picks.MapDelete("/{pickId:long}/outcome", ClearOutcome)
            .WithSummary("Undo a recorded outcome: the pick is a plain call again (an absence it recorded is taken back)")
            .Problem(StatusCodes.Status409Conflict, "The pick was undone, or the change would give the student a second turn in the round.");
        picks.MapPost("/reshuffle", Reshuffle).WithSummary("Start a new fair round now (recorded, and undoable until someone is picked in it)");
        picks.MapDelete("/reshuffle", UndoReshuffle).WithSummary("Undo the last reshuffle: back to the round before it")
            .Problem(StatusCodes.Status409Conflict, "There is no reshuffle to undo, or someone has been picked since.");
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
    /// A fair turn on SQLite, once the writer has read the round and drawn: the writer runs the read and this insert
    /// in one transaction with nothing in between, so the read's conditions (the class's round, who is present and
    /// who has had a turn) still hold. It returns the pick's id and the student's names; the unique index
    /// picks_one_turn_per_round would still refuse a second turn in the round (nothing inserted, nothing returned).
    /// </summary>
    private const string InsertTurnSql = """
        INSERT INTO picks (class_id, student_id, mode, round, eligible, day, picked_at)
        SELECT @id, @studentId, 'fair', @round, @eligible, @day, @at
        WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
        ON CONFLICT (class_id, round, student_id) WHERE mode = 'fair' AND undone_at IS NULL AND (outcome IS NULL OR outcome = 'answered')
        DO NOTHING
        RETURNING id,
            (SELECT s.name FROM students s WHERE s.id = picks.student_id) AS name,
            (SELECT s.preferred_name FROM students s WHERE s.id = picks.student_id) AS preferred_name,
            (SELECT s.pronouns FROM students s WHERE s.id = picks.student_id) AS pronouns
        """;

    /// <summary>
    /// A single fair pick's read on SQLite, as one row: the class's round, its students on the roster, those absent
    /// today and those who have had a turn in the round, each as ids in one text. Three index range scans, rather
    /// than a row per student with a lookup of its absence and its turn. No row: not the teacher's class.
    /// </summary>
    private const string RoundSql = $"""
        SELECT c.round,
            (SELECT group_concat(s.id) FROM students s WHERE s.class_id = c.id AND s.removed_at IS NULL) AS students,
            (SELECT group_concat(a.student_id) FROM absences a WHERE a.class_id = c.id AND a.day = @day) AS absent,
            (SELECT group_concat(p.student_id) FROM picks p WHERE p.class_id = c.id AND p.round = c.round
                AND p.mode = 'fair' AND {IsTurn}) AS taken
        FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId
        """;

    private sealed class RoundRow : IRowReader<RoundRow>
    {
        public int Round { get; init; }

        public string? Students { get; init; }

        public string? Absent { get; init; }

        public string? Taken { get; init; }

        public static RoundRow Read(DbDataReader reader) => new()
        {
            Round = reader.GetInt32(0),
            Students = reader.IsDBNull(1) ? null : reader.GetString(1),
            Absent = reader.IsDBNull(2) ? null : reader.GetString(2),
            Taken = reader.IsDBNull(3) ? null : reader.GetString(3),
        };
    }

    /// <summary>
    /// Single fair picks on PostgreSQL, as one statement for all the picks waiting in different classes (a combined
    /// statement: each parameter is an array with a value per pick, see <see cref="TeacherDb.WriteCombinedAsync{T}"/>).
    /// For each pick: read the class's round, who is present and who has had a turn in it (three index range scans,
    /// kept as arrays), take the student at its ticket among those still waiting (or among all present when none is:
    /// the round ends and the class moves on to the next), and insert the turn. A ticket from the top, incomplete
    /// block of 2^62 for this many students would favour some of them: it draws nobody and the caller draws again,
    /// so every waiting student is exactly equally likely. It answers a row per pick (its position in the arrays
    /// last), the present and waiting students counted and the inserted pick with its student, or none when the
    /// class is not the teacher's. No pick with students present: it lost a race to another server (the unique
    /// index keeps one turn per student and round, and ON CONFLICT turns the loser into "nothing inserted") or a bad
    /// ticket. The writer never puts two picks of one class in one run (they would read the same round), so a class
    /// identifies its pick's row. The CTEs are MATERIALIZED so that each array is computed once.
    /// </summary>
    private const string FairPickSql = $"""
        WITH q AS MATERIALIZED (
            SELECT * FROM unnest(@TeacherId::bigint[], @id::bigint[], @day::text[], @ticket::bigint[], @at::bigint[])
                WITH ORDINALITY AS q(teacher_id, id, day, ticket, at, n)
        ), r AS MATERIALIZED (
            SELECT q.n, q.id, q.day, q.ticket, q.at, c.round,
                ARRAY(SELECT s.id FROM students s WHERE s.class_id = q.id AND s.removed_at IS NULL
                    AND NOT (s.id = ANY (ARRAY(SELECT a.student_id FROM absences a WHERE a.class_id = q.id AND a.day = q.day)))
                    ORDER BY s.id) AS present,
                ARRAY(SELECT p.student_id FROM picks p WHERE p.class_id = q.id AND p.round = c.round
                    AND p.mode = 'fair' AND {IsTurn}) AS taken
            FROM q JOIN classes c ON c.id = q.id AND c.teacher_id = q.teacher_id
        ), d AS MATERIALIZED (
            SELECT r.n, r.id, r.day, r.ticket, r.at, r.round, r.present, w.waiting,
                CASE WHEN cardinality(w.waiting) = 0 THEN r.present ELSE w.waiting END AS pool
            FROM r CROSS JOIN LATERAL (SELECT ARRAY(SELECT x FROM unnest(r.present) x WHERE NOT (x = ANY (r.taken)) ORDER BY x) AS waiting) w
        ), chosen AS MATERIALIZED (
            SELECT d.n, d.id, d.day, d.at,
                d.pool[1 + (CASE WHEN d.ticket < 4611686018427387904 / NULLIF(cardinality(d.pool), 0) * cardinality(d.pool)
                    THEN d.ticket % cardinality(d.pool) END)::int] AS student_id,
                d.round + CASE WHEN cardinality(d.waiting) = 0 THEN 1 ELSE 0 END AS round,
                cardinality(d.present) AS present, cardinality(d.waiting) AS waiting
            FROM d
        ), advanced AS (
            UPDATE classes SET round = chosen.round FROM chosen
            WHERE classes.id = chosen.id AND chosen.waiting = 0 AND chosen.student_id IS NOT NULL AND classes.round = chosen.round - 1
        ), inserted AS (
            INSERT INTO picks (class_id, student_id, mode, round, eligible, day, picked_at)
            SELECT id, student_id, 'fair', round, present, day, at FROM chosen WHERE student_id IS NOT NULL
            ON CONFLICT (class_id, round, student_id) WHERE mode = 'fair' AND undone_at IS NULL AND (outcome IS NULL OR outcome = 'answered')
            DO NOTHING
            RETURNING id, class_id, student_id, round
        )
        SELECT ch.present, ch.waiting, i.id, i.round, s.id AS student_id, s.name, s.preferred_name, s.pronouns, ch.n
        FROM chosen ch LEFT JOIN inserted i ON i.class_id = ch.id LEFT JOIN students s ON s.id = i.student_id
        """;

    /// <summary>The tickets <see cref="FairPickSql"/> draws with: [0, 2^62).</summary>
    private const long Tickets = 1L << 62;

    private sealed class FairPickRow : IRowReader<FairPickRow>
    {
        public int Present { get; init; }

        public int Waiting { get; init; }

        public long? Id { get; init; }

        public int Round { get; init; }

        public long StudentId { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }

        /// <summary>present, waiting, then the pick (all null when nothing was inserted): id, round, student_id, name, preferred_name, pronouns.</summary>
        public static FairPickRow Read(DbDataReader reader) => reader.IsDBNull(2)
            ? new() { Present = reader.GetInt32(0), Waiting = reader.GetInt32(1) }
            : new()
            {
                Present = reader.GetInt32(0),
                Waiting = reader.GetInt32(1),
                Id = reader.GetInt64(2),
                Round = reader.GetInt32(3),
                StudentId = reader.GetInt64(4),
                Name = reader.GetString(5),
                PreferredName = reader.IsDBNull(6) ? null : reader.GetString(6),
                Pronouns = reader.IsDBNull(7) ? null : reader.GetString(7),
            };
    }

    private sealed class InsertedTurn : IRowReader<InsertedTurn>
    {
        public long Id { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }

        public static InsertedTurn Read(DbDataReader reader) => new()
        {
            Id = reader.GetInt64(0),
            Name = reader.GetString(1),
            PreferredName = reader.IsDBNull(2) ? null : reader.GetString(2),
            Pronouns = reader.IsDBNull(3) ? null : reader.GetString(3),
        };
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

    private static ProblemHttpResult NobodyPresent => Problems.Conflict("Nobody in this class is present to pick: add students or mark some present.");

    /// <summary>No present students: 404 when the class is not the teacher's, else 409.</summary>
    private static async Task<ProblemHttpResult> NobodyPresentAsync(Func<string, object, Task<long?>> scalar, long id) =>
        await scalar("SELECT c.id FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId", new { id }) is null
            ? Problems.NotFound("class")
            : NobodyPresent;

    /// <summary>
    /// The hot path, one fair student, in one write. On SQLite: read the round, draw, then one conditional insert
    /// (after a conditional UPDATE when the round ends); the single writer runs it with nothing in between, its
    /// statements kept prepared, so the insert always lands. On PostgreSQL: one statement (<see cref="FairPickSql"/>)
    /// that the writer runs once for the picks waiting in different classes; each server has one writer, but another server
    /// may give the student a turn first, and then nothing is inserted and the caller draws again (null, null).
    /// No lock is taken.
    /// </summary>
    private static Task<(Pick? Pick, ProblemHttpResult? Problem)> TryPickOneFairAsync(
        long id, TeacherDb mine, IRandomSource random, string day, DateTimeOffset now) =>
        mine.Database.IsSqlite ? TryPickOneFairInWriterAsync(id, mine, random, day, now) : TryPickOneFairStatementAsync(id, mine, random, day, now);

    private static Task<(Pick? Pick, ProblemHttpResult? Problem)> TryPickOneFairInWriterAsync(
        long id, TeacherDb mine, IRandomSource random, string day, DateTimeOffset now) =>
        mine.WriteAsync<(Pick? Pick, ProblemHttpResult? Problem)>(async tx =>
        {
            // The round as the writer left it after this class's last pick, unless anything else has changed the
            // database since (WriterMemory forgets it then); otherwise read from the database.
            var memory = tx.Memory;
            var rounds = tx.Remembered<FairRounds>();
            var key = (id, tx.TeacherId, day);
            try
            {
                if (rounds?.GetValueOrDefault(key) is not { } state)
                {
                    var rows = await tx.QueryPreparedAsync<RoundRow>(RoundSql, new { id, day });
                    if (rows.Count == 0)
                    {
                        return (null, Problems.NotFound("class"));
                    }

                    state = FairRound.From(rows[0]);
                    if (state.Present.Count == 0)
                    {
                        return (null, NobodyPresent);
                    }
                }

                var left = state.Present.Where(p => !state.Taken.Contains(p)).Select(p => new Candidate(p, 0)).ToList();
                var newRound = left.Count == 0;
                if (newRound)
                {
                    // Everyone present has had a turn: a new round begins.
                    left = state.Present.ConvertAll(p => new Candidate(p, 0));
                }

                var studentId = Picker.Draw(PickMode.Fair, left, 1, random)[0];
                var round = newRound ? state.Round + 1 : state.Round;
                rounds?.Remove(key);
                if (newRound && await tx.ExecutePreparedAsync(AdvanceRoundSql, new { id, from = state.Round, day }) == 0)
                {
                    // The database does not agree that the round is over: read it again and draw again.
                    return (null, null);
                }

                var inserted = await tx.QueryPreparedAsync<InsertedTurn>(
                    InsertTurnSql, new { id, studentId, round, eligible = state.Present.Count, day, at = now.ToUnixTimeMilliseconds() });
                if (inserted.Count == 0)
                {
                    return (null, null);
                }

                if (newRound)
                {
                    state = new FairRound(round, state.Present, [studentId]);
                }
                else
                {
                    state.Taken.Add(studentId);
                }

                rounds?.Remember(key, state);
                return (new Pick(inserted[0].Id, Name(PickMode.Fair), round, new StudentRef(studentId, inserted[0].Name, inserted[0].PreferredName, inserted[0].Pronouns),
                    null, left.Count - 1, state.Present.Count, day, now), null);
            }
            finally
            {
                // Whatever this pick changed is now either in the memory or forgotten with its class.
                memory?.Seal();
            }
        });

    /// <summary>
    /// A class's fair round on one day (absences are per day) as the SQLite writer last read or wrote it: the round,
    /// the students present (sorted ids) and those who have had a turn in it.
    /// </summary>
    private sealed record FairRound(int Round, List<long> Present, HashSet<long> Taken)
    {
        public static FairRound From(RoundRow read)
        {
            var present = Ids(read.Students);
            if (read.Absent is not null)
            {
                var absent = Ids(read.Absent).ToHashSet();
                present.RemoveAll(absent.Contains);
            }

            present.Sort();
            return new FairRound(read.Round, present, read.Taken is null ? [] : Ids(read.Taken).ToHashSet());
        }
    }

    /// <summary>The fair rounds the SQLite writer remembers (<see cref="WriterMemory"/>): the classes picked in most recently.</summary>
    private sealed class FairRounds : Dictionary<(long ClassId, long TeacherId, string Day), FairRound>
    {
        private const int MaxClasses = 1_000;

        public void Remember((long ClassId, long TeacherId, string Day) key, FairRound round)
        {
            if (Count >= MaxClasses)
            {
                Clear();
            }

            this[key] = round;
        }
    }

    /// <summary>The ids in a text made by group_concat ("12,15,17"); empty for null.</summary>
    private static List<long> Ids(string? text)
    {
        var ids = new List<long>();
        if (text is null)
        {
            return ids;
        }

        foreach (var range in text.AsSpan().Split(','))
        {
            ids.Add(long.Parse(text.AsSpan(range), NumberStyles.None, CultureInfo.InvariantCulture));
        }

        return ids;
    }

    private static async Task<(Pick? Pick, ProblemHttpResult? Problem)> TryPickOneFairStatementAsync(
        long id, TeacherDb mine, IRandomSource random, string day, DateTimeOffset now)
    {
        var ticket = random.NextBelow(Tickets);
        // The class is the lane: this server's picks in one class never race each other on two writers.
        var rows = await mine.WriteCombinedAsync<FairPickRow>(FairPickSql, new { id, day, ticket, at = now.ToUnixTimeMilliseconds() }, lane: id);
        if (rows.Count == 0)
        {
            return (null, Problems.NotFound("class"));
        }

        var row = rows[0];
        if (row.Present == 0)
        {
            return (null, NobodyPresent);
        }

        if (row.Id is not { } pickId)
        {
            return (null, null);
        }

        var remaining = (row.Waiting == 0 ? row.Present : row.Waiting) - 1;
        return (new Pick(pickId, Name(PickMode.Fair), row.Round, new StudentRef(row.StudentId, row.Name, row.PreferredName, row.Pronouns),
            null, remaining, row.Present, day, now), null);
    }

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

    private static Task<Results<Ok<PickRecord>, ProblemHttpResult>> SetOutcome(long id, long pickId, PickOutcomeRequest request, TeacherDb mine, TimeProvider clock) =>
        ChangeOutcome(id, pickId, request.Outcome, mine, clock);

    private static Task<Results<Ok<PickRecord>, ProblemHttpResult>> ClearOutcome(long id, long pickId, TeacherDb mine, TimeProvider clock) =>
        ChangeOutcome(id, pickId, null, mine, clock);

    /// <summary>Records an outcome, or with null clears it (an undo): either way a pass or absence may become a turn again.</summary>
    private static async Task<Results<Ok<PickRecord>, ProblemHttpResult>> ChangeOutcome(long id, long pickId, string? outcome, TeacherDb mine, TimeProvider clock)
    {
        (PickRecord? Pick, ProblemHttpResult? Problem) result;
        try
        {
            result = await SetOutcomeAsync(id, pickId, outcome, mine, clock);
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
        long id, long pickId, string? outcome, TeacherDb mine, TimeProvider clock) =>
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
            if (pick.Mode == "fair" && outcome is null or "answered" && pick.Outcome is ("passed" or "absent")
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
                new { pickId, Outcome = outcome });
            var timeZone = await tx.ExecuteScalarAsync<string>("SELECT time_zone FROM teachers WHERE id = @TeacherId") ?? "UTC";
            if (pick.Outcome == "absent" && outcome != "absent")
            {
                // The absence this pick recorded is taken back (the student was present when picked).
                await tx.ExecuteAsync(
                    """
                    DELETE FROM absences WHERE class_id = @id AND day = @day AND student_id = @studentId
                      AND EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                    """,
                    new { id, day = ClassRules.Today(clock, timeZone), studentId = pick.StudentId });
            }

            if (outcome == "absent")
            {
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
        var found = await mine.WriteAsync(async tx =>
        {
            var from = await tx.ExecuteScalarAsync<int?>("SELECT round FROM classes WHERE id = @id AND teacher_id = @TeacherId", new { id });
            if (from is null)
            {
                return false;
            }

            await tx.ExecuteAsync("UPDATE classes SET round = @from + 1 WHERE id = @id AND teacher_id = @TeacherId AND round = @from", new { id, from });
            await tx.ExecuteAsync(
                """
                INSERT INTO reshuffles (class_id, from_round, at)
                SELECT @id, @from, @now WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                """,
                new { id, from, now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            return true;
        });
        return found ? await Round(id, mine, clock) : Problems.NotFound("class");
    }

    /// <summary>
    /// Undoes the class's last reshuffle while its round is still the one the reshuffle started and nobody has had a turn
    /// in it: the round before comes back as it was. The reshuffle stays recorded, marked undone.
    /// </summary>
    private static async Task<Results<Ok<RoundStatus>, ProblemHttpResult>> UndoReshuffle(long id, TeacherDb mine, TimeProvider clock)
    {
        var problem = await mine.WriteAsync<ProblemHttpResult?>(async tx =>
        {
            var round = await tx.ExecuteScalarAsync<int?>("SELECT round FROM classes WHERE id = @id AND teacher_id = @TeacherId", new { id });
            if (round is null)
            {
                return Problems.NotFound("class");
            }

            var last = await tx.ExecuteScalarAsync<long?>(
                """
                SELECT r.id FROM reshuffles r JOIN classes c ON c.id = r.class_id
                WHERE r.class_id = @id AND c.teacher_id = @TeacherId AND r.undone_at IS NULL AND r.from_round = @from
                ORDER BY r.id DESC LIMIT 1
                """,
                new { id, from = round - 1 });
            if (last is null)
            {
                return Problems.Conflict("There is no reshuffle to undo: the round was not started by a reshuffle, or it was undone already.");
            }

            if (await tx.ExecuteScalarAsync<long?>(
                "SELECT p.id FROM picks p JOIN classes c ON c.id = p.class_id WHERE p.class_id = @id AND c.teacher_id = @TeacherId AND p.round = @round AND p.undone_at IS NULL LIMIT 1",
                new { id, round }) is not null)
            {
                return Problems.Conflict("Someone has been picked since the reshuffle: undo those picks first.");
            }

            await tx.ExecuteAsync("UPDATE classes SET round = @from WHERE id = @id AND teacher_id = @TeacherId AND round = @round", new { id, round, from = round - 1 });
            await tx.ExecuteAsync(
                "UPDATE reshuffles SET undone_at = @now WHERE id = @last AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)",
                new { last, now = clock.GetUtcNow().ToUnixTimeMilliseconds() });
            return null;
        });
        return problem ?? await Round(id, mine, clock);
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
