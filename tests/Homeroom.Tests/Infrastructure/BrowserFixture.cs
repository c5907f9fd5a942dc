using Homeroom.Storage;
using Microsoft.Playwright;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium driven by Playwright (no browser download: it launches /usr/bin/chromium), plus a
/// running Homeroom on SQLite. Each test gets a fresh browser context, so cookies never leak between tests.
/// Screenshots go to TestResults/screenshots for a person to look at.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? playwright;
    private IBrowser? browser;
    private readonly SqliteFixture database = new();

    public static bool Available => File.Exists(ChromiumPath);

    public HomeroomApp App => database.App;

    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        await database.InitializeAsync();
        if (!Available)
        {
            return;
        }

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(ScreenshotDirectory);

        // Assertions wait as long as actions do (5 s by default): a live game's steps go through the
        // database and the hub, and the whole suite shares two cores.
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    /// <summary>A fresh page in its own context, at a phone or a desktop size, that records console errors.</summary>
    public async Task<BrowserPage> NewPageAsync(bool phone = false)
    {
        var context = await browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            IsMobile = phone,
            HasTouch = phone,
        });
        // Generous: two cores running the whole suite in parallel can stall a page for several seconds.
        context.SetDefaultTimeout(30_000);
        // A navigation waits for the page's load event, every script and stylesheet included: twice as long,
        // since a loaded machine stalled two such waits past 30 s (QuizzesPagesTests, ReportsPagesTests).
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        return new BrowserPage(context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        await database.DisposeAsync();
    }
}

/// <summary>A page plus everything it complained about (console errors, page errors, CSP violations).</summary>
public sealed class BrowserPage : IAsyncDisposable
{
    private readonly IBrowserContext context;
    private readonly List<string> problems = [];
    private readonly List<string> expected = [];
    private readonly List<string> warnings = [];

    public BrowserPage(IBrowserContext context, IPage page)
    {
        this.context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            // A 401 from /api/me is how a page learns nobody is signed in; the browser logs it as an error.
            if (message.Type == "error" && !message.Text.Contains("status of 401", StringComparison.Ordinal))
            {
                problems.Add("console: " + message.Text);
            }
            else if (message.Type == "warning")
            {
                warnings.Add(message.Text);
            }
        };
        page.PageError += (_, error) => problems.Add("page error: " + error);
    }

    public IPage Page { get; }

    public IReadOnlyList<string> Problems => problems;

    /// <summary>What the page logged as warnings (a test that wants a quiet console asserts this is empty).</summary>
    public IReadOnlyList<string> Warnings => warnings;

    public async Task ScreenshotAsync(string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>
    /// Lets a problem the test provokes on purpose pass <see cref="AssertNoProblems"/>: the browser logs
    /// every 4xx answer to fetch as a console error (e.g. "status of 422" when a test asks for the impossible).
    /// </summary>
    public void ExpectProblem(string fragment) => expected.Add(fragment);

    /// <summary>Fails the test if the page logged errors or broke its Content-Security-Policy.</summary>
    public void AssertNoProblems()
    {
        var unexpected = problems.Where(p => !expected.Any(e => p.Contains(e, StringComparison.Ordinal))).ToList();
        Assert.True(unexpected.Count == 0, "The page reported problems:\n" + string.Join('\n', unexpected));
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();

    /// <summary>Fails when the page scrolls sideways (a phone layout that does not fit), naming the culprits.</summary>
    public static async Task AssertNoHorizontalScrollAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0)
        {
            var culprits = await page.EvaluateAsync<string[]>(
                """
                () => [...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                  .slice(0, 8)
                  .map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')} right=${Math.round(e.getBoundingClientRect().right)}`)
                """);
            Assert.Fail($"The page scrolls sideways by {overflow}px: {string.Join("; ", culprits)}");
        }
    }
}

/// <summary>Base of the real-browser tests: skips without Chromium (fails under HOMEROOM_TEST_STRICT).</summary>
public abstract class BrowserTests
{
    protected BrowserTests(BrowserFixture fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        TestEnvironment.Require(BrowserFixture.Available, "Chromium (the chromium Debian package)");
        Browser = fixture;
    }

    protected BrowserFixture Browser { get; }

    protected HomeroomApp App => Browser.App;

    protected StorageProvider Provider => App.Provider;

    /// <summary>A fresh page whose browser context is signed in as <paramref name="teacher"/> (cookie session).</summary>
    protected async Task<BrowserPage> SignedInPageAsync(Teacher teacher, bool phone = false)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var browser = await Browser.NewPageAsync(phone);
        var response = await browser.Page.APIRequest.PostAsync(
            new Uri(App.BaseAddress, "/api/auth/login?useCookies=true").ToString(),
            new APIRequestContextOptions { DataObject = new { username = teacher.Username, password = teacher.Password } });
        Assert.True(response.Ok, $"Sign-in failed: {response.Status} {await response.TextAsync()}");
        return browser;
    }
}
