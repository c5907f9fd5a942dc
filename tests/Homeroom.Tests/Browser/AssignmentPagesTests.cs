using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// Assignments in real Chromium: the teacher assigns a quiz from its page, a student plays it on a phone-sized
/// page (/play with the code leads to /a/{code}), closes and reopens it halfway, and finishes; the teacher's list
/// shows the progress and the report opens. The app's clock is the test's and does not move, so every answer is
/// instant and worth its full points.
/// </summary>
public sealed partial class AssignmentPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private static readonly object Quiz = new
    {
        title = "Homework: capitals",
        questions = new object[]
        {
            new { type = "single", text = "Capital of Italy?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Milan", correct = false }, new { text = "Rome", correct = true }, new { text = "Turin", correct = false } } },
            new { type = "order", text = "North to south", timeLimit = 30, points = 1000, items = new[] { "Oslo", "Paris", "Rome" } },
            new { type = "typeanswer", text = "Capital of France?", timeLimit = 30, points = 1000, accepted = new[] { "Paris" } },
        },
    };

    [Fact]
    public async Task A_teacher_assigns_a_quiz_and_a_student_plays_it_on_a_phone_at_their_own_pace()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");

        // Assign from the quiz's page.
        await using var teacherBrowser = await SignedInPageAsync(teacher);
        var desk = teacherBrowser.Page;
        await desk.GotoAsync($"/quizzes/{quizId}");
        await desk.Locator("#editor-tools [data-assign-quiz]").ClickAsync();
        var dialog = desk.Locator("dialog.host-dialog");
        await Assertions.Expect(dialog.GetByLabel("Timer")).ToBeCheckedAsync();
        await dialog.GetByLabel("Show the right answers").SelectOptionAsync("after-each");
        await teacherBrowser.ScreenshotAsync("assignment-options");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Assign", Exact = true }).ClickAsync();
        await Assertions.Expect(desk).ToHaveURLAsync(new Regex(@"/assignments\?created=\d+$"));
        var id = long.Parse(CreatedId().Match(desk.Url).Groups[1].Value, CultureInfo.InvariantCulture);
        var cardLocator = desk.Locator($"[data-assignment-id='{id}']");
        await Assertions.Expect(cardLocator.Locator(".assignment-progress")).ToContainTextAsync("0 of 0 finished");
        var code = await cardLocator.Locator(".assignment-code").TextContentAsync();
        Assert.Matches("^[A-Z2-9]{6}$", code);
        await Assertions.Expect(cardLocator.Locator(".assignment-link a")).ToContainTextAsync($"/a/{code}");
        await cardLocator.Locator("img.assignment-qr").WaitForImageAsync("The QR code did not load.");
        await Assertions.Expect(desk.Locator(".site-nav a[href='/assignments']")).ToHaveAttributeAsync("aria-current", "page");
        await teacherBrowser.ScreenshotAsync("assignments-list");

        // The student types the code at /play and lands on the assignment's page.
        await using var phoneBrowser = await Browser.NewPageAsync(phone: true);
        var phone = phoneBrowser.Page;
        await phone.GotoAsync("/play");
        await phone.GetByLabel("Game PIN").FillAsync(code!.ToLowerInvariant());
        await phone.GetByRole(AriaRole.Button, new() { Name = "Enter" }).ClickAsync();
        await Assertions.Expect(phone).ToHaveURLAsync(new Regex($"/a/{code}$"));
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Choose a nickname");
        await Assertions.Expect(phone.Locator(".game-title")).ToHaveTextAsync("Homework: capitals");
        await BrowserPage.AssertNoHorizontalScrollAsync(phone);
        await phoneBrowser.ScreenshotAsync("assignment-student-name");
        await phone.GetByLabel("Nickname").FillAsync("Ann");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Start" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Ready, Ann?");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Start the first question" }).ClickAsync();

        // Q0 right at once: the full 1000.
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Capital of Italy?");
        await Assertions.Expect(phone.Locator(".qmeta")).ToContainTextAsync("Question 1 of 3");
        await phoneBrowser.ScreenshotAsync("assignment-student-question");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Right!");
        await Assertions.Expect(phone.Locator("#bar-score")).ToHaveTextAsync("1,000");
        await phoneBrowser.ScreenshotAsync("assignment-student-feedback");

        // The page is closed and opened again: the attempt continues where it was.
        await phone.GotoAsync($"/a/{code}");
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("1 of 3 answered");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Next question" }).ClickAsync();

        // Q1: the items are never shown in the right order, so sending them as shown is wrong.
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("North to south");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Not quite");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Next question" }).ClickAsync();

        // Q2 typed right: 1000 more (the streak was broken, so no bonus), and the end.
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Capital of France?");
        await phone.GetByLabel("Your answer").FillAsync("paris");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Right!");
        await phone.GetByRole(AriaRole.Button, new() { Name = "See how you did" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("All done!");
        await Assertions.Expect(phone.Locator(".nick")).ToHaveTextAsync("2,000 points");
        await Assertions.Expect(phone.Locator(".results li")).ToHaveCountAsync(3);
        await Assertions.Expect(phone.Locator(".results li").Nth(1)).ToContainTextAsync("Wrong");
        await BrowserPage.AssertNoHorizontalScrollAsync(phone);
        await phoneBrowser.ScreenshotAsync("assignment-student-done");
        phoneBrowser.AssertNoProblems();

        // The teacher sees her finished, and the report.
        await desk.ReloadAsync();
        await Assertions.Expect(cardLocator.Locator(".assignment-progress")).ToContainTextAsync("1 of 1 finished");
        await cardLocator.GetByRole(AriaRole.Button, new() { Name = "Students" }).ClickAsync();
        await Assertions.Expect(cardLocator.Locator(".assignment-students tbody tr")).ToContainTextAsync("Ann");
        await cardLocator.GetByRole(AriaRole.Link, new() { Name = "Report" }).ClickAsync();
        await Assertions.Expect(desk).ToHaveURLAsync(new Regex($"/reports/assignments/{id}$"));
        await Assertions.Expect(desk.Locator("#report-title")).ToHaveTextAsync("Homework: capitals");
        await Assertions.Expect(desk.Locator("#players-body tr")).ToHaveCountAsync(1);
        await Assertions.Expect(desk.Locator("#players-body")).ToContainTextAsync("2,000");
        Assert.EndsWith($"/api/assignments/{id}/export?format=csv", await desk.Locator("#export-csv").GetAttributeAsync("href"), StringComparison.Ordinal);
        await teacherBrowser.ScreenshotAsync("assignment-report");

        // Reachable from the dashboard.
        await desk.GotoAsync("/dashboard");
        await Assertions.Expect(desk.Locator("#features .feature-card", new() { HasText = "Assignments" })).ToBeVisibleAsync();
        teacherBrowser.AssertNoProblems();
    }

    [GeneratedRegex(@"created=(\d+)")]
    private static partial Regex CreatedId();
}
