using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Homeroom.Storage;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Reports;

/// <summary>
/// Reports over HTTP, against games written straight into the database with answers known in advance, so every
/// figure is checked against a number worked out by hand (in the comments).
/// </summary>
public abstract class ReportsTests(AppFixture fixture) : AppTests(fixture)
{
    private const string Hyperlink = "=HYPERLINK(\"http://evil.example\",\"Click me\")";

    private Database Database => App.Service<Database>();

    private Task<KnownGame> SeedKnownGameAsync() => KnownGame.SeedAsync(App, Database);

    private static JsonElement Player(JsonElement report, int playerId) =>
        report.GetProperty("players").EnumerateArray().Single(p => p.Int("playerId") == playerId);

    private static JsonElement Question(JsonElement report, int index) =>
        report.GetProperty("questions").EnumerateArray().Single(q => q.Int("index") == index);

    private static double? Number(JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetDouble();

    private static List<(string Label, bool? Correct, int Count)> Answers(JsonElement question) =>
        question.GetProperty("answers").EnumerateArray()
            .Select(a => (a.Str("label"), a.GetProperty("correct").ValueKind == JsonValueKind.Null ? (bool?)null : a.GetProperty("correct").GetBoolean(), a.Int("count")))
            .ToList();

    private static int[] Ints(JsonElement element, string property) => element.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public async Task The_report_of_a_game_gives_every_figure_as_worked_out_by_hand()
    {
        var known = await SeedKnownGameAsync();
        var report = await (await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}")).Json(HttpStatusCode.OK);

        var game = report.GetProperty("game");
        Assert.Equal(known.GameId, game.Long("id"));
        Assert.Equal("Science mix", game.Str("title"));
        Assert.Equal(known.QuizId, game.Long("quizId"));
        Assert.Equal(known.ClassId, game.Long("classId"));
        Assert.Equal("7B Science", game.Str("className"));
        Assert.Equal("finished", game.Str("status"));
        Assert.Equal(known.StartedAt.ToUnixTimeMilliseconds(), game.GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(known.StartedAt.AddMinutes(10).ToUnixTimeMilliseconds(), game.GetProperty("endedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

        // Summary over the four ranked players (Dan was kicked); 6 of the 7 questions were asked, 5 of them scored.
        var summary = report.GetProperty("summary");
        Assert.Equal(4, summary.Int("players"));
        Assert.Equal(1, summary.Int("kicked"));
        Assert.Equal(6, summary.Int("questions"));
        Assert.Equal(5, summary.Int("scoredQuestions"));
        Assert.Equal(2232.5, Number(summary, "averageScore")); // (5330 + 1300 + 1150 + 1150) / 4
        Assert.Equal(47.1, Number(summary, "accuracy")); // right 5 + 1 + 1 + 1 = 8 of expected 5 + 5 + 2 + 5 = 17

        var flags = report.GetProperty("flags");
        Assert.Equal(35, Number(flags, "difficultBelow"));
        Assert.Equal(35, Number(flags, "needsHelpBelow"));
        Assert.False(flags.GetProperty("interrupted").GetBoolean());
        Assert.False(flags.GetProperty("live").GetBoolean());
        Assert.Equal([1, 2], Ints(flags, "difficultQuestions")); // 33.3 % each
        Assert.Equal([5, 2], Ints(flags, "needsHelp")); // Eve (rank 2) and Ben (rank 3), 20 % each
        Assert.Equal([5, 4], Ints(flags, "didNotFinish")); // Eve left early, Dan was kicked

        // Players: best first, the kicked player last and unranked.
        Assert.Equal([1, 5, 2, 3, 4], report.GetProperty("players").EnumerateArray().Select(p => p.Int("playerId")));
        void AssertPlayer(int id, int? rank, string nickname, int score, int right, int wrong, int unanswered, double? accuracy, int? time,
            bool kicked = false, bool leftEarly = false, bool needsHelp = false)
        {
            var p = Player(report, id);
            Assert.Equal(rank, p.GetProperty("rank").ValueKind == JsonValueKind.Null ? null : p.Int("rank"));
            Assert.Equal(nickname, p.Str("nickname"));
            Assert.Equal(score, p.Int("score"));
            Assert.Equal(right, p.Int("right"));
            Assert.Equal(wrong, p.Int("wrong"));
            Assert.Equal(unanswered, p.Int("unanswered"));
            Assert.Equal(accuracy, Number(p, "accuracy"));
            Assert.Equal(time, p.GetProperty("averageTimeMs").ValueKind == JsonValueKind.Null ? null : p.Int("averageTimeMs"));
            Assert.Equal(kicked, p.GetProperty("kicked").GetBoolean());
            Assert.Equal(leftEarly, p.GetProperty("leftEarly").GetBoolean());
            Assert.Equal(needsHelp, p.GetProperty("needsHelp").GetBoolean());
            Assert.Equal(kicked || leftEarly, p.GetProperty("didNotFinish").GetBoolean());
        }

        // Ada: 950 + 900 + 100 + 980 + 200 + 800 + 300 + 700 + 400; time (1500 + 3000 + 1000 + 5000 + 8000 + 2000) / 6, the poll included.
        AssertPlayer(1, 1, "Ada", 5330, 5, 0, 0, 100, 3417);
        // Eve: 900 + 400 (partly right multi-select); questions 2, 3 and 4 unanswered: 1 of 5.
        AssertPlayer(5, 2, "Eve", 1300, 1, 1, 3, 20, 3000, leftEarly: true, needsHelp: true);
        // Ben: 450 + 700, question 4 unanswered: 1 of 5; time (4000 + 6000 + 2000 + 7000 + 3000) / 5.
        AssertPlayer(2, 3, "Ben", 1150, 1, 3, 1, 20, 4400, needsHelp: true);
        // Cleo joined at question 3: only questions 3 and 4 are expected of her (5 is a poll).
        AssertPlayer(3, 4, "Cleo", 1150, 1, 1, 0, 50, 6667);
        // Dan: kicked, so not ranked and never flagged as needing help, though shown with his figures.
        AssertPlayer(4, null, "Dan", 2970, 3, 1, 1, 60, 500, kicked: true);
        var student = Player(report, 1).GetProperty("student");
        Assert.Equal(known.AdaStudentId, student.Long("id"));
        Assert.Equal("Ada Lovelace", student.Str("name"));
        Assert.Equal(JsonValueKind.Null, Player(report, 2).GetProperty("student").ValueKind);

        // Questions, hardest first: 1 and 2 (33.3 %), 3 and 4 (50 %), 0 (66.7 %), then the poll. The last quiz question was never asked.
        Assert.Equal([1, 2, 3, 4, 0, 5], report.GetProperty("questions").EnumerateArray().Select(q => q.Int("index")));
        void AssertQuestion(int index, string type, int answered, int right, int wrong, int unanswered, double? percent, int? time, bool difficult)
        {
            var q = Question(report, index);
            Assert.Equal(index + 1, q.Int("number"));
            Assert.Equal(type, q.Str("type"));
            Assert.Equal(answered, q.Int("answered"));
            Assert.Equal(right, q.Int("right"));
            Assert.Equal(wrong, q.Int("wrong"));
            Assert.Equal(unanswered, q.Int("unanswered"));
            Assert.Equal(percent, Number(q, "percentRight"));
            Assert.Equal(time, q.GetProperty("averageTimeMs").ValueKind == JsonValueKind.Null ? null : q.Int("averageTimeMs"));
            Assert.Equal(difficult, q.GetProperty("difficult").GetBoolean());
        }

        // Kicked Dan's answers count nowhere here; Cleo could answer from question 3 on.
        AssertQuestion(0, "single", 3, 2, 1, 0, 66.7, 2500, false);
        AssertQuestion(1, "multi", 3, 1, 2, 0, 33.3, 4333, true);
        AssertQuestion(2, "truefalse", 2, 1, 1, 1, 33.3, 1500, true);
        AssertQuestion(3, "typeanswer", 3, 2, 1, 1, 50, 7000, false);
        AssertQuestion(4, "order", 2, 2, 0, 2, 50, 9000, false);
        AssertQuestion(5, "poll", 3, 0, 0, 1, null, 2000, false);
        Assert.Equal("Capital of France?", Question(report, 0).Str("text"));
        Assert.Equal(2000, Question(report, 4).Int("points"));
        Assert.Equal(20, Question(report, 4).Int("timeLimit"));

        Assert.Equal([("Paris", true, 2), ("London", false, 1), ("Berlin", false, 0), ("Madrid", false, 0)], Answers(Question(report, 0)));
        Assert.Equal([("2", true, 2), ("3", true, 2), ("4", false, 0), ("6", false, 0)], Answers(Question(report, 1)));
        Assert.Equal([("True", false, 1), ("False", true, 1)], Answers(Question(report, 2)));
        // "Au" and " au" are one answer (case and spaces do not matter); Dan's "Ag" is not counted.
        Assert.Equal([("Au", true, 2), ("Ag", false, 1)], Answers(Question(report, 3)));
        Assert.Equal(0, Question(report, 3).Int("otherAnswers"));
        Assert.Equal([("In the right order", true, 2), ("In another order", false, 0)], Answers(Question(report, 4)));
        Assert.Equal([("Red", null, 1), ("Green", null, 0), ("Blue", null, 2)], Answers(Question(report, 5)));
    }

    [Fact]
    public async Task The_list_shows_started_games_newest_first_with_their_status_players_and_accuracy()
    {
        var known = await SeedKnownGameAsync();
        var teacher = known.Teacher;
        var (quizId, questions) = await teacher.CreateQuizAsync("Short", KnownGame.QuizQuestions()[..1]);
        var now = App.Clock.GetUtcNow();

        // Interrupted while question 0 was open: one of two players had answered (right).
        var interrupted = new SeedGame(teacher.Id, questions) { QuizId = quizId, Title = "Short", Status = "interrupted", StartedAt = now.AddHours(-3) };
        interrupted.Ask(0);
        interrupted.Answer(interrupted.Player("Zed"), 0, "0", true, 1000);
        interrupted.Player("Yan");
        var interruptedId = await interrupted.InsertAsync(Database);
        var live = new SeedGame(teacher.Id, questions) { Title = "Live now", Status = "running", StartedAt = now.AddMinutes(-5) };
        live.Ask(0);
        live.Player("Xi");
        var liveId = await live.InsertAsync(Database);
        var lobby = new SeedGame(teacher.Id, questions) { Title = "In the lobby", Status = "lobby", Started = false };
        lobby.Player("Wu");
        var lobbyId = await lobby.InsertAsync(Database);

        var page = await (await teacher.Api.GetAsync("/api/reports")).Json(HttpStatusCode.OK);
        Assert.Equal(3, page.Long("total"));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([liveId, interruptedId, known.GameId], items.Select(i => i.Long("id")));
        Assert.Equal(["live", "interrupted", "finished"], items.Select(i => i.Str("status")));
        Assert.Equal([1, 2, 4], items.Select(i => i.Int("players")));
        Assert.Equal([1, 1, 6], items.Select(i => i.Int("questions")));
        Assert.Equal([0.0, 50.0, 47.1], items.Select(i => Number(i, "accuracy")));
        Assert.Equal("Science mix", items[2].Str("title"));
        Assert.Equal(known.QuizId, items[2].Long("quizId"));
        Assert.Equal("7B Science", items[2].Str("className"));
        Assert.Equal(known.StartedAt.ToUnixTimeMilliseconds(), items[2].GetProperty("startedAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.Null, items[0].GetProperty("endedAt").ValueKind);

        // Paging and the class filter.
        var second = await (await teacher.Api.GetAsync("/api/reports?page=2&pageSize=2")).Json(HttpStatusCode.OK);
        Assert.Equal([known.GameId], second.GetProperty("items").EnumerateArray().Select(i => i.Long("id")));
        Assert.Equal(3, second.Long("total"));
        var ofClass = await (await teacher.Api.GetAsync($"/api/reports?classId={known.ClassId}")).Json(HttpStatusCode.OK);
        Assert.Equal([known.GameId], ofClass.GetProperty("items").EnumerateArray().Select(i => i.Long("id")));
        await (await teacher.Api.GetAsync("/api/reports?pageSize=101")).ValidationProblem("pageSize");

        // An interrupted game says so; a live one reports what it has so far; a game still in its lobby has no report.
        var interruptedReport = await (await teacher.Api.GetAsync($"/api/reports/games/{interruptedId}")).Json(HttpStatusCode.OK);
        Assert.True(interruptedReport.GetProperty("flags").GetProperty("interrupted").GetBoolean());
        Assert.Equal("interrupted", interruptedReport.GetProperty("game").Str("status"));
        Assert.Equal(50, Number(interruptedReport.GetProperty("summary"), "accuracy"));
        Assert.Equal(1, Player(interruptedReport, 2).Int("unanswered"));
        var liveReport = await (await teacher.Api.GetAsync($"/api/reports/games/{liveId}")).Json(HttpStatusCode.OK);
        Assert.True(liveReport.GetProperty("flags").GetProperty("live").GetBoolean());
        Assert.Equal(0, Number(liveReport.GetProperty("summary"), "accuracy"));
        await (await teacher.Api.GetAsync($"/api/reports/games/{lobbyId}")).Problem(HttpStatusCode.NotFound);

        // Live games (running or in the lobby) cannot be deleted.
        await (await teacher.Api.DeleteAsync($"/api/reports/games/{liveId}")).Problem(HttpStatusCode.Conflict);
        await (await teacher.Api.DeleteAsync($"/api/reports/games/{lobbyId}")).Problem(HttpStatusCode.Conflict);
        await (await teacher.Api.DeleteAsync($"/api/reports/games/{interruptedId}")).Status(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Deleting_a_report_deletes_the_game_and_everything_recorded_about_it()
    {
        var known = await SeedKnownGameAsync();
        await using (var connection = await Database.OpenAsync())
        {
            Assert.Equal(20, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM game_answers WHERE game_id = @GameId", new { known.GameId }));
        }

        await (await known.Teacher.Api.DeleteAsync($"/api/reports/games/{known.GameId}")).Status(HttpStatusCode.NoContent);

        await (await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}")).Problem(HttpStatusCode.NotFound);
        await (await known.Teacher.Api.DeleteAsync($"/api/reports/games/{known.GameId}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await known.Teacher.Api.GetAsync("/api/reports")).Json(HttpStatusCode.OK)).Long("total"));
        await using var check = await Database.OpenAsync();
        foreach (var table in new[] { "games WHERE id", "game_players WHERE game_id", "game_questions WHERE game_id", "game_answers WHERE game_id" })
        {
            Assert.Equal(0, await check.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} = @GameId", new { known.GameId }));
        }

        // The quiz and the class are untouched.
        await (await known.Teacher.Api.GetAsync($"/api/quizzes/{known.QuizId}")).Status(HttpStatusCode.OK);
        await (await known.Teacher.Api.GetAsync($"/api/classes/{known.ClassId}")).Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_csv_export_holds_the_players_and_the_questions_and_reads_back()
    {
        var known = await SeedKnownGameAsync();
        var response = await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}/export?format=csv");
        await response.Status(HttpStatusCode.OK);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Science mix report.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var (players, questions) = ReadCsv(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["Rank", "Nickname", "Student", "Score", "Right", "Wrong", "Unanswered", "Accuracy (%)", "Average time (s)", "Needs help", "Didn't finish", "Kicked", "Left early"], players[0]);
        Assert.Equal(
            [
                ["1", "Ada", "Ada Lovelace", "5330", "5", "0", "0", "100", "3.4", "no", "no", "no", "no"],
                ["2", "Eve", "", "1300", "1", "1", "3", "20", "3", "yes", "yes", "no", "yes"],
                ["3", "Ben", "", "1150", "1", "3", "1", "20", "4.4", "yes", "no", "no", "no"],
                ["4", "Cleo", "", "1150", "1", "1", "0", "50", "6.7", "no", "no", "no", "no"],
                ["", "Dan", "", "2970", "3", "1", "1", "60", "0.5", "no", "yes", "yes", "no"],
            ],
            players.Skip(1));
        Assert.Equal(["Number", "Question", "Type", "Percent right", "Right", "Wrong", "Unanswered", "Average time (s)", "Difficult", "Answers"], questions[0]);
        Assert.Equal(
            [
                ["2", "Which are prime?", "multi", "33.3", "1", "2", "0", "4.3", "yes", "2 (right): 2; 3 (right): 2; 4: 0; 6: 0"],
                ["3", "The Earth is flat.", "truefalse", "33.3", "1", "1", "1", "1.5", "yes", "True: 1; False (right): 1"],
                ["4", "Chemical symbol of gold?", "typeanswer", "50", "2", "1", "1", "7", "no", "Au (right): 2; Ag: 1"],
                ["5", "Smallest first", "order", "50", "2", "0", "2", "9", "no", "In the right order (right): 2; In another order: 0"],
                ["1", "Capital of France?", "single", "66.7", "2", "1", "0", "2.5", "no", "Paris (right): 2; London: 1; Berlin: 0; Madrid: 0"],
                ["6", "Favourite colour?", "poll", "", "0", "0", "1", "2", "no", "Red: 1; Green: 0; Blue: 2"],
            ],
            questions.Skip(1));
    }

    [Fact]
    public async Task The_excel_export_has_an_overview_players_and_questions_sheet_and_reads_back()
    {
        var known = await SeedKnownGameAsync();
        var response = await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}/export?format=xlsx");
        await response.Status(HttpStatusCode.OK);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Science mix report.xlsx", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var workbook = ReadXlsx(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(["Overview", "Players", "Questions"], workbook.Keys);
        var overview = workbook["Overview"].Where(r => r.Count > 1).ToDictionary(r => r[0].Text, r => r[1]);
        Assert.Equal("Science mix", overview["Game"].Text);
        Assert.Equal("7B Science", overview["Class"].Text);
        Assert.Equal("finished", overview["Status"].Text);
        Assert.Equal("4", overview["Players"].Text);
        Assert.Equal("1", overview["Kicked"].Text);
        Assert.Equal("6", overview["Questions asked"].Text);
        Assert.Equal("2232.5", overview["Average score"].Text);
        Assert.Equal("47.1", overview["Accuracy (%)"].Text);
        Assert.Equal("2", overview["Difficult questions"].Text);
        Assert.Equal("2", overview["Players who need help"].Text);
        Assert.Equal("2", overview["Players who didn't finish"].Text);
        Assert.Equal(known.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), overview["Started (UTC)"].Text);
        Assert.Contains("under 35% right", overview["Thresholds"].Text, StringComparison.Ordinal);

        var players = workbook["Players"];
        Assert.Equal("Rank", players[0][0].Text);
        Assert.True(players[0][0].Bold);
        Assert.Equal(["1", "Ada", "Ada Lovelace", "5330", "5", "0", "0", "100", "3.4", "no", "no", "no", "no"], players[1].Select(c => c.Text));
        Assert.True(players[1][3].Number, "scores are numbers, not text");
        Assert.Equal(["", "Dan", "", "2970", "3", "1", "1", "60", "0.5", "no", "yes", "yes", "no"], players[5].Select(c => c.Text));
        Assert.Equal(6, players.Count);

        var questions = workbook["Questions"];
        Assert.Equal(7, questions.Count);
        Assert.Equal([2, 3, 4, 5, 1, 6], questions.Skip(1).Select(r => int.Parse(r[0].Text, CultureInfo.InvariantCulture)));
        Assert.Equal(["2", "Which are prime?", "multi", "33.3", "1", "2", "0", "4.3", "yes", "2 (right): 2; 3 (right): 2; 4: 0; 6: 0"], questions[1].Select(c => c.Text));
        Assert.Equal("", questions[6][3].Text); // a poll has no percent right
    }

    [Fact]
    public async Task Nicknames_and_quiz_text_cannot_become_formulas_in_either_export()
    {
        var teacher = await SignUpAsync();
        var (quizId, questions) = await teacher.CreateQuizAsync("=1+1",
            new { type = "single", text = "=SUM(1,2)", answers = new object[] { new { text = "-5", correct = true }, new { text = "+5", correct = false } } },
            new { type = "typeanswer", text = "@ where?", accepted = new[] { "here" } });
        var game = new SeedGame(teacher.Id, questions) { QuizId = quizId, Title = "=1+1" };
        game.Ask(0, 1);
        string[] nicknames = [Hyperlink, "+1", "-1", "@x", "\tTab"];
        foreach (var nickname in nicknames)
        {
            var player = game.Player(nickname);
            game.Answer(player, 0, "0", true, 1000 - player.PlayerId).Answer(player, 1, GameSeeder.Typed("=cmd|' /C calc'!A0"), false);
        }

        var id = await game.InsertAsync(Database);

        var csv = await (await teacher.Api.GetAsync($"/api/reports/games/{id}/export?format=csv")).Content.ReadAsByteArrayAsync();
        var (players, questionRows) = ReadCsv(csv);
        Assert.Equal(nicknames.Select(n => "'" + n), players.Skip(1).Select(r => r[1]));
        var first = questionRows.Single(r => r[0] == "1");
        Assert.Equal("'=SUM(1,2)", first[1]);
        Assert.Equal("'-5 (right): 5; +5: 0", first[9]);
        var typed = questionRows.Single(r => r[0] == "2");
        Assert.Equal("'@ where?", typed[1]);
        Assert.Equal("'=cmd|' /C calc'!A0: 5", typed[9]);
        // Every text cell of the file: none starts with a formula character.
        Assert.All(players.Concat(questionRows).SelectMany(r => r), cell => Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t', cell));

        // Excel: the text is kept as it is, in text cells (never formulas) marked with the quote prefix.
        var xlsx = await (await teacher.Api.GetAsync($"/api/reports/games/{id}/export?format=xlsx")).Content.ReadAsByteArrayAsync();
        var workbook = ReadXlsx(xlsx);
        Assert.Equal(nicknames, workbook["Players"].Skip(1).Select(r => r[1].Text));
        Assert.All(workbook["Players"].Skip(1).Select(r => r[1]), cell => Assert.True(cell.Quoted && !cell.Formula && !cell.Number, cell.Text));
        var sum = workbook["Questions"].Single(r => r[0].Text == "1");
        Assert.Equal("=SUM(1,2)", sum[1].Text);
        Assert.True(sum[1].Quoted && !sum[1].Formula);
        Assert.Equal("=1+1", workbook["Overview"][0][1].Text);
        Assert.True(workbook["Overview"][0][1].Quoted);
        Assert.All(workbook.Values.SelectMany(rows => rows).SelectMany(r => r), cell => Assert.False(cell.Formula));
    }

    [Fact]
    public async Task A_finished_games_report_is_kept_but_follows_everything_that_can_still_change_it()
    {
        var known = await SeedKnownGameAsync();
        var url = $"/api/reports/games/{known.GameId}";
        async Task<string> Text(HttpResponseMessage response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            return await response.Content.ReadAsStringAsync();
        }

        // The second answer (from memory) is the first, byte for byte; another teacher still gets 404.
        var first = await Text(await known.Teacher.Api.GetAsync(url));
        Assert.Equal(first, await Text(await known.Teacher.Api.GetAsync(url)));
        await (await (await SignUpAsync()).Api.GetAsync(url)).Problem(HttpStatusCode.NotFound);

        // The student and the class renamed.
        await (await known.Teacher.Api.PatchAsync($"/api/classes/{known.ClassId}/students/{known.AdaStudentId}", new { name = "Ada King", preferredName = "Countess" }))
            .Status(HttpStatusCode.OK);
        var report = await (await known.Teacher.Api.GetAsync(url)).Json(HttpStatusCode.OK);
        Assert.Equal("Ada King", Player(report, 1).GetProperty("student").Str("name"));
        Assert.Equal("Countess", Player(report, 1).GetProperty("student").Str("preferredName"));
        await (await known.Teacher.Api.PatchAsync($"/api/classes/{known.ClassId}", new { name = "7B Physics" })).Status(HttpStatusCode.OK);
        Assert.Equal("7B Physics", (await (await known.Teacher.Api.GetAsync(url)).Json(HttpStatusCode.OK)).GetProperty("game").Str("className"));

        // The quiz deleted, then the class with its students.
        await (await known.Teacher.Api.DeleteAsync($"/api/quizzes/{known.QuizId}")).Status(HttpStatusCode.NoContent);
        Assert.Equal(JsonValueKind.Null, (await (await known.Teacher.Api.GetAsync(url)).Json(HttpStatusCode.OK)).GetProperty("game").GetProperty("quizId").ValueKind);
        await (await known.Teacher.Api.DeleteAsync($"/api/classes/{known.ClassId}")).Status(HttpStatusCode.NoContent);
        report = await (await known.Teacher.Api.GetAsync(url)).Json(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("game").GetProperty("classId").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("game").GetProperty("className").ValueKind);
        Assert.Equal(JsonValueKind.Null, Player(report, 1).GetProperty("student").ValueKind);
        Assert.Equal(5330, Player(report, 1).Int("score"));

        // Deleted by another server (straight in the database): gone here too.
        await Text(await known.Teacher.Api.GetAsync(url));
        await using (var connection = await Database.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM games WHERE id = @GameId", new { known.GameId });
        }

        await (await known.Teacher.Api.GetAsync(url)).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_teacher_gets_404_on_every_route_and_nothing_in_the_list()
    {
        var known = await SeedKnownGameAsync();
        var other = await SignUpAsync();
        var routes = new[]
        {
            $"/api/reports/games/{known.GameId}",
            $"/api/reports/games/{known.GameId}/export?format=csv",
            $"/api/reports/games/{known.GameId}/export?format=xlsx",
            $"/api/reports/games/{known.GameId}/export",
            $"/api/reports/classes/{known.ClassId}",
            "/api/reports/games/987654321",
            "/api/reports/classes/987654321",
        };
        foreach (var route in routes)
        {
            await (await other.Api.GetAsync(route)).Problem(HttpStatusCode.NotFound);
        }

        await (await other.Api.DeleteAsync($"/api/reports/games/{known.GameId}")).Problem(HttpStatusCode.NotFound);
        var list = await (await other.Api.GetAsync("/api/reports")).Json(HttpStatusCode.OK);
        Assert.Equal(0, list.Long("total"));
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        Assert.Empty((await (await other.Api.GetAsync($"/api/reports?classId={known.ClassId}")).Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray());

        // Still there for its owner; nobody signed in gets 401.
        await (await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}")).Status(HttpStatusCode.OK);
        await (await Anonymous().GetAsync("/api/reports")).Status(HttpStatusCode.Unauthorized);
        await (await Anonymous().GetAsync($"/api/reports/games/{known.GameId}")).Status(HttpStatusCode.Unauthorized);
        await (await known.Teacher.Api.GetAsync($"/api/reports/games/{known.GameId}/export?format=pdf")).ValidationProblem("format");
    }

    [Fact]
    public async Task The_class_report_follows_each_student_across_games_and_shows_what_the_class_keeps_missing()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync("8C Maths");
        var ids = await teacher.AddStudentsAsync(classId, ["Ada Lovelace", "Ben Okri", "Cleo Smith", "Dan Brown", "Eve Online"]);
        long ada = ids[0], ben = ids[1], cleo = ids[2], dan = ids[3], eve = ids[4];
        var (quizA, questionsA) = await teacher.CreateQuizAsync("Sums",
            new { type = "single", text = "2+2?", answers = new object[] { new { text = "4", correct = true }, new { text = "5", correct = false } } },
            new { type = "single", text = "3+3?", answers = new object[] { new { text = "6", correct = true }, new { text = "9", correct = false } } });
        var (quizB, questionsB) = await teacher.CreateQuizAsync("Sky",
            new { type = "truefalse", text = "The sky is green.", correct = false },
            new { type = "poll", text = "Fun?", answers = new object[] { new { text = "Yes" }, new { text = "No" } } });
        var start = App.Clock.GetUtcNow().AddDays(-10);

        async Task<long> Play(string title, long quiz, string questions, int daysLater, params (string Nick, long? Student, bool[] Right)[] players)
        {
            var game = new SeedGame(teacher.Id, questions) { QuizId = quiz, ClassId = classId, Title = title, StartedAt = start.AddDays(daysLater) };
            game.Ask(0, 1);
            foreach (var (nick, student, right) in players)
            {
                var player = game.Player(nick, student);
                for (var q = 0; q < right.Length; q++)
                {
                    game.Answer(player, q, right[q] ? (quiz == quizA ? "0" : "false") : (quiz == quizA ? "1" : "true"), right[q], right[q] ? 800 : 0);
                }

                if (quiz == quizB)
                {
                    game.Answer(player, 1, "0", null);
                }
            }

            return await game.InsertAsync(Database);
        }

        var g1 = await Play("Sums", quizA, questionsA, 0, ("ada", ada, [true, true]), ("ben", ben, [true, false]), ("dan", dan, [false, false]));
        var g2 = await Play("Sums again", quizA, questionsA, 1, ("ada", ada, [true, true]), ("ben", ben, [false, false]), ("cleo", cleo, [true, false]));
        var g3 = await Play("Sky", quizB, questionsB, 2, ("ada", ada, [true]), ("ben", ben, [true]), ("cleo", cleo, [false]), ("guest", null, [true]));
        // A game without the class is not part of its report.
        var elsewhere = new SeedGame(teacher.Id, questionsA) { Title = "Elsewhere" };
        elsewhere.Ask(0);
        elsewhere.Answer(elsewhere.Player("ada", ada), 0, "1", false);
        await elsewhere.InsertAsync(Database);
        await teacher.Api.DeleteAsync($"/api/classes/{classId}/students/{dan}"); // removed, but has played

        // Picks through the picker: four calls and a pass.
        for (var i = 0; i < 5; i++)
        {
            var pick = await teacher.Api.PickAsync(classId);
            if (i == 2)
            {
                await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{pick.Long("id")}", new { outcome = "passed" })).Status(HttpStatusCode.OK);
            }
        }

        var report = await (await teacher.Api.GetAsync($"/api/reports/classes/{classId}")).Json(HttpStatusCode.OK);
        Assert.Equal(classId, report.GetProperty("class").Long("id"));
        Assert.Equal("8C Maths", report.GetProperty("class").Str("name"));

        var games = report.GetProperty("games").EnumerateArray().ToList();
        Assert.Equal([g1, g2, g3], games.Select(g => g.Long("id")));
        Assert.Equal(["Sums", "Sums again", "Sky"], games.Select(g => g.Str("title")));
        Assert.Equal([3, 3, 4], games.Select(g => g.Int("players")));
        Assert.Equal([50.0, 50.0, 75.0], games.Select(g => Number(g, "accuracy"))); // 3 of 6, 3 of 6, 3 of 4

        // Students by name, each game in order; Dan was removed but played, Eve is on the roster without a game.
        var students = report.GetProperty("students").EnumerateArray().ToList();
        Assert.Equal([ada, ben, cleo, dan, eve], students.Select(s => s.GetProperty("student").Long("id")));
        Assert.Equal([false, false, false, true, false], students.Select(s => s.GetProperty("removed").GetBoolean()));
        Assert.Equal([3, 3, 2, 1, 0], students.Select(s => s.Int("gamesPlayed")));
        Assert.Equal([100.0, 40.0, 33.3, 0.0, null], students.Select(s => Number(s, "accuracy")));
        double?[] ByGame(int student) => students[student].GetProperty("games").EnumerateArray().Select(g => Number(g, "accuracy")).ToArray();
        Assert.Equal([100.0, 100.0, 100.0], ByGame(0));
        Assert.Equal([50.0, 0.0, 100.0], ByGame(1));
        Assert.Equal([null, 50.0, 0.0], ByGame(2));
        Assert.Equal([0.0, null, null], ByGame(3));
        Assert.Equal([null, null, null], ByGame(4));
        var cleoFirst = students[2].GetProperty("games")[0];
        Assert.False(cleoFirst.GetProperty("played").GetBoolean());
        Assert.Equal(g1, cleoFirst.Long("gameId"));
        var benFirst = students[1].GetProperty("games")[0];
        Assert.Equal((1, 1, 0, 800, 2), (benFirst.Int("right"), benFirst.Int("wrong"), benFirst.Int("unanswered"), benFirst.Int("score"), benFirst.Int("rank")));

        // Missed questions, pooled over the games that asked them: 3+3 (2 of 6), 2+2 (4 of 6), the sky (3 of 4). Polls never.
        var missed = report.GetProperty("missedQuestions").EnumerateArray().ToList();
        Assert.Equal(["3+3?", "2+2?", "The sky is green."], missed.Select(m => m.Str("text")));
        Assert.Equal([33.3, 66.7, 75.0], missed.Select(m => Number(m, "percentRight")));
        Assert.Equal([(2, 6), (4, 6), (3, 4)], missed.Select(m => (m.Int("right"), m.Int("expected"))));
        Assert.Equal([true, false, false], missed.Select(m => m.GetProperty("difficult").GetBoolean()));
        var inGames = missed[0].GetProperty("games").EnumerateArray().ToList();
        Assert.Equal([g1, g2], inGames.Select(g => g.Long("gameId")));
        Assert.Equal(["Sums", "Sums again"], inGames.Select(g => g.Str("gameTitle")));
        Assert.Equal([1, 1], inGames.Select(g => g.Int("questionIndex")));
        Assert.Equal([33.3, 33.3], inGames.Select(g => Number(g, "percentRight")));

        // The picker's equity report, exactly as the picker gives it.
        var equity = report.GetProperty("equity");
        var stats = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/stats")).Json(HttpStatusCode.OK);
        Assert.Equal(stats.GetRawText(), equity.GetRawText());
        Assert.Equal(4, equity.Int("totalCalls"));
        Assert.Equal(1, equity.Int("totalPasses"));
        Assert.Equal(4, equity.GetProperty("students").EnumerateArray().Sum(s => s.Int("calls")));
        Assert.Equal(4.0, equity.GetProperty("students").EnumerateArray().Sum(s => s.GetProperty("expected").GetDouble()), 2);
        Assert.False(string.IsNullOrEmpty(equity.Str("verdict")));

        // A class with no games: an empty report, not an error.
        var empty = await teacher.CreateClassAsync("Empty");
        var nothing = await (await teacher.Api.GetAsync($"/api/reports/classes/{empty}")).Json(HttpStatusCode.OK);
        Assert.Empty(nothing.GetProperty("games").EnumerateArray());
        Assert.Empty(nothing.GetProperty("missedQuestions").EnumerateArray());
    }

    [Fact]
    public async Task A_large_typed_answer_question_lists_the_ten_most_common_answers_and_counts_the_rest()
    {
        var teacher = await SignUpAsync();
        var (quizId, questions) = await teacher.CreateQuizAsync("Typed", new { type = "typeanswer", text = "Name a prime", accepted = new[] { "two", "three" } });
        var game = new SeedGame(teacher.Id, questions) { QuizId = quizId };
        game.Ask(0);
        // Answer k is typed by k players (k = 1..12): "Answer 12" is the most common; "two" (5 times, in two spellings) is accepted.
        for (var k = 1; k <= 12; k++)
        {
            for (var i = 0; i < k; i++)
            {
                game.Answer(game.Player($"p{k}-{i}"), 0, GameSeeder.Typed($"Answer {k}"), false);
            }
        }

        foreach (var spelling in new[] { "TWO", "Two", " two", "TWO", "TWO" })
        {
            game.Answer(game.Player(spelling), 0, GameSeeder.Typed(spelling), true);
        }

        var id = await game.InsertAsync(Database);

        var question = Question(await (await teacher.Api.GetAsync($"/api/reports/games/{id}")).Json(HttpStatusCode.OK), 0);
        var answers = Answers(question);
        Assert.Equal(10, answers.Count);
        Assert.Equal([("Answer 12", false, 12), ("Answer 11", false, 11), ("Answer 10", false, 10)], answers.Take(3));
        // Shown in the spelling most used; tied with "Answer 5", after it by text.
        Assert.Equal([("Answer 5", false, 5), ("TWO", true, 5), ("Answer 4", false, 4)], answers.Skip(7));
        Assert.Equal(1 + 2 + 3, question.Int("otherAnswers")); // Answers 1, 2 and 3 did not make the list
        Assert.Equal(5, question.Int("right"));
        Assert.Equal(78 + 5, question.Int("answered"));
    }

    private static (List<string[]> Players, List<string[]> Questions) ReadCsv(byte[] bytes)
    {
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        using var reader = new StringReader(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        using var csv = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { IgnoreBlankLines = false });
        var sections = new List<List<string[]>> { new() };
        while (csv.Read())
        {
            var record = csv.Record ?? [];
            if (record.Length == 0 || record is [""])
            {
                sections.Add([]);
                continue;
            }

            sections[^1].Add(record);
        }

        Assert.Equal(2, sections.Count);
        Assert.Equal(["Players"], sections[0][0]);
        Assert.Equal(["Questions"], sections[1][0]);
        return (sections[0].Skip(1).ToList(), sections[1].Skip(1).ToList());
    }

    private sealed record XlsxCell(string Text, bool Number, bool Bold, bool Quoted, bool Formula);

    /// <summary>Every sheet by name, each row's cells from column A (missing cells as empty text).</summary>
    private static Dictionary<string, List<List<XlsxCell>>> ReadXlsx(byte[] bytes)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        var shared = workbook.SharedStringTablePart!.SharedStringTable!.Elements<SharedStringItem>().Select(i => i.InnerText).ToList();
        var formats = workbook.WorkbookStylesPart!.Stylesheet!.CellFormats!.Elements<CellFormat>().ToList();
        var fonts = workbook.WorkbookStylesPart.Stylesheet.Fonts!.Elements<Font>().ToList();
        var result = new Dictionary<string, List<List<XlsxCell>>>();
        foreach (var sheet in workbook.Workbook!.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
            var rows = new List<List<XlsxCell>>();
            foreach (var row in part.Worksheet!.GetFirstChild<SheetData>()!.Elements<Row>())
            {
                var cells = new List<XlsxCell>();
                foreach (var cell in row.Elements<Cell>())
                {
                    var column = cell.CellReference!.Value!.TakeWhile(char.IsLetter).Aggregate(0, (n, c) => (n * 26) + (c - 'A' + 1)) - 1;
                    while (cells.Count < column)
                    {
                        cells.Add(new XlsxCell("", false, false, false, false));
                    }

                    var isShared = cell.DataType?.Value == CellValues.SharedString;
                    var format = formats[(int)(cell.StyleIndex?.Value ?? 0)];
                    cells.Add(new XlsxCell(
                        isShared ? shared[int.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture)] : cell.CellValue?.Text ?? "",
                        !isShared && cell.DataType is null && cell.CellValue is not null,
                        fonts[(int)(format.FontId?.Value ?? 0)].Bold is not null,
                        format.QuotePrefix?.Value == true,
                        cell.CellFormula is not null));
                }

                rows.Add(cells);
            }

            result[sheet.Name!.Value!] = rows;
        }

        return result;
    }
}

public sealed class SqliteReportsTests(SqliteFixture fixture) : ReportsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresReportsTests(PostgresFixture fixture) : ReportsTests(fixture), IClassFixture<PostgresFixture>;
