using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>The classes pages in a real browser: /classes, /classes/{id} (its four tabs) and the picker.</summary>
public sealed class ClassesPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private const string ScriptName = "<script>alert(1)</script>";
    private const string ImgName = "<img src=x onerror=alert(2)>";

    [Fact]
    public async Task A_teacher_creates_renames_archives_and_deletes_a_class()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/classes");
        await Assertions.Expect(page.Locator("#classes-empty")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("classes-empty-desktop");

        await page.FillAsync("#create-name", "7B Science");
        await page.ClickAsync("#create-submit");
        var item = page.Locator(".class-item", new PageLocatorOptions { HasText = "7B Science" });
        await Assertions.Expect(item).ToBeVisibleAsync();
        await Assertions.Expect(item).ToContainTextAsync("0 students");
        await page.FillAsync("#create-name", "8A History");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(2);

        // Rename.
        await item.GetByRole(AriaRole.Button, new() { Name = "Rename 7B Science" }).ClickAsync();
        await page.FillAsync("#class-list .rename-form input", "7B Biology");
        await page.ClickAsync("#class-list .rename-form [type=submit]");
        var renamed = page.Locator(".class-item", new PageLocatorOptions { HasText = "7B Biology" });
        await Assertions.Expect(renamed).ToBeVisibleAsync();

        // Archive and unarchive.
        await renamed.GetByRole(AriaRole.Button, new() { Name = "Archive 7B Biology" }).ClickAsync();
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#archived-section")).ToBeVisibleAsync();
        await page.ClickAsync("#archived-details summary");
        var archived = page.Locator("#archived-list .class-item", new PageLocatorOptions { HasText = "7B Biology" });
        await Assertions.Expect(archived).ToBeVisibleAsync();
        await browser.ScreenshotAsync("classes-archived-desktop");
        await archived.GetByRole(AriaRole.Button, new() { Name = "Unarchive 7B Biology" }).ClickAsync();
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#archived-section")).ToBeHiddenAsync();

        // Delete asks first; cancelling keeps the class.
        var history = page.Locator(".class-item", new PageLocatorOptions { HasText = "8A History" });
        await history.GetByRole(AriaRole.Button, new() { Name = "Delete 8A History" }).ClickAsync();
        var dialog = page.Locator("dialog.modal[open]");
        await Assertions.Expect(dialog).ToContainTextAsync("Delete 8A History?");
        await browser.ScreenshotAsync("classes-delete-confirm-desktop");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(2);
        await history.GetByRole(AriaRole.Button, new() { Name = "Delete 8A History" }).ClickAsync();
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Delete class" }).ClickAsync();
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#list-status")).ToContainTextAsync("8A History was deleted");

        var classes = await (await teacher.Api.GetAsync("/api/classes?archived=all")).Json(HttpStatusCode.OK);
        var only = Assert.Single(classes.EnumerateArray());
        Assert.Equal("7B Biology", only.Str("name"));
        Assert.False(only.GetProperty("archived").GetBoolean());

        // The class links to its page, and the dashboard and header link to the classes.
        await renamed.Locator(".class-name").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/classes/\d+$"));
        await Assertions.Expect(page.Locator("#class-name")).ToHaveTextAsync("7B Biology");
        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#features .feature-card", new PageLocatorOptions { HasText = "Classes" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".site-nav a[href='/classes']")).ToBeVisibleAsync();
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_classes_list_reads_well_on_a_phone()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, _) = await teacher.ClassWithStudentsAsync(24);
        await teacher.CreateClassAsync("8A History of the Modern World (Tuesdays and Thursdays)");
        await teacher.Api.PatchAsync($"/api/classes/{await teacher.CreateClassAsync("6C Art")}", new { archived = true });
        await using var browser = await SignedInPageAsync(teacher, phone: true);
        var page = browser.Page;

        await page.GotoAsync("/classes");
        await Assertions.Expect(page.Locator("#class-list .class-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"[data-class-id='{classId}']")).ToContainTextAsync("24 students");
        await browser.ScreenshotAsync("classes-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(24);
        await browser.ScreenshotAsync("class-roster-phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "class-roster-phone-top.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync($"/classes/{classId}/picker");
        await Assertions.Expect(page.Locator("#round-text")).ToHaveTextAsync("Round 1 · 24 of 24 left");
        await page.ClickAsync("#pick");
        await Assertions.Expect(page.Locator("#round-text")).ToHaveTextAsync("Round 1 · 23 of 24 left");
        await page.WaitForTimeoutAsync(400); // the name's reveal and the progress bar settle
        await browser.ScreenshotAsync("picker-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_pasted_roster_is_added_and_bad_lines_are_reported_by_line()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync("Roster class");
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#roster-empty")).ToBeVisibleAsync();
        var tooLong = new string('x', 120);
        await page.FillAsync("#import-text", $"Ada Lovelace\nAlan Turing\n{tooLong}\n\nGrace Hopper\n");
        await page.ClickAsync("#import-submit");

        var report = page.Locator("#import-report");
        await Assertions.Expect(report).ToContainTextAsync("Added 3 students.");
        await Assertions.Expect(report).ToContainTextAsync("1 line was skipped");
        var problem = report.Locator("li[data-line='3']");
        await Assertions.Expect(problem).ToContainTextAsync("Line 3");
        await Assertions.Expect(problem).ToContainTextAsync("at most 100 characters");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#students-count")).ToHaveTextAsync("3");
        // Only the skipped line stays in the box, to be fixed and added without doubling the others.
        Assert.Equal(tooLong, await page.InputValueAsync("#import-text"));
        await browser.ScreenshotAsync("class-roster-import");

        // A CSV upload with a column Homeroom does not know.
        await page.Locator("#upload-file").SetInputFilesAsync(new FilePayload
        {
            Name = "roster.csv",
            MimeType = "text/csv",
            Buffer = Encoding.UTF8.GetBytes("name,preferredName,pronouns,favourite colour\nSamantha Lee,Sam,she/her,green\n,Nobody,,\n"),
        });
        await page.ClickAsync("#upload-submit");
        await Assertions.Expect(report).ToContainTextAsync("Added 1 student.");
        await Assertions.Expect(report).ToContainTextAsync("Ignored column: favourite colour");
        await Assertions.Expect(report.Locator("li[data-line='3']")).ToContainTextAsync("The name is empty");
        var sam = page.Locator("#roster-body tr", new PageLocatorOptions { HasText = "Samantha Lee" });
        await Assertions.Expect(sam.Locator(".student-name")).ToHaveTextAsync("Sam");
        await Assertions.Expect(sam.Locator(".pronouns-cell")).ToHaveTextAsync("she/her");

        // Add one, edit one, remove one.
        await page.FillAsync("#add-name", "Katherine Johnson");
        await page.FillAsync("#add-pronouns", "she/her");
        await page.ClickAsync("#add-submit");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(5);
        var alan = page.Locator("#roster-body tr", new PageLocatorOptions { HasText = "Alan Turing" });
        await alan.GetByRole(AriaRole.Button, new() { Name = "Edit Alan Turing" }).ClickAsync();
        await page.FillAsync("#edit-preferredName", "Al");
        await browser.ScreenshotAsync("class-roster-edit");
        await page.ClickAsync("#edit-submit");
        await Assertions.Expect(alan.Locator(".student-name")).ToHaveTextAsync("Al");
        var grace = page.Locator("#roster-body tr", new PageLocatorOptions { HasText = "Grace Hopper" });
        await grace.GetByRole(AriaRole.Button, new() { Name = "Remove Grace Hopper" }).ClickAsync();
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Remove student" }).ClickAsync();
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(4);

        var students = await (await teacher.Api.GetAsync($"/api/classes/{classId}/students")).Json(HttpStatusCode.OK);
        Assert.Equal(
            ["Ada Lovelace", "Alan Turing", "Katherine Johnson", "Samantha Lee"],
            students.EnumerateArray().Select(s => s.Str("name")).ToArray());
        Assert.Equal("Al", students.EnumerateArray().Single(s => s.Str("name") == "Alan Turing").Str("preferredName"));

        var export = page.Locator("#export-link");
        Assert.Equal($"/api/classes/{classId}/students/export", await export.GetAttributeAsync("href"));
        var download = await page.RunAndWaitForDownloadAsync(() => export.ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_pasted_name_already_on_the_roster_is_skipped_with_a_reason_and_can_be_added_anyway()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, _) = await teacher.ClassWithStudentsAsync(2);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#import-skip-duplicates")).ToBeCheckedAsync();
        await page.FillAsync("#import-text", "Student 01\nAda Lovelace\nAda Lovelace\n");
        await page.ClickAsync("#import-submit");

        var report = page.Locator("#import-report");
        await Assertions.Expect(report).ToContainTextAsync("Added 1 student.");
        await Assertions.Expect(report.Locator("li[data-line='1']")).ToContainTextAsync("Student 01 is already on the roster: skipped.");
        await Assertions.Expect(report.Locator("li[data-line='3']")).ToContainTextAsync("Ada Lovelace is earlier in this list: skipped.");
        await Assertions.Expect(report.Locator(".report-hint")).ToContainTextAsync("untick");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(3);
        Assert.Equal("Student 01\nAda Lovelace", await page.InputValueAsync("#import-text"));
        await browser.ScreenshotAsync("class-roster-duplicates");

        // Two students really do share a name: untick, add again.
        await page.UncheckAsync("#import-skip-duplicates");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(report).ToContainTextAsync("Added 2 students.");
        await Assertions.Expect(report).ToContainTextAsync("2 names were repeats, added anyway:");
        await Assertions.Expect(report.Locator(".report-duplicates li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(5);
        Assert.Equal("", await page.InputValueAsync("#import-text"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_student_marked_absent_is_saved_and_left_out_of_the_round()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, students) = await teacher.ClassWithStudentsAsync(4);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}#attendance");
        await Assertions.Expect(page.Locator("#tab-attendance")).ToHaveAttributeAsync("aria-selected", "true");
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("4 present");
        var second = page.Locator($"#attendance-list input[data-student-id='{students[1]}']");
        await Assertions.Expect(second).ToBeCheckedAsync();
        await page.Locator("#attendance-list .attendance-label", new PageLocatorOptions { HasText = "Student 02" }).ClickAsync();
        await Assertions.Expect(second).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#attendance-status")).ToHaveTextAsync("Saved.");
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("3 present");
        await Assertions.Expect(page.Locator("#class-summary")).ToContainTextAsync("3 here today, 1 absent");
        await browser.ScreenshotAsync("class-attendance");

        var attendance = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK);
        Assert.Equal([students[1]], attendance.GetProperty("absent").EnumerateArray().Select(a => a.GetInt64()).ToArray());

        // The keyboard works too: Space on the focused switch marks the student present again.
        await second.FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(second).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#attendance-status")).ToHaveTextAsync("Saved.");
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("4 present");
        attendance = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK);
        Assert.Empty(attendance.GetProperty("absent").EnumerateArray());

        // Absent again, and the picker's round leaves them out.
        await page.Locator("#attendance-list .attendance-label", new PageLocatorOptions { HasText = "Student 02" }).ClickAsync();
        await Assertions.Expect(page.Locator("#attendance-status")).ToHaveTextAsync("Saved.");
        await page.ClickAsync("#picker-link");
        await Assertions.Expect(page.Locator("#round-text")).ToHaveTextAsync("Round 1 · 3 of 3 left");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Past_days_attendance_is_opened_changed_and_downloaded_over_a_range()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        var today = (await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK)).Str("date");
        var day = DateOnly.ParseExact(today, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        string Day(int offset) => day.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { students[1] }, date = Day(-1) })).Status(HttpStatusCode.OK);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}#attendance");
        await Assertions.Expect(page.Locator("#attendance-day")).ToContainTextAsync("Today");
        await Assertions.Expect(page.Locator("#attendance-date")).ToHaveValueAsync(today);
        await Assertions.Expect(page.Locator("#attendance-next")).ToBeDisabledAsync();
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("3 present");

        // Yesterday: Student 02 was away; mark Student 03 too, for the record only.
        await page.ClickAsync("#attendance-prev");
        await Assertions.Expect(page.Locator("#attendance-date")).ToHaveValueAsync(Day(-1));
        await Assertions.Expect(page.Locator("#attendance-day")).Not.ToContainTextAsync("Today");
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("2 present");
        await Assertions.Expect(page.Locator($"#attendance-list input[data-student-id='{students[1]}']")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#attendance-hint")).ToContainTextAsync("A past day");
        await page.Locator("#attendance-list .attendance-label", new PageLocatorOptions { HasText = "Student 03" }).ClickAsync();
        await Assertions.Expect(page.Locator("#attendance-status")).ToHaveTextAsync("Saved.");
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("1 present");
        await Assertions.Expect(page.Locator("#class-summary")).ToContainTextAsync("everyone here today");
        await browser.ScreenshotAsync("class-attendance-past-day");
        var yesterday = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance?date={Day(-1)}")).Json(HttpStatusCode.OK);
        Assert.Equal([students[1], students[2]], yesterday.GetProperty("absent").EnumerateArray().Select(a => a.GetInt64()).Order());
        Assert.Empty((await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK)).GetProperty("absent").EnumerateArray());

        // Any day from the date picker, and back to today.
        await page.FillAsync("#attendance-date", Day(-10));
        await Assertions.Expect(page.Locator("#attendance-counts")).ToContainTextAsync("3 present");
        await Assertions.Expect(page.Locator("#attendance-next")).ToBeEnabledAsync();
        await page.ClickAsync("#attendance-today");
        await Assertions.Expect(page.Locator("#attendance-day")).ToContainTextAsync("Today");
        await Assertions.Expect(page.Locator("#attendance-today")).ToBeHiddenAsync();

        // The download: the last week by default, as CSV or Excel.
        await Assertions.Expect(page.Locator("#attendance-from")).ToHaveValueAsync(Day(-6));
        await Assertions.Expect(page.Locator("#attendance-to")).ToHaveValueAsync(today);
        var csvLink = page.Locator("#attendance-export-csv");
        Assert.Equal($"/api/classes/{classId}/attendance/export?from={Day(-6)}&to={today}&format=csv", await csvLink.GetAttributeAsync("href"));
        var download = await page.RunAndWaitForDownloadAsync(() => csvLink.ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        var lines = (await File.ReadAllTextAsync(await download.PathAsync())).TrimStart('\uFEFF').Split("\r\n");
        Assert.StartsWith($"Student,Preferred name,External id,Days absent,{Day(-6)},", lines[0], StringComparison.Ordinal);
        Assert.Equal($"Student 02,,,1,{string.Join(',', Enumerable.Range(-6, 7).Select(i => i == -1 ? "absent" : "present"))}", lines[2]);
        var xlsx = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#attendance-export-xlsx"));
        Assert.EndsWith(".xlsx", xlsx.SuggestedFilename, StringComparison.Ordinal);

        // A range the other way round is refused before asking the server.
        await page.FillAsync("#attendance-from", Day(1));
        await Assertions.Expect(page.Locator("#attendance-export-error")).ToHaveTextAsync("From must be on or before To.");
        Assert.Null(await csvLink.GetAttributeAsync("href"));
        await Assertions.Expect(page.Locator("#attendance-from")).ToHaveAttributeAsync("aria-invalid", "true");
        await browser.ScreenshotAsync("class-attendance-export-error");
        browser.AssertNoProblems();

        // On a phone the day switcher and the download fit.
        await using var phone = await SignedInPageAsync(teacher, phone: true);
        await phone.Page.GotoAsync($"/classes/{classId}#attendance");
        await phone.Page.ClickAsync("#attendance-prev");
        await Assertions.Expect(phone.Page.Locator("#attendance-counts")).ToContainTextAsync("1 present");
        await phone.ScreenshotAsync("class-attendance-past-day-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(phone.Page);
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task The_picker_wheel_lands_on_the_servers_pick_celebrates_and_is_remembered()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync("Wheel class");
        string[] names = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson", "Mary Jackson", "Dorothy Vaughan"];
        await teacher.AddStudentsAsync(classId, names);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;
        await page.SetViewportSizeAsync(1920, 1080); // a projector
        var wheel = page.Locator("#wheel");
        var name = page.Locator("#pick-name");

        await page.GotoAsync($"/classes/{classId}/picker");
        await Assertions.Expect(page.Locator("#pick")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#wheel-box")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("w");
        await Assertions.Expect(page.Locator("#wheel-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(wheel).ToBeVisibleAsync();
        await Assertions.Expect(wheel).ToHaveAttributeAsync("data-count", "6");

        // Three picks: each time the wheel stops on the student the server picked, and confetti follows.
        for (var i = 1; i <= 3; i++)
        {
            var response = await page.RunAndWaitForResponseAsync(
                () => page.Keyboard.PressAsync("Space"),
                r => r.Request.Method == "POST" && r.Url.EndsWith($"/api/classes/{classId}/picks", StringComparison.Ordinal));
            using var pick = JsonDocument.Parse(await response.TextAsync());
            var student = pick.RootElement.GetProperty("student");
            await Assertions.Expect(wheel).ToHaveAttributeAsync("data-landed-student", student.Long("id").ToString(CultureInfo.InvariantCulture));
            await Assertions.Expect(name).ToHaveTextAsync(student.Str("name"));
            await Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-celebrations", i.ToString(CultureInfo.InvariantCulture));
            // Fair mode: the wheel of a pick holds only those still to have a turn.
            await Assertions.Expect(wheel).ToHaveAttributeAsync("data-count", (7 - i).ToString(CultureInfo.InvariantCulture));
            if (i == 2)
            {
                await browser.ScreenshotAsync("picker-wheel-projector");
            }
        }

        var history = await HistoryAsync(teacher, classId);
        Assert.Equal(3, history.Select(p => p.GetProperty("student").Long("id")).Distinct().Count());

        // A laptop and a phone: the wheel shrinks with the screen and nothing scrolls sideways.
        await page.SetViewportSizeAsync(1280, 800);
        await browser.ScreenshotAsync("picker-wheel-desktop");
        await page.SetViewportSizeAsync(390, 844);
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        await browser.ScreenshotAsync("picker-wheel-phone");
        await page.SetViewportSizeAsync(1920, 1080);

        // The choice is remembered by the browser, both ways.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#wheel-toggle")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(wheel).ToHaveAttributeAsync("data-count", "3");
        await page.ClickAsync("#wheel-toggle");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#pick")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator("#wheel-toggle")).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(page.Locator("#wheel-box")).ToBeHiddenAsync();

        // Asked for less motion: the wheel turns straight to the pick, without confetti. The keys come while
        // the page is still loading (the round is held back until they are pressed): the pick is not lost,
        // it is made once the page is ready.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ReducedMotion = ReducedMotion.Reduce });
        var held = new TaskCompletionSource();
        await page.RouteAsync($"**/api/classes/{classId}/picks/round", async route =>
        {
            await held.Task;
            await route.ContinueAsync();
        });
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#pick")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("w");
        var still = await page.RunAndWaitForResponseAsync(
            async () =>
            {
                await page.Keyboard.PressAsync("Space");
                held.SetResult();
            },
            r => r.Request.Method == "POST" && r.Url.EndsWith($"/api/classes/{classId}/picks", StringComparison.Ordinal));
        using var stillPick = JsonDocument.Parse(await still.TextAsync());
        await Assertions.Expect(wheel).ToHaveAttributeAsync("data-landed-student", stillPick.RootElement.GetProperty("student").Long("id").ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(name).ToHaveTextAsync(stillPick.RootElement.GetProperty("student").Str("name"));
        Assert.Null(await page.Locator("body").GetAttributeAsync("data-celebrations"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_picker_goes_through_a_whole_round_with_the_keyboard_and_passes_undoes_and_reshuffles()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync("Projector class");
        await teacher.AddStudentsAsync(classId, ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson"]);
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "Samantha Lee", preferredName = "Sam", pronouns = "she/her" }))
            .Json(HttpStatusCode.Created);
        string[] shown = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Katherine Johnson", "Sam"];
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;
        var name = page.Locator("#pick-name");
        var round = page.Locator("#round-text");

        await page.GotoAsync($"/classes/{classId}/picker");
        await Assertions.Expect(round).ToHaveTextAsync("Round 1 · 5 of 5 left");
        await Assertions.Expect(page.Locator("#pick")).ToBeEnabledAsync();
        await Assertions.Expect(page.Locator(".legend")).ToContainTextAsync("pass");
        await browser.ScreenshotAsync("picker-ready");

        // Space, five times: everyone once.
        var seen = new List<string>();
        for (var left = 4; left >= 0; left--)
        {
            var before = await name.GetAttributeAsync("data-pick-id");
            await page.Keyboard.PressAsync("Space");
            await Assertions.Expect(round).ToHaveTextAsync(left == 0
                ? "Round 1 · everyone has had a turn"
                : $"Round 1 · {left} of 5 left");
            await Assertions.Expect(name).Not.ToHaveAttributeAsync("data-pick-id", before ?? "none");
            var text = await name.TextContentAsync();
            Assert.Contains(text, shown);
            Assert.DoesNotContain(text, seen);
            seen.Add(text!);
            if (text == "Sam")
            {
                await Assertions.Expect(page.Locator("#pick-pronouns")).ToHaveTextAsync("she/her");
            }

            if (left == 0)
            {
                await Assertions.Expect(page.Locator("#round-note")).ToHaveTextAsync("The next pick starts round 2.");
            }

            if (left == 2)
            {
                await AssertNameIsHugeAndCenteredAsync(page);
                await page.WaitForTimeoutAsync(400); // the name's reveal and the progress bar settle
                await browser.ScreenshotAsync("picker-desktop");
            }
        }

        var history = await HistoryAsync(teacher, classId);
        Assert.Equal(5, history.Count);
        Assert.Equal(5, history.Select(p => p.GetProperty("student").Long("id")).Distinct().Count());
        Assert.All(history, p => Assert.Equal(1, p.Int("round")));
        Assert.Equal(seen.AsEnumerable().Reverse(), history.Select(p => Shown(p.GetProperty("student"))));

        // Enter picks too, and starts round 2. P: a pass puts the student back in the round.
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 4 of 5 left");
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(page.Locator("#pick-status")).ToContainTextAsync("passed and goes back into the round");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");
        await Assertions.Expect(name).ToHaveClassAsync(new Regex("is-passed"));
        await page.WaitForTimeoutAsync(400); // the name's reveal and the progress bar settle
        await browser.ScreenshotAsync("picker-passed");
        history = await HistoryAsync(teacher, classId);
        Assert.Equal("passed", history[0].Str("outcome"));

        // U: undo the latest pick (it stays in the history, marked undone).
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 4 of 5 left");
        var undone = await name.TextContentAsync();
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(page.Locator("#pick-status")).ToHaveTextAsync($"Undone: {undone} is back in the round.");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");
        history = await HistoryAsync(teacher, classId);
        Assert.True(history[0].GetProperty("undone").GetBoolean());
        Assert.Equal(7, history.Count);

        // Pick, pass, then U: the pass is undone, not the pick (the student is called again and keeps the turn).
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 4 of 5 left");
        var called = await name.TextContentAsync();
        await page.Keyboard.PressAsync("p");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(page.Locator("#pick-status")).ToHaveTextAsync($"Undone: {called} is called again.");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 4 of 5 left");
        await Assertions.Expect(name).Not.ToHaveClassAsync(new Regex("is-passed|is-undone"));
        history = await HistoryAsync(teacher, classId);
        Assert.Equal((false, JsonValueKind.Null), (history[0].GetProperty("undone").GetBoolean(), history[0].GetProperty("outcome").ValueKind));
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");

        // R asks first; Cancel keeps the round.
        await page.Keyboard.PressAsync("r");
        var confirm = page.Locator("dialog.modal[open]");
        await Assertions.Expect(confirm).ToContainTextAsync("Start a new round?");
        await browser.ScreenshotAsync("picker-reshuffle-confirm");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");

        // R, confirmed: a new round now; U takes the reshuffle back; R again.
        await page.Keyboard.PressAsync("r");
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Reshuffle" }).ClickAsync();
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 5 of 5 left");
        await Assertions.Expect(page.Locator("#pick-status")).ToContainTextAsync("New round 3");
        await page.Keyboard.PressAsync("u");
        await Assertions.Expect(page.Locator("#pick-status")).ToHaveTextAsync("Reshuffle undone: back to round 2.");
        await Assertions.Expect(round).ToHaveTextAsync("Round 2 · 5 of 5 left");
        await page.Keyboard.PressAsync("r");
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Reshuffle" }).ClickAsync();
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 5 of 5 left");

        // A: absent after all; they leave today's round and attendance says so.
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 4 of 5 left");
        await page.Keyboard.PressAsync("a");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 4 of 4 left");
        history = await HistoryAsync(teacher, classId);
        Assert.Equal("absent", history[0].Str("outcome"));
        var attendance = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance")).Json(HttpStatusCode.OK);
        Assert.Equal(history[0].GetProperty("student").Long("id"), Assert.Single(attendance.GetProperty("absent").EnumerateArray()).GetInt64());

        // The buttons do the same as the keys; a clicked button does not keep the focus, so Space still picks.
        await page.ClickAsync("#pick");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 3 of 4 left");
        await page.ClickAsync("#pass");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 4 of 4 left");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 3 of 4 left");
        history = await HistoryAsync(teacher, classId);
        Assert.Null(history[0].GetProperty("outcome").GetString());
        Assert.Equal("passed", history[1].Str("outcome"));

        // Space on the focused Pick button picks once, not twice (the key and the button's own click).
        await page.FocusAsync("#pick");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 2 of 4 left");
        await page.WaitForTimeoutAsync(1000);
        Assert.Equal(history.Count + 1, (await HistoryAsync(teacher, classId)).Count);

        // Another mode: random picks do not use up the round.
        await page.ClickAsync("#mode label:has-text('Random')");
        await Assertions.Expect(page.Locator("#round-note")).ToContainTextAsync("Random: anyone can come up");
        var last = await name.GetAttributeAsync("data-pick-id");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(name).Not.ToHaveAttributeAsync("data-pick-id", last!);
        history = await HistoryAsync(teacher, classId);
        Assert.Equal(history[0].Long("id").ToString(CultureInfo.InvariantCulture), await name.GetAttributeAsync("data-pick-id"));
        Assert.Equal("random", history[0].Str("mode"));
        await Assertions.Expect(round).ToHaveTextAsync("Round 3 · 2 of 4 left");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Groups_are_made_shown_as_cards_and_impossible_rules_are_explained()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, _) = await teacher.ClassWithStudentsAsync(7);
        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 422");
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}");
        await page.ClickAsync("#tab-groups");
        await Assertions.Expect(page.Locator("#saved-empty")).ToBeVisibleAsync();
        await page.FillAsync("#groups-number", "3");
        await page.Locator("#rule-picker label", new PageLocatorOptions { HasText = "Student 01" }).ClickAsync();
        await page.Locator("#rule-picker label", new PageLocatorOptions { HasText = "Student 02" }).ClickAsync();
        await page.ClickAsync("#rule-together");
        await Assertions.Expect(page.Locator("#rule-list li")).ToHaveCountAsync(1);
        await page.ClickAsync("#groups-submit");

        var cards = page.Locator("#group-cards > .group-card");
        await Assertions.Expect(cards).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#result-meta")).ToHaveTextAsync("2 groups · 7 students");
        await Assertions.Expect(page.Locator("#saved-list > li")).ToHaveCountAsync(1);
        var together = cards.Filter(new LocatorFilterOptions { HasText = "Student 01" });
        await Assertions.Expect(together).ToContainTextAsync("Student 02");
        await browser.ScreenshotAsync("class-groups");

        var groupings = await (await teacher.Api.GetAsync($"/api/classes/{classId}/groups")).Json(HttpStatusCode.OK);
        var grouping = Assert.Single(groupings.EnumerateArray());
        Assert.Equal(3, grouping.GetProperty("request").Int("size"));
        Assert.Equal(2, grouping.GetProperty("groups").GetArrayLength());

        // By count, with three students kept apart in two groups: impossible, and the page says why.
        await page.CheckAsync("#groups-form input[value=count]");
        await Assertions.Expect(page.Locator("#groups-number-label")).ToHaveTextAsync("Number of groups");
        await page.FillAsync("#groups-number", "2");
        await page.Locator("#rule-list .link-button").ClickAsync();
        foreach (var student in new[] { "Student 03", "Student 04", "Student 05" })
        {
            await page.Locator("#rule-picker label", new PageLocatorOptions { HasText = student }).ClickAsync();
        }

        await page.ClickAsync("#rule-apart");
        await page.ClickAsync("#groups-submit");
        var banner = page.Locator("#groups-form [role=alert]");
        await Assertions.Expect(banner).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToContainTextAsync("These groups cannot be made");
        await Assertions.Expect(banner).ToContainTextAsync("3 students must be kept apart");
        await browser.ScreenshotAsync("class-groups-impossible");

        // Four groups works, and the new grouping joins the saved ones.
        await page.FillAsync("#groups-number", "4");
        await page.ClickAsync("#groups-submit");
        await Assertions.Expect(banner).ToBeHiddenAsync();
        await Assertions.Expect(cards).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#saved-list > li")).ToHaveCountAsync(2);
        foreach (var card in await cards.AllAsync())
        {
            var text = await card.TextContentAsync();
            Assert.True(new[] { "Student 03", "Student 04", "Student 05" }.Count(s => text!.Contains(s, StringComparison.Ordinal)) <= 1, text);
        }

        await page.Locator("#saved-list details").Last.Locator("summary").ClickAsync();
        await Assertions.Expect(page.Locator("#saved-list details").Last.Locator(".group-card")).ToHaveCountAsync(2);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_equity_tab_draws_calls_against_a_fair_share_and_gives_the_verdict()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var (classId, _) = await teacher.ClassWithStudentsAsync(6);
        for (var i = 0; i < 18; i++)
        {
            var pick = await teacher.Api.PickAsync(classId);
            if (i % 7 == 3)
            {
                await (await teacher.Api.PatchAsync($"/api/classes/{classId}/picks/{pick.Long("id")}", new { outcome = "passed" })).Json(HttpStatusCode.OK);
            }
        }

        var stats = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks/stats")).Json(HttpStatusCode.OK);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}");
        await page.ClickAsync("#tab-equity");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("#equity$"));
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");
        var canvas = page.Locator("#equity-chart");
        await Assertions.Expect(canvas).ToBeVisibleAsync();
        var drawn = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const canvas = document.getElementById('equity-chart');
              const chart = window.Chart && window.Chart.getChart(canvas);
              return { width: canvas.width, height: canvas.height, bars: chart ? chart.data.datasets[0].data.length : 0, labels: chart ? chart.data.labels : [] };
            }
            """);
        Assert.True(drawn.Int("width") > 300, drawn.ToString());
        Assert.True(drawn.Int("height") > 200, drawn.ToString());
        Assert.Equal(6, drawn.Int("bars"));
        Assert.Equal("Student 01", drawn.GetProperty("labels")[0].GetString());

        await Assertions.Expect(page.Locator("#verdict .verdict-detail")).ToHaveTextAsync(stats.Str("verdict"));
        await Assertions.Expect(page.Locator("#equity-totals")).ToHaveTextAsync($"{stats.Int("totalCalls")} calls · {stats.Int("totalPasses")} passes");
        await Assertions.Expect(page.Locator("#equity-body tr")).ToHaveCountAsync(6);
        var first = stats.GetProperty("students")[0];
        var row = page.Locator($"#equity-body tr[data-student-id='{first.GetProperty("student").Long("id")}'] td");
        await Assertions.Expect(row.Nth(0)).ToHaveTextAsync(first.Int("calls").ToString(CultureInfo.InvariantCulture));
        await Assertions.Expect(row.Nth(2)).ToHaveTextAsync(first.Int("passes").ToString(CultureInfo.InvariantCulture));
        await browser.ScreenshotAsync("class-equity");

        // In dark mode the chart takes the page's colours.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");
        await browser.ScreenshotAsync("class-equity-dark");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });

        // A class with no calls yet says so instead of drawing an empty chart.
        var empty = await teacher.CreateClassAsync("Quiet class");
        await teacher.AddStudentsAsync(empty, ["Ada", "Ben"]);
        await page.GotoAsync($"/classes/{empty}#equity");
        await Assertions.Expect(page.Locator("#chart-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#verdict")).ToContainTextAsync("Not enough calls to judge yet");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Names_full_of_markup_show_as_text_on_every_page()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await teacher.CreateClassAsync(ScriptName);
        var ids = await teacher.AddStudentsAsync(classId, [ScriptName, ImgName]);
        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/students/{ids[1]}", new { pronouns = "<b>they</b>" })).Json(HttpStatusCode.OK);
        await teacher.Api.PickAsync(classId);
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/groups", new { size = 1 })).Json(HttpStatusCode.Created);

        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 422");
        var page = browser.Page;
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };

        await page.GotoAsync("/classes");
        await Assertions.Expect(page.Locator("#class-list .class-name")).ToHaveTextAsync(ScriptName);

        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#class-name")).ToHaveTextAsync(ScriptName);
        await Assertions.Expect(page.Locator("#roster-body .student-name")).ToHaveTextAsync([ImgName, ScriptName]);
        await Assertions.Expect(page.Locator("#roster-body .pronouns-cell").First).ToHaveTextAsync("<b>they</b>");
        await page.FillAsync("#import-text", $"{ScriptName}{new string('!', 100)}");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(page.Locator("#import-report")).ToContainTextAsync(ScriptName);
        await browser.ScreenshotAsync("class-roster-markup");

        await page.ClickAsync("#tab-attendance");
        await Assertions.Expect(page.Locator("#attendance-list .attendance-name")).ToHaveTextAsync([ImgName, ScriptName]);
        await page.ClickAsync("#tab-groups");
        await Assertions.Expect(page.Locator("#rule-picker label")).ToHaveTextAsync([ImgName, ScriptName]);
        await page.Locator("#saved-list summary").ClickAsync();
        await Assertions.Expect(page.Locator("#saved-list .group-student")).ToHaveCountAsync(2);
        await page.CheckAsync("#groups-form input[value=count]");
        await page.FillAsync("#groups-number", "1");
        await page.Locator("#rule-picker label").Nth(0).ClickAsync();
        await page.Locator("#rule-picker label").Nth(1).ClickAsync();
        await page.ClickAsync("#rule-apart");
        await page.ClickAsync("#groups-submit");
        await Assertions.Expect(page.Locator("#groups-form [role=alert]")).ToContainTextAsync(ScriptName);
        await page.ClickAsync("#tab-equity");
        await Assertions.Expect(page.Locator("#equity-body th")).ToHaveTextAsync([ImgName, ScriptName]);
        await Assertions.Expect(page.Locator("#chart-box")).ToHaveAttributeAsync("data-ready", "true");

        await page.GotoAsync($"/classes/{classId}/picker");
        await Assertions.Expect(page.Locator("#class-name")).ToHaveTextAsync(ScriptName);
        await Assertions.Expect(page.Locator("#round-text")).ToHaveTextAsync("Round 1 · 1 of 2 left");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#pick-name")).ToHaveAttributeAsync("data-pick-id", new Regex(@"^\d+$"));
        await Assertions.Expect(page.Locator("#round-text")).ToContainTextAsync("everyone has had a turn");
        var picked = await page.Locator("#pick-name").TextContentAsync();
        Assert.Contains(picked, new[] { ScriptName, ImgName });
        await page.WaitForTimeoutAsync(400); // the name's reveal and the progress bar settle
        await browser.ScreenshotAsync("picker-markup");

        Assert.Equal(0, await page.Locator("main img, main script, main b").CountAsync());
        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#roster-body tr")).ToHaveCountAsync(2);
        Assert.Equal(0, await page.Locator("#page-content img, #page-content script:not([src]), #page-content b").CountAsync());
        Assert.Equal(0, dialogs);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Another_teachers_class_is_not_found_on_its_pages()
    {
        var owner = await Teacher.SignUpAsync(App);
        var classId = await owner.CreateClassAsync("Private class");
        var stranger = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(stranger);
        browser.ExpectProblem("status of 404");
        browser.ExpectProblem("ApiError: There is no class of yours with that id.");
        var page = browser.Page;

        await page.GotoAsync($"/classes/{classId}");
        await Assertions.Expect(page.Locator("#error-banner")).ToContainTextAsync("There is no class of yours with that id.");
        await Assertions.Expect(page.Locator("#page-content")).ToBeHiddenAsync();
        await page.GotoAsync($"/classes/{classId}/picker");
        await Assertions.Expect(page.Locator("#error-banner")).ToContainTextAsync("There is no class of yours with that id.");
        Assert.Equal(404, (await page.GotoAsync("/classes/not-a-number"))!.Status);
        browser.AssertNoProblems();
    }

    // ---- Helpers

    private static async Task<List<JsonElement>> HistoryAsync(Teacher teacher, long classId)
    {
        var page = await (await teacher.Api.GetAsync($"/api/classes/{classId}/picks?pageSize=200")).Json(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    private static string Shown(JsonElement student) =>
        student.TryGetProperty("preferredName", out var preferred) && preferred.ValueKind == JsonValueKind.String ? preferred.GetString()! : student.Str("name");

    /// <summary>On the 1280×800 projector view the name is at least 100px tall and centred on the screen.</summary>
    private static async Task AssertNameIsHugeAndCenteredAsync(IPage page)
    {
        var box = (await page.Locator("#pick-name").BoundingBoxAsync())!;
        var fontSize = await page.Locator("#pick-name").EvaluateAsync<double>("e => parseFloat(getComputedStyle(e).fontSize)");
        Assert.True(fontSize >= 100, $"The name is only {fontSize}px.");
        var viewport = page.ViewportSize!;
        Assert.InRange(box.X + (box.Width / 2), (viewport.Width / 2.0) - 20, (viewport.Width / 2.0) + 20);
        Assert.InRange(box.Y + (box.Height / 2), viewport.Height * 0.25, viewport.Height * 0.6);
        Assert.True(box.Y + box.Height < viewport.Height, "The name runs off the screen.");
        var scroll = await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight - document.documentElement.clientHeight");
        Assert.True(scroll <= 0, $"The projector view scrolls by {scroll}px at 1280×800.");
    }
}
