using System.Globalization;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Classes;

public sealed record ClassSummary(long Id, string Name, bool Archived, int Round, int StudentCount, DateTimeOffset CreatedAt);

public sealed record Student(long Id, string Name, string? PreferredName, string? Pronouns, string? Notes, string? ExternalId, DateTimeOffset CreatedAt, bool Removed)
{
    /// <summary>What the class calls the student: the preferred name when there is one.</summary>
    public string DisplayName => PreferredName ?? Name;
}

public sealed record Attendance(string Date, IReadOnlyList<long> Absent, int Present);

public sealed record CreateClassRequest(string? Name) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.RequireText("name", Name, ClassRules.MaxName);
}

public sealed record UpdateClassRequest(string? Name, bool? Archived) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null)
        {
            errors.RequireText("name", Name, ClassRules.MaxName);
        }
    }
}

/// <summary>A new student: the name is required, the rest optional.</summary>
public sealed record StudentRequest(string? Name, string? PreferredName, string? Pronouns, string? Notes, string? ExternalId) : IValidatable
{
    public void Validate(ValidationErrors errors) => ClassRules.ValidateStudent(errors, Name, PreferredName, Pronouns, Notes, ExternalId, nameRequired: true);
}

/// <summary>Changes to a student: a missing field stays as it is, an empty one is cleared.</summary>
public sealed record StudentPatchRequest(string? Name, string? PreferredName, string? Pronouns, string? Notes, string? ExternalId) : IValidatable
{
    public void Validate(ValidationErrors errors) => ClassRules.ValidateStudent(errors, Name, PreferredName, Pronouns, Notes, ExternalId, nameRequired: false);
}

public sealed record AttendanceRequest(IReadOnlyList<long>? Absent, string? Date) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (Absent is null)
        {
            errors.Add("absent", "absent is required: the ids of today's absent students ([] when everyone is here).");
        }
        else if (Absent.Count > ClassRules.MaxStudents)
        {
            errors.Add("absent", $"absent can list at most {ClassRules.MaxStudents} students.");
        }

        if (Date is not null && !ClassRules.TryParseDay(Date, out _))
        {
            errors.Add("date", "date must be a day written YYYY-MM-DD.");
        }
    }
}

public static class ClassRules
{
    public const int MaxName = 100;
    public const int MaxStudentName = 100;
    public const int MaxPronouns = 40;
    public const int MaxNotes = 2000;
    public const int MaxExternalId = 64;
    public const int MaxStudents = 2000;

    /// <summary>Today in the teacher's time zone, as YYYY-MM-DD: attendance and picks are kept per school day.</summary>
    public static string Today(TimeProvider clock, string timeZone)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var found) ? found : TimeZoneInfo.Utc;
        return TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public static void ValidateStudent(ValidationErrors errors, string? name, string? preferredName, string? pronouns, string? notes, string? externalId, bool nameRequired)
    {
        ArgumentNullException.ThrowIfNull(errors);
        // Names are checked as they will be stored: normalised (Names.Normalize), so an invisible name is no name.
        if (nameRequired || name is not null)
        {
            errors.RequireText("name", Names.Normalize(name), MaxStudentName);
        }

        errors.OptionalText("preferredName", Names.Normalize(preferredName), MaxStudentName);
        errors.OptionalText("pronouns", pronouns, MaxPronouns);
        errors.OptionalText("notes", notes, MaxNotes, multiline: true);
        errors.OptionalText("externalId", externalId, MaxExternalId);
    }

    public static bool TryParseDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}

/// <summary>Rows as the classes feature reads them.</summary>
internal sealed class ClassRow
{
    public long Id { get; init; }

    public string Name { get; init; } = "";

    public bool Archived { get; init; }

    public int Round { get; init; }

    public long StudentCount { get; init; }

    public long CreatedAt { get; init; }

    public string TimeZone { get; init; } = "UTC";

    public ClassSummary ToSummary() => new(Id, Name, Archived, Round, (int)StudentCount, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
}

internal sealed class StudentRow
{
    public const string Columns = "s.id, s.name, s.preferred_name, s.pronouns, s.notes, s.external_id, s.created_at, s.removed_at";

    public long Id { get; init; }

    public string Name { get; init; } = "";

    public string? PreferredName { get; init; }

    public string? Pronouns { get; init; }

    public string? Notes { get; init; }

    public string? ExternalId { get; init; }

    public long CreatedAt { get; init; }

    public long? RemovedAt { get; init; }

    public Student ToStudent() =>
        new(Id, Name, PreferredName, Pronouns, Notes, ExternalId, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt), RemovedAt is not null);
}

public static class ClassesApi
{
    private const string ClassColumns = """
        c.id, c.name, c.archived, c.round, c.created_at,
        (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id AND s.removed_at IS NULL) AS student_count
        """;

    public static void MapClasses(this IEndpointRouteBuilder api)
    {
        var classes = api.MapGroup("/classes").WithTags("Classes").RequireAuthorization();
        classes.MapGet("/", ListClasses).WithSummary("My classes, by name; ?archived=true for archived ones, ?archived=all for both");
        classes.MapPost("/", CreateClass).WithSummary("Create a class");
        classes.MapGet("/{id:long}", GetClass).WithSummary("One class");
        classes.MapPatch("/{id:long}", UpdateClass).WithSummary("Rename, archive or unarchive a class");
        classes.MapDelete("/{id:long}", DeleteClass).WithSummary("Delete a class with its students and history");

        var students = classes.MapGroup("/{id:long}/students");
        students.MapGet("/", ListStudents).WithSummary("The roster, by name; ?includeRemoved=true adds removed students");
        students.MapPost("/", AddStudent).WithSummary("Add a student")
            .Problem(StatusCodes.Status409Conflict, $"The class already has {ClassRules.MaxStudents} students.");
        students.MapGet("/{studentId:long}", GetStudent).WithSummary("One student");
        students.MapPatch("/{studentId:long}", UpdateStudent).WithSummary("Edit a student");
        students.MapDelete("/{studentId:long}", RemoveStudent).WithSummary("Remove a student; their history stays");
        students.MapRosterTransfer();

        classes.MapGet("/{id:long}/attendance", GetAttendance).WithSummary("Who is absent today (or on ?date=YYYY-MM-DD)");
        classes.MapPut("/{id:long}/attendance", SetAttendance).WithSummary("Set today's absent students; the picker and group maker skip them");
        classes.MapAttendanceExport();

        classes.MapPicks();
        classes.MapGroups();
    }

    /// <summary>The class if it is the signed-in teacher's; the teacher's time zone comes along.</summary>
    internal static Task<ClassRow?> FindClassAsync(TeacherDb mine, long id) => mine.QuerySingleOrDefaultAsync<ClassRow>(
        $"""
        SELECT {ClassColumns}, t.time_zone FROM classes c JOIN teachers t ON t.id = c.teacher_id
        WHERE c.id = @id AND c.teacher_id = @TeacherId
        """, new { id });

    internal static Task<IReadOnlyList<StudentRow>> ActiveStudentsAsync(TeacherDb mine, long classId) => mine.QueryAsync<StudentRow>(
        $"""
        SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id
        WHERE s.class_id = @classId AND c.teacher_id = @TeacherId AND s.removed_at IS NULL
        ORDER BY s.name, s.id
        """, new { classId });

    private static async Task<Ok<List<ClassSummary>>> ListClasses(TeacherDb mine, string? archived)
    {
        var filter = archived?.ToLowerInvariant() switch
        {
            "all" => "",
            "true" => " AND c.archived = @yes",
            _ => " AND c.archived = @no",
        };
        var rows = await mine.QueryAsync<ClassRow>(
            $"SELECT {ClassColumns} FROM classes c WHERE c.teacher_id = @TeacherId{filter} ORDER BY c.name, c.id",
            new { yes = true, no = false });
        return TypedResults.Ok(rows.Select(r => r.ToSummary()).ToList());
    }

    private static async Task<Created<ClassSummary>> CreateClass(CreateClassRequest request, TeacherDb mine, TimeProvider clock)
    {
        var name = request.Name!.Trim();
        var createdAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var id = await mine.WriteAsync(tx => tx.ExecuteScalarAsync<long>(
            "INSERT INTO classes (teacher_id, name, archived, round, created_at) VALUES (@TeacherId, @name, @no, 1, @createdAt) RETURNING id",
            new { name, no = false, createdAt }));
        return TypedResults.Created($"/api/classes/{id}", new ClassSummary(id, name, false, 1, 0, DateTimeOffset.FromUnixTimeMilliseconds(createdAt)));
    }

    private static async Task<Results<Ok<ClassSummary>, ProblemHttpResult>> GetClass(long id, TeacherDb mine) =>
        await FindClassAsync(mine, id) is { } row ? TypedResults.Ok(row.ToSummary()) : Problems.NotFound("class");

    private static async Task<Results<Ok<ClassSummary>, ProblemHttpResult>> UpdateClass(long id, UpdateClassRequest request, TeacherDb mine)
    {
        var changed = await mine.ExecuteAsync(
            """
            UPDATE classes SET name = COALESCE(@name, name), archived = COALESCE(@archived, archived)
            WHERE id = @id AND teacher_id = @TeacherId
            """,
            new { id, name = request.Name?.Trim(), archived = request.Archived });
        return changed == 0 ? Problems.NotFound("class") : await GetClass(id, mine);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteClass(long id, TeacherDb mine) =>
        await mine.ExecuteAsync("DELETE FROM classes WHERE id = @id AND teacher_id = @TeacherId", new { id }) == 0
            ? Problems.NotFound("class")
            : TypedResults.NoContent();

    private static async Task<Results<Ok<List<Student>>, ProblemHttpResult>> ListStudents(long id, bool? includeRemoved, TeacherDb mine)
    {
        if (await FindClassAsync(mine, id) is null)
        {
            return Problems.NotFound("class");
        }

        var rows = includeRemoved == true
            ? await mine.QueryAsync<StudentRow>(
                $"""
                SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id
                WHERE s.class_id = @id AND c.teacher_id = @TeacherId ORDER BY s.name, s.id
                """, new { id })
            : await ActiveStudentsAsync(mine, id);
        return TypedResults.Ok(rows.Select(r => r.ToStudent()).ToList());
    }

    private static async Task<Results<Created<Student>, ProblemHttpResult>> AddStudent(long id, StudentRequest request, TeacherDb mine, TimeProvider clock)
    {
        var createdAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var outcome = await mine.WriteAsync<(long Id, ProblemHttpResult? Problem)>(async tx =>
        {
            var count = await tx.ExecuteScalarAsync<long?>(
                """
                SELECT (SELECT COUNT(*) FROM students s WHERE s.class_id = c.id AND s.removed_at IS NULL)
                FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId
                """, new { id });
            if (count is null)
            {
                return (0L, Problems.NotFound("class"));
            }

            if (count >= ClassRules.MaxStudents)
            {
                return (0L, Problems.Conflict($"A class holds at most {ClassRules.MaxStudents} students; this one is full."));
            }

            var studentId = await tx.ExecuteScalarAsync<long>(
                """
                INSERT INTO students (class_id, name, preferred_name, pronouns, notes, external_id, created_at)
                SELECT @id, @Name, @PreferredName, @Pronouns, @Notes, @ExternalId, @createdAt
                WHERE EXISTS (SELECT 1 FROM classes WHERE id = @id AND teacher_id = @TeacherId)
                RETURNING id
                """,
                new { id, createdAt, Name = Names.Normalize(request.Name)!, PreferredName = Blank(Names.Normalize(request.PreferredName)), Pronouns = Blank(request.Pronouns), Notes = Blank(request.Notes), ExternalId = Blank(request.ExternalId) });
            return (studentId, null);
        });
        if (outcome.Problem is not null)
        {
            return outcome.Problem;
        }

        var student = new Student(outcome.Id, Names.Normalize(request.Name)!, Blank(Names.Normalize(request.PreferredName)), Blank(request.Pronouns), Blank(request.Notes), Blank(request.ExternalId),
            DateTimeOffset.FromUnixTimeMilliseconds(createdAt), false);
        return TypedResults.Created($"/api/classes/{id}/students/{outcome.Id}", student);
    }

    private static async Task<Results<Ok<Student>, ProblemHttpResult>> GetStudent(long id, long studentId, TeacherDb mine) =>
        await FindStudentAsync(mine, id, studentId) is { } row ? TypedResults.Ok(row.ToStudent()) : Problems.NotFound("student");

    private static async Task<Results<Ok<Student>, ProblemHttpResult>> UpdateStudent(long id, long studentId, StudentPatchRequest request, TeacherDb mine)
    {
        var changed = await mine.ExecuteAsync(
            """
            UPDATE students SET
                name = COALESCE(@Name, name),
                preferred_name = CASE WHEN @PreferredName IS NULL THEN preferred_name ELSE NULLIF(@PreferredName, '') END,
                pronouns = CASE WHEN @Pronouns IS NULL THEN pronouns ELSE NULLIF(@Pronouns, '') END,
                notes = CASE WHEN @Notes IS NULL THEN notes ELSE NULLIF(@Notes, '') END,
                external_id = CASE WHEN @ExternalId IS NULL THEN external_id ELSE NULLIF(@ExternalId, '') END
            WHERE id = @studentId AND class_id = @id
              AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)
            """,
            new
            {
                id, studentId, Name = Names.Normalize(request.Name), PreferredName = Names.Normalize(request.PreferredName), Pronouns = request.Pronouns?.Trim(),
                Notes = request.Notes?.Trim(), ExternalId = request.ExternalId?.Trim(),
            });
        return changed == 0 ? Problems.NotFound("student") : await GetStudent(id, studentId, mine);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveStudent(long id, long studentId, TeacherDb mine, TimeProvider clock) =>
        await mine.ExecuteAsync(
            """
            UPDATE students SET removed_at = @now
            WHERE id = @studentId AND class_id = @id AND removed_at IS NULL
              AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)
            """,
            new { id, studentId, now = clock.GetUtcNow().ToUnixTimeMilliseconds() }) == 0
            ? Problems.NotFound("student")
            : TypedResults.NoContent();

    private static async Task<Results<Ok<Attendance>, ProblemHttpResult, ValidationProblem>> GetAttendance(long id, string? date, TeacherDb mine, TimeProvider clock)
    {
        if (await FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        if (date is not null && !ClassRules.TryParseDay(date, out _))
        {
            return Problems.Invalid("date", "date must be a day written YYYY-MM-DD.");
        }

        return TypedResults.Ok(await ReadAttendanceAsync(mine, id, date ?? ClassRules.Today(clock, row.TimeZone), (int)row.StudentCount));
    }

    private static async Task<Results<Ok<Attendance>, ProblemHttpResult, ValidationProblem>> SetAttendance(
        long id, AttendanceRequest request, TeacherDb mine, TimeProvider clock, Games.GameRegistry registry, Games.Cluster.GameCluster cluster)
    {
        if (await FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        var day = request.Date ?? ClassRules.Today(clock, row.TimeZone);
        var absent = request.Absent!.Distinct().ToList();
        var students = (await ActiveStudentsAsync(mine, id)).Select(s => s.Id).ToHashSet();
        var stranger = request.Absent!.Select((studentId, index) => (studentId, index)).FirstOrDefault(x => !students.Contains(x.studentId));
        if (stranger != default)
        {
            return Problems.Invalid($"absent[{stranger.index}]", $"{stranger.studentId} is not a student of this class.");
        }

        await mine.WriteAsync(async tx =>
        {
            await tx.ExecuteAsync(
                "DELETE FROM absences WHERE class_id = @id AND day = @day AND class_id IN (SELECT c.id FROM classes c WHERE c.teacher_id = @TeacherId)",
                new { id, day });
            foreach (var studentId in absent)
            {
                await tx.ExecuteAsync(
                    "INSERT INTO absences (class_id, day, student_id) SELECT @id, @day, @studentId WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)",
                    new { id, day, studentId });
            }

            return absent.Count;
        });

        // A class game running here (or, in a cluster, anywhere) stops offering today's absent students' names.
        if (day == ClassRules.Today(clock, row.TimeZone))
        {
            if (cluster.Enabled)
            {
                foreach (var gameId in await cluster.LiveGamesOfAsync(mine.TeacherId))
                {
                    await cluster.Grain(gameId).SetAbsent(id, [.. absent]);
                }
            }

            foreach (var game in registry.OfTeacher(mine.TeacherId).Where(g => g.Settings.ClassId == id && !g.IsOver))
            {
                game.SetAbsent(absent);
            }
        }

        return TypedResults.Ok(new Attendance(day, absent, students.Count - absent.Count));
    }

    internal static async Task<Attendance> ReadAttendanceAsync(TeacherDb mine, long classId, string day, int studentCount)
    {
        var absent = await mine.QueryAsync<long>(
            """
            SELECT a.student_id FROM absences a JOIN classes c ON c.id = a.class_id
            JOIN students s ON s.id = a.student_id
            WHERE a.class_id = @classId AND a.day = @day AND c.teacher_id = @TeacherId AND s.removed_at IS NULL
            ORDER BY a.student_id
            """, new { classId, day });
        return new Attendance(day, absent, studentCount - absent.Count);
    }

    internal static Task<StudentRow?> FindStudentAsync(TeacherDb mine, long classId, long studentId) => mine.QuerySingleOrDefaultAsync<StudentRow>(
        $"""
        SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id
        WHERE s.id = @studentId AND s.class_id = @classId AND c.teacher_id = @TeacherId
        """, new { classId, studentId });

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
