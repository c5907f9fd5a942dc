using System.Text.Json;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Classes;

public sealed record Group(int Number, IReadOnlyList<StudentRef> Students);

/// <summary>A grouping. <see cref="RepeatedPairs"/> (pairs who also shared a group recently) is known only when it is made.</summary>
public sealed record Grouping(long Id, DateTimeOffset CreatedAt, GroupRequest Request, IReadOnlyList<Group> Groups, int? RepeatedPairs);

public sealed record GroupRequest(int? Size, int? Count, IReadOnlyList<IReadOnlyList<long>>? KeepApart, IReadOnlyList<IReadOnlyList<long>>? KeepTogether, bool? AvoidRecentPairs) : IValidatable
{
    private const int MaxLists = 500;

    public void Validate(ValidationErrors errors)
    {
        if (Size is null == Count is null)
        {
            errors.Add(Size is null ? "size" : "count", "Give either size (students per group) or count (number of groups), not both or neither.");
        }

        if (Size is < 1)
        {
            errors.Add("size", "size must be at least 1.");
        }

        if (Count is < 1)
        {
            errors.Add("count", "count must be at least 1.");
        }

        CheckLists(errors, "keepApart", KeepApart);
        CheckLists(errors, "keepTogether", KeepTogether);
    }

    private static void CheckLists(ValidationErrors errors, string field, IReadOnlyList<IReadOnlyList<long>>? lists)
    {
        if (lists is null)
        {
            return;
        }

        if (lists.Count > MaxLists)
        {
            errors.Add(field, $"{field} can hold at most {MaxLists} lists.");
            return;
        }

        for (var i = 0; i < lists.Count; i++)
        {
            if (lists[i] is null || lists[i].Count < 2 || lists[i].Count > ClassRules.MaxStudents)
            {
                errors.Add($"{field}[{i}]", $"Each {field} list names at least two students.");
            }
        }
    }
}

/// <summary>The group maker's endpoints; the grouping itself is <see cref="GroupMaker"/>.</summary>
public static class GroupsApi
{
    /// <summary>How many of the latest groupings count as "recent" when avoiding repeat pairs.</summary>
    public const int RecentGroupings = 3;

    public static void MapGroups(this RouteGroupBuilder classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        var groups = classes.MapGroup("/{id:long}/groups");
        groups.MapPost("/", MakeGroups).WithSummary("Make groups of the present students, by size or count, with keepApart/keepTogether and avoidRecentPairs")
            .Problem(StatusCodes.Status409Conflict, "Nobody in the class is present.")
            .Problem(StatusCodes.Status422UnprocessableEntity, "The constraints cannot all be honoured; the detail says which.");
        groups.MapGet("/", ListGroupings).WithSummary("Saved groupings, newest first");
        groups.MapGet("/{groupingId:long}", GetGrouping).WithSummary("One saved grouping");
    }

    private sealed class MemberRow
    {
        public long GroupingId { get; init; }

        public int GroupNumber { get; init; }

        public long StudentId { get; init; }

        public string Name { get; init; } = "";

        public string? PreferredName { get; init; }

        public string? Pronouns { get; init; }
    }

    private sealed class GroupingRow
    {
        public long Id { get; init; }

        public long CreatedAt { get; init; }

        public string Request { get; init; } = "{}";
    }

    private static async Task<Results<Created<Grouping>, ProblemHttpResult, ValidationProblem>> MakeGroups(
        long id, GroupRequest request, TeacherDb mine, TimeProvider clock, IRandomSource random)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        var day = ClassRules.Today(clock, row.TimeZone);
        var students = await ClassesApi.ActiveStudentsAsync(mine, id);
        var absent = (await ClassesApi.ReadAttendanceAsync(mine, id, day, students.Count)).Absent.ToHashSet();
        var present = students.Where(s => !absent.Contains(s.Id)).ToList();
        if (present.Count == 0)
        {
            return Problems.Conflict("Nobody in this class is present to put in groups.");
        }

        if (request.Size > present.Count)
        {
            return Problems.Invalid("size", $"size {request.Size} is larger than the {present.Count} present students.");
        }

        if (request.Count > present.Count)
        {
            return Problems.Invalid("count", $"count {request.Count} is more groups than the {present.Count} present students.");
        }

        var roster = students.Select(s => s.Id).ToHashSet();
        foreach (var (field, lists) in new[] { ("keepApart", request.KeepApart), ("keepTogether", request.KeepTogether) })
        {
            for (var i = 0; i < (lists?.Count ?? 0); i++)
            {
                for (var j = 0; j < lists![i].Count; j++)
                {
                    if (!roster.Contains(lists[i][j]))
                    {
                        return Problems.Invalid($"{field}[{i}][{j}]", $"{lists[i][j]} is not a student of this class.");
                    }
                }
            }
        }

        var recent = request.AvoidRecentPairs == true ? await RecentPairsAsync(mine, id) : new HashSet<(long, long)>();
        var names = students.ToDictionary(s => s.Id, s => s.PreferredName ?? s.Name);
        var outcome = GroupMaker.Make(
            present.Select(s => s.Id).ToList(),
            new GroupMaker.Request(request.Size, request.Count, request.KeepTogether ?? [], request.KeepApart ?? []),
            recent,
            random,
            studentId => names[studentId]);
        if (outcome.Groups is null)
        {
            return Problems.Unprocessable(outcome.Problem!);
        }

        var createdAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var groupingId = await mine.WriteAsync(async tx =>
        {
            var newId = await tx.ExecuteScalarAsync<long>(
                """
                INSERT INTO groupings (class_id, created_at, request)
                SELECT @id, @createdAt, @json WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                RETURNING id
                """,
                new { id, createdAt, json = JsonSerializer.Serialize(request, JsonSerializerOptions.Web) });
            for (var g = 0; g < outcome.Groups.Count; g++)
            {
                foreach (var studentId in outcome.Groups[g])
                {
                    await tx.ExecuteAsync(
                        """
                        INSERT INTO grouping_members (grouping_id, group_number, student_id)
                        SELECT @newId, @number, @studentId WHERE EXISTS (SELECT 1 FROM classes c WHERE c.id = @id AND c.teacher_id = @TeacherId)
                        """,
                        new { newId, number = g + 1, studentId, id });
                }
            }

            return newId;
        });

        var byId = students.ToDictionary(s => s.Id);
        var groups = outcome.Groups
            .Select((members, index) => new Group(index + 1, members.Select(m => byId[m]).Select(s => new StudentRef(s.Id, s.Name, s.PreferredName, s.Pronouns)).ToList()))
            .ToList();
        return TypedResults.Created($"/api/classes/{id}/groups/{groupingId}",
            new Grouping(groupingId, DateTimeOffset.FromUnixTimeMilliseconds(createdAt), request, groups, outcome.RepeatedPairs));
    }

    private static async Task<Results<Ok<List<Grouping>>, ProblemHttpResult>> ListGroupings(long id, TeacherDb mine)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is null)
        {
            return Problems.NotFound("class");
        }

        return TypedResults.Ok(await ReadGroupingsAsync(mine, id, null, 50));
    }

    private static async Task<Results<Ok<Grouping>, ProblemHttpResult>> GetGrouping(long id, long groupingId, TeacherDb mine)
    {
        var found = await ReadGroupingsAsync(mine, id, groupingId, 1);
        return found.Count == 1 ? TypedResults.Ok(found[0]) : Problems.NotFound("grouping");
    }

    private static async Task<List<Grouping>> ReadGroupingsAsync(TeacherDb mine, long classId, long? groupingId, int limit)
    {
        var groupings = await mine.QueryAsync<GroupingRow>(
            $"""
            SELECT g.id, g.created_at, g.request FROM groupings g JOIN classes c ON c.id = g.class_id
            WHERE g.class_id = @classId AND c.teacher_id = @TeacherId {(groupingId is null ? "" : "AND g.id = @groupingId")}
            ORDER BY g.id DESC LIMIT @limit
            """, new { classId, groupingId, limit });
        if (groupings.Count == 0)
        {
            return [];
        }

        var members = await mine.QueryAsync<MemberRow>(
            $"""
            SELECT m.grouping_id, m.group_number, s.id AS student_id, s.name, s.preferred_name, s.pronouns
            FROM grouping_members m JOIN groupings g ON g.id = m.grouping_id JOIN classes c ON c.id = g.class_id JOIN students s ON s.id = m.student_id
            WHERE g.class_id = @classId AND c.teacher_id = @TeacherId AND m.grouping_id IN ({string.Join(',', groupings.Select(g => g.Id))})
            ORDER BY m.grouping_id, m.group_number, s.name
            """, new { classId });
        var byGrouping = members.ToLookup(m => m.GroupingId);
        return groupings.Select(g => new Grouping(
            g.Id,
            DateTimeOffset.FromUnixTimeMilliseconds(g.CreatedAt),
            JsonSerializer.Deserialize<GroupRequest>(g.Request, JsonSerializerOptions.Web)!,
            byGrouping[g.Id].GroupBy(m => m.GroupNumber).OrderBy(x => x.Key)
                .Select(x => new Group(x.Key, x.Select(m => new StudentRef(m.StudentId, m.Name, m.PreferredName, m.Pronouns)).ToList())).ToList(),
            null)).ToList();
    }

    /// <summary>Pairs of students who shared a group in the latest <see cref="RecentGroupings"/> groupings.</summary>
    private static async Task<HashSet<(long, long)>> RecentPairsAsync(TeacherDb mine, long classId)
    {
        var recent = await ReadGroupingsAsync(mine, classId, null, RecentGroupings);
        var pairs = new HashSet<(long, long)>();
        foreach (var group in recent.SelectMany(g => g.Groups))
        {
            for (var i = 0; i < group.Students.Count; i++)
            {
                for (var j = i + 1; j < group.Students.Count; j++)
                {
                    pairs.Add(GroupMaker.Pair(group.Students[i].Id, group.Students[j].Id));
                }
            }
        }

        return pairs;
    }
}
