using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// The live-game pages in real Chromium: the host's projector screen (/games/{id}/host, signed in) and
/// players' phones (/play, anonymous, each in its own browser context), playing whole games through the
/// real hub. The app's clock is the test's: a question's reading time only passes when the test moves the
/// clock (or the host presses Next), and a question closes as soon as every player has answered.
/// </summary>
public sealed partial class LiveGamePagesTests(BrowserFixture fixture, ITestOutputHelper output) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private const string Sneaky = "<script>Bob</script>";

    private static readonly object Quiz = new
    {
        title = "Capitals & co",
        questions = new object[]
        {
            new { type = "single", text = "Capital of Italy?", timeLimit = 20, points = 1000, answers = new[] { new { text = "Milan", correct = false }, new { text = "Rome", correct = true }, new { text = "Turin", correct = false }, new { text = "Naples", correct = false } } },
            new { type = "order", text = "North to south", timeLimit = 30, points = 1000, items = new[] { "Oslo", "Paris", "Rome" } },
            new { type = "typeanswer", text = "Capital of France?", timeLimit = 30, points = 1000, accepted = new[] { "Paris" } },
        },
    };

    [Fact]
    public async Task A_host_and_two_phones_play_a_whole_game_from_the_quiz_library_to_the_podium()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");

        // The way in: "Host live" on the quiz's card opens the options, Start hosting opens the host screen.
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.GotoAsync("/quizzes");
        await host.Locator($"[data-quiz-id='{quizId}'] [data-host-quiz]").ClickAsync();
        var dialog = host.Locator("dialog.host-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByLabel("Answer streak bonus")).ToBeCheckedAsync();
        await dialog.GetByLabel("Podium size").SelectOptionAsync("3");
        await ScreenshotAsync(hostBrowser, "live-host-options");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Start hosting" }).ClickAsync();
        await Assertions.Expect(host).ToHaveURLAsync(new Regex(@"/games/\d+/host$"));
        var gameId = long.Parse(GameId().Match(host.Url).Groups[1].Value, CultureInfo.InvariantCulture);
        var info = await (await teacher.Api.GetAsync($"/api/games/{gameId}")).Json(HttpStatusCode.OK);
        var pin = info.Str("pin");

        // The lobby: the PIN, the join address and its QR code.
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(pin);
        await Assertions.Expect(host.Locator("#join-url")).ToContainTextAsync($"/play?pin={pin}");
        await Assertions.Expect(host.Locator("#player-count")).ToHaveTextAsync("0 players");
        await Assertions.Expect(host.Locator("#next")).ToBeDisabledAsync();
        await host.Locator("#qr").WaitForImageAsync("The QR code did not load.");

        // Ann scans the code (the PIN comes with the address); Bob types the PIN and first picks a taken name.
        await using var annBrowser = await Browser.NewPageAsync(phone: true);
        var ann = annBrowser.Page;
        var weight = MeasureWeight(ann);
        await ann.GotoAsync($"/play?pin={pin}");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Choose a nickname");
        await Assertions.Expect(ann.Locator(".game-title")).ToHaveTextAsync("Capitals & co");
        await BrowserPage.AssertNoHorizontalScrollAsync(ann);
        await ScreenshotAsync(annBrowser, "live-player-nickname");
        await ann.GetByLabel("Nickname").FillAsync("Ann");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("You’re in!");
        await Assertions.Expect(ann.Locator(".nick")).ToHaveTextAsync("Ann");
        await ScreenshotAsync(annBrowser, "live-player-lobby");

        await using var bobBrowser = await Browser.NewPageAsync(phone: true);
        var bob = bobBrowser.Page;
        await bob.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await bob.GotoAsync("/play");
        await bob.GetByLabel("Game PIN").FillAsync(pin);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Enter" }).ClickAsync();
        await bob.GetByLabel("Nickname").FillAsync("ANN");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(bob.GetByRole(AriaRole.Alert)).ToHaveTextAsync("That nickname is taken in this game. Choose another.");
        await ScreenshotAsync(bobBrowser, "live-player-error-dark");
        await bob.GetByLabel("Nickname").FillAsync(Sneaky);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(bob.Locator(".nick")).ToHaveTextAsync(Sneaky);
        await Assertions.Expect(bob.GetByRole(AriaRole.Alert)).ToBeHiddenAsync();

        // The host sees both names, as text: the markup in Bob's is not run or drawn.
        await Assertions.Expect(host.Locator("#players .player-name")).ToHaveTextAsync(["Ann", Sneaky]);
        await Assertions.Expect(host.Locator("#player-count")).ToHaveTextAsync("2 players");
        Assert.Equal(0, await host.Locator("#players script").CountAsync());
        await Assertions.Expect(host.Locator("#next")).ToBeEnabledAsync();
        await ScreenshotAsync(hostBrowser, "live-host-lobby");

        // Question 1, single choice. The host starts; while the question is read, Next opens the answers.
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator(".q-text")).ToHaveTextAsync("Capital of Italy?");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Capital of Italy?");
        await Assertions.Expect(host.Locator("#next")).ToHaveTextAsync("Show answers");
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator(".tile-text")).ToHaveTextAsync(["Milan", "Rome", "Turin", "Naples"]);
        await Assertions.Expect(host.Locator("#answered")).ToHaveTextAsync("0");
        var buttons = ann.Locator("button.answer");
        await Assertions.Expect(buttons).ToHaveTextAsync(["▲Milan", "◆Rome", "●Turin", "■Naples"]);
        foreach (var box in await Task.WhenAll((await buttons.AllAsync()).Select(b => b.BoundingBoxAsync())))
        {
            // Big, full-width buttons on a 390 px phone: at least 4 rem (64 px) tall.
            Assert.True(box!.Height >= 64 && box.Width >= 340, $"An answer button is {box.Width}×{box.Height} px.");
        }

        await BrowserPage.AssertNoHorizontalScrollAsync(ann);
        await ScreenshotAsync(annBrowser, "live-player-answers");
        await ScreenshotAsync(bobBrowser, "live-player-answers-dark");
        await ScreenshotAsync(hostBrowser, "live-host-question");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Answer sent");
        await Assertions.Expect(host.Locator("#answered")).ToHaveTextAsync("1");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Milan" }).ClickAsync();

        // Everyone answered, so the question closes: the room's answers, the right one marked, and each verdict.
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("2 of 2 answered · 1 right");
        await Assertions.Expect(host.Locator(".column.is-right .tile-text")).ToHaveTextAsync("Rome");
        await Assertions.Expect(host.Locator(".bar-count")).ToHaveTextAsync(["1", "1", "0", "0"]);
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Correct");
        await Assertions.Expect(ann.Locator(".gain")).ToHaveTextAsync("+1,000");
        await Assertions.Expect(ann.Locator(".place")).ToHaveTextAsync("You’re in 1st place");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Incorrect");
        await Assertions.Expect(bob.Locator(".place")).ToHaveTextAsync("You’re in 2nd place");
        await BrowserPage.AssertNoHorizontalScrollAsync(ann);
        await ScreenshotAsync(annBrowser, "live-player-result");
        await ScreenshotAsync(bobBrowser, "live-player-result-wrong-dark");
        await ScreenshotAsync(hostBrowser, "live-host-results");

        // The host reloads: Host() takes the game back where it is, answers' texts and all.
        await host.ReloadAsync();
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("2 of 2 answered · 1 right");
        await Assertions.Expect(host.Locator(".column.is-right .tile-text")).ToHaveTextAsync("Rome");

        // The leaderboard, on the projector and on each phone (Space is Next on the host's keyboard).
        await host.Keyboard.PressAsync("Space");
        await Assertions.Expect(host.Locator("#board .board-name")).ToHaveTextAsync(["Ann", Sneaky]);
        await Assertions.Expect(host.Locator("#board .board-score")).ToHaveTextAsync(["1,000", "0"]);
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("2nd place");
        await ScreenshotAsync(hostBrowser, "live-host-leaderboard");

        // The player's page is small: its own HTML, CSS and JavaScript (the SignalR client aside), every
        // response from opening the address to a question's result, counted as transferred (headers and bodies).
        var bytes = await weight();
        output.WriteLine($"/play transferred {bytes:N0} bytes without the SignalR client.");
        await File.WriteAllTextAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, "play-page-weight.txt"), $"{bytes}\n");
        Assert.True(bytes < 100 * 1024, $"/play transferred {bytes:N0} bytes.");

        // Ann's phone reloads: it rejoins as Ann, with her score.
        await ann.ReloadAsync();
        await Assertions.Expect(ann.Locator("#bar-name")).ToHaveTextAsync("Ann");
        await Assertions.Expect(ann.Locator("#bar-score")).ToHaveTextAsync("1,000");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");

        // Question 2, put in order: the reading time passes on the server's clock.
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("North to south");
        App.Clock.Advance(TimeSpan.FromSeconds(4));
        await Assertions.Expect(ann.Locator("ol.order li")).ToHaveCountAsync(3);
        await Assertions.Expect(host.Locator(".tile-text")).ToHaveCountAsync(3);
        await PutInOrderAsync(ann, ["Oslo", "Paris", "Rome"]);
        await ScreenshotAsync(annBrowser, "live-player-order");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Answer sent");
        await bob.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("2 of 2 answered · 1 right");
        await Assertions.Expect(host.Locator(".tiles-order .tile-text")).ToHaveTextAsync(["1. Oslo", "2. Paris", "3. Rome"]);
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Correct");
        await Assertions.Expect(ann.Locator(".streak")).ToHaveTextAsync("Answer streak: 2");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Incorrect");
        await ScreenshotAsync(hostBrowser, "live-host-results-order");

        // Question 3, type answer: case does not matter.
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator("#next")).ToHaveTextAsync("Next question");
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator("#next")).ToHaveTextAsync("Show answers");
        await host.Keyboard.PressAsync("Enter");
        await ann.GetByLabel("Your answer").FillAsync("paris");
        await ScreenshotAsync(annBrowser, "live-player-type");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await bob.GetByLabel("Your answer").FillAsync("Paris");
        await bob.GetByLabel("Your answer").PressAsync("Enter");
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("2 of 2 answered · 2 right");
        await Assertions.Expect(host.Locator(".accepted li")).ToHaveTextAsync(["Paris"]);
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Correct");

        // The podium: Ann first, Bob second, on every screen.
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator("#next")).ToHaveTextAsync("Final results");
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(host.Locator("#podium .step-1 .step-name")).ToHaveTextAsync("Ann");
        await Assertions.Expect(host.Locator("#podium .step-2 .step-name")).ToHaveTextAsync(Sneaky);
        await Assertions.Expect(host.Locator("#next")).ToBeHiddenAsync();
        await Assertions.Expect(host.Locator("#end")).ToBeHiddenAsync();
        await Assertions.Expect(host.GetByRole(AriaRole.Link, new() { Name = "See the report" })).ToHaveAttributeAsync("href", $"/reports/games/{gameId}");

        // Two players: two steps, and the pair sits in the middle of the screen (no empty third place pushing it aside).
        await Assertions.Expect(host.Locator("#podium .step")).ToHaveCountAsync(2);
        var centre = await host.EvaluateAsync<double[]>(
            """
            () => {
              const boxes = [...document.querySelectorAll('#podium .step')].map(s => s.getBoundingClientRect());
              return [(Math.min(...boxes.map(b => b.left)) + Math.max(...boxes.map(b => b.right))) / 2, document.documentElement.clientWidth / 2];
            }
            """);
        Assert.True(Math.Abs(centre[0] - centre[1]) < 2, $"The podium's centre is at {centre[0]} px, the screen's at {centre[1]} px.");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");
        await Assertions.Expect(ann.Locator(".podium .who")).ToHaveTextAsync(["Ann", Sneaky]);
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("2nd place");
        await BrowserPage.AssertNoHorizontalScrollAsync(ann);
        await ScreenshotAsync(hostBrowser, "live-host-podium");
        await ScreenshotAsync(annBrowser, "live-player-podium");
        await ScreenshotAsync(bobBrowser, "live-player-podium-dark");
        Assert.Equal(0, await bob.Locator("script:not([src])").CountAsync());

        hostBrowser.AssertNoProblems();
        annBrowser.AssertNoProblems();
        bobBrowser.AssertNoProblems();

        // A whole game leaves the consoles quiet: every event the server sends has a handler on each page.
        Assert.Empty(annBrowser.Warnings);
        Assert.Empty(bobBrowser.Warnings);
        Assert.Empty(hostBrowser.Warnings);
    }

    [Fact]
    public async Task The_host_removes_a_player_and_closes_an_unstarted_game_and_the_phones_are_told()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0, nicknameGenerator = true } })).Json(HttpStatusCode.Created);
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.GotoAsync($"/games/{game.Long("id")}/host");
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(game.Str("pin"));

        // Generated names: nothing to type.
        await using var rudeBrowser = await Browser.NewPageAsync(phone: true);
        var rude = rudeBrowser.Page;
        await rude.GotoAsync($"/play?pin={game.Str("pin")}");
        await Assertions.Expect(rude.Locator("h1")).ToHaveTextAsync("Ready to play?");
        await rude.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        var nickname = await rude.Locator(".nick").TextContentAsync();
        Assert.Matches("^[A-Z][a-z]+ [A-Z][a-z]+$", nickname);
        await using var calmBrowser = await Browser.NewPageAsync(phone: true);
        var calm = calmBrowser.Page;
        await calm.GotoAsync($"/play?pin={game.Str("pin")}");
        await calm.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(host.Locator("#player-count")).ToHaveTextAsync("2 players");

        await host.GetByRole(AriaRole.Button, new() { Name = $"Remove {nickname}" }).ClickAsync();
        await host.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
        await Assertions.Expect(rude.Locator("h1")).ToHaveTextAsync("Removed from the game");
        await Assertions.Expect(host.Locator("#player-count")).ToHaveTextAsync("1 player");
        await Assertions.Expect(host.Locator("#players .player-name")).ToHaveCountAsync(1);
        await ScreenshotAsync(rudeBrowser, "live-player-kicked");

        // A reload after being removed does not sneak back in.
        await rude.ReloadAsync();
        await Assertions.Expect(rude.Locator("h1")).ToHaveTextAsync("Ready to play?");

        await host.GetByRole(AriaRole.Button, new() { Name = "End game" }).ClickAsync();
        await host.Locator("dialog").GetByRole(AriaRole.Button, new() { Name = "End game" }).ClickAsync();
        await Assertions.Expect(calm.Locator("h1")).ToHaveTextAsync("Game closed");
        await Assertions.Expect(host.Locator("h1")).ToHaveTextAsync("Game closed");
        await ScreenshotAsync(calmBrowser, "live-player-closed");

        hostBrowser.AssertNoProblems();
        calmBrowser.AssertNoProblems();
        rudeBrowser.AssertNoProblems();
    }

    [Fact]
    public async Task A_phone_whose_connection_drops_reconnects_by_itself_and_rejoins_with_its_score()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.GotoAsync($"/games/{game.Long("id")}/host");

        // The page's WebSockets are kept where the test can close them, as a dropped Wi-Fi connection would.
        await using var annBrowser = await Browser.NewPageAsync(phone: true);
        var ann = annBrowser.Page;
        await ann.AddInitScriptAsync(
            """
            window.__sockets = [];
            const Native = window.WebSocket;
            window.WebSocket = class extends Native {
              constructor(...args) { super(...args); window.__sockets.push(this); }
            };
            """);
        await ann.GotoAsync($"/play?pin={game.Str("pin")}");
        await ann.GetByLabel("Nickname").FillAsync("Ann");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(host.Locator("#players .player-name")).ToHaveTextAsync(["Ann"]);
        await host.Locator("#next").ClickAsync();
        await ann.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(ann.Locator(".gain")).ToHaveTextAsync("+1,000");
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");

        // The connection drops (a clean close, as when a phone's browser gives up on a socket): the client
        // reconnects on its own, and the new connection rejoins as Ann.
        await ann.EvaluateAsync("() => window.__sockets.forEach(socket => socket.close(1000))");
        await ann.WaitForFunctionAsync("() => window.__sockets.length >= 2 && window.__sockets.at(-1).readyState === WebSocket.OPEN");
        await Assertions.Expect(ann.Locator("#bar-score")).ToHaveTextAsync("1,000");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");

        // And plays on: only a rejoined connection may answer, and the answer adds to the same score and streak.
        await host.Locator("#next").ClickAsync();
        await PutInOrderAsync(ann, ["Oslo", "Paris", "Rome"]);
        await ann.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(ann.Locator(".streak")).ToHaveTextAsync("Answer streak: 2");
        await Assertions.Expect(ann.Locator("#bar-score")).ToHaveTextAsync("2,100");
        annBrowser.AssertNoProblems();
        hostBrowser.AssertNoProblems();
    }

    [Fact]
    public async Task A_phone_that_reloads_mid_question_can_still_answer_and_one_away_at_the_close_is_told_why_it_scored_nothing()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
        var pin = game.Str("pin");
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.GotoAsync($"/games/{game.Long("id")}/host");
        await using var annBrowser = await Browser.NewPageAsync(phone: true);
        var ann = annBrowser.Page;
        await using var bobBrowser = await Browser.NewPageAsync(phone: true);
        var bob = bobBrowser.Page;
        foreach (var (page, name) in new[] { (ann, "Ann"), (bob, "Bob") })
        {
            await page.GotoAsync($"/play?pin={pin}");
            await page.GetByLabel("Nickname").FillAsync(name);
            await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("You’re in!");
        }

        // Ann's phone reloads while Bob answers: the question waits for her, and she answers after the reload.
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(ann.Locator("button.answer")).ToHaveCountAsync(4);
        await ann.GotoAsync("about:blank");
        await WaitForConnectedAsync(game.Long("id"), 1);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Answer sent");
        await ann.GotoAsync($"/play?pin={pin}");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Correct");
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("2 of 2 answered · 2 right");

        // Next question: Ann's phone is off until the time limit closes it; back, she is told what happened.
        await host.Locator("#next").ClickAsync();
        await host.Locator("#next").ClickAsync();
        await Assertions.Expect(ann.Locator("ol.order li")).ToHaveCountAsync(3);
        await ann.GotoAsync("about:blank");
        await WaitForConnectedAsync(game.Long("id"), 1);
        await bob.GetByRole(AriaRole.Button, new() { Name = "Submit" }).ClickAsync();
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Answer sent");
        App.Clock.Advance(TimeSpan.FromSeconds(32));
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Incorrect");
        await ann.GotoAsync($"/play?pin={pin}");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("Missed while you were away");
        await Assertions.Expect(ann.Locator("main")).ToContainTextAsync("closed before you reconnected");
        await BrowserPage.AssertNoHorizontalScrollAsync(ann);
        await ScreenshotAsync(annBrowser, "live-player-missed-away");
        annBrowser.AssertNoProblems();
        bobBrowser.AssertNoProblems();
        hostBrowser.AssertNoProblems();
    }

    [Fact]
    public async Task In_a_class_game_a_student_picks_their_name_from_the_class_list()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = (await (await teacher.Api.PostAsync("/api/classes", new { name = "7B" })).Json(HttpStatusCode.Created)).Long("id");
        foreach (var name in new[] { "Ada Lovelace", "Alan Turing" })
        {
            await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name, preferredName = name.Split(' ')[0] })).Status(HttpStatusCode.Created);
        }

        // A long name (it must wrap between words on a phone, never inside one) and a student absent today.
        const string LongName = "Bartholomew Montgomery-Fitzwilliam Oppenheimer";
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = LongName })).Status(HttpStatusCode.Created);
        var grace = (await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "Grace Hopper" })).Json(HttpStatusCode.Created)).Long("id");
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = new[] { grace } })).Status(HttpStatusCode.OK);

        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");

        // The options dialog lists the teacher's classes; a class game has no generated names.
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.GotoAsync($"/quizzes/{quizId}");
        await host.GetByRole(AriaRole.Button, new() { Name = "Host live" }).ClickAsync();
        var dialog = host.Locator("dialog.host-dialog");
        await dialog.GetByLabel("Play with a class").SelectOptionAsync(new SelectOptionValue { Label = "7B (4 students)" });
        await Assertions.Expect(dialog.GetByLabel("Friendly nickname generator")).ToBeDisabledAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Start hosting" }).ClickAsync();
        await Assertions.Expect(host).ToHaveURLAsync(new Regex(@"/games/\d+/host$"));
        var pin = await host.Locator("#pin").TextContentAsync();

        await using var adaBrowser = await Browser.NewPageAsync(phone: true);
        var ada = adaBrowser.Page;
        await ada.GotoAsync($"/play?pin={pin}");
        await ada.SetViewportSizeAsync(360, 760);
        await Assertions.Expect(ada.Locator("h1")).ToHaveTextAsync("Who are you?");
        await Assertions.Expect(ada.Locator(".name-choice .name")).ToHaveTextAsync(["Ada", "Alan", LongName, "Grace Hopper"]);
        var absent = ada.Locator(".name-choice.is-unavailable");
        await Assertions.Expect(absent).ToHaveCountAsync(1);
        await Assertions.Expect(absent.Locator(".name")).ToHaveTextAsync("Grace Hopper");
        await Assertions.Expect(absent.Locator(".name-reason")).ToHaveTextAsync("marked absent today");
        await Assertions.Expect(absent.Locator("input")).ToBeDisabledAsync();
        Assert.Empty(await ada.EvaluateAsync<string[]>(BrokenMidWord));
        await BrowserPage.AssertNoHorizontalScrollAsync(ada);
        await ada.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(ada.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Choose your name first.");
        await ada.GetByLabel("Ada").CheckAsync();
        await ScreenshotAsync(adaBrowser, "live-player-roster");
        await ada.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(ada.Locator(".nick")).ToHaveTextAsync("Ada");
        await Assertions.Expect(host.Locator("#players .player-name")).ToHaveTextAsync(["Ada"]);

        // Grace arrives late: marked present, her name is offered again. The next phones see Ada's as taken.
        await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent = Array.Empty<long>() })).Status(HttpStatusCode.OK);
        var info = await (await teacher.Api.GetAsync($"/api/play/{pin}")).Json(HttpStatusCode.OK);
        Assert.Equal(["Alan", LongName, "Grace Hopper"], info.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
        var taken = Assert.Single(info.GetProperty("unavailable").EnumerateArray());
        Assert.Equal(("Ada", "joined"), (taken.Str("name"), taken.Str("reason")));

        await using var alanBrowser = await Browser.NewPageAsync(phone: true);
        await using var otherBrowser = await Browser.NewPageAsync(phone: true);
        foreach (var phone in new[] { alanBrowser.Page, otherBrowser.Page })
        {
            await phone.GotoAsync($"/play?pin={pin}");
            await Assertions.Expect(phone.Locator(".name-choice:not(.is-unavailable) .name")).ToHaveTextAsync(["Alan", LongName, "Grace Hopper"]);
            await Assertions.Expect(phone.Locator(".name-choice.is-unavailable .name-reason")).ToHaveTextAsync(["already joined"]);
        }

        await ScreenshotAsync(alanBrowser, "live-player-roster-taken");
        await alanBrowser.Page.GetByLabel("Alan").CheckAsync();
        await alanBrowser.Page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(alanBrowser.Page.Locator(".nick")).ToHaveTextAsync("Alan");

        // The other phone still offered Alan: choosing it says so, and the list is brought up to date.
        await otherBrowser.Page.GetByLabel("Alan").CheckAsync();
        await otherBrowser.Page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(otherBrowser.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Alan has already joined");
        await Assertions.Expect(otherBrowser.Page.Locator(".name-choice:not(.is-unavailable) .name")).ToHaveTextAsync([LongName, "Grace Hopper"]);
        hostBrowser.AssertNoProblems();
        adaBrowser.AssertNoProblems();
        alanBrowser.AssertNoProblems();
        otherBrowser.AssertNoProblems();
    }

    /// <summary>Script for a page: the class-list names whose text wraps to a new line inside a word.</summary>
    private const string BrokenMidWord = """
        () => [...document.querySelectorAll('.name-choice .name')].filter((e) => {
          const text = e.firstChild;
          const range = document.createRange();
          let top = null;
          for (let i = 0; i < text.length; i++) {
            range.setStart(text, i);
            range.setEnd(text, i + 1);
            const now = range.getBoundingClientRect().top;
            if (top !== null && now > top + 2 && !/[\s-]/.test(text.data[i - 1]) && !/\s/.test(text.data[i])) {
              return true;
            }
            top = now;
          }
          return false;
        }).map((e) => e.textContent)
        """;

    [Fact]
    public async Task A_wrong_pin_is_explained_and_the_host_screen_needs_a_sign_in()
    {
        await using var browser = await Browser.NewPageAsync(phone: true);
        browser.ExpectProblem("status of 404");
        var page = browser.Page;
        await page.GotoAsync("/play?pin=000000");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("no game with that PIN");
        await Assertions.Expect(page.GetByLabel("Game PIN")).ToHaveValueAsync("000000");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        await ScreenshotAsync(browser, "live-player-wrong-pin");
        browser.AssertNoProblems();

        await using var stranger = await Browser.NewPageAsync();
        await stranger.Page.GotoAsync("/games/1/host");
        await Assertions.Expect(stranger.Page).ToHaveURLAsync(new Regex(@"/login\?next=%2Fgames%2F1%2Fhost$"));
    }

    [Fact]
    public async Task The_host_screen_plays_lobby_music_a_countdown_the_reveal_and_a_fanfare_behind_a_remembered_switch_and_phones_stay_silent()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var quiz = new
        {
            title = "Sound check",
            questions = new object[]
            {
                new { type = "single", text = "Capital of Italy?", timeLimit = 5, points = 1000, answers = new[] { new { text = "Milan", correct = false }, new { text = "Rome", correct = true } } },
            },
        };
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);

        // Every page gets a spy: the AudioContexts made, the oscillators started, and each cue the page
        // announces with the oscillators started by then (so a cue that scheduled no notes shows).
        await using var hostBrowser = await SignedInPageAsync(teacher);
        var host = hostBrowser.Page;
        await host.SetViewportSizeAsync(1920, 1080); // a projector
        await host.AddInitScriptAsync(SoundSpy);
        var sound = host.Locator("#sound");
        var hint = host.Locator("#sound-hint");
        await host.GotoAsync($"/games/{game.Long("id")}/host");
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(game.Str("pin"));

        // Sound is on by default, but nothing plays (and no AudioContext is made) before the host's first gesture.
        await Assertions.Expect(sound).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(hint).ToBeVisibleAsync();
        await ScreenshotAsync(hostBrowser, "live-host-lobby-sound-projector");
        Assert.Equal((0, 0, ""), await SoundAsync(host));

        // M turns it off; the browser remembers, and then a click plays nothing.
        await host.Keyboard.PressAsync("m");
        await Assertions.Expect(sound).ToHaveAttributeAsync("aria-pressed", "false");
        await Assertions.Expect(hint).ToBeHiddenAsync();
        await host.ReloadAsync();
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(game.Str("pin"));
        await Assertions.Expect(sound).ToHaveAttributeAsync("aria-pressed", "false");
        await host.Locator("#pin").ClickAsync();
        Assert.Equal((0, 0, ""), await SoundAsync(host));
        await host.SetViewportSizeAsync(1280, 800); // a laptop
        await ScreenshotAsync(hostBrowser, "live-host-lobby-sound-off-desktop");
        await host.SetViewportSizeAsync(390, 844); // a phone, should a teacher host from one
        await BrowserPage.AssertNoHorizontalScrollAsync(host);
        await ScreenshotAsync(hostBrowser, "live-host-lobby-sound-off-phone");
        await host.SetViewportSizeAsync(1920, 1080);

        // Switched on with a click (a gesture, so sound may start): the lobby music plays at once.
        await sound.ClickAsync();
        await Assertions.Expect(sound).ToHaveAttributeAsync("aria-pressed", "true");
        await host.WaitForFunctionAsync("() => window.__sound.cues.some(c => c.cue === 'lobby')");
        var (contexts, oscillators, _) = await SoundAsync(host);
        Assert.Equal(1, contexts);
        Assert.True(oscillators > 0, "The lobby music started no notes.");
        await ScreenshotAsync(hostBrowser, "live-host-lobby-sound-on-projector");

        // Remembered on too; after the reload the music waits for a gesture again (the hint says so).
        await host.ReloadAsync();
        await Assertions.Expect(host.Locator("#pin")).ToHaveTextAsync(game.Str("pin"));
        await Assertions.Expect(sound).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(hint).ToBeVisibleAsync();
        Assert.Equal((0, 0, ""), await SoundAsync(host));

        // A phone joins; it gets the same spy, and it taps and plays along.
        await using var annBrowser = await Browser.NewPageAsync(phone: true);
        var ann = annBrowser.Page;
        await ann.AddInitScriptAsync(SoundSpy);
        await ann.GotoAsync($"/play?pin={game.Str("pin")}");
        await ann.GetByLabel("Nickname").FillAsync("Ann");
        await ann.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(host.Locator("#players .player-name")).ToHaveTextAsync(["Ann"]);

        // Space starts the game: the key press lets sound start, the lobby music ends with the lobby, and the
        // last five seconds of the question tick as the countdown shows them (Ann waits them out).
        await host.Keyboard.PressAsync("Space");
        await Assertions.Expect(host.Locator(".tile-text")).ToHaveTextAsync(["Milan", "Rome"]);
        await Assertions.Expect(hint).ToHaveCountAsync(0);
        await host.WaitForFunctionAsync("() => window.__sound.cues.some(c => c.cue === 'countdown' && c.seconds === 1)");
        await Assertions.Expect(host.Locator(".countdown")).ToHaveTextAsync("0");
        await ScreenshotAsync(hostBrowser, "live-host-countdown-projector");

        // Ann answers, which closes the question: the reveal. Then the leaderboard, and the podium's fanfare.
        await ann.GetByRole(AriaRole.Button, new() { Name = "Rome" }).ClickAsync();
        await Assertions.Expect(host.Locator("#summary")).ToHaveTextAsync("1 of 1 answered · 1 right");
        await host.WaitForFunctionAsync("() => window.__sound.cues.some(c => c.cue === 'reveal')");
        await host.Keyboard.PressAsync("Space");
        await Assertions.Expect(host.Locator("#next")).ToHaveTextAsync("Final results");
        await host.Keyboard.PressAsync("Space");
        await Assertions.Expect(host.Locator("#podium .step-1 .step-name")).ToHaveTextAsync("Ann");
        await host.WaitForFunctionAsync("() => window.__sound.cues.some(c => c.cue === 'fanfare')");
        await Assertions.Expect(ann.Locator("h1")).ToHaveTextAsync("1st place");

        // What the host screen played, in order, each cue with notes of its own; the leaderboard is silent.
        using var played = JsonDocument.Parse(await host.EvaluateAsync<string>("() => JSON.stringify(window.__sound.cues)"));
        var cues = played.RootElement.EnumerateArray().ToList();
        var names = cues.Select(c => c.Str("cue")).ToList();
        var ticks = cues.Where(c => c.Str("cue") == "countdown").Select(c => c.GetProperty("seconds").GetInt32()).ToList();
        Assert.Equal(["lobby", "lobby-end", .. Enumerable.Repeat("countdown", ticks.Count), "reveal", "fanfare"], names);
        // A page stalled for more than a second can skip a number on screen, and so its tick; never the last.
        Assert.True(ticks.Count >= 2 && ticks[0] <= 5 && ticks[^1] == 1 && ticks.SequenceEqual(ticks.OrderDescending().Distinct()), $"Countdown ticks: {string.Join(", ", ticks)}");
        for (var i = 1; i < cues.Count; i++)
        {
            if (names[i] != "lobby-end")
            {
                Assert.True(cues[i].Long("oscillators") > cues[i - 1].Long("oscillators"), $"The {names[i]} cue started no notes.");
            }
        }

        Assert.Equal(1, (await SoundAsync(host)).Contexts);

        // The phone made no sound at all, though it was tapped: no AudioContext, no oscillator, no cue.
        Assert.Equal((0, 0, ""), await SoundAsync(ann));

        hostBrowser.AssertNoProblems();
        annBrowser.AssertNoProblems();
        Assert.Empty(hostBrowser.Warnings);
        Assert.Empty(annBrowser.Warnings);
    }

    /// <summary>
    /// Counts the AudioContexts a page makes and the oscillators it starts, and records each 'homeroom:sound'
    /// cue the page announces with the number of oscillators started by then.
    /// </summary>
    private const string SoundSpy =
        """
        window.__sound = { contexts: 0, oscillators: 0, cues: [] };
        const NativeAudioContext = window.AudioContext;
        window.AudioContext = class extends NativeAudioContext {
          constructor(...args) { super(...args); window.__sound.contexts += 1; }
        };
        const nativeStart = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...args) {
          window.__sound.oscillators += 1;
          return nativeStart.apply(this, args);
        };
        document.addEventListener('homeroom:sound', (event) => {
          window.__sound.cues.push({ ...event.detail, oscillators: window.__sound.oscillators });
        });
        """;

    /// <summary>What a page's sound spy saw: AudioContexts made, oscillators started, and the cues' names.</summary>
    private static async Task<(int Contexts, int Oscillators, string Cues)> SoundAsync(IPage page)
    {
        var seen = await page.EvaluateAsync<int[]>("() => [window.__sound.contexts, window.__sound.oscillators]");
        var cues = await page.EvaluateAsync<string>("() => window.__sound.cues.map(c => c.cue).join(',')");
        return (seen[0], seen[1], cues);
    }

    /// <summary>Waits until the server has seen a phone go: its connected players are <paramref name="count"/>.</summary>
    private async Task WaitForConnectedAsync(long gameId, int count)
    {
        var game = App.Service<Homeroom.Games.GameRegistry>().Find(gameId)!;
        for (var i = 0; i < 200 && game.ConnectedPlayers != count; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(count, game.ConnectedPlayers);
    }

    /// <summary>Puts an ordering question's items in <paramref name="order"/> with the page's "Move … up" buttons.</summary>
    private static async Task PutInOrderAsync(IPage page, string[] order)
    {
        await Assertions.Expect(page.Locator("ol.order li")).ToHaveCountAsync(order.Length);
        for (var place = 0; place < order.Length; place++)
        {
            var items = (await page.Locator("ol.order li .label").AllTextContentsAsync()).ToList();
            for (var at = items.IndexOf(order[place]); at > place; at--)
            {
                await page.GetByRole(AriaRole.Button, new() { Name = $"Move {order[place]} up" }).ClickAsync();
            }
        }

        await Assertions.Expect(page.Locator("ol.order li .label")).ToHaveTextAsync(order);
    }

    /// <summary>Counts every response the page receives, except the vendored SignalR client, as transferred bytes.</summary>
    private static Func<Task<long>> MeasureWeight(IPage page)
    {
        var responses = new List<IResponse>();
        page.Response += (_, response) =>
        {
            lock (responses)
            {
                responses.Add(response);
            }
        };
        return async () =>
        {
            IResponse[] all;
            lock (responses)
            {
                all = [.. responses];
            }

            long total = 0;
            foreach (var response in all.Where(r => !r.Url.Contains("/lib/signalr/", StringComparison.Ordinal)))
            {
                var sizes = await response.Request.SizesAsync();
                total += sizes.ResponseBodySize + sizes.ResponseHeadersSize;
            }

            return total;
        };
    }

    /// <summary>A screenshot of the visible screen (what a projector or a phone shows), not the whole page.</summary>
    private static async Task ScreenshotAsync(BrowserPage browser, string name) =>
        await browser.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png") });

    [GeneratedRegex(@"/games/(\d+)/host")]
    private static partial Regex GameId();
}
