using System.Net;
using Homeroom.Tests.Images;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// A question's picture in real Chromium: attached in the quiz editor (preview, remove, attach again, save), then shown
/// large on the host's projector screen and small on a phone-sized player page during a live game.
/// </summary>
public sealed class QuestionImagePagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private static readonly object Quiz = new
    {
        title = "Landmarks",
        questions = new object[]
        {
            new { type = "single", text = "Which city is this?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Rome", correct = true }, new { text = "Oslo", correct = false }, new { text = "Lima", correct = false }, new { text = "Quito", correct = false } } },
        },
    };

    [Fact]
    public async Task A_picture_attached_in_the_editor_shows_on_the_host_screen_and_small_on_a_phone()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var photo = new FilePayload { Name = "colosseum.jpg", MimeType = "image/jpeg", Buffer = TestImages.JpegWithExif(1200, 800) };

        // The editor: Add picture uploads it and shows a preview; Remove takes it off; attached again, it is saved with the quiz.
        await using var editorBrowser = await SignedInPageAsync(teacher);
        var editor = editorBrowser.Page;
        await editor.GotoAsync($"/quizzes/{quizId}");
        var question = editor.Locator("#questions > li.question").First;
        await Assertions.Expect(question.Locator(".q-image-pick")).ToHaveTextAsync("Add picture");
        await question.Locator(".q-image input[type=file]").SetInputFilesAsync(photo);
        var preview = question.Locator("img.q-image-preview");
        await Assertions.Expect(preview).ToBeVisibleAsync();
        await Assertions.Expect(question.Locator(".q-image-status")).ToHaveTextAsync("Picture added (1200 × 800).");
        await AssertLoadedAsync(preview);
        await Assertions.Expect(editor.Locator("#save-status")).ToHaveTextAsync("Unsaved changes");
        await question.GetByRole(AriaRole.Button, new() { Name = "Remove picture" }).ClickAsync();
        await Assertions.Expect(preview).ToHaveCountAsync(0);
        await Assertions.Expect(question.Locator(".q-image-pick")).ToHaveTextAsync("Add picture");
        await question.Locator(".q-image input[type=file]").SetInputFilesAsync(photo);
        await Assertions.Expect(preview).ToBeVisibleAsync();
        await Assertions.Expect(question.Locator(".q-image-pick")).ToHaveTextAsync("Replace picture");
        await editorBrowser.ScreenshotAsync("image-editor");
        await editor.ClickAsync("#save");
        await Assertions.Expect(editor.Locator("#save-status")).ToHaveTextAsync("Saved.");
        var stored = await (await teacher.Api.GetAsync($"/api/quizzes/{quizId}")).Json(HttpStatusCode.OK);
        var imageId = stored.GetProperty("questions")[0].Long("imageId");
        await (await teacher.Api.GetAsync($"/api/images/{imageId}")).Status(HttpStatusCode.OK);

        // A live game of it: the host screen shows the picture large, the phone small, above its answers.
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 5 } })).Json(HttpStatusCode.Created);
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.SetViewportSizeAsync(1600, 900);
        await host.GotoAsync($"/games/{game.Long("id")}/host");
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(game.Str("pin"));
        await using var phoneBrowser = await Browser.NewPageAsync(phone: true);
        var phone = phoneBrowser.Page;
        await phone.GotoAsync($"/play?pin={game.Str("pin")}");
        await phone.GetByLabel("Nickname").FillAsync("Ann");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("You’re in!");
        await Assertions.Expect(host.Locator("#next")).ToBeEnabledAsync();

        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator(".q-text")).ToHaveTextAsync("Which city is this?");
        var big = host.Locator("#question-image");
        await AssertLoadedAsync(big);
        var bigBox = (await big.BoundingBoxAsync())!;
        Assert.True(bigBox.Width >= 500, $"The host screen's picture is only {bigBox.Width} px wide.");
        var small = phone.Locator("img.qimage");
        await AssertLoadedAsync(small);
        await BrowserPage.AssertNoHorizontalScrollAsync(phone);
        await hostBrowser.ScreenshotAsync("image-host-question");
        await phoneBrowser.ScreenshotAsync("image-player-question");

        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(phone.Locator("button.answer")).ToHaveCountAsync(4);
        await AssertLoadedAsync(phone.Locator("img.qimage.small"));
        var smallBox = (await phone.Locator("img.qimage.small").BoundingBoxAsync())!;
        var viewport = phone.ViewportSize!;
        Assert.True(smallBox.Height <= viewport.Height * 0.25, $"The phone's picture is {smallBox.Height} px tall on a {viewport.Height} px screen.");
        // The first answer button is on the screen without scrolling.
        var firstAnswer = (await phone.Locator("button.answer").First.BoundingBoxAsync())!;
        Assert.True(firstAnswer.Y + firstAnswer.Height <= viewport.Height, $"The first answer ends at {firstAnswer.Y + firstAnswer.Height} px, below the {viewport.Height} px screen.");
        await AssertLoadedAsync(host.Locator("#question-image"));
        await BrowserPage.AssertNoHorizontalScrollAsync(phone);
        await hostBrowser.ScreenshotAsync("image-host-answers");
        await phoneBrowser.ScreenshotAsync("image-player-answers");
        await phone.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(phone.Locator("h1")).ToHaveTextAsync("Correct");

        editorBrowser.AssertNoProblems();
        hostBrowser.AssertNoProblems();
        phoneBrowser.AssertNoProblems();
    }

    private static async Task AssertLoadedAsync(ILocator image)
    {
        await Assertions.Expect(image).ToBeVisibleAsync();
        await image.EvaluateAsync("img => img.decode()");
        await image.WaitForImageAsync("The picture did not load.");
    }
}
