using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Storage;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;
using Homeroom.Tests.Reports;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>The report pages in a real browser: /reports, /reports/games/{id}, /classes/{id}/report and the dashboard's recent reports.</summary>
public sealed class ReportsPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private const string ScriptName = "<script>alert(1)</script>";
    private const string ImgName = "<img src=x onerror=alert(2)>";

    private Database Database => App.Service<Database>();

    /// <summary>What Chart.js drew on a canvas: its size, the labels and the first dataset.</summary>
    private static Task<JsonElement> ChartAsync(IPage page, string canvasId) => page.EvaluateAsync<JsonElement>(
        """
        (id) => {
          const canvas = document.getElementById(id);
          const chart = window.Chart && window.Chart.getChart(canvas);
          return { width: canvas.width, height: canvas.height, labels: chart ? chart.data.labels : [], data: chart ? chart.data.datasets[0].data : [],
                   datasets: chart ? chart.data.datasets.length : 0 };
        }
        """, canvasId);

    private static string[] Strings(JsonElement element, string property) => element.GetProperty(property).EnumerateArray().Select(e => e.ToString()).ToArray();

    [Fact]
    public async Task A_game_report_shows_the_summary_what_needs_attention_the_charts_and_both_tables()
    {
        var known = await KnownGame.SeedAsync(App, Database);
        await using var browser = await SignedInPageAsync(known.Teacher);
        var page = browser.Page;

        await page.GotoAsync($"/reports/games/{known.GameId}");
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync("Science mix");
        await Assertions.Expect(page.Locator("#crumb-title")).ToHaveTextAsync("Science mix");
        await Assertions.Expect(page.Locator("#report-meta")).ToContainTextAsync("7B Science · 4 players");
        await Assertions.Expect(page.Locator("#report-notice")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#summary .tile-value")).ToHaveTextAsync([new Regex("^4$"), new Regex("^6$"), new Regex("^2.?232.5$"), new Regex("^47.1 %$")]);
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("and 1 kicked player");
        await Assertions.Expect(page.Locator("#summary")).ToContainTextAsync("5 scored");

        // What needs attention: the two difficult questions, the two players under 35 %, the two who did not finish.
        await Assertions.Expect(page.Locator("#flag-difficult li")).ToHaveTextAsync([new Regex("Q2\\s*Which are prime\\?\\s*33.3 %"), new Regex("Q3\\s*The Earth is flat.\\s*33.3 %")]);
        await Assertions.Expect(page.Locator("#flag-help li")).ToHaveTextAsync([new Regex("Eve\\s*20 %"), new Regex("Ben\\s*20 %")]);
        await Assertions.Expect(page.Locator("#flag-unfinished li")).ToHaveTextAsync([new Regex("Eve\\s*left early"), new Regex("Dan\\s*kicked")]);
        await Assertions.Expect(page.Locator("#thresholds")).ToContainTextAsync("under 35 %");

        // Questions hardest first; players best first, the kicked one last without a rank.
        await Assertions.Expect(page.Locator("#questions-body .question-number")).ToHaveTextAsync(["Q2", "Q3", "Q4", "Q5", "Q1", "Q6"]);
        var poll = page.Locator("#questions-body tr[data-index='5']");
        await Assertions.Expect(poll).ToContainTextAsync("Poll");
        await Assertions.Expect(poll).ToContainTextAsync("3 voted / 1 did not");
        await Assertions.Expect(page.Locator("#players-body .player-nickname")).ToHaveTextAsync(["Ada", "Eve", "Ben", "Cleo", "Dan"]);
        await Assertions.Expect(page.Locator("#players-body .rank")).ToHaveTextAsync(["1", "2", "3", "4", "–"]);
        await Assertions.Expect(page.Locator("#players-body tr[data-player-id='1']")).ToContainTextAsync("Ada Lovelace");
        await Assertions.Expect(page.Locator("#players-body tr[data-player-id='2'] .flag-badge")).ToHaveTextAsync("needs help");
        await Assertions.Expect(page.Locator("#players-body tr[data-player-id='4'] .flag-badge")).ToHaveTextAsync("kicked");
        await Assertions.Expect(page.Locator("#all-players")).ToBeHiddenAsync();

        // The percent-right chart has the five scored questions in quiz order; the answers chart starts on the hardest.
        await Assertions.Expect(page.Locator("#right-chart-box")).ToHaveAttributeAsync("data-ready", "true");
        var right = await ChartAsync(page, "right-chart");
        Assert.Equal(["Q1", "Q2", "Q3", "Q4", "Q5"], Strings(right, "labels"));
        Assert.Equal(["66.7", "33.3", "33.3", "50", "50"], Strings(right, "data"));
        Assert.True(right.Int("width") > 300 && right.Int("height") > 200, right.ToString());
        await Assertions.Expect(page.Locator("#answers-chart-box")).ToHaveAttributeAsync("data-question", "1");
        await Assertions.Expect(page.Locator("#answers-title")).ToHaveTextAsync("Answers to Q2");
        var answers = await ChartAsync(page, "answers-chart");
        Assert.Equal(["2", "3", "4", "6", "No answer"], Strings(answers, "labels"));
        Assert.Equal(["2", "2", "0", "0", "0"], Strings(answers, "data"));
        await browser.ScreenshotAsync("report-desktop");

        // Choosing another question charts its answers: the typed answers, grouped.
        await page.Locator("#questions-body tr[data-index='3']").GetByRole(AriaRole.Button, new() { Name = "Show the answers to question 4" }).ClickAsync();
        await Assertions.Expect(page.Locator("#answers-chart-box")).ToHaveAttributeAsync("data-question", "3");
        await Assertions.Expect(page.Locator("#answers-question")).ToHaveTextAsync("Chemical symbol of gold?");
        answers = await ChartAsync(page, "answers-chart");
        Assert.Equal(["Au", "Ag", "No answer"], Strings(answers, "labels"));
        Assert.Equal(["2", "1", "1"], Strings(answers, "data"));
        await Assertions.Expect(page.Locator("#questions-body tr[data-index='3']")).ToHaveClassAsync(new Regex("is-selected"));
        // A difficult question in the attention list is a way there too.
        await page.Locator("#flag-difficult button", new() { HasText = "The Earth is flat." }).ClickAsync();
        await Assertions.Expect(page.Locator("#answers-chart-box")).ToHaveAttributeAsync("data-question", "2");
        Assert.Equal(["True", "False", "No answer"], Strings(await ChartAsync(page, "answers-chart"), "labels"));

        // The exports are downloads from the API.
        Assert.Equal($"/api/reports/games/{known.GameId}/export?format=csv", await page.Locator("#export-csv").GetAttributeAsync("href"));
        var csv = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-csv"));
        Assert.Equal("Science mix report.csv", csv.SuggestedFilename);
        var xlsx = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-xlsx"));
        Assert.Equal("Science mix report.xlsx", xlsx.SuggestedFilename);

        // Dark mode takes the page's colours, charts included.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#answers-chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("report-dark");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_game_report_reads_well_on_a_phone()
    {
        var known = await KnownGame.SeedAsync(App, Database);
        await using var browser = await SignedInPageAsync(known.Teacher, phone: true);
        var page = browser.Page;

        await page.GotoAsync($"/reports/games/{known.GameId}");
        await Assertions.Expect(page.Locator("#answers-chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("report-phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "report-phone-top.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync($"/classes/{known.ClassId}/report");
        await Assertions.Expect(page.Locator("#trend-box")).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("class-report-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync("/reports");
        await Assertions.Expect(page.Locator("#report-list .report-item")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync("reports-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_reports_list_and_the_dashboard_link_to_each_report_and_a_report_is_deleted_after_asking()
    {
        var known = await KnownGame.SeedAsync(App, Database);
        var teacher = known.Teacher;
        var (quizId, questions) = await teacher.CreateQuizAsync("Quick check", KnownGame.QuizQuestions()[..1]);
        var live = new SeedGame(teacher.Id, questions) { QuizId = quizId, Title = "Quick check", Status = "running", StartedAt = App.Clock.GetUtcNow().AddMinutes(-3) };
        live.Ask(0);
        live.Answer(live.Player("Zed"), 0, "0", true, 900);
        var liveId = await live.InsertAsync(Database);
        var interrupted = new SeedGame(teacher.Id, questions) { Title = "Power cut", Status = "interrupted", StartedAt = App.Clock.GetUtcNow().AddHours(-2) };
        interrupted.Ask(0);
        interrupted.Answer(interrupted.Player("Yan"), 0, "1", false);
        var interruptedId = await interrupted.InsertAsync(Database);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        // The dashboard: the newest reports, and Reports in the header and among the tools.
        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#recent-reports .report-name")).ToHaveTextAsync(["Quick check", "Power cut", "Science mix"]);
        await Assertions.Expect(page.Locator(".site-nav a[href='/reports']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#features .feature-card", new() { HasText = "Reports" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("dashboard-recent-reports");

        await page.ClickAsync(".site-nav a[href='/reports']");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/reports$"));
        await Assertions.Expect(page.Locator(".site-nav a[href='/reports']")).ToHaveAttributeAsync("aria-current", "page");
        var items = page.Locator("#report-list .report-item");
        await Assertions.Expect(items).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#report-count")).ToHaveTextAsync("3 games");
        await Assertions.Expect(items.Nth(0).Locator(".status-badge")).ToHaveTextAsync("Live now");
        await Assertions.Expect(items.Nth(1).Locator(".status-badge")).ToHaveTextAsync("Interrupted");
        await Assertions.Expect(items.Nth(2).Locator(".status-badge")).ToHaveTextAsync("Finished");
        await Assertions.Expect(items.Nth(2)).ToContainTextAsync("7B Science · 4 players · 6 questions");
        await Assertions.Expect(page.Locator("#report-list .report-accuracy-value")).ToHaveTextAsync(["100 %", "0 %", "47.1 %"]);
        await Assertions.Expect(items.Nth(0).GetByRole(AriaRole.Button, new() { Name = "Delete the report of Quick check" })).ToBeDisabledAsync();
        await browser.ScreenshotAsync("reports-desktop");

        // Delete asks first; cancelling keeps the report.
        var delete = items.Nth(1).GetByRole(AriaRole.Button, new() { Name = "Delete the report of Power cut" });
        await delete.ClickAsync();
        var dialog = page.Locator("dialog.modal[open]");
        await Assertions.Expect(dialog).ToContainTextAsync("Delete the report of Power cut?");
        await browser.ScreenshotAsync("reports-delete-confirm");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(items).ToHaveCountAsync(3);
        await delete.ClickAsync();
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Delete report" }).ClickAsync();
        await Assertions.Expect(items).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#list-status")).ToHaveTextAsync("The report of Power cut was deleted.");
        await Assertions.Expect(page.Locator("#report-count")).ToHaveTextAsync("2 games");
        await (await teacher.Api.GetAsync($"/api/reports/games/{interruptedId}")).Problem(HttpStatusCode.NotFound);

        // A live game's report says so.
        await items.Nth(0).Locator(".report-name").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/reports/games/{liveId}$"));
        await Assertions.Expect(page.Locator("#report-notice")).ToContainTextAsync("being played right now");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_game_left_running_is_resumed_or_ended_from_the_reports_the_dashboard_and_its_quiz()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (quizId, _) = await teacher.CreateQuizAsync("Left running", KnownGame.QuizQuestions()[..2]);
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
        var gameId = game.Long("id");
        await using (var host = await HubClient.ConnectAsync(App.BaseAddress, teacher.Token))
        {
            await using var ann = await HubClient.ConnectAsync(App.BaseAddress);
            await ann.InvokeAsync("Join", game.Str("pin"), "Ann");
            await host.InvokeAsync("Host", gameId);
            await host.InvokeAsync("Start");
            await ann.NextAsync("answersOpen");
        }

        // The host screen is gone: the reports list and the dashboard offer it back, and an end.
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;
        await page.GotoAsync("/reports");
        var item = page.Locator($"#report-list .report-item[data-game-id='{gameId}']");
        await Assertions.Expect(item.Locator(".status-badge")).ToHaveTextAsync("Live now");
        await Assertions.Expect(item.GetByRole(AriaRole.Link, new() { Name = "Resume hosting Left running" })).ToHaveAttributeAsync("href", $"/games/{gameId}/host");
        await Assertions.Expect(item.GetByRole(AriaRole.Button, new() { Name = "End the game Left running" })).ToBeEnabledAsync();
        await browser.ScreenshotAsync("reports-live-game");
        await page.GotoAsync("/dashboard");
        var recent = page.Locator($"#recent-reports .report-item[data-game-id='{gameId}']");
        await Assertions.Expect(recent.GetByRole(AriaRole.Link, new() { Name = "Resume hosting Left running" })).ToBeVisibleAsync();
        await recent.GetByRole(AriaRole.Link, new() { Name = "Resume hosting Left running" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/games/{gameId}/host$"));
        await Assertions.Expect(page.Locator(".q-text")).ToBeVisibleAsync();

        // The quiz's page says it is live; End game asks, then ends it (the report keeps what was played).
        await page.GotoAsync($"/quizzes/{quizId}");
        var banner = page.Locator($"#live-games .live-game[data-game-id='{gameId}']");
        await Assertions.Expect(banner).ToContainTextAsync($"Live now: PIN {game.Str("pin")} · 1 player");
        await browser.ScreenshotAsync("quiz-live-game");
        await banner.GetByRole(AriaRole.Button, new() { Name = "End the game Left running" }).ClickAsync();
        var dialog = page.Locator("dialog.modal[open]");
        await Assertions.Expect(dialog).ToContainTextAsync("End Left running now?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "End game" }).ClickAsync();
        await Assertions.Expect(page.Locator("#live-games")).ToBeHiddenAsync();
        Assert.Equal("finished", (await (await teacher.Api.GetAsync($"/api/games/{gameId}")).Json(HttpStatusCode.OK)).Str("status"));
        await page.GotoAsync("/reports");
        await Assertions.Expect(item.Locator(".status-badge")).ToHaveTextAsync("Finished");
        await Assertions.Expect(item.GetByRole(AriaRole.Link, new() { Name = "Resume hosting Left running" })).ToHaveCountAsync(0);
        browser.AssertNoProblems();

        // On a phone the actions fit.
        var second = await (await teacher.Api.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created);
        await using (var host = await HubClient.ConnectAsync(App.BaseAddress, teacher.Token))
        {
            await using var bob = await HubClient.ConnectAsync(App.BaseAddress);
            await bob.InvokeAsync("Join", second.Str("pin"), "Bob");
            await host.InvokeAsync("Host", second.Long("id"));
            await host.InvokeAsync("Start");
        }

        await using var phone = await SignedInPageAsync(teacher, phone: true);
        await phone.Page.GotoAsync("/reports");
        await Assertions.Expect(phone.Page.GetByRole(AriaRole.Button, new() { Name = "End the game Left running" })).ToBeVisibleAsync();
        await BrowserPage.AssertNoHorizontalScrollAsync(phone.Page);
        await phone.ScreenshotAsync("reports-live-game-phone");
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task Without_games_the_pages_say_what_will_appear_there()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync("New class");
        await teacher.AddStudentsAsync(classId, ["Ada", "Ben"]);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/reports");
        await Assertions.Expect(page.Locator("#reports-empty")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("reports-empty");
        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#reports-empty")).ToBeVisibleAsync();
        await page.GotoAsync($"/classes/{classId}/report");
        await Assertions.Expect(page.Locator("#no-games")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#students-card")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync("Not enough calls to judge yet");
        await browser.ScreenshotAsync("class-report-empty");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_class_report_follows_each_student_across_games_with_a_trend_chart()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync("8C Maths");
        var ids = await teacher.AddStudentsAsync(classId, ["Ada Lovelace", "Ben Okri", "Cleo Smith"]);
        var (quizId, questions) = await teacher.CreateQuizAsync("Sums",
            new { type = "single", text = "2+2?", answers = new object[] { new { text = "4", correct = true }, new { text = "5", correct = false } } },
            new { type = "single", text = "3+3?", answers = new object[] { new { text = "6", correct = true }, new { text = "9", correct = false } } });
        var start = App.Clock.GetUtcNow().AddDays(-20);
        bool[][][] results =
        [
            [[true, true], [true, false], [false, false]],
            [[true, false], [false, false], [true, false]],
            [[true, true], [true, true], [false, true]],
            [[true, true], [false, true], [true, true]],
        ];
        for (var g = 0; g < results.Length; g++)
        {
            var game = new SeedGame(teacher.Id, questions) { QuizId = quizId, ClassId = classId, Title = $"Sums, week {g + 1}", StartedAt = start.AddDays(7 * g / 2.0) };
            game.Ask(0, 1);
            for (var s = 0; s < ids.Count; s++)
            {
                var player = game.Player(new[] { "Ada", "Ben", "Cleo" }[s], ids[s]);
                for (var q = 0; q < 2; q++)
                {
                    game.Answer(player, q, results[g][s][q] ? "0" : "1", results[g][s][q], results[g][s][q] ? 800 : 0);
                }
            }

            await game.InsertAsync(Database);
        }

        for (var i = 0; i < 6; i++)
        {
            await teacher.Api.PickAsync(classId);
        }

        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        // The class page links to its report.
        await page.GotoAsync($"/classes/{classId}");
        await page.ClickAsync("#report-link");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/classes/{classId}/report$"));
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync("8C Maths: report");
        await Assertions.Expect(page.Locator("#report-meta")).ToContainTextAsync("4 games · 3 students");
        await Assertions.Expect(page.Locator("#crumb-class")).ToHaveAttributeAsync("href", $"/classes/{classId}");

        // Students × games: percent right, then all games; the class's own row last.
        await Assertions.Expect(page.Locator("#matrix-head th")).ToHaveCountAsync(6);
        var ada = page.Locator($"#matrix-body tr[data-student-id='{ids[0]}'] td");
        await Assertions.Expect(ada).ToHaveTextAsync(["100 %", "50 %", "100 %", "100 %", "87.5 %"]);
        var cleo = page.Locator($"#matrix-body tr[data-student-id='{ids[2]}'] td");
        await Assertions.Expect(cleo).ToHaveTextAsync(["0 %", "50 %", "50 %", "100 %", "50 %"]);
        await Assertions.Expect(page.Locator("#matrix-body .class-row td")).ToHaveTextAsync(["50 %", "33.3 %", "83.3 %", "83.3 %", ""]);

        // The trend: Ada first; clicking Cleo's name charts hers against the class.
        await Assertions.Expect(page.Locator("#trend-box")).ToHaveAttributeAsync("data-student", ids[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#matrix-body").GetByRole(AriaRole.Button, new() { Name = "Cleo Smith" }).ClickAsync();
        await Assertions.Expect(page.Locator("#trend-box")).ToHaveAttributeAsync("data-student", ids[2].ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("#trend-title")).ToHaveTextAsync("Trend: Cleo Smith");
        var trend = await ChartAsync(page, "trend-chart");
        Assert.Equal(["0", "50", "50", "100"], Strings(trend, "data"));
        Assert.Equal(2, trend.Int("datasets"));
        Assert.Equal(ids[2].ToString(System.Globalization.CultureInfo.InvariantCulture), await page.InputValueAsync("#trend-student"));

        // What the class keeps missing, and the picker's equity.
        await Assertions.Expect(page.Locator("#missed-list .missed-text")).ToHaveTextAsync(["3+3?", "2+2?"]);
        await Assertions.Expect(page.Locator("#missed-list .missed-item").First).ToContainTextAsync("7 of 12 right");
        await Assertions.Expect(page.Locator("#equity-body tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#equity-totals")).ToHaveTextAsync("6 calls · 0 passes");
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("class-report-desktop");

        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#trend-box")).ToHaveAttributeAsync("data-ready", "true");
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("class-report-dark");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Nicknames_and_quiz_text_are_shown_as_text_and_a_big_game_shows_its_first_hundred_players()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (quizId, questions) = await teacher.CreateQuizAsync(ScriptName,
            new { type = "single", text = ImgName, answers = new object[] { new { text = "<b>bold</b>", correct = true }, new { text = ScriptName, correct = false } } });
        var game = new SeedGame(teacher.Id, questions) { QuizId = quizId, Title = ScriptName };
        game.Ask(0);
        game.Answer(game.Player(ScriptName), 0, "1", false, 0, 0, 3000);
        game.Answer(game.Player(ImgName), 0, "0", true, 900, 0, 2000);
        for (var i = 3; i <= 120; i++)
        {
            game.Answer(game.Player($"Player {i}"), 0, i % 2 == 0 ? "0" : "1", i % 2 == 0, i % 2 == 0 ? 500 : 0);
        }

        var id = await game.InsertAsync(Database);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            dialogs++;
            await dialog.DismissAsync();
        };

        await page.GotoAsync($"/reports/games/{id}");
        await Assertions.Expect(page.Locator("#report-title")).ToHaveTextAsync(ScriptName);
        await Assertions.Expect(page.Locator("#questions-body .question-text")).ToHaveTextAsync(ImgName);
        await Assertions.Expect(page.Locator("#players-body tr[data-player-id='1'] .player-nickname")).ToHaveTextAsync(ScriptName);
        await Assertions.Expect(page.Locator("#players-body tr[data-player-id='2'] .player-nickname")).ToHaveTextAsync(ImgName);
        await Assertions.Expect(page.Locator("#answers-question")).ToHaveTextAsync(ImgName);
        Assert.Equal(["<b>bold</b>", ScriptName, "No answer"], Strings(await ChartAsync(page, "answers-chart"), "labels"));

        await Assertions.Expect(page.Locator("#players-body tr")).ToHaveCountAsync(100);
        await Assertions.Expect(page.Locator("#all-players")).ToHaveTextAsync("Show all 120 players");
        await page.ClickAsync("#all-players");
        await Assertions.Expect(page.Locator("#players-body tr")).ToHaveCountAsync(120);
        await Assertions.Expect(page.Locator("#all-players")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator("#page-content img, #page-content script:not([src]), #page-content b").CountAsync());

        await page.GotoAsync("/reports");
        await Assertions.Expect(page.Locator("#report-list .report-name")).ToHaveTextAsync(ScriptName);
        Assert.Equal(0, await page.Locator("#report-list img, #report-list script, #report-list b").CountAsync());
        Assert.Equal(0, dialogs);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Another_teachers_report_is_not_found_on_its_pages()
    {
        var known = await KnownGame.SeedAsync(App, Database);
        var stranger = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(stranger);
        browser.ExpectProblem("status of 404");
        browser.ExpectProblem("ApiError: There is no");
        var page = browser.Page;

        await page.GotoAsync($"/reports/games/{known.GameId}");
        await Assertions.Expect(page.Locator("#error-banner")).ToContainTextAsync("There is no game of yours with that id.");
        await Assertions.Expect(page.Locator("#page-content")).ToBeHiddenAsync();
        await page.GotoAsync($"/classes/{known.ClassId}/report");
        await Assertions.Expect(page.Locator("#error-banner")).ToContainTextAsync("There is no class of yours with that id.");
        Assert.Equal(404, (await page.GotoAsync("/reports/games/not-a-number"))!.Status);
        browser.AssertNoProblems();
    }
}
