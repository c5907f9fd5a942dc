using System.Net;
using System.Text.Json;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Assignments;

/// <summary>
/// Whole assignments played over HTTP with the test's clock: the server times each question from when it showed it,
/// so with the timer on every score is exact (the live games' speed rule), and with it off a right answer is worth
/// the question's points.
/// </summary>
public abstract class AssignmentsTests(AppFixture fixture) : AppTests(fixture)
{
    /// <summary>Q0 single (20 s, 1000), Q1 true/false (10 s, 2000), Q2 poll.</summary>
    private static readonly object Quiz = new
    {
        title = "Homework: capitals",
        questions = new object[]
        {
            new { type = "single", text = "Capital of Italy?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Milan", correct = false }, new { text = "Rome", correct = true }, new { text = "Turin", correct = false } } },
            new { type = "truefalse", text = "Paris is in France", timeLimit = 10, points = 2000, correct = true },
            new { type = "poll", text = "Fun?", timeLimit = 20, points = 0, answers = new[] { new { text = "Yes" }, new { text = "No" } } },
        },
    };

    private sealed record Attempt(ApiClient Phone, string Code, string Token);

    private async Task<(Teacher Teacher, JsonElement Assignment)> AssignAsync(object options, TimeSpan? deadlineIn = null)
    {
        var teacher = await SignUpAsync();
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var deadline = App.Clock.GetUtcNow() + (deadlineIn ?? TimeSpan.FromDays(2));
        var assignment = await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline, options })).Json(HttpStatusCode.Created);
        return (teacher, assignment);
    }

    private async Task<(Attempt Attempt, JsonElement Started)> StartAsync(string code, string name)
    {
        var phone = Anonymous();
        var started = await (await phone.PostAsync($"/api/a/{code}/start", new { name })).Json(HttpStatusCode.Created);
        return (new Attempt(phone, code, started.Str("token")), started);
    }

    private async Task<JsonElement> RefusedStartAsync(string code, string name)
    {
        using var phone = Anonymous();
        return await (await phone.PostAsync($"/api/a/{code}/start", new { name })).Problem(HttpStatusCode.Conflict);
    }

    private static async Task<JsonElement> NextAsync(Attempt attempt) =>
        await (await attempt.Phone.PostAsync($"/api/a/{attempt.Code}/next", new { token = attempt.Token })).Json(HttpStatusCode.OK);

    private static Task<HttpResponseMessage> AnswerAsync(Attempt attempt, int questionIndex, object answer) =>
        attempt.Phone.PostAsync($"/api/a/{attempt.Code}/answers", new { token = attempt.Token, questionIndex, answer });

    private static JsonElement PlayerNamed(JsonElement report, string nickname) =>
        report.GetProperty("players").EnumerateArray().Single(p => p.Str("nickname") == nickname);

    private static int[] Ints(JsonElement element, string property) => element.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public async Task With_the_timer_on_the_server_times_each_question_and_scores_by_the_speed_rule_until_the_teacher_closes_it()
    {
        var (teacher, assignment) = await AssignAsync(new { timer = "on", showAnswers = "after-each" });
        var code = assignment.Str("code");
        Assert.Matches("^[A-Z2-9]{6}$", code);
        Assert.EndsWith($"/a/{code}", assignment.Str("joinUrl"));
        Assert.Equal("open", assignment.Str("status"));
        var svg = await teacher.Api.GetAsync(assignment.Str("qrCodeUrl"));
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);

        using var lookupClient = Anonymous();
        var lookup = await (await lookupClient.GetAsync($"/api/a/{code.ToLowerInvariant()}")).Json(HttpStatusCode.OK);
        Assert.Equal("nickname", lookup.Str("joinMode"));
        Assert.Equal(3, lookup.Int("questionCount"));
        Assert.True(lookup.GetProperty("timer").GetBoolean());

        var (ann, started) = await StartAsync(code, "Ann");
        Assert.Equal("ready", started.GetProperty("state").Str("status"));

        // Q0 shown now: Ann answers Rome after 5 s → round((1 − 5/20/2) × 1000) = 875.
        var q0 = await NextAsync(ann);
        Assert.Equal("question", q0.Str("status"));
        Assert.Equal(0, q0.GetProperty("question").Int("index"));
        Assert.Equal(20000, q0.GetProperty("question").Long("closesInMs"));
        Assert.False(q0.GetProperty("question").GetProperty("answers")[0].TryGetProperty("correct", out _));
        // Answering a question not yet shown is refused.
        await (await AnswerAsync(ann, 1, true)).Problem(HttpStatusCode.Conflict);
        App.Clock.Advance(TimeSpan.FromSeconds(5));
        var a0 = await (await AnswerAsync(ann, 0, 1)).Json(HttpStatusCode.OK);
        Assert.Equal(5000, a0.Long("timeMs"));
        Assert.True(a0.GetProperty("feedback").GetProperty("correct").GetBoolean());
        Assert.Equal(875, a0.GetProperty("feedback").Int("points"));
        Assert.Equal([1], Ints(a0.GetProperty("feedback").GetProperty("rightAnswer"), "choices"));
        Assert.Equal(875, a0.GetProperty("state").Int("score"));
        // The same answer sent again is not taken twice.
        await (await AnswerAsync(ann, 0, 1)).Problem(HttpStatusCode.Conflict);

        // Q1 after 2.5 s of 10: round(0.875 × 2000) = 1750, plus 100 for a streak of 2.
        await NextAsync(ann);
        App.Clock.Advance(TimeSpan.FromSeconds(2.5));
        var a1 = await (await AnswerAsync(ann, 1, true)).Json(HttpStatusCode.OK);
        Assert.Equal(1750, a1.GetProperty("feedback").Int("points"));
        Assert.Equal(100, a1.GetProperty("feedback").Int("streakBonus"));

        // Q2, a poll: no points; the attempt is finished.
        await NextAsync(ann);
        App.Clock.Advance(TimeSpan.FromSeconds(1));
        var a2 = await (await AnswerAsync(ann, 2, 0)).Json(HttpStatusCode.OK);
        Assert.Equal("finished", a2.GetProperty("state").Str("status"));
        Assert.Equal(2725, a2.GetProperty("state").Int("score"));
        Assert.Equal(0, a2.GetProperty("state").Int("attemptsLeft"));
        Assert.Equal([true, true], a2.GetProperty("state").GetProperty("results").EnumerateArray().Take(2).Select(r => r.GetProperty("correct").GetBoolean()));
        await (await AnswerAsync(ann, 2, 0)).Problem(HttpStatusCode.Conflict);
        // A second attempt past the limit of one, from the same device.
        await (await ann.Phone.PostAsync($"/api/a/{code}/start", new { name = "Ann", token = ann.Token })).Problem(HttpStatusCode.Conflict);
        // Someone else cannot take Ann's nickname.
        await RefusedStartAsync(code, "ann");

        // Bob lets Q0's time run out (20 s + 1 s of grace): too late, and it counts as unanswered. Then Q1 wrong.
        var (bob, _) = await StartAsync(code, "Bob");
        await NextAsync(bob);
        App.Clock.Advance(TimeSpan.FromSeconds(21.5));
        var late = await (await AnswerAsync(bob, 0, 1)).Problem(HttpStatusCode.Conflict);
        Assert.Contains("Time is up", late.Str("detail"), StringComparison.Ordinal);
        var q1 = await NextAsync(bob);
        Assert.Equal(1, q1.GetProperty("question").Int("index"));
        App.Clock.Advance(TimeSpan.FromSeconds(0.2));
        var wrong = await (await AnswerAsync(bob, 1, false)).Json(HttpStatusCode.OK);
        Assert.False(wrong.GetProperty("feedback").GetProperty("correct").GetBoolean());
        Assert.Equal("ready", wrong.GetProperty("state").Str("status"));

        var progress = (await (await teacher.Api.GetAsync("/api/assignments")).Json(HttpStatusCode.OK)).EnumerateArray().Single();
        Assert.Equal((2, 1, 2), (progress.Int("started"), progress.Int("finished"), progress.Int("of")));

        var live = await (await teacher.Api.GetAsync($"/api/assignments/{assignment.Long("id")}/report")).Json(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("game").Str("status"));
        Assert.Equal("assignment", live.GetProperty("game").Str("kind"));
        Assert.Empty(Ints(live.GetProperty("flags"), "didNotFinish"));

        // Closed early: nothing more is accepted and Bob, who did not finish, is flagged.
        var closed = await (await teacher.Api.PostAsync($"/api/assignments/{assignment.Long("id")}/close", null)).Json(HttpStatusCode.OK);
        Assert.Equal("closed", closed.Str("status"));
        await (await teacher.Api.PostAsync($"/api/assignments/{assignment.Long("id")}/close", null)).Problem(HttpStatusCode.Conflict);
        Assert.Equal("over", (await NextAsync(bob)).Str("status"));
        var refused = await (await AnswerAsync(bob, 2, 0)).Problem(HttpStatusCode.Conflict);
        Assert.Contains("over", refused.Str("detail"), StringComparison.Ordinal);
        await RefusedStartAsync(code, "Cy");

        var report = await (await teacher.Api.GetAsync($"/api/assignments/{assignment.Long("id")}/report")).Json(HttpStatusCode.OK);
        Assert.Equal("finished", report.GetProperty("game").Str("status"));
        var summary = report.GetProperty("summary");
        Assert.Equal((2, 3, 2), (summary.Int("players"), summary.Int("questions"), summary.Int("scoredQuestions")));
        Assert.Equal(1362.5, summary.GetProperty("averageScore").GetDouble()); // (2725 + 0) / 2
        Assert.Equal(50, summary.GetProperty("accuracy").GetDouble()); // right 2 of expected 4
        var annRow = PlayerNamed(report, "Ann");
        Assert.Equal((1, 2725, 2, 0, 0), (annRow.Int("rank"), annRow.Int("score"), annRow.Int("right"), annRow.Int("wrong"), annRow.Int("unanswered")));
        var bobRow = PlayerNamed(report, "Bob");
        Assert.Equal((2, 0, 0, 1, 1), (bobRow.Int("rank"), bobRow.Int("score"), bobRow.Int("right"), bobRow.Int("wrong"), bobRow.Int("unanswered")));
        Assert.Equal([bobRow.Int("playerId")], Ints(report.GetProperty("flags"), "didNotFinish"));
        Assert.Equal([bobRow.Int("playerId")], Ints(report.GetProperty("flags"), "needsHelp"));
        var questions = report.GetProperty("questions").EnumerateArray().ToDictionary(q => q.Int("index"));
        Assert.Equal(50, questions[0].GetProperty("percentRight").GetDouble());
        Assert.Equal(50, questions[1].GetProperty("percentRight").GetDouble());
        Assert.Equal(1, questions[2].Int("answered"));

        var csv = await (await teacher.Api.GetAsync($"/api/assignments/{assignment.Long("id")}/export?format=csv")).Content.ReadAsStringAsync();
        // The export's player rows, as a game's: Ann's average time (5 + 2.5 + 1) / 3 s, Bob's one answer 0.2 s.
        var lines = csv.Split("\r\n");
        Assert.Contains("1,Ann,,2725,2,0,0,100,2.8,no,no,no,no", lines);
        Assert.Contains("2,Bob,,0,0,1,1,0,0.2,yes,yes,no,yes", lines);
        var xlsx = await teacher.Api.GetAsync($"/api/assignments/{assignment.Long("id")}/export?format=xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_class_assignment_without_timer_counts_accuracy_continues_on_another_device_and_allows_its_attempts()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var deadline = App.Clock.GetUtcNow().AddHours(1);
        var assignment = await (await teacher.Api.PostAsync("/api/assignments",
            new { quizId, deadline, options = new { classId, timer = "off", attempts = 2, showAnswers = "at-end" } })).Json(HttpStatusCode.Created);
        var id = assignment.Long("id");
        var code = assignment.Str("code");
        Assert.Equal((0, 0, 3), (assignment.Int("started"), assignment.Int("finished"), assignment.Int("of")));

        using var lookupClient = Anonymous();
        var lookup = await (await lookupClient.GetAsync($"/api/a/{code}")).Json(HttpStatusCode.OK);
        Assert.Equal("roster", lookup.Str("joinMode"));
        Assert.Equal(["Student 01", "Student 02", "Student 03"], lookup.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        await (await lookupClient.PostAsync($"/api/a/{code}/start", new { name = "Nobody" })).Problem(HttpStatusCode.UnprocessableEntity);

        // Q0 right after a minute: no timer, so the full 1000, and nothing is shown before the end.
        var (first, _) = await StartAsync(code, "Student 01");
        var q0 = await NextAsync(first);
        Assert.True(q0.GetProperty("question").GetProperty("timeLimit").ValueKind == JsonValueKind.Null);
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var a0 = await (await AnswerAsync(first, 0, 1)).Json(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, a0.GetProperty("feedback").ValueKind);
        Assert.Equal(JsonValueKind.Null, a0.GetProperty("state").GetProperty("score").ValueKind);

        // The page is closed and opened again on the same device: the token continues the attempt where it was.
        var again = await (await first.Phone.PostAsync($"/api/a/{code}/start", new { token = first.Token })).Json(HttpStatusCode.OK);
        Assert.Equal(1, again.GetProperty("state").Int("answered"));
        Assert.Equal(1, (await NextAsync(first)).GetProperty("question").Int("index"));

        // Another device: the name alone is not enough; the resume code the teacher sees is.
        using var tablet = Anonymous();
        await (await tablet.PostAsync($"/api/a/{code}/start", new { name = "Student 01" })).Problem(HttpStatusCode.Conflict);
        await (await tablet.PostAsync($"/api/a/{code}/start", new { name = "Student 01", resumeCode = "x" })).Problem(HttpStatusCode.Conflict);
        var detail = await (await teacher.Api.GetAsync($"/api/assignments/{id}")).Json(HttpStatusCode.OK);
        var row = detail.GetProperty("students").EnumerateArray().Single();
        Assert.Equal(["Student 02", "Student 03"], detail.GetProperty("notStarted").EnumerateArray().Select(n => n.GetString()));
        var moved = await (await tablet.PostAsync($"/api/a/{code}/start", new { name = "Student 01", resumeCode = row.Str("resumeCode") })).Json(HttpStatusCode.OK);
        var second = new Attempt(tablet, code, moved.Str("token"));
        Assert.NotEqual(first.Token, second.Token);
        // The old device's token no longer works, and a forged one never did.
        await (await first.Phone.PostAsync($"/api/a/{code}/next", new { token = first.Token })).Problem(HttpStatusCode.NotFound);
        await (await tablet.PostAsync($"/api/a/{code}/next", new { token = "forged-token" })).Problem(HttpStatusCode.NotFound);
        Assert.Equal(2, (await (await teacher.Api.GetAsync($"/api/assignments/{id}")).Json(HttpStatusCode.OK)).GetProperty("students")[0].Int("devices"));

        // Q1 is still the one shown (its clock kept running: no timer, so no matter) → 2000; the poll ends the attempt.
        await (await AnswerAsync(second, 1, "yes")).ValidationProblem("answer");
        await (await AnswerAsync(second, 1, true)).Json(HttpStatusCode.OK);
        await NextAsync(second);
        var end = await (await AnswerAsync(second, 2, 1)).Json(HttpStatusCode.OK);
        Assert.Equal("finished", end.GetProperty("state").Str("status"));
        Assert.Equal(3000, end.GetProperty("state").Int("score"));
        Assert.Equal(1, end.GetProperty("state").Int("attemptsLeft"));

        // Attempt 2 from the same name: wrong on Q0, then stopped. Attempt 3 is past the limit.
        var (retry, retryStarted) = await StartAsync(code, "Student 01");
        Assert.Equal(2, retryStarted.Int("attempt"));
        await NextAsync(retry);
        await (await AnswerAsync(retry, 0, 0)).Json(HttpStatusCode.OK);
        await NextAsync(retry);
        await (await AnswerAsync(retry, 1, false)).Json(HttpStatusCode.OK);
        await NextAsync(retry);
        await (await AnswerAsync(retry, 2, 0)).Json(HttpStatusCode.OK);
        var third = await RefusedStartAsync(code, "Student 01");
        Assert.Contains("2 attempts", third.Str("detail"), StringComparison.Ordinal);

        // Student 02 starts and answers Q0 wrong, then the deadline passes.
        var (late, _) = await StartAsync(code, "Student 02");
        await NextAsync(late);
        await (await AnswerAsync(late, 0, 2)).Json(HttpStatusCode.OK);
        await (await teacher.Api.PatchAsync($"/api/assignments/{id}", new { deadline = deadline.AddMinutes(-30) })).ValidationProblem("deadline");
        var extended = await (await teacher.Api.PatchAsync($"/api/assignments/{id}", new { deadline = deadline.AddHours(1) })).Json(HttpStatusCode.OK);
        Assert.Equal(deadline.AddHours(1).ToUnixTimeMilliseconds(), extended.GetProperty("deadline").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal((2, 1, 3), (extended.Int("started"), extended.Int("finished"), extended.Int("of")));
        App.Clock.Advance(TimeSpan.FromHours(2));
        await (await AnswerAsync(late, 1, true)).Problem(HttpStatusCode.Conflict);
        await (await teacher.Api.PatchAsync($"/api/assignments/{id}", new { deadline = deadline.AddDays(3) })).Problem(HttpStatusCode.Conflict);

        // The report counts Student 01's best attempt (3000, all right) and Student 02 as not finished.
        var report = await (await teacher.Api.GetAsync($"/api/assignments/{id}/report")).Json(HttpStatusCode.OK);
        Assert.Equal("Class 7B", report.GetProperty("game").Str("className"));
        var best = report.GetProperty("players")[0];
        Assert.Equal((students[0], 3000, 2, 0), (best.GetProperty("student").Long("id"), best.Int("score"), best.Int("right"), best.Int("wrong")));
        var unfinished = report.GetProperty("players")[1];
        Assert.Equal((students[1], 0, 1, 1), (unfinished.GetProperty("student").Long("id"), unfinished.Int("score"), unfinished.Int("wrong"), unfinished.Int("unanswered")));
        Assert.True(unfinished.GetProperty("didNotFinish").GetBoolean());

        // Once over, a finished student sees the results (at-end) and the class report has the assignment beside games.
        var results = await NextAsync(second);
        Assert.Equal("finished", results.Str("status"));
        var classReport = await (await teacher.Api.GetAsync($"/api/reports/classes/{classId}")).Json(HttpStatusCode.OK);
        var listed = classReport.GetProperty("games").EnumerateArray().Single();
        Assert.Equal(("assignment", id, 50.0), (listed.Str("kind"), listed.Long("id"), listed.GetProperty("accuracy").GetDouble()));
        var trend = classReport.GetProperty("students").EnumerateArray().Single(s => s.GetProperty("student").Long("id") == students[0]);
        Assert.Equal(100, trend.GetProperty("games")[0].GetProperty("accuracy").GetDouble());
        Assert.Equal("assignment", trend.GetProperty("games")[0].Str("kind"));

        // Another teacher sees none of it.
        var other = await SignUpAsync();
        foreach (var path in new[] { $"/api/assignments/{id}", $"/api/assignments/{id}/report", $"/api/assignments/{id}/export?format=csv", $"/api/assignments/{id}/qr.svg" })
        {
            await (await other.Api.GetAsync(path)).Problem(HttpStatusCode.NotFound);
        }

        await (await other.Api.PostAsync($"/api/assignments/{id}/close", null)).Problem(HttpStatusCode.NotFound);
        await (await other.Api.PatchAsync($"/api/assignments/{id}", new { deadline = deadline.AddDays(9) })).Problem(HttpStatusCode.NotFound);
        await (await other.Api.DeleteAsync($"/api/assignments/{id}")).Problem(HttpStatusCode.NotFound);
        Assert.Empty((await (await other.Api.GetAsync("/api/assignments")).Json(HttpStatusCode.OK)).EnumerateArray());

        // Deleted with its data: the code no longer leads anywhere.
        await (await teacher.Api.DeleteAsync($"/api/assignments/{id}")).Status(HttpStatusCode.NoContent);
        await (await lookupClient.GetAsync($"/api/a/{code}")).Problem(HttpStatusCode.NotFound);
        Assert.Empty((await (await teacher.Api.GetAsync($"/api/reports/classes/{classId}")).Json(HttpStatusCode.OK)).GetProperty("games").EnumerateArray());
    }

    [Fact]
    public async Task With_answers_shown_after_the_deadline_the_score_is_held_back_until_then()
    {
        var (_, assignment) = await AssignAsync(new { showAnswers = "after-deadline" }, TimeSpan.FromHours(1));
        var code = assignment.Str("code");
        var (eve, _) = await StartAsync(code, "Eve");
        object[] answers = [1, true, 0];
        JsonElement last = default;
        for (var i = 0; i < 3; i++)
        {
            await NextAsync(eve);
            last = await (await AnswerAsync(eve, i, answers[i])).Json(HttpStatusCode.OK);
            Assert.Equal(JsonValueKind.Null, last.GetProperty("feedback").ValueKind);
        }

        Assert.Equal("finished", last.GetProperty("state").Str("status"));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("state").GetProperty("score").ValueKind);
        Assert.Equal(JsonValueKind.Null, last.GetProperty("state").GetProperty("results").ValueKind);

        // After the deadline the same device sees everything: answered at once, 1000 + 2000 + 100 (a streak of 2) + 0 (the poll).
        App.Clock.Advance(TimeSpan.FromHours(2));
        var after = await (await eve.Phone.PostAsync($"/api/a/{code}/start", new { token = eve.Token })).Json(HttpStatusCode.OK);
        Assert.Equal(3100, after.GetProperty("state").Int("score"));
        Assert.False(after.GetProperty("state").GetProperty("open").GetBoolean());
        Assert.Equal([true, true], after.GetProperty("state").GetProperty("results").EnumerateArray().Take(2).Select(r => r.GetProperty("correct").GetBoolean()));
        Assert.False((await (await eve.Phone.GetAsync($"/api/a/{code}")).Json(HttpStatusCode.OK)).GetProperty("open").GetBoolean());
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_field_and_the_reason()
    {
        var (teacher, _) = await AssignAsync(new { shuffleQuestions = true });
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var deadline = App.Clock.GetUtcNow().AddDays(1);
        await (await teacher.Api.PostAsync("/api/assignments", new { deadline })).ValidationProblem("quizId");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId })).ValidationProblem("deadline");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline = App.Clock.GetUtcNow().AddMinutes(-1) })).ValidationProblem("deadline");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline, options = new { attempts = 0 } })).ValidationProblem("options.attempts");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline, options = new { timer = "maybe" } })).ValidationProblem("options.timer");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline, options = new { showAnswers = "never" } })).ValidationProblem("options.showAnswers");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId, deadline, options = new { classId = 999999 } })).ValidationProblem("options.classId");
        await (await teacher.Api.PostAsync("/api/assignments", new { quizId = 999999, deadline })).Problem(HttpStatusCode.NotFound);

        using var phone = Anonymous();
        await (await phone.GetAsync("/api/a/NOCODE")).Problem(HttpStatusCode.NotFound);
        await (await phone.PostAsync("/api/a/NOCODE/next", new { token = "x" })).Problem(HttpStatusCode.NotFound);

        // Shuffled questions: the attempt is asked every question once, in some order.
        var code = (await (await teacher.Api.GetAsync("/api/assignments")).Json(HttpStatusCode.OK))[0].Str("code");
        await (await phone.PostAsync($"/api/a/{code}/start", new { name = "" })).ValidationProblem("name");
        var (attempt, _) = await StartAsync(code, "Dee");
        var seen = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            var shown = (await NextAsync(attempt)).GetProperty("question");
            seen.Add(shown.Int("index"));
            Assert.Equal(i + 1, shown.Int("number"));
            object answer = shown.Str("type") == "truefalse" ? true : 0;
            await (await AnswerAsync(attempt, shown.Int("index"), answer)).Json(HttpStatusCode.OK);
        }

        Assert.Equal([0, 1, 2], seen.Order());
    }
}

public sealed class SqliteAssignmentsTests(SqliteFixture fixture) : AssignmentsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAssignmentsTests(PostgresFixture fixture) : AssignmentsTests(fixture), IClassFixture<PostgresFixture>;
