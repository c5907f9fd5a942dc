using System.Net;
using Homeroom.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeroom.Tests.Classes;

public abstract class PickerTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task A_fair_round_picks_every_student_once_then_starts_again()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(7);

        var picks = new List<System.Text.Json.JsonElement>();
        for (var i = 0; i < 7; i++)
        {
            picks.Add(await teacher.Api.PickAsync(classId));
        }

        Assert.Equal(students.Order(), picks.Select(p => p.StudentId()).Order());
        Assert.All(picks, p => Assert.Equal(1, p.Int("round")));
        Assert.Equal([6, 5, 4, 3, 2, 1, 0], picks.Select(p => p.Int("remainingInRound")));
        var next = await teacher.Api.PickAsync(classId);
        Assert.Equal(2, next.Int("round"));
        Assert.Equal(6, next.Int("remainingInRound"));
    }

    [Fact]
    public async Task The_round_survives_a_restart_of_the_service()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(6);
        var first = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            first.Add((await teacher.Api.PickAsync(classId)).StudentId());
        }

        await using var restarted = await Fixture.StartAppAsync(connectionString: App.ConnectionString);
        using var api = new ApiClient(restarted.NewClient());
        api.UseBearer(await Teacher.LoginAsync(api, teacher.Username, teacher.Password));
        var rest = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var pick = await api.PickAsync(classId);
            Assert.Equal(1, pick.Int("round"));
            rest.Add(pick.StudentId());
        }

        Assert.Equal(students.Order(), first.Concat(rest).Order());
    }

    [Fact]
    public async Task Concurrent_picks_from_several_devices_never_repeat_a_student_in_a_round()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(24);
        var devices = Enumerable.Range(0, 6).Select(_ => new ApiClient(App.NewClient())).ToList();
        foreach (var device in devices)
        {
            device.UseBearer(teacher.Token);
        }

        var picks = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => devices[i % devices.Count].PickAsync(classId)));

        Assert.Equal(students.Order(), picks.Select(p => p.StudentId()).Order());
        Assert.All(picks, p => Assert.Equal(1, p.Int("round")));
        foreach (var device in devices)
        {
            device.Dispose();
        }
    }

    [Fact]
    public async Task Absent_students_are_never_picked_and_attendance_is_kept_per_day()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(6);
        var absent = students.Take(2).ToList();

        var attendance = await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent })).Json(HttpStatusCode.OK);
        Assert.Equal(4, attendance.Int("present"));

        var picked = new List<long>();
        foreach (var mode in new[] { "fair", "random", "weighted" })
        {
            for (var i = 0; i < 12; i++)
            {
                picked.Add((await teacher.Api.PickAsync(classId, mode)).StudentId());
            }
        }

        Assert.DoesNotContain(picked, absent.Contains);
        var read = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK);
        Assert.Equal(absent.Order(), read.GetProperty("absent").EnumerateArray().Select(a => a.GetInt64()).Order());
        var yesterday = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance?date=2000-01-01")).Json(HttpStatusCode.OK);
        Assert.Empty(yesterday.GetProperty("absent").EnumerateArray());
    }

    [Fact]
    public async Task Attendance_refuses_students_of_other_classes_naming_the_entry()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(2);
        var (_, others) = await teacher.ClassWithStudentsAsync(1);

        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { students[0], others[0] } })).ValidationProblem("absent[1]");
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { })).ValidationProblem("absent");
    }

    [Fact]
    public async Task Picking_with_nobody_present_is_a_clear_409()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(2);
        var empty = await teacher.CreateClassAsync("Empty");
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = students })).Status(HttpStatusCode.OK);

        var problem = await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks", new { })).Problem(HttpStatusCode.Conflict);
        await (await teacher.Api.PostAsync($"/api/classes/{empty}/picks", new { })).Problem(HttpStatusCode.Conflict);

        Assert.Contains("present", problem.Str("detail"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_pick_requests_name_the_field()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);

        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks", new { mode = "rigged" })).ValidationProblem("mode");
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks", new { count = 0 })).ValidationProblem("count");
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks", new { count = 4 })).Problem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Several_students_in_one_pick_are_all_different_and_continue_into_a_new_round()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(5);
        await teacher.Api.PickAsync(classId);
        await teacher.Api.PickAsync(classId);
        await teacher.Api.PickAsync(classId);

        var pick = await teacher.Api.PickAsync(classId, count: 4);

        var ids = pick.GetProperty("students").EnumerateArray().Select(s => s.GetProperty("student").Long("id")).ToList();
        Assert.Equal(4, ids.Distinct().Count());
        Assert.Equal(2, pick.Int("round"));
        Assert.Equal(3, pick.Int("remainingInRound"));
        // The two drawn before the round ended had their turns in round 1; round 2 has had two so far.
        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Equal(ids.Skip(2).Order(), round.GetProperty("picked").EnumerateArray().Select(s => s.Long("id")).Order());
        Assert.Equal(3, round.GetProperty("remaining").GetArrayLength());
        var history = (await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks")).Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray();
        Assert.All(history.Where(p => ids.Take(2).Contains(p.StudentId())), p => Assert.Equal(1, p.Int("round")));
    }

    [Fact]
    public async Task Undo_puts_the_student_back_into_the_round()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var first = await teacher.Api.PickAsync(classId);

        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{first.Long("id")}")).Status(HttpStatusCode.NoContent);

        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Equal(3, round.GetProperty("remaining").GetArrayLength());
        var picks = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            picks.Add((await teacher.Api.PickAsync(classId)).StudentId());
        }

        Assert.Contains(first.StudentId(), picks);
        var history = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks")).Json(HttpStatusCode.OK);
        Assert.True(history.GetProperty("items").EnumerateArray().Last().GetProperty("undone").GetBoolean());
    }

    [Fact]
    public async Task A_pass_is_recorded_apart_and_is_not_a_turn()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var pick = await teacher.Api.PickAsync(classId);

        var passed = await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{pick.Long("id")}", new { outcome = "passed" })).Json(HttpStatusCode.OK);

        Assert.Equal("passed", passed.Str("outcome"));
        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Contains(round.GetProperty("remaining").EnumerateArray(), s => s.Long("id") == pick.StudentId());
        var stats = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/stats")).Json(HttpStatusCode.OK);
        var row = stats.GetProperty("students").EnumerateArray().Single(s => s.GetProperty("student").Long("id") == pick.StudentId());
        Assert.Equal(0, row.Int("calls"));
        Assert.Equal(1, row.Int("passes"));
        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{pick.Long("id")}", new { outcome = "maybe" })).ValidationProblem("outcome");
    }

    [Fact]
    public async Task Absent_after_all_marks_the_student_absent_today()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var pick = await teacher.Api.PickAsync(classId);

        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{pick.Long("id")}", new { outcome = "absent" })).Status(HttpStatusCode.OK);

        var attendance = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK);
        Assert.Equal([pick.StudentId()], attendance.GetProperty("absent").EnumerateArray().Select(a => a.GetInt64()));
        for (var i = 0; i < 4; i++)
        {
            Assert.NotEqual(pick.StudentId(), (await teacher.Api.PickAsync(classId)).StudentId());
        }
    }

    [Fact]
    public async Task Reshuffle_starts_a_new_round_now()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(4);
        await teacher.Api.PickAsync(classId);

        var round = await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks/reshuffle", null)).Json(HttpStatusCode.OK);

        Assert.Equal(2, round.Int("round"));
        Assert.Equal(4, round.GetProperty("remaining").GetArrayLength());
        Assert.Empty(round.GetProperty("picked").EnumerateArray());
    }

    [Fact]
    public async Task History_is_newest_first_and_paged()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await teacher.Api.PickAsync(classId, "random")).Long("id"));
        }

        var page = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks?page=2&pageSize=2")).Json(HttpStatusCode.OK);

        Assert.Equal(5, page.Long("total"));
        Assert.Equal([ids[2], ids[1]], page.GetProperty("items").EnumerateArray().Select(p => p.Long("id")));
        await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks?pageSize=1000")).ValidationProblem("pageSize");
    }

    [Fact]
    public async Task Random_mode_is_uniform_by_a_chi_square_test_over_thousands_of_seeded_picks()
    {
        await using var app = await Fixture.StartAppAsync(services: s =>
        {
            s.RemoveAll<IRandomSource>();
            s.AddSingleton<IRandomSource>(new SeededRandomSource(20261120));
        });
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(10);
        const int draws = 3000;

        var counts = students.ToDictionary(s => s, _ => 0);
        for (var i = 0; i < draws; i++)
        {
            counts[(await teacher.Api.PickAsync(classId, "random")).StudentId()]++;
        }

        // Pearson's chi-square against 300 expected each; 27.88 is the 0.999 quantile for 9 degrees of freedom.
        var expected = draws / 10.0;
        var chiSquare = counts.Values.Sum(o => (o - expected) * (o - expected) / expected);
        Assert.True(chiSquare < 27.88, $"chi-square {chiSquare:0.00} over {string.Join(", ", counts.Values)}");
        var stats = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/stats")).Json(HttpStatusCode.OK);
        Assert.True(stats.GetProperty("judged").GetBoolean());
        Assert.StartsWith("Within chance", stats.Str("verdict"), StringComparison.Ordinal);
        Assert.Equal(draws, stats.Int("totalCalls"));
    }

    [Fact]
    public async Task Weighted_mode_favours_the_students_called_least()
    {
        await using var app = await Fixture.StartAppAsync(services: s =>
        {
            s.RemoveAll<IRandomSource>();
            s.AddSingleton<IRandomSource>(new SeededRandomSource(7));
        });
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(4);
        var quiet = students[3];
        // While the quiet student is away, the other three have three fair rounds: three calls each.
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { quiet } })).Status(HttpStatusCode.OK);
        for (var i = 0; i < 9; i++)
        {
            await teacher.Api.PickAsync(classId);
        }

        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = Array.Empty<long>() })).Status(HttpStatusCode.OK);
        var picks = new List<long>();
        for (var i = 0; i < 400; i++)
        {
            var pick = await teacher.Api.PickAsync(classId, "weighted");
            picks.Add(pick.StudentId());
            // Undo keeps the call counts as they were, so every draw faces the same weights.
            await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{pick.Long("id")}")).Status(HttpStatusCode.NoContent);
        }

        // Weights 2^0 for the quiet student against 2^-3 for each other: a chance of 8/11 (about 291 of 400).
        var quietShare = picks.Count(p => p == quiet);
        Assert.InRange(quietShare, 250, 330);
    }

    [Fact]
    public async Task The_equity_report_compares_calls_with_a_fair_share()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(4);
        for (var i = 0; i < 8; i++)
        {
            await teacher.Api.PickAsync(classId);
        }

        var stats = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/stats")).Json(HttpStatusCode.OK);

        Assert.Equal(8, stats.Int("totalCalls"));
        foreach (var row in stats.GetProperty("students").EnumerateArray())
        {
            Assert.Equal(2, row.Int("calls"));
            Assert.Equal(2.0, row.GetProperty("expected").GetDouble(), 3);
        }

        Assert.Equal(1.0, stats.GetProperty("pValue").GetDouble(), 6);
        Assert.False(stats.GetProperty("uneven").GetBoolean());
        Assert.Equal(students.Count, stats.GetProperty("students").GetArrayLength());
    }

    [Fact]
    public async Task A_passed_pick_cannot_become_a_second_turn_in_its_round()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(1);
        var passed = await teacher.Api.PickAsync(classId);
        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{passed.Long("id")}", new { outcome = "passed" })).Status(HttpStatusCode.OK);
        var again = await teacher.Api.PickAsync(classId);
        Assert.Equal(1, again.Int("round"));

        var problem = await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{passed.Long("id")}", new { outcome = "answered" })).Problem(HttpStatusCode.Conflict);

        Assert.Contains("another turn", problem.Str("detail"), StringComparison.Ordinal);
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{again.Long("id")}")).Status(HttpStatusCode.NoContent);
        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{passed.Long("id")}", new { outcome = "answered" })).Status(HttpStatusCode.OK);
        Assert.Single((await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK)).GetProperty("picked").EnumerateArray());
    }
}

public sealed class SqlitePickerTests(SqliteFixture fixture) : PickerTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresPickerTests(PostgresFixture fixture) : PickerTests(fixture), IClassFixture<PostgresFixture>;
