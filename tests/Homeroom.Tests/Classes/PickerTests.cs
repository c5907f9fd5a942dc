using Dapper;
using System.Net;
using System.Text.Json;
using Homeroom.Storage;
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
        var history = await HistoryAsync(teacher.Api, classId);
        Assert.All(history.Where(p => ids.Take(2).Contains(p.StudentId)), p => Assert.Equal(1, p.Round));
    }

    [Fact]
    public async Task Changes_between_the_picks_of_a_round_are_always_seen_by_the_next_pick()
    {
        // The writer remembers a class's round between picks (WriterMemory); every other change must end that.
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(8);
        var first = await teacher.Api.PickAsync(classId);
        var second = await teacher.Api.PickAsync(classId);
        var absentNow = students.First(s => s != first.StudentId() && s != second.StudentId());
        var removed = students.Last(s => s != first.StudentId() && s != second.StudentId() && s != absentNow);

        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { absentNow } })).Status(HttpStatusCode.OK);
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/students/{removed}")).Status(HttpStatusCode.NoContent);
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{second.Long("id")}")).Status(HttpStatusCode.NoContent);

        // Round 1 now: 6 present (8 less one absent, one removed); first has had a turn, second is back in it.
        var rest = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            rest.Add(await teacher.Api.PickAsync(classId));
        }

        Assert.All(rest, p => Assert.Equal(1, p.Int("round")));
        Assert.All(rest, p => Assert.Equal(6, p.Int("present")));
        var round1 = rest.Select(p => p.StudentId()).Append(first.StudentId()).ToList();
        Assert.Equal(students.Where(s => s != absentNow && s != removed).Order(), round1.Order());
        Assert.Contains(second.StudentId(), round1);

        // A reshuffle, then attendance back to everyone: the new round has all 7 students still on the roster.
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks/reshuffle", null)).Status(HttpStatusCode.OK);
        var afterReshuffle = await teacher.Api.PickAsync(classId);
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = Array.Empty<long>() })).Status(HttpStatusCode.OK);
        var round2 = new List<JsonElement> { afterReshuffle };
        for (var i = 0; i < 6; i++)
        {
            round2.Add(await teacher.Api.PickAsync(classId));
        }

        Assert.Equal(round2[0].Int("round"), round2[^1].Int("round"));
        Assert.Equal(students.Where(s => s != removed).Order(), round2.Select(p => p.StudentId()).Order());
        Assert.Equal(7, round2[^1].Int("present"));
    }

    [Fact]
    public async Task A_change_committed_by_another_connection_between_picks_is_seen_by_the_next_pick()
    {
        // On SQLite the writer's memory of the round must end when another connection or process commits (PRAGMA data_version,
        // which the SQLite upgrade must keep honouring): here a turn is undone behind the service's back.
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        var first = await teacher.Api.PickAsync(classId);

        await using (var database = Fixture.Provider == StorageProvider.Sqlite ? (Database)new SqliteDatabase(App.ConnectionString) : new PostgresDatabase(App.ConnectionString))
        await using (var connection = await database.OpenAsync())
        {
            Assert.Equal(1, await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE picks SET undone_at = 1 WHERE id = @id", new { id = first.Long("id") }));
        }

        var rest = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            rest.Add(await teacher.Api.PickAsync(classId));
        }

        Assert.All(rest, p => Assert.Equal(1, p.Int("round")));
        Assert.Equal(students.Order(), rest.Select(p => p.StudentId()).Order());
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
    public async Task A_reshuffle_is_undone_back_to_the_round_before_and_stays_recorded()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(4);
        var first = await teacher.Api.PickAsync(classId);
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/reshuffle")).Problem(HttpStatusCode.Conflict);
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks/reshuffle", null)).Status(HttpStatusCode.OK);

        var back = await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/reshuffle")).Json(HttpStatusCode.OK);
        Assert.Equal(1, back.Int("round"));
        Assert.Equal([first.StudentId()], back.GetProperty("picked").EnumerateArray().Select(s => s.Long("id")));
        Assert.Equal(3, back.GetProperty("remaining").GetArrayLength());
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/reshuffle")).Problem(HttpStatusCode.Conflict);

        // Once someone is picked in the new round, that pick is the thing to undo first.
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/picks/reshuffle", null)).Status(HttpStatusCode.OK);
        var second = await teacher.Api.PickAsync(classId);
        Assert.Contains("undo those picks", (await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/reshuffle")).Problem(HttpStatusCode.Conflict)).Str("detail"), StringComparison.Ordinal);
        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{second.Long("id")}")).Status(HttpStatusCode.NoContent);
        Assert.Equal(1, (await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/reshuffle")).Json(HttpStatusCode.OK)).Int("round"));

        // Both reshuffles are kept, each marked undone.
        await using var connection = await App.Service<Database>().OpenAsync();
        var undone = await connection.QueryAsync<long?>("SELECT undone_at FROM reshuffles WHERE class_id = @classId ORDER BY id", new { classId });
        Assert.Equal(2, undone.Count(u => u is not null));
    }

    [Fact]
    public async Task A_pass_or_an_absence_is_undone_back_to_a_plain_call()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var pick = await teacher.Api.PickAsync(classId);
        var url = $"/api/classes/{classId}/picks/{pick.Long("id")}";
        await (await teacher.Api.PatchAsync(url, new { outcome = "passed" })).Status(HttpStatusCode.OK);

        var cleared = await (await teacher.Api.DeleteAsync(url + "/outcome")).Json(HttpStatusCode.OK);
        Assert.False(cleared.TryGetProperty("outcome", out var outcome) && outcome.ValueKind != JsonValueKind.Null);
        Assert.False(cleared.GetProperty("undone").GetBoolean());
        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Equal([pick.StudentId()], round.GetProperty("picked").EnumerateArray().Select(s => s.Long("id")));

        // An absence undone is taken back from today's attendance.
        await (await teacher.Api.PatchAsync(url, new { outcome = "absent" })).Status(HttpStatusCode.OK);
        Assert.Equal(1, (await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK)).GetProperty("absent").GetArrayLength());
        await (await teacher.Api.DeleteAsync(url + "/outcome")).Status(HttpStatusCode.OK);
        Assert.Equal(0, (await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK)).GetProperty("absent").GetArrayLength());

        await (await teacher.Api.DeleteAsync(url)).Status(HttpStatusCode.NoContent);
        await (await teacher.Api.DeleteAsync(url + "/outcome")).Problem(HttpStatusCode.Conflict);
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
    public async Task Many_devices_hammering_one_class_give_every_student_exactly_one_turn_per_round()
    {
        const int size = 10, rounds = 3, clients = 8;
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(size);
        var devices = Enumerable.Range(0, clients).Select(_ => new ApiClient(App.NewClient())).ToList();
        devices.ForEach(d => d.UseBearer(teacher.Token));
        var next = 0;

        var answers = await Task.WhenAll(devices.Select(async device =>
        {
            var mine = new List<(long Id, int Round, long Student)>();
            while (Interlocked.Increment(ref next) <= size * rounds)
            {
                var pick = await device.PickAsync(classId);
                mine.Add((pick.Long("id"), pick.Int("round"), pick.StudentId()));
            }

            return mine;
        }));

        var history = await HistoryAsync(teacher.Api, classId);
        Assert.Equal(size * rounds, history.Count);
        Assert.Equal(answers.SelectMany(a => a).Select(a => (a.Id, a.Round, a.Student)).Order(), history.Select(h => (h.Id, h.Round, h.StudentId)).Order());
        for (var round = 1; round <= rounds; round++)
        {
            Assert.Equal(students.Order(), history.Where(h => h.Round == round).Select(h => h.StudentId).Order());
        }

        // Rounds follow one another: no pick of a round after the first pick of the next.
        var byId = history.OrderBy(h => h.Id).Select(h => h.Round).ToList();
        Assert.Equal(byId.Order(), byId);
        devices.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task Two_servers_picking_in_one_class_never_repeat_a_student_in_a_round()
    {
        const int size = 10, rounds = 4, clients = 8;
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(size);
        await using var other = await Fixture.StartAppAsync(connectionString: App.ConnectionString);
        var devices = Enumerable.Range(0, clients).Select(i => new ApiClient((i % 2 == 0 ? App : other).NewClient())).ToList();
        devices.ForEach(d => d.UseBearer(teacher.Token));
        var next = 0;

        await Task.WhenAll(devices.Select(async device =>
        {
            while (Interlocked.Increment(ref next) <= size * rounds)
            {
                await device.PickAsync(classId);
            }
        }));

        var history = await HistoryAsync(teacher.Api, classId);
        Assert.Equal(size * rounds, history.Count);
        for (var round = 1; round <= rounds; round++)
        {
            Assert.Equal(students.Order(), history.Where(h => h.Round == round).Select(h => h.StudentId).Order());
        }

        devices.ForEach(d => d.Dispose());
    }

    [Fact]
    public async Task A_pick_that_loses_a_race_to_another_server_draws_again()
    {
        var random = new GatedRandomSource();
        await using var app = await StartGatedAppAsync(random);
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);

        // Another server (here a bare connection) gives the first student a turn and has not committed yet; this
        // server's pick draws the same student.
        var database = app.Service<Database>();
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(connection,
            "INSERT INTO picks (class_id, student_id, mode, round, eligible, day, picked_at) VALUES (@classId, @student, 'fair', 1, 3, '2000-01-01', 0)",
            new { classId, student = students[0] }, transaction);
        var picking = teacher.Api.PickAsync(classId);
        await Task.Delay(300);
        Assert.False(picking.IsCompleted, "The pick did not wait for the other server's turn to commit.");
        await transaction.CommitAsync();

        var picked = await picking;

        Assert.Equal((1, students[1]), (picked.Int("round"), picked.StudentId()));
        Assert.Equal([students[0], students[1]], (await HistoryAsync(teacher.Api, classId)).Select(h => h.StudentId).Order());
    }

    // The race tests hold a pick in its draw from the random source while something else changes the class. On
    // SQLite the single writer draws in the middle of the pick (between its read of the round and its insert), so
    // the change has to wait for the pick, and the two happen one after the other. On PostgreSQL a single fair
    // pick is one statement, sent with a ticket drawn beforehand: the change commits first and the pick's
    // statement must see it. (A pick that loses a race inside its statement is tested above.) Either way the
    // guarantees hold.

    [Fact]
    public async Task A_pick_whose_student_is_taken_meanwhile_draws_again()
    {
        var random = new GatedRandomSource();
        await using var app = await StartGatedAppAsync(random);
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);

        // A is held in its draw; B (drawing the first student left) comes meanwhile. On SQLite B waits for A, which
        // had read the round already; on PostgreSQL B goes first and A's statement then sees B's turn.
        var (a, b) = await RaceAsync(app, random, () => teacher.Api.PickAsync(classId), () => teacher.Api.PickAsync(classId));

        var (first, second) = app.Provider == StorageProvider.Sqlite ? (a, b) : (b, a);
        Assert.Equal(students[0], first.StudentId());
        Assert.Equal(students[1], second.StudentId());
        Assert.All(new[] { a, b }, p => Assert.Equal(1, p.Int("round")));
        Assert.Equal([students[0], students[1]], (await HistoryAsync(teacher.Api, classId)).Select(h => h.StudentId).Order());
    }

    [Theory]
    [InlineData("undo")]
    [InlineData("pass")]
    [InlineData("absent")]
    public async Task A_round_does_not_end_under_a_pick_while_a_student_is_put_back_into_it(string how)
    {
        var random = new GatedRandomSource();
        await using var app = await StartGatedAppAsync(random);
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        var first = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            first.Add(await teacher.Api.PickAsync(classId));
        }

        // Round 1 is finished; the pick is held in its draw (on SQLite having read that, for round 2) while the
        // second student goes back into round 1.
        var back = first.Single(p => p.StudentId() == students[1]).Long("id");
        var (picked, change) = await RaceAsync(app, random, () => teacher.Api.PickAsync(classId), () => how switch
        {
            "undo" => teacher.Api.DeleteAsync($"/api/classes/{classId}/picks/{back}"),
            "pass" => teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{back}", new { outcome = "passed" }),
            _ => teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{back}", new { outcome = "absent" }),
        });

        Assert.True(change.IsSuccessStatusCode);
        if (app.Provider == StorageProvider.Sqlite || how == "absent")
        {
            // The round ended before the student went back (SQLite), or the student is absent today, so round 1 was
            // complete for everyone present: the pick opens round 2, without the absent student.
            Assert.Equal(2, picked.Int("round"));
            Assert.Equal(students[0], picked.StudentId());
        }
        else
        {
            Assert.Equal(1, picked.Int("round"));
            Assert.Equal(students[1], picked.StudentId());
            Assert.Equal(2, (await teacher.Api.PickAsync(classId)).Int("round"));
        }

        var history = await HistoryAsync(teacher.Api, classId);
        Assert.DoesNotContain(history.Where(h => h.IsTurn).GroupBy(h => (h.Round, h.StudentId)), turns => turns.Count() > 1);
    }

    [Fact]
    public async Task A_pick_never_lands_on_a_student_marked_absent_or_removed_meanwhile()
    {
        var random = new GatedRandomSource();
        await using var app = await StartGatedAppAsync(random);
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        var serial = app.Provider == StorageProvider.Sqlite;

        var (picked, change) = await RaceAsync(app, random, () => teacher.Api.PickAsync(classId),
            () => teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { students[0] } }));
        await change.Status(HttpStatusCode.OK);
        // Held in its draw: on SQLite after reading the round, so the first student is picked before being marked
        // absent; on PostgreSQL before its statement, which then sees the absence and takes the next one.
        Assert.Equal(serial ? students[0] : students[1], picked.StudentId());

        (picked, change) = await RaceAsync(app, random, () => teacher.Api.PickAsync(classId),
            () => teacher.Api.DeleteAsync($"/api/classes/{classId}/students/{students[2]}"));
        await change.Status(HttpStatusCode.NoContent);
        // SQLite: the pick drew the second student before the last one was removed; PostgreSQL: the last one was
        // removed first, so round 1 is over for those present and the second student opens round 2.
        Assert.Equal(students[1], picked.StudentId());
        Assert.Equal(serial ? 1 : 2, picked.Int("round"));
        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Empty(round.GetProperty("remaining").EnumerateArray());
    }

    [Fact]
    public async Task A_pick_racing_a_reshuffle_keeps_to_one_round()
    {
        var random = new GatedRandomSource();
        await using var app = await StartGatedAppAsync(random);
        var teacher = await Teacher.SignUpAsync(app);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        await teacher.Api.PickAsync(classId);

        var (picked, change) = await RaceAsync(app, random, () => teacher.Api.PickAsync(classId),
            () => teacher.Api.PostAsync($"/api/classes/{classId}/picks/reshuffle", null));
        await change.Status(HttpStatusCode.OK);

        var round = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK);
        Assert.Equal(2, round.Int("round"));
        if (app.Provider == StorageProvider.Sqlite)
        {
            // The pick finished round 1's second turn before the reshuffle: round 2 has had nobody yet.
            Assert.Equal((1, students[1]), (picked.Int("round"), picked.StudentId()));
            Assert.Empty(round.GetProperty("picked").EnumerateArray());
        }
        else
        {
            // The reshuffle came before the pick's statement: the pick lands in round 2.
            Assert.Equal((2, students[0]), (picked.Int("round"), picked.StudentId()));
            Assert.Equal([students[0]], round.GetProperty("picked").EnumerateArray().Select(s => s.Long("id")));
        }
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
        Assert.Single(await RoundPickedAsync(teacher.Api, classId));
    }

    /// <summary>
    /// Starts <paramref name="pick"/>, holds it in its draw, runs <paramref name="change"/>, then lets the pick go on.
    /// On PostgreSQL the change must finish while the pick is held (before its statement); on SQLite it must still
    /// be waiting for the writer.
    /// </summary>
    private static async Task<(JsonElement Pick, T Change)> RaceAsync<T>(HomeroomApp app, GatedRandomSource random, Func<Task<JsonElement>> pick, Func<Task<T>> change)
    {
        var (held, picking) = await random.HoldNextDrawAsync(pick);
        var changing = Task.Run(change);
        if (app.Provider == StorageProvider.Sqlite)
        {
            await Task.Delay(300);
            Assert.False(changing.IsCompleted, "The change went through while the writer was in the middle of a pick.");
        }
        else
        {
            await changing.WaitAsync(TimeSpan.FromSeconds(30));
        }

        held.Release();
        return (await picking, await changing);
    }

    private Task<HomeroomApp> StartGatedAppAsync(GatedRandomSource random) => Fixture.StartAppAsync(services: s =>
    {
        s.RemoveAll<IRandomSource>();
        s.AddSingleton<IRandomSource>(random);
    });

    private sealed record HistoryRow(long Id, int Round, long StudentId, bool Undone, string? Outcome)
    {
        public bool IsTurn => !Undone && Outcome is null or "answered";
    }

    private static async Task<List<HistoryRow>> HistoryAsync(ApiClient api, long classId)
    {
        var page = await (await api.GetAsync($"/api/classes/{classId}/picks?pageSize=200")).Json(HttpStatusCode.OK);
        Assert.True(page.Long("total") <= 200);
        return page.GetProperty("items").EnumerateArray()
            .Select(p => new HistoryRow(p.Long("id"), p.Int("round"), p.StudentId(), p.GetProperty("undone").GetBoolean(), p.GetProperty("outcome").GetString())).ToList();
    }

    private static async Task<List<long>> RoundPickedAsync(ApiClient api, long classId) =>
        (await (await api.GetAsync($"/api/classes/{classId}/picks/round")).Json(HttpStatusCode.OK))
            .GetProperty("picked").EnumerateArray().Select(s => s.Long("id")).ToList();
}

/// <summary>
/// Always draws the first candidate (students come in id order), and can hold one draw until released:
/// a pick is then stopped between its read of the round and its write, while the test changes the class.
/// </summary>
public sealed class GatedRandomSource : IRandomSource
{
    private Hold? armed;

    public long NextBelow(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        if (Interlocked.Exchange(ref armed, null) is { } hold)
        {
            hold.Reached.SetResult();
            Assert.True(hold.Released.Wait(TimeSpan.FromSeconds(30)), "The held draw was never released.");
        }

        return 0;
    }

    /// <summary>Starts <paramref name="request"/> and returns once its first draw is waiting.</summary>
    public async Task<(Hold Hold, Task<T> Request)> HoldNextDrawAsync<T>(Func<Task<T>> request)
    {
        var hold = new Hold();
        Assert.Null(Interlocked.Exchange(ref armed, hold));
        var started = Task.Run(request);
        await Task.WhenAny(hold.Reached.Task, started).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(hold.Reached.Task.IsCompleted, "The request finished without drawing.");
        return (hold, started);
    }

    public sealed class Hold
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Released { get; } = new();

        public void Release() => Released.Set();
    }
}

public sealed class SqlitePickerTests(SqliteFixture fixture) : PickerTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresPickerTests(PostgresFixture fixture) : PickerTests(fixture), IClassFixture<PostgresFixture>;
