using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

public sealed class ShellTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_teacher_signs_up_signs_out_signs_in_and_sees_the_dashboard(bool phone)
    {
        await using var browser = await Browser.NewPageAsync(phone);
        var page = browser.Page;
        var username = Teacher.NewUsername();
        var suffix = phone ? "phone" : "desktop";

        await page.GotoAsync("/signup");
        await page.FillAsync("#signup-form [name=username]", username);
        await page.FillAsync("#signup-form [name=displayName]", "Ada Lovelace");
        await page.FillAsync("#signup-form [name=password]", Teacher.DefaultPassword);
        await browser.ScreenshotAsync("signup-" + suffix);
        await page.ClickAsync("#signup-form [type=submit]");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        await Assertions.Expect(page.Locator("#greeting")).ToContainTextAsync("Ada Lovelace");
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync(username);
        await browser.ScreenshotAsync("dashboard-" + suffix);

        if (phone)
        {
            // On a phone Sign out is in the menu.
            await Assertions.Expect(page.Locator("#sign-out")).ToBeHiddenAsync();
            await page.ClickAsync("#nav-toggle");
        }

        await page.ClickAsync("#sign-out");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("^(?!.*/dashboard)"));
        await page.GotoAsync("/dashboard");
        // The page's script sends it to /login once it learns nobody is signed in. Polling the address is
        // steady; WaitForURL on that script-made navigation now and then timed out on a busy machine.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/login"));

        await page.FillAsync("#login-form [name=username]", username);
        await page.FillAsync("#login-form [name=password]", Teacher.DefaultPassword);
        await page.ClickAsync("#login-form [type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        await Assertions.Expect(page.Locator("#greeting")).ToContainTextAsync("Ada Lovelace");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Every_pages_menu_shows_all_its_links_on_a_360_px_phone()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var classId = await Homeroom.Tests.Classes.ClassesApiClient.CreateClassAsync(teacher, "Phone class");
        await using var browser = await SignedInPageAsync(teacher, phone: true);
        var page = browser.Page;
        string[] links = ["Dashboard", "Classes", "Quizzes", "Assignments", "Reports", "Places", "Account"];
        string[] paths = ["/dashboard", "/classes", $"/classes/{classId}", $"/classes/{classId}/report", "/quizzes", "/quizzes/new", "/assignments", "/reports", "/places", "/account"];

        foreach (var width in new[] { 360, 414 })
        {
            await page.SetViewportSizeAsync(width, 760);
            foreach (var path in paths)
            {
                await page.GotoAsync(path);
                var toggle = page.Locator("#nav-toggle");
                await Assertions.Expect(toggle).ToBeVisibleAsync();
                await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
                await Assertions.Expect(page.Locator(".site-nav")).ToBeHiddenAsync();
                await Assertions.Expect(page.Locator("#sign-out")).ToBeHiddenAsync();
                await Assertions.Expect(toggle).ToBeInViewportAsync(new() { Ratio = 1 });
                var brand = await page.Locator(".brand").BoundingBoxAsync();
                var button = await toggle.BoundingBoxAsync();
                Assert.True(Math.Abs(brand!.Y + (brand.Height / 2) - (button!.Y + (button.Height / 2))) < 2, $"{path} at {width} px: the Menu button is not beside the product name.");

                await toggle.ClickAsync();
                await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"nav-{width}-{path.Trim('/').Replace('/', '-')}.png") });
                foreach (var name in links)
                {
                    var link = page.Locator(".site-nav").GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
                    await Assertions.Expect(link).ToBeInViewportAsync(new() { Ratio = 1 });
                }

                await Assertions.Expect(page.Locator("#header-username")).ToBeVisibleAsync();
                await Assertions.Expect(page.Locator("#sign-out")).ToBeInViewportAsync(new() { Ratio = 1 });
                await BrowserPage.AssertNoHorizontalScrollAsync(page);
                await page.Keyboard.PressAsync("Escape");
                await Assertions.Expect(page.Locator(".site-nav")).ToBeHiddenAsync();
                await Assertions.Expect(toggle).ToBeFocusedAsync();
            }
        }

        // A link in the open menu goes to its page.
        await page.GotoAsync("/classes");
        await page.ClickAsync("#nav-toggle");
        await page.Locator(".site-nav").GetByRole(AriaRole.Link, new() { Name = "Places", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/places$"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "nav-414-places-closed.png") });
        browser.AssertNoProblems();

        // On a desktop every link is in the header and there is no Menu button.
        await using var desk = await SignedInPageAsync(teacher);
        await desk.Page.GotoAsync("/dashboard");
        await Assertions.Expect(desk.Page.Locator(".site-nav a")).ToHaveCountAsync(links.Length);
        await desk.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "nav-1280-dashboard.png") });
        var widths = await desk.Page.EvaluateAsync<int[]>("() => { const n = document.querySelector('.site-nav'); return [n.scrollWidth, n.clientWidth]; }");
        Assert.True(widths[0] - widths[1] <= 1, $"The desktop menu scrolls: {widths[0]} px of links in {widths[1]} px."); // 1 px: rounding
        foreach (var name in links)
        {
            await Assertions.Expect(desk.Page.Locator(".site-nav").GetByRole(AriaRole.Link, new() { Name = name, Exact = true })).ToBeInViewportAsync(new() { Ratio = 0.95f });
        }

        await Assertions.Expect(desk.Page.Locator("#nav-toggle")).ToBeHiddenAsync();
        desk.AssertNoProblems();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_student_finds_join_a_game_on_the_home_page(bool phone)
    {
        await using var browser = await Browser.NewPageAsync(phone);
        var page = browser.Page;

        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#cta-play")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("home-" + (phone ? "phone" : "desktop"));
        await page.ClickAsync("text=Join a game");

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/play$"));
        await Assertions.Expect(page.Locator("#pin")).ToBeVisibleAsync();
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_wrong_password_and_a_short_password_are_explained_on_the_page()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;

        await page.GotoAsync("/login");
        await page.FillAsync("#login-form [name=username]", teacher.Username);
        await page.FillAsync("#login-form [name=password]", "not the password");
        await page.ClickAsync("#login-form [type=submit]");
        await Assertions.Expect(page.Locator("[role=alert]").First).ToContainTextAsync("wrong");
        await browser.ScreenshotAsync("login-wrong-password");

        await page.GotoAsync("/signup");
        await page.FillAsync("#signup-form [name=username]", Teacher.NewUsername());
        await page.FillAsync("#signup-form [name=password]", "short");
        await page.ClickAsync("#signup-form [type=submit]");
        await Assertions.Expect(page.Locator("#signup-form")).ToContainTextAsync("at least 10 characters");
        Assert.EndsWith("/signup", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_display_name_full_of_markup_is_shown_as_text()
    {
        const string name = "<img src=x onerror=alert(1)><script>alert(2)</script>";
        var username = Teacher.NewUsername();
        using (var api = new ApiClient(App.NewClient()))
        {
            await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword, displayName = name });
        }

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        var dialogs = 0;
        page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        await page.GotoAsync("/login");
        await page.FillAsync("#login-form [name=username]", username);
        await page.FillAsync("#login-form [name=password]", Teacher.DefaultPassword);
        await page.ClickAsync("#login-form [type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));

        await Assertions.Expect(page.Locator("#greeting")).ToContainTextAsync(name);
        Assert.Equal(0, await page.Locator("#greeting img, #greeting script").CountAsync());
        Assert.Equal(0, dialogs);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_account_page_changes_the_display_name()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/login?next=/account");
        await page.FillAsync("#login-form [name=username]", teacher.Username);
        await page.FillAsync("#login-form [name=password]", teacher.Password);
        await page.ClickAsync("#login-form [type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/account$"));

        await page.FillAsync("#profile-form [name=displayName]", "Mr. Chips");
        await page.ClickAsync("#profile-submit");
        await Assertions.Expect(page.Locator("#profile-status")).ToContainTextAsync("Saved");
        await browser.ScreenshotAsync("account");

        await page.GotoAsync("/dashboard");
        await Assertions.Expect(page.Locator("#greeting")).ToContainTextAsync("Mr. Chips");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task An_unknown_page_shows_a_readable_404()
    {
        await using var browser = await Browser.NewPageAsync();

        var response = await browser.Page.GotoAsync("/no/such/page");

        Assert.Equal(404, response!.Status);
        await Assertions.Expect(browser.Page.Locator("body")).ToContainTextAsync("not found", new LocatorAssertionsToContainTextOptions { IgnoreCase = true });
        await browser.ScreenshotAsync("not-found");
    }
}
