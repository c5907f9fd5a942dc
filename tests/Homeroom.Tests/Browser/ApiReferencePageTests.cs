using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// The API reference page (/api-reference/, Scalar) in a real browser: reached from the home page's footer, it draws
/// the operations from /openapi/v1.json, loads nothing from another origin, and breaks none of its
/// Content-Security-Policy (Chromium logs every violation as a console error, which fails the test).
/// </summary>
public sealed class ApiReferencePageTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_reference_page_shows_the_operations_from_the_document_without_leaving_the_site(bool phone)
    {
        await using var browser = await Browser.NewPageAsync(phone);
        var page = browser.Page;
        var origin = new Uri(App.BaseAddress.ToString()).GetLeftPart(UriPartial.Authority);
        var elsewhere = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)
                && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
            {
                elsewhere.Add(request.Url);
            }
        };

        await page.GotoAsync("/");
        await page.ClickAsync("footer a[href='/api-reference/']");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/api-reference/$"));

        // Operation summaries come from the document: the page really read it.
        await Assertions.Expect(page.GetByText("Create a teacher account").First).ToBeAttachedAsync();
        await Assertions.Expect(page.GetByText("Exchange a refresh token for a new access token").First).ToBeAttachedAsync();
        // Every tag is listed (Scalar draws a tag's operations when it is opened).
        foreach (var tag in new[] { "Classes", "Quizzes", "Live games", "Places", "Reports" })
        {
            await Assertions.Expect(page.GetByText(tag, new() { Exact = true }).First).ToBeAttachedAsync();
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Homeroom API", Exact = true }).First).ToBeVisibleAsync();
        // The page is long (every operation): the first screen is what a person sees.
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "api-reference-" + (phone ? "phone" : "desktop") + ".png"),
        });

        Assert.True(elsewhere.Count == 0, "The reference page loaded from other origins:\n" + string.Join('\n', elsewhere));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_reference_page_allows_only_its_own_nonced_scripts()
    {
        using var api = new ApiClient(App.NewClient());

        var first = await api.GetAsync("/api-reference/");
        var second = await api.GetAsync("/api-reference/");

        var policy = string.Join(' ', first.Headers.GetValues("Content-Security-Policy"));
        var nonce = Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(nonce), policy);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src 'self' 'unsafe-inline'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("http", policy, StringComparison.Ordinal);
        var html = await first.Content.ReadAsStringAsync();
        Assert.All(Regex.Matches(html, "<script[^>]*>").Select(m => m.Value), tag => Assert.Contains($"nonce=\"{nonce}\"", tag, StringComparison.Ordinal));
        // A nonce is used once.
        Assert.DoesNotContain(nonce, string.Join(' ', second.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }
}
