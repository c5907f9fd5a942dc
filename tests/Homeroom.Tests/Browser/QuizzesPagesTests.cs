using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Homeroom.Tests.Quizzes;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>The quiz pages in a real browser: the library (/quizzes), the editor (/quizzes/new, /quizzes/{id}) and the dashboard's quiz sections.</summary>
public sealed partial class QuizzesPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private const string ImgTitle = "<img src=x onerror=alert(1)>";
    private const string ScriptText = "<script>alert(2)</script>";

    [Fact]
    public async Task The_editor_saves_one_question_of_every_type_exactly_as_entered()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/quizzes/new");
        await Assertions.Expect(page.Locator("#editor-title")).ToHaveTextAsync("New quiz");
        await Assertions.Expect(Question(page, 0)).ToBeVisibleAsync();
        await page.FillAsync("#quiz-title", "Fractions and friends");
        await page.FillAsync("#quiz-description", "Warm-up for Year 7");
        await page.FillAsync("#quiz-tags", "maths, fractions");
        await page.CheckAsync("#quiz-form input[name=visibility][value=public]");

        // 1. Single choice (the question a new quiz starts with).
        var single = Question(page, 0);
        await SetQuestionAsync(single, "What is 1/2 + 1/4?", 30, 1000);
        await FillChoicesAsync(single, [("3/4", true), ("2/6", false)]);

        // 2. Multiple select, with a third answer added.
        await AddQuestionAsync(page, "multiple select");
        var multi = Question(page, 1);
        await SetQuestionAsync(multi, "Which equal one half?", 20, 2000);
        await FillChoicesAsync(multi, [("2/4", true), ("3/6", true), ("2/3", false)]);

        // 3. True or false.
        await AddQuestionAsync(page, "true or false");
        var truth = Question(page, 2);
        await SetQuestionAsync(truth, "0.5 is the same as 1/2", 10, 1000);
        await truth.Locator("input[value=true]").CheckAsync();

        // 4. Type answer, with a second accepted answer.
        await AddQuestionAsync(page, "type answer");
        var typed = Question(page, 3);
        await SetQuestionAsync(typed, "Name the bottom of a fraction", 60, 1000);
        await typed.GetByRole(AriaRole.Button, new() { Name = "+ Add accepted answer" }).ClickAsync();
        await typed.Locator(".text-list input[type=text]").Nth(0).FillAsync("Denominator");
        await typed.Locator(".text-list input[type=text]").Nth(1).FillAsync("the denominator");

        // 5. Put in order: typed out of order, then put right with the move buttons.
        await AddQuestionAsync(page, "put in order");
        var order = Question(page, 4);
        await SetQuestionAsync(order, "Smallest to largest", 90, 0);
        await order.GetByRole(AriaRole.Button, new() { Name = "+ Add item" }).ClickAsync();
        await order.Locator(".text-list input[type=text]").Nth(0).FillAsync("1/4");
        await order.Locator(".text-list input[type=text]").Nth(1).FillAsync("1/8");
        await order.Locator(".text-list input[type=text]").Nth(2).FillAsync("1/2");
        await order.GetByRole(AriaRole.Button, new() { Name = "Move item 2 up" }).ClickAsync();
        await Assertions.Expect(order.Locator(".text-list input[type=text]").Nth(0)).ToHaveValueAsync("1/8");

        // 6. Poll: no right answers, no points by default.
        await AddQuestionAsync(page, "poll");
        var poll = Question(page, 5);
        await Assertions.Expect(poll.Locator("select[id$='-points']")).ToHaveValueAsync("0");
        await SetQuestionAsync(poll, "How confident are you?", 20, 0);
        await Assertions.Expect(poll.Locator(".correct-toggle")).ToHaveCountAsync(0);
        await FillChoicesAsync(poll, [("Very", false), ("A bit", false)]);

        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Unsaved changes");
        await Assertions.Expect(page.Locator("#question-count")).ToHaveTextAsync("6");
        await EditorScreenshotAsync(browser, "quiz-editor-desktop");
        await page.ClickAsync("#save");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/quizzes/\d+$"));
        await Assertions.Expect(page.Locator("#save-status")).ToContainTextAsync("Saved");
        await Assertions.Expect(page.Locator("#editor-title")).ToHaveTextAsync("Fractions and friends");
        var id = long.Parse(QuizId().Match(page.Url).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        // The API holds exactly what was typed: the same quiz as the API tests' sample.
        var stored = await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK);
        var expected = JsonSerializer.SerializeToElement(QuizzesTests.EveryType("Fractions and friends", "public"), ApiClient.Json);
        Assert.Equal("Fractions and friends", stored.Str("title"));
        Assert.Equal("Warm-up for Year 7", stored.Str("description"));
        Assert.Equal(["maths", "fractions"], stored.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("public", stored.Str("visibility"));
        Assert.Equal(Compact(expected.GetProperty("questions")), Compact(stored.GetProperty("questions")));

        // After a reload the editor shows what was saved, with nothing unsaved.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync("Fractions and friends");
        await Assertions.Expect(page.Locator("#quiz-tags")).ToHaveValueAsync("maths, fractions");
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(6);
        await Assertions.Expect(Question(page, 1).Locator("select.q-type-select")).ToHaveValueAsync("multi");
        await Assertions.Expect(Question(page, 1).Locator(".correct-toggle input").Nth(1)).ToBeCheckedAsync();
        await Assertions.Expect(Question(page, 2).Locator("input[value=true]")).ToBeCheckedAsync();
        await Assertions.Expect(Question(page, 4).Locator(".text-list input[type=text]").Nth(0)).ToHaveValueAsync("1/8");
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("All changes saved");

        // A second save (Ctrl+S this time) is a PUT with the new ETag; the version moves on.
        await page.FillAsync("#quiz-title", "Fractions and friends, take two");
        await page.Keyboard.PressAsync("Control+s");
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Saved.");
        var again = await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK);
        Assert.Equal("Fractions and friends, take two", again.Str("title"));
        Assert.Equal(2, again.Int("version"));
        Assert.Equal(Compact(expected.GetProperty("questions")), Compact(again.GetProperty("questions")));
        await EditorScreenshotAsync(browser, "quiz-editor-saved-desktop");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Validation_errors_appear_beside_their_inputs_and_nothing_is_saved()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 400");
        var page = browser.Page;

        await page.GotoAsync("/quizzes/new");
        // No title; a single-choice question with no right answer and an empty second answer.
        var first = Question(page, 0);
        await SetQuestionAsync(first, "Which is a prime number?", 20, 1000);
        await first.Locator(".answer-list input[type=text]").Nth(0).FillAsync("7");
        await AddQuestionAsync(page, "true or false");
        await SetQuestionAsync(Question(page, 1), "Two is prime.", 20, 1000);
        await page.ClickAsync("#save");

        var titleError = page.Locator("[data-field='title'] .field-error");
        await Assertions.Expect(titleError).ToHaveTextAsync("The title is required.");
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveAttributeAsync("aria-invalid", "true");
        var answersError = first.Locator("[data-field='questions[0].answers'] > .error-slot > .field-error");
        await Assertions.Expect(answersError).ToContainTextAsync("exactly one correct answer; this one has 0");
        var emptyAnswer = first.Locator("[data-field='questions[0].answers[1].text']");
        await Assertions.Expect(emptyAnswer.Locator(".field-error")).ToHaveTextAsync("The answer is required.");
        await Assertions.Expect(emptyAnswer.Locator("input")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(Question(page, 1).Locator("[data-field='questions[1].correct'] .field-error"))
            .ToHaveTextAsync("Choose whether the statement is true or false.");
        var summary = page.Locator("#summary");
        await Assertions.Expect(summary).ToBeVisibleAsync();
        await Assertions.Expect(summary).ToContainTextAsync("The quiz was not saved: 4 things need fixing.");
        await Assertions.Expect(summary.Locator("li").First).ToContainTextAsync("Title");
        await EditorScreenshotAsync(browser, "quiz-editor-errors-desktop");
        Assert.EndsWith("/quizzes/new", page.Url, StringComparison.Ordinal);
        Assert.Equal(0, (await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK)).Int("total"));

        // The summary's links go to the field; fixing a field clears its message.
        await summary.GetByRole(AriaRole.Button, new() { Name = "Question 1 · Answer 2" }).ClickAsync();
        await Assertions.Expect(emptyAnswer.Locator("input")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("9");
        await Assertions.Expect(emptyAnswer.Locator(".field-error")).ToHaveCountAsync(0);

        await page.FillAsync("#quiz-title", "Primes");
        await first.Locator(".correct-toggle input").Nth(0).CheckAsync();
        await Question(page, 1).Locator("input[value=true]").CheckAsync();
        await page.ClickAsync("#save");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/quizzes/\d+$"));
        await Assertions.Expect(summary).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator(".field-error")).ToHaveCountAsync(0);
        var list = await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK);
        Assert.Equal("Primes", Assert.Single(list.GetProperty("items").EnumerateArray()).Str("title"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Questions_are_reordered_with_the_keyboard_and_deleted_and_the_order_is_saved()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var id = await CreateQuizAsync(teacher, QuizzesTests.EveryType("Reorder me"));
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/quizzes/{id}");
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(6);

        // The true/false question (3rd) goes to the top: one click, then Enter on the button that keeps the focus.
        await Question(page, 2).GetByRole(AriaRole.Button, new() { Name = "Move question 3 up" }).ClickAsync();
        var moved = page.GetByRole(AriaRole.Button, new() { Name = "Move question 2 up" });
        await Assertions.Expect(moved).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Question(page, 0).Locator("select.q-type-select")).ToHaveValueAsync("truefalse");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Move question 1 down" })).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#move-status")).ToHaveTextAsync("Question moved to position 1 of 6.");

        // The single-choice question (now 2nd) goes down one, with Space.
        await page.GetByRole(AriaRole.Button, new() { Name = "Move question 2 down" }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(Question(page, 2).Locator("select.q-type-select")).ToHaveValueAsync("single");

        // The poll (last) is deleted after a confirmation; Cancel keeps it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete question 6" }).ClickAsync();
        var dialog = page.Locator("dialog.modal[open]");
        await Assertions.Expect(dialog).ToContainTextAsync("Delete question 6?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(6);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete question 6" }).ClickAsync();
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Delete question" }).ClickAsync();
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(5);
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Unsaved changes");

        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Saved.");
        var stored = await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK);
        Assert.Equal(
            ["truefalse", "multi", "single", "typeanswer", "order"],
            stored.GetProperty("questions").EnumerateArray().Select(q => q.Str("type")));
        Assert.Equal("0.5 is the same as 1/2", stored.GetProperty("questions")[0].Str("text"));
        Assert.Equal("3/4", stored.GetProperty("questions")[2].GetProperty("answers")[0].Str("text"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Saving_over_someone_elses_newer_save_shows_the_conflict_and_reloads()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var id = await CreateQuizAsync(teacher, QuizzesTests.EveryType("Version one"));
        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 412");
        var page = browser.Page;

        await page.GotoAsync($"/quizzes/{id}");
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync("Version one");

        // Meanwhile, in another tab (the API here), the quiz changes.
        await (await teacher.Api.PatchAsync($"/api/quizzes/{id}", new { title = "Changed elsewhere" })).Json(HttpStatusCode.OK);

        await page.FillAsync("#quiz-title", "My edit");
        await page.ClickAsync("#save");
        var conflict = page.Locator("#conflict");
        await Assertions.Expect(conflict).ToBeVisibleAsync();
        await Assertions.Expect(conflict).ToContainTextAsync("Someone else saved this quiz");
        await Assertions.Expect(page.Locator("#conflict-reload")).ToBeFocusedAsync();
        await EditorScreenshotAsync(browser, "quiz-editor-conflict-desktop");
        Assert.Equal("Changed elsewhere", (await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK)).Str("title"));

        await page.ClickAsync("#conflict-reload");
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync("Changed elsewhere");
        await Assertions.Expect(conflict).ToBeHiddenAsync();
        await page.FillAsync("#quiz-title", "My edit, again");
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Saved.");
        Assert.Equal("My edit, again", (await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK)).Str("title"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Leaving_with_unsaved_changes_asks_first()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var id = await CreateQuizAsync(teacher, QuizzesTests.EveryType("Careful"));
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync($"/quizzes/{id}");
        await Question(page, 0).Locator("textarea").FillAsync("A changed question");
        var asked = new TaskCompletionSource<string>();
        page.Dialog += (_, dialog) =>
        {
            asked.TrySetResult(dialog.Type);
            _ = dialog.DismissAsync();
        };
        await page.ClickAsync(".breadcrumb a[href='/quizzes']");
        Assert.Equal("beforeunload", await asked.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.EndsWith($"/quizzes/{id}", page.Url, StringComparison.Ordinal);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_gift_file_is_imported_and_its_skipped_questions_are_listed_by_line_and_a_broken_file_names_its_line()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 422");
        var page = browser.Page;

        await page.GotoAsync("/quizzes");
        await Assertions.Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        await page.ClickAsync("#import-toggle");
        await Assertions.Expect(page.Locator("#import-panel")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#import-toggle")).ToHaveAttributeAsync("aria-expanded", "true");
        await Assertions.Expect(page.Locator("#import-format")).ToHaveValueAsync("");
        await page.Locator("#import-file").SetInputFilesAsync(Fixture("every-construct.gift"));
        await Assertions.Expect(page.Locator("#import-file-name")).ToContainTextAsync("every-construct.gift");
        await page.ClickAsync("#import-submit");

        var report = page.Locator("#import-report");
        await Assertions.Expect(report.Locator(".report-title")).ToContainTextAsync("Imported every-construct with");
        await Assertions.Expect(report).ToContainTextAsync("Read as Moodle GIFT.");
        await Assertions.Expect(report).ToContainTextAsync("questions were skipped:");
        var skipped = report.Locator(".report-skipped li");
        Assert.True(await skipped.CountAsync() >= 5);
        // Each skipped question names its line in the file and why.
        var gift = Encoding.UTF8.GetString(File.ReadAllBytes(FixturePath("every-construct.gift"))).Split('\n');
        var matchingLine = Array.FindIndex(gift, l => l.StartsWith("::Q4::", StringComparison.Ordinal)) + 1;
        await Assertions.Expect(report.Locator($".report-skipped li[data-line='{matchingLine}']")).ToContainTextAsync($"Line {matchingLine}");
        await Assertions.Expect(report.Locator($".report-skipped li[data-line='{matchingLine}']")).ToContainTextAsync("atching");
        await Assertions.Expect(report.Locator(".report-notes li").First).ToContainTextAsync("Line ");
        await browser.ScreenshotAsync("quizzes-import-report-desktop");

        var quizzes = await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK);
        var imported = Assert.Single(quizzes.GetProperty("items").EnumerateArray());
        await Assertions.Expect(report.Locator("a.report-quiz")).ToHaveAttributeAsync("href", $"/quizzes/{imported.Long("id")}");
        await Assertions.Expect(report.Locator(".report-title")).ToContainTextAsync($"with {imported.Int("questionCount")} questions.");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);

        // A broken file: the 422's detail names the line, and nothing is created.
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload
        {
            Name = "broken.aiken.txt",
            MimeType = "text/plain",
            Buffer = Encoding.UTF8.GetBytes("What is 2+2?\nA. 3\nB. 4\nANSWER: Z\n"),
        });
        await page.SelectOptionAsync("#import-format", "aiken");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(report).ToHaveClassAsync(new Regex("import-report-error"));
        await Assertions.Expect(report.Locator(".report-title")).ToHaveTextAsync("Nothing was imported.");
        await Assertions.Expect(report.Locator(".report-detail")).ToContainTextAsync("Line 4:");
        await browser.ScreenshotAsync("quizzes-import-broken-desktop");
        Assert.Equal(1, (await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK)).Int("total"));

        // Dropping a file on the box works like choosing it.
        await page.SelectOptionAsync("#import-format", "");
        var aiken = Convert.ToBase64String(File.ReadAllBytes(FixturePath("both-styles.aiken.txt")));
        await page.EvaluateAsync(
            """
            (base64) => {
              const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes], 'Planets.txt', { type: 'text/plain' }));
              const zone = document.getElementById('dropzone');
              zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
              zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """,
            aiken);
        await Assertions.Expect(page.Locator("#import-file-name")).ToContainTextAsync("Planets.txt");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(report.Locator(".report-title")).ToContainTextAsync("Imported Planets with 4 questions.");
        await Assertions.Expect(report).ToContainTextAsync("Read as Moodle Aiken.");
        await Assertions.Expect(report.Locator(".report-skipped li").First).ToContainTextAsync("Line ");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(2);

        // Pasted text, named by the teacher: no file needed.
        await page.FillAsync("#import-text", "Largest planet?\nA. Mars\nB. Jupiter\nANSWER: B\n");
        await page.FillAsync("#import-name", "Pasted planets");
        await browser.ScreenshotAsync("quizzes-import-paste-desktop");
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(report.Locator(".report-title")).ToContainTextAsync("Imported Pasted planets with 1 question.");
        await Assertions.Expect(report).ToContainTextAsync("Read as Moodle Aiken.");
        await Assertions.Expect(page.Locator("#import-text")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#import-name")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(3);

        // Nothing chosen and nothing pasted: the form says what to do.
        await page.ClickAsync("#import-submit");
        await Assertions.Expect(page.Locator("#import-form")).ToContainTextAsync("paste the text below");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_library_copies_exports_deletes_and_pages()
    {
        var teacher = await Teacher.SignUpAsync(App);
        for (var i = 1; i <= 12; i++)
        {
            await CreateQuizAsync(teacher, new { title = $"Filler {i:00}", questions = new[] { new { type = "truefalse", text = "True?", correct = true } } });
        }

        var id = await CreateQuizAsync(teacher, QuizzesTests.EveryType("Fractions and friends"));
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/quizzes");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(12);
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("13 quizzes");
        var card = page.Locator($".quiz-card[data-quiz-id='{id}']");
        await Assertions.Expect(card.Locator(".quiz-count")).ToHaveTextAsync("6 questions");
        await Assertions.Expect(card.Locator(".tag")).ToHaveTextAsync(["maths", "fractions"]);
        await browser.ScreenshotAsync("quizzes-library-desktop");

        // Export: a menu of formats, each a download.
        await card.Locator("details.menu summary").ClickAsync();
        await Assertions.Expect(card.Locator(".menu-item")).ToHaveCountAsync(5);
        await browser.ScreenshotAsync("quizzes-export-menu-desktop");
        Assert.Equal($"/api/quizzes/{id}/export?format=xlsx", await card.Locator(".menu-item[data-format=xlsx]").GetAttributeAsync("href"));
        // Aiken cannot hold 4 of the 6 questions: the menu says which and why before any download; Cancel downloads nothing.
        await card.Locator(".menu-item[data-format=aiken]").ClickAsync();
        var leftOut = page.Locator("dialog.modal[open]");
        await Assertions.Expect(leftOut.Locator("h2")).ToHaveTextAsync("Moodle Aiken: 4 of 6 questions left out");
        await Assertions.Expect(leftOut.Locator(".modal-list li")).ToHaveCountAsync(5);
        await Assertions.Expect(leftOut).ToContainTextAsync("the file has 2 of 6");
        await browser.ScreenshotAsync("quizzes-export-left-out");
        await leftOut.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(leftOut).ToHaveCountAsync(0);

        // GIFT leaves out the order question and the poll; Download anyway downloads.
        await card.Locator("details.menu summary").ClickAsync();
        await card.Locator(".menu-item[data-format=gift]").ClickAsync();
        await Assertions.Expect(page.Locator("dialog.modal[open] h2")).ToHaveTextAsync("Moodle GIFT: 2 of 6 questions left out");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Download anyway" }).ClickAsync());
        Assert.Equal("Fractions and friends.txt", download.SuggestedFilename);
        await Assertions.Expect(card.Locator("details.menu")).Not.ToHaveAttributeAsync("open", "");

        // JSON holds everything: straight to the download.
        await card.Locator("details.menu summary").ClickAsync();
        download = await page.RunAndWaitForDownloadAsync(() => card.Locator(".menu-item[data-format=json]").ClickAsync());
        Assert.Equal("Fractions and friends.json", download.SuggestedFilename);

        // Copy: a new quiz of mine, listed first.
        await card.GetByRole(AriaRole.Button, new() { Name = "Copy Fractions and friends to my library" }).ClickAsync();
        await Assertions.Expect(page.Locator("#list-status")).ToContainTextAsync("Copied to your library as “Copy of Fractions and friends”.");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-title").First).ToHaveTextAsync("Copy of Fractions and friends");
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("14 quizzes");

        // Paging.
        await Assertions.Expect(page.Locator("#pager")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#page-text")).ToHaveTextAsync("Page 1 of 2");
        await page.ClickAsync("#page-next");
        await Assertions.Expect(page.Locator("#page-text")).ToHaveTextAsync("Page 2 of 2");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(2);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/quizzes\?page=2$"));

        // Delete asks first; Cancel keeps the quiz.
        var filler = page.Locator(".quiz-card", new() { HasText = "Filler 01" });
        await filler.GetByRole(AriaRole.Button, new() { Name = "Delete Filler 01" }).ClickAsync();
        var dialog = page.Locator("dialog.modal[open]");
        await Assertions.Expect(dialog).ToContainTextAsync("Delete “Filler 01”?");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(filler).ToBeVisibleAsync();
        await filler.GetByRole(AriaRole.Button, new() { Name = "Delete Filler 01" }).ClickAsync();
        await page.Locator("dialog.modal[open]").GetByRole(AriaRole.Button, new() { Name = "Delete quiz" }).ClickAsync();
        await Assertions.Expect(page.Locator("#list-status")).ToContainTextAsync("“Filler 01” was deleted.");
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("13 quizzes");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);
        Assert.Equal(13, (await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK)).Int("total"));

        // In dark mode the page takes the dark colours.
        await page.ClickAsync("#page-prev");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(12);
        await browser.ScreenshotAsync("quizzes-library-dark");

        // Edit opens the editor.
        await page.Locator($".quiz-card[data-quiz-id='{id}']").GetByRole(AriaRole.Link, new() { Name = "Edit Fractions and friends" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/quizzes/{id}$"));
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync("Fractions and friends");
        await EditorScreenshotAsync(browser, "quiz-editor-dark");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_public_quiz_starred_in_the_catalogue_is_in_the_other_teachers_favourites_and_dashboard()
    {
        var author = await Teacher.SignUpAsync(App);
        var reader = await Teacher.SignUpAsync(App);
        var tag = "fav" + Guid.NewGuid().ToString("N")[..8];
        var id = await CreateQuizAsync(author, QuizzesTests.EveryType($"Shared fractions {tag}", "public"));
        await CreateQuizAsync(reader, QuizzesTests.EveryType($"My own quiz {tag}"));
        await using var browser = await SignedInPageAsync(reader);
        var page = browser.Page;

        await page.GotoAsync("/quizzes");
        await page.ClickAsync("#tab-public");
        await Assertions.Expect(page.Locator("#tab-public")).ToHaveAttributeAsync("aria-selected", "true");
        await page.FillAsync("#search", tag);
        // The search runs once typing pauses: wait for its answer before touching the cards.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"q={tag}"));
        await Assertions.Expect(page.Locator("#quiz-list")).Not.ToHaveAttributeAsync("aria-busy", "true");
        var card = page.Locator($".quiz-card[data-quiz-id='{id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);
        await Assertions.Expect(card.Locator(".quiz-meta")).ToContainTextAsync("By @" + author.Username);
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Delete Shared fractions {tag}" })).ToHaveCountAsync(0);
        var star = card.Locator("button.star");
        await Assertions.Expect(star).ToHaveAttributeAsync("aria-pressed", "false");
        await star.ClickAsync();
        await Assertions.Expect(star).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.Locator("#list-status")).ToContainTextAsync("Added “Shared fractions");
        await browser.ScreenshotAsync("quizzes-catalogue-desktop");

        await page.ClickAsync("#tab-favorites");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"tab=favorites"));
        await Assertions.Expect(page.Locator("#quiz-list")).Not.ToHaveAttributeAsync("aria-busy", "true");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($".quiz-card[data-quiz-id='{id}'] button.star")).ToHaveAttributeAsync("aria-pressed", "true");
        var favourites = await (await reader.Api.GetAsync("/api/quizzes?favorites=true")).Json(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(favourites.GetProperty("items").EnumerateArray()).Long("id"));

        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#greeting")).ToContainTextAsync("Hello");
        await Assertions.Expect(page.Locator($"#favourite-quizzes [data-quiz-id='{id}']")).ToContainTextAsync($"Shared fractions {tag}");
        await Assertions.Expect(page.Locator("#my-quizzes li")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#my-quizzes")).ToContainTextAsync($"My own quiz {tag}");
        await Assertions.Expect(page.Locator("#features .feature-card", new() { HasText = "Quizzes" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".site-nav a[href='/quizzes']")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("dashboard-quizzes-desktop");

        // The other teacher's quiz opens read only, and can be copied into my library.
        await page.ClickAsync($"#favourite-quizzes [data-quiz-id='{id}'] a");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/quizzes/{id}$"));
        await Assertions.Expect(page.Locator("#quiz-view")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#quiz-form")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#view-title")).ToHaveTextAsync($"Shared fractions {tag}");
        await Assertions.Expect(page.Locator("#view-questions > li")).ToHaveCountAsync(6);
        await Assertions.Expect(page.Locator("#view-questions > li").Nth(0).Locator(".is-correct")).ToContainTextAsync("3/4");
        var viewStar = page.Locator("#view-tools button.star");
        await Assertions.Expect(viewStar).ToHaveAttributeAsync("aria-pressed", "true");
        await browser.ScreenshotAsync("quiz-view-desktop");
        await viewStar.ClickAsync();
        await Assertions.Expect(viewStar).ToHaveAttributeAsync("aria-pressed", "false");
        Assert.Equal(0, (await (await reader.Api.GetAsync("/api/quizzes?favorites=true")).Json(HttpStatusCode.OK)).Int("total"));
        await page.ClickAsync("#copy-quiz");
        // Polling the address: waiting for this script-made navigation's event now and then ran out at 60 s in CI.
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex($"/quizzes/{id}$"));
        await Assertions.Expect(page).ToHaveURLAsync(QuizId());
        await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync($"Copy of Shared fractions {tag}");
        await Assertions.Expect(page.Locator("#quiz-form input[name=visibility][value=private]")).ToBeCheckedAsync();
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Search_finds_a_quiz_by_a_word_in_one_of_its_questions()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var word = "zq" + Guid.NewGuid().ToString("N")[..8];
        var volcano = await CreateQuizAsync(teacher, new
        {
            title = "Geography",
            questions = new[] { new { type = "truefalse", text = $"Lava from a {word} is hot.", correct = true } },
        });
        await CreateQuizAsync(teacher, new { title = "History", questions = new[] { new { type = "truefalse", text = "Rome was built in a day.", correct = false } } });
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/quizzes");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(2);
        await page.Locator("#search").PressSequentiallyAsync(word[..6].ToUpperInvariant());
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($".quiz-card[data-quiz-id='{volcano}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#result-count")).ToHaveTextAsync("1 quiz found");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"q={word[..6].ToUpperInvariant()}"));

        await page.FillAsync("#search", "nothingmatchesthis");
        await Assertions.Expect(page.Locator("#list-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#list-empty-title")).ToHaveTextAsync("Nothing found");

        // A search in the address survives a reload.
        await page.GotoAsync($"/quizzes?q={word}");
        await Assertions.Expect(page.Locator("#search")).ToHaveValueAsync(word);
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(1);
        await page.FillAsync("#search", "");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(2);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Quiz_text_full_of_markup_shows_as_text_on_every_page()
    {
        var author = await Teacher.SignUpAsync(App);
        var reader = await Teacher.SignUpAsync(App);
        var quiz = new
        {
            title = ImgTitle,
            description = ScriptText,
            tags = new[] { "<b>bold</b>" },
            visibility = "public",
            questions = new object[]
            {
                new { type = "single", text = ScriptText, answers = new[] { new { text = ImgTitle, correct = true }, new { text = "<i>x</i>", correct = false } } },
                new { type = "typeanswer", text = "<u>u</u>", accepted = new[] { "<em>em</em>" } },
            },
        };
        var id = await CreateQuizAsync(author, quiz);
        await (await reader.Api.PutAsync($"/api/quizzes/{id}/favorite", null)).Status(HttpStatusCode.NoContent);

        foreach (var (teacher, mine) in new[] { (author, true), (reader, false) })
        {
            await using var browser = await SignedInPageAsync(teacher);
            var page = browser.Page;
            var dialogs = 0;
            page.Dialog += (_, dialog) =>
            {
                dialogs++;
                _ = dialog.DismissAsync();
            };

            await page.GotoAsync(mine ? "/quizzes" : "/quizzes?tab=favorites");
            await Assertions.Expect(page.Locator("#quiz-list .quiz-title")).ToHaveTextAsync(ImgTitle);
            await Assertions.Expect(page.Locator("#quiz-list .quiz-desc")).ToHaveTextAsync(ScriptText);
            await Assertions.Expect(page.Locator("#quiz-list .tag")).ToHaveTextAsync("<b>bold</b>");
            await page.Locator("#quiz-list details.menu summary").ClickAsync();

            await page.GotoAsync("/dashboard");
            await Assertions.Expect(page.Locator(mine ? "#my-quizzes .mini-title" : "#favourite-quizzes .mini-title")).ToHaveTextAsync(ImgTitle);

            await page.GotoAsync($"/quizzes/{id}");
            if (mine)
            {
                await Assertions.Expect(page.Locator("#editor-title")).ToHaveTextAsync(ImgTitle);
                await Assertions.Expect(page.Locator("#quiz-title")).ToHaveValueAsync(ImgTitle);
                await Assertions.Expect(Question(page, 0).Locator("textarea")).ToHaveValueAsync(ScriptText);
                await Assertions.Expect(Question(page, 0).Locator(".answer-list input[type=text]").First).ToHaveValueAsync(ImgTitle);
            }
            else
            {
                await Assertions.Expect(page.Locator("#view-title")).ToHaveTextAsync(ImgTitle);
                await Assertions.Expect(page.Locator("#view-description")).ToHaveTextAsync(ScriptText);
                await Assertions.Expect(page.Locator(".vq-text").First).ToContainTextAsync(ScriptText);
                await Assertions.Expect(page.Locator(".view-answer-text").First).ToHaveTextAsync(ImgTitle);
            }

            await Assertions.Expect(page.Locator("#crumb-name")).ToHaveTextAsync(ImgTitle);
            await page.WaitForTimeoutAsync(300);
            await EditorScreenshotAsync(browser, mine ? "quiz-markup-editor" : "quiz-markup-view");
            Assert.Equal(0, await page.Locator("main img, main script:not([src]), main b, main i, main u, main em").CountAsync());
            Assert.Equal(0, dialogs);
            browser.AssertNoProblems();
        }
    }

    [Fact]
    public async Task The_editor_and_the_library_work_on_a_phone()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var id = await CreateQuizAsync(teacher, QuizzesTests.EveryType("Fractions and friends: a long title that needs to wrap on a phone"));
        await CreateQuizAsync(teacher, new { title = "Volcanoes", tags = new[] { "science" }, questions = new[] { new { type = "truefalse", text = "Lava is hot.", correct = true } } });
        await using var browser = await SignedInPageAsync(teacher, phone: true);
        var page = browser.Page;

        await page.GotoAsync("/quizzes");
        await Assertions.Expect(page.Locator("#quiz-list .quiz-card")).ToHaveCountAsync(2);
        await browser.ScreenshotAsync("quizzes-library-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        await page.ClickAsync("#import-toggle");
        await Assertions.Expect(page.Locator("#import-panel")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("quizzes-import-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync($"/quizzes/{id}");
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(6);
        await EditorScreenshotAsync(browser, "quiz-editor-phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "quiz-editor-phone-top.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        // Usable with a thumb: every button at least 36px, the save bar always on screen, an edit saves.
        var small = await page.EvaluateAsync<string[]>(
            """
            () => [...document.querySelectorAll('#quiz-form button, #quiz-form select, #quiz-form input[type=text], #quiz-form textarea')]
              .filter((e) => e.offsetParent !== null)
              .filter((e) => { const r = e.getBoundingClientRect(); return r.height < 36 || r.width < 36; })
              .map((e) => `${e.tagName} ${e.id} ${e.getAttribute('aria-label') || e.textContent}`)
            """);
        Assert.Empty(small);
        var order = Question(page, 4);
        await order.ScrollIntoViewIfNeededAsync();
        await order.GetByRole(AriaRole.Button, new() { Name = "Move item 3 up" }).ClickAsync();
        var bar = await page.Locator(".save-bar").BoundingBoxAsync();
        Assert.NotNull(bar);
        Assert.True(bar.Y + bar.Height <= 844 + 1 && bar.Y > 844 - 200, $"The save bar is at {bar.Y}.");
        await page.WaitForTimeoutAsync(300);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "quiz-editor-phone-order.png") });
        await page.ClickAsync("#save");
        await Assertions.Expect(page.Locator("#save-status")).ToHaveTextAsync("Saved.");
        var stored = await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK);
        Assert.Equal(["1/8", "1/2", "1/4"], stored.GetProperty("questions")[4].GetProperty("items").EnumerateArray().Select(i => i.GetString()));

        await page.GotoAsync("/quizzes/new");
        await Assertions.Expect(Question(page, 0)).ToBeVisibleAsync();
        await EditorScreenshotAsync(browser, "quiz-new-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#my-quizzes li")).ToHaveCountAsync(2);
        await browser.ScreenshotAsync("dashboard-quizzes-phone");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Another_teachers_private_quiz_is_not_found_on_its_page()
    {
        var owner = await Teacher.SignUpAsync(App);
        var id = await CreateQuizAsync(owner, QuizzesTests.EveryType("Private quiz"));
        var stranger = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(stranger);
        browser.ExpectProblem("status of 404");
        browser.ExpectProblem("ApiError: There is no quiz of yours with that id.");
        var page = browser.Page;

        await page.GotoAsync($"/quizzes/{id}");
        await Assertions.Expect(page.Locator("#error-banner")).ToContainTextAsync("There is no quiz of yours with that id.");
        await Assertions.Expect(page.Locator("#page-content")).ToBeHiddenAsync();
        Assert.Equal(404, (await page.GotoAsync("/quizzes/not-a-number"))!.Status);
        browser.AssertNoProblems();
    }

    // ---- Helpers

    [GeneratedRegex(@"/quizzes/(\d+)$")]
    private static partial Regex QuizId();

    private static ILocator Question(IPage page, int index) => page.Locator("#questions > li.question").Nth(index);

    private static async Task AddQuestionAsync(IPage page, string type)
    {
        var before = await page.Locator("#questions > li.question").CountAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Add {type} question" }).ClickAsync();
        await Assertions.Expect(page.Locator("#questions > li.question")).ToHaveCountAsync(before + 1);
    }

    private static async Task SetQuestionAsync(ILocator question, string text, int timeLimit, int points)
    {
        await question.Locator("textarea").FillAsync(text);
        await question.Locator("select[id$='-time']").SelectOptionAsync(timeLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await question.Locator("select[id$='-points']").SelectOptionAsync(points.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Task FillChoicesAsync(ILocator question, (string Text, bool Correct)[] answers)
    {
        var inputs = question.Locator(".answer-list input[type=text]");
        while (await inputs.CountAsync() < answers.Length)
        {
            await question.GetByRole(AriaRole.Button, new() { Name = "+ Add answer" }).ClickAsync();
        }

        for (var i = 0; i < answers.Length; i++)
        {
            await inputs.Nth(i).FillAsync(answers[i].Text);
            if (answers[i].Correct)
            {
                await question.Locator(".answer-list .correct-toggle input").Nth(i).CheckAsync();
            }
        }
    }

    /// <summary>
    /// A full-page screenshot of the editor. The save bar sticks to the bottom of the window, which a
    /// full-page capture draws in the middle of the page, so it is put back in the flow first.
    /// </summary>
    private static async Task EditorScreenshotAsync(BrowserPage browser, string name)
    {
        await browser.Page.EvaluateAsync("() => document.querySelector('.save-bar')?.style.setProperty('position', 'static')");
        await browser.ScreenshotAsync(name);
        await browser.Page.EvaluateAsync("() => document.querySelector('.save-bar')?.style.removeProperty('position')");
    }

    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Quizzes", "Formats", "Fixtures", name);

    private static FilePayload Fixture(string name) => new()
    {
        Name = name,
        MimeType = "application/octet-stream",
        Buffer = File.ReadAllBytes(FixturePath(name)),
    };

    private static async Task<long> CreateQuizAsync(Teacher teacher, object quiz) =>
        (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
}
