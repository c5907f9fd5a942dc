using System.Net;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Classes;

public abstract class GroupsTests(AppFixture fixture) : AppTests(fixture)
{
    private static List<List<long>> Groups(JsonElement grouping) =>
        grouping.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("students").EnumerateArray().Select(s => s.Long("id")).ToList()).ToList();

    [Theory]
    [InlineData(10, 3, null, new[] { 4, 3, 3 })]
    [InlineData(11, 3, null, new[] { 3, 3, 3, 2 })]
    [InlineData(5, 3, null, new[] { 3, 2 })]
    [InlineData(10, null, 4, new[] { 3, 3, 2, 2 })]
    [InlineData(7, null, 7, new[] { 1, 1, 1, 1, 1, 1, 1 })]
    public async Task Groups_are_balanced_and_hold_every_present_student_once(int students, int? size, int? count, int[] sizes)
    {
        var teacher = await SignUpAsync();
        var (classId, ids) = await teacher.ClassWithStudentsAsync(students + 1);
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { ids[^1] } })).Status(HttpStatusCode.OK);

        var response = await teacher.Api.PostAsync($"/api/classes/{classId}/groups", new { size, count });

        var groups = Groups(await response.Json(HttpStatusCode.Created));
        Assert.Equal(sizes, groups.Select(g => g.Count).OrderDescending());
        Assert.Equal(ids.SkipLast(1).Order(), groups.SelectMany(g => g).Order());
    }

    [Fact]
    public async Task Keep_together_and_keep_apart_are_always_honoured()
    {
        var teacher = await SignUpAsync();
        var (classId, s) = await teacher.ClassWithStudentsAsync(12);
        var together = new[] { new[] { s[0], s[1], s[2] }, new[] { s[3], s[4] } };
        var apart = new[] { new[] { s[0], s[3], s[5] }, new[] { s[6], s[7] } };

        for (var attempt = 0; attempt < 5; attempt++)
        {
            var groups = Groups(await (await teacher.Api.PostAsync($"/api/classes/{classId}/groups",
                new { size = 3, keepTogether = together, keepApart = apart })).Json(HttpStatusCode.Created));
            int GroupOf(long id) => groups.FindIndex(g => g.Contains(id));
            Assert.All(together, list => Assert.Single(list.Select(GroupOf).Distinct()));
            Assert.All(apart, list => Assert.Equal(list.Length, list.Select(GroupOf).Distinct().Count()));
            Assert.All(groups, g => Assert.Equal(3, g.Count));
        }
    }

    [Fact]
    public async Task Constraints_that_cannot_be_met_get_a_422_saying_which()
    {
        var teacher = await SignUpAsync();
        var (classId, s) = await teacher.ClassWithStudentsAsync(6);
        var path = $"/api/classes/{classId}/groups";

        var tooBig = await (await teacher.Api.PostAsync(path, new { size = 2, keepTogether = new[] { new[] { s[0], s[1], s[2], s[3] } } })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("kept together", tooBig.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("(keepTogether)", tooBig.Str("detail"), StringComparison.Ordinal);
        var tooMany = await (await teacher.Api.PostAsync(path, new { count = 2, keepApart = new[] { new[] { s[0], s[1], s[2] } } })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("kept apart", tooMany.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("(keepApart)", tooMany.Str("detail"), StringComparison.Ordinal);
        var both = await (await teacher.Api.PostAsync(path, new { size = 3, keepTogether = new[] { new[] { s[0], s[1] } }, keepApart = new[] { new[] { s[1], s[0] } } })).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Student 01", both.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_group_requests_name_the_field()
    {
        var teacher = await SignUpAsync();
        var (classId, s) = await teacher.ClassWithStudentsAsync(4);
        var (_, other) = await teacher.ClassWithStudentsAsync(1);
        var path = $"/api/classes/{classId}/groups";

        await (await teacher.Api.PostAsync(path, new { size = 0 })).ValidationProblem("size");
        await (await teacher.Api.PostAsync(path, new { size = 5 })).ValidationProblem("size");
        await (await teacher.Api.PostAsync(path, new { count = 5 })).ValidationProblem("count");
        await (await teacher.Api.PostAsync(path, new { })).ValidationProblem("size");
        await (await teacher.Api.PostAsync(path, new { size = 2, count = 2 })).ValidationProblem("count");
        await (await teacher.Api.PostAsync(path, new { size = 2, keepApart = new[] { new[] { s[0], other[0] } } })).ValidationProblem("keepApart[0][1]");
    }

    [Fact]
    public async Task Avoiding_recent_pairs_gives_fresh_partners_and_groupings_are_saved()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(12);
        var seen = new HashSet<(long, long)>();

        for (var round = 0; round < 3; round++)
        {
            var grouping = await (await teacher.Api.PostAsync($"/api/classes/{classId}/groups", new { size = 3, avoidRecentPairs = true })).Json(HttpStatusCode.Created);
            Assert.Equal(0, grouping.Int("repeatedPairs"));
            foreach (var group in Groups(grouping))
            {
                foreach (var a in group)
                {
                    foreach (var b in group.Where(b => a < b))
                    {
                        Assert.True(seen.Add((a, b)), $"pair {a}-{b} repeated in grouping {round + 1}");
                    }
                }
            }
        }

        var saved = await (await teacher.Api.GetAsync($"/api/classes/{classId}/groups")).Json(HttpStatusCode.OK);
        Assert.Equal(3, saved.GetArrayLength());
        Assert.True(saved[0].GetProperty("request").GetProperty("avoidRecentPairs").GetBoolean());
        Assert.Equal(4, saved[0].GetProperty("groups").GetArrayLength());
    }
}

public sealed class SqliteGroupsTests(SqliteFixture fixture) : GroupsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresGroupsTests(PostgresFixture fixture) : GroupsTests(fixture), IClassFixture<PostgresFixture>;
