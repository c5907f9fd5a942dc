using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// The offline parts of the Places page in a real browser: the basemap drawn without a tile server, and
/// searching by the name of a town or a ZIP code, with a choice when several towns share the name.
/// </summary>
public sealed class PlacesGeoPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    // The basemap's colours in the light scheme (css/places-geo.css).
    private static readonly (int R, int G, int B) Land = (0xf4, 0xf1, 0xe8);
    private static readonly (int R, int G, int B) Sea = (0xcf, 0xe0, 0xf1);

    private static string NewCategory(string stem) => stem + "-" + Guid.NewGuid().ToString("N")[..6];

    private static async Task AddAsync(Teacher teacher, string name, double lat, double lon, string category) =>
        await (await teacher.Api.PostAsync("/api/places", new { name, category, lat, lon })).Status(HttpStatusCode.Created);

    private async Task<List<JsonElement>> NearAsync(string query)
    {
        using var api = new ApiClient(App.NewClient());
        return (await (await api.GetAsync("/api/places/near?" + query)).Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
    }

    /// <summary>The colour of the map's pixel at a fraction of its width and height, read from a screenshot of the map.</summary>
    private static async Task<(int R, int G, int B)> PixelAsync(IPage page, double x, double y)
    {
        var png = await page.Locator("#map").ScreenshotAsync();
        var rgb = await page.EvaluateAsync<int[]>(
            """
            async ([data, x, y]) => {
              const image = new Image();
              image.src = 'data:image/png;base64,' + data;
              await image.decode();
              const canvas = document.createElement('canvas');
              canvas.width = image.naturalWidth;
              canvas.height = image.naturalHeight;
              const context = canvas.getContext('2d');
              context.drawImage(image, 0, 0);
              const p = context.getImageData(Math.floor(image.naturalWidth * x), Math.floor(image.naturalHeight * y), 1, 1).data;
              return [p[0], p[1], p[2]];
            }
            """, new object[] { Convert.ToBase64String(png), x, y });
        return (rgb[0], rgb[1], rgb[2]);
    }

    private static void AssertColour((int R, int G, int B) expected, (int R, int G, int B) actual, string where) =>
        Assert.True(Math.Abs(expected.R - actual.R) <= 6 && Math.Abs(expected.G - actual.G) <= 6 && Math.Abs(expected.B - actual.B) <= 6,
            $"{where}: expected about {expected} but the pixel is {actual}.");

    [Fact]
    public async Task Without_a_tile_server_the_map_draws_land_borders_and_sea_from_the_shapes_shipped_with_the_page()
    {
        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/places");
        await Assertions.Expect(page.Locator("#map.basemap-ready")).ToBeAttachedAsync();
        Assert.True(await page.Locator(".leaflet-basemap-pane path.basemap-land").CountAsync() > 0);
        Assert.True(await page.Locator(".leaflet-basemap-pane path.basemap-border").CountAsync() > 0);
        Assert.Equal(0, await page.Locator(".leaflet-tile").CountAsync());
        await Assertions.Expect(page.Locator("#tile-attribution")).ToHaveTextAsync("Map: Natural Earth (public domain).");
        await Assertions.Expect(page.Locator(".data-credits")).ToContainTextAsync("GeoNames");
        await browser.ScreenshotAsync("places-basemap-world-desktop");

        // Inland Colorado is land, the middle of the Pacific is sea (sampled away from the search point's marker).
        await page.GotoAsync("/places?lat=39.0&lon=-105.5");
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync("39, -105.5");
        await Assertions.Expect(page.Locator("#map.basemap-ready")).ToBeAttachedAsync();
        await page.WaitForTimeoutAsync(400); // the view settles after the search
        AssertColour(Land, await PixelAsync(page, 0.25, 0.3), "Colorado");
        await page.GotoAsync("/places?lat=0&lon=-140");
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync("0, -140");
        await Assertions.Expect(page.Locator("#map.basemap-ready")).ToBeAttachedAsync();
        await page.WaitForTimeoutAsync(400);
        AssertColour(Sea, await PixelAsync(page, 0.25, 0.3), "the Pacific");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/places");
        await Assertions.Expect(page.Locator("#map.basemap-ready")).ToBeAttachedAsync();
        await page.WaitForTimeoutAsync(300);
        await page.Locator("#map").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-basemap-world-dark.png") });
        browser.AssertNoProblems();

        await using var phone = await Browser.NewPageAsync(phone: true);
        await phone.Page.GotoAsync("/places?lat=51.5&lon=-0.12");
        await Assertions.Expect(phone.Page.Locator("#map.basemap-ready")).ToBeAttachedAsync();
        await phone.Page.Locator("#map").ScrollIntoViewIfNeededAsync();
        await phone.Page.WaitForTimeoutAsync(400);
        await phone.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-basemap-phone.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(phone.Page);
        phone.AssertNoProblems();
    }

    [Fact]
    public async Task A_visitor_searches_by_town_and_by_zip_code()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("library");
        await AddAsync(teacher, "Central Library", 39.7372, -104.9886, category);
        await AddAsync(teacher, "Boulder Library", 40.0150, -105.2705, category);

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/places");
        await page.FillAsync("#search-place", "denver");
        await page.FillAsync("#search-category", category);
        await page.ClickAsync("#search-submit");

        var expected = await NearAsync($"q=Denver&category={category}");
        await Assertions.Expect(page.Locator("#results-list .result-name")).ToHaveTextAsync(expected.Select(i => i.Str("name")).ToArray());
        await Assertions.Expect(page.Locator("#place-choices .place-choices-title")).ToContainTextAsync("Showing places near Denver, Colorado, United States");
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync("denver");
        await Assertions.Expect(page.Locator("#search-lat")).ToHaveValueAsync("39.7392");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/places\?q=denver&lat=39\.7392&lon=-104\.9847"));
        await page.WaitForTimeoutAsync(300);
        await browser.ScreenshotAsync("places-town-desktop");

        // A ZIP code.
        await page.FillAsync("#search-place", "80302");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#results-list .result-name").First).ToHaveTextAsync("Boulder Library");
        await Assertions.Expect(page.Locator("#place-choices")).ToContainTextAsync("80302 Boulder, CO, United States");

        // Clicking the map searches from there and forgets the town.
        var box = (await page.Locator("#map").BoundingBoxAsync())!;
        await page.Locator("#map").ClickAsync(new() { Position = new() { X = box.Width * 0.85f, Y = box.Height * 0.15f } });
        await Assertions.Expect(page.Locator("#search-place")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#place-choices")).ToBeHiddenAsync();

        // No such town: said beside the field.
        browser.ExpectProblem("404");
        await page.FillAsync("#search-place", "Qwxzzy");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#search-place")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#search-form")).ToContainTextAsync("No town called 'Qwxzzy' is known");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task An_ambiguous_town_offers_its_namesakes_by_population_and_the_one_chosen_is_searched()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("museum");
        await AddAsync(teacher, "Oregon Museum", 45.5080, -122.6655, category);
        await AddAsync(teacher, "Maine Museum", 43.6545, -70.2625, category);

        await using var browser = await Browser.NewPageAsync(phone: true);
        var page = browser.Page;
        await page.GotoAsync("/places");
        await page.FillAsync("#search-place", "Portland");
        await page.FillAsync("#search-category", category);
        await page.ClickAsync("#search-submit");

        var choices = page.Locator("#place-choices .place-choice");
        await Assertions.Expect(page.Locator("#place-choices .place-choices-title")).ToHaveTextAsync("Several places are called Portland. Which one do you mean?");
        await Assertions.Expect(choices.Nth(0).Locator(".place-choice-name")).ToHaveTextAsync("Portland, Oregon, United States");
        await Assertions.Expect(choices.Nth(1).Locator(".place-choice-name")).ToHaveTextAsync("Portland, Maine, United States");
        Assert.True(await choices.CountAsync() >= 3);
        await Assertions.Expect(page.Locator("#results-list .result-item")).ToHaveCountAsync(0);
        await Assertions.Expect(choices.Nth(0)).ToBeFocusedAsync();
        await page.Locator("#place-choices").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-town-choices-phone.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(page);

        await choices.Nth(1).ClickAsync();
        await Assertions.Expect(page.Locator("#results-list .result-name").First).ToHaveTextAsync("Maine Museum");
        await Assertions.Expect(page.Locator("#search-place")).ToHaveValueAsync("Portland, Maine, United States");
        await Assertions.Expect(page.Locator("#place-choices .place-choices-title")).ToContainTextAsync("Showing places near Portland, Maine, United States");

        // The address reopens the same town without asking again.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#results-list .result-name").First).ToHaveTextAsync("Maine Museum");
        await Assertions.Expect(page.Locator("#search-place")).ToHaveValueAsync("Portland, Maine, United States");

        // Qualified by the state, there is nothing to choose.
        await page.FillAsync("#search-place", "Portland, OR");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#results-list .result-name").First).ToHaveTextAsync("Oregon Museum");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_place_added_on_the_page_takes_the_time_zone_of_its_position_unless_one_is_chosen()
    {
        var teacher = await Teacher.SignUpAsync(App);
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;
        await page.GotoAsync("/places");
        await Assertions.Expect(page.Locator("#place-timezone")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#place-timezone option:checked")).ToHaveTextAsync("From the place’s position");
        await page.FillAsync("#place-name", "National Diet Library");
        await page.FillAsync("#place-category", "library");
        await page.FillAsync("#place-lat", "35.6784");
        await page.FillAsync("#place-lon", "139.7443");
        await page.ClickAsync("#place-submit");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(1);

        await page.FillAsync("#place-name", "Chosen zone");
        await page.FillAsync("#place-category", "library");
        await page.FillAsync("#place-lat", "35.6784");
        await page.FillAsync("#place-lon", "139.7443");
        await page.SelectOptionAsync("#place-timezone", "Europe/Paris");
        await page.ClickAsync("#place-submit");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(2);

        var mine = await (await teacher.Api.GetAsync("/api/places")).Json(HttpStatusCode.OK);
        var zones = mine.EnumerateArray().ToDictionary(p => p.Str("name"), p => p.Str("timeZone"));
        Assert.Equal("Asia/Tokyo", zones["National Diet Library"]);
        Assert.Equal("Europe/Paris", zones["Chosen zone"]);
        browser.AssertNoProblems();
    }
}
