using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Homeroom.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Homeroom.Tests.Browser;

/// <summary>
/// The Places page (/places) in a real browser: the store locator for anonymous visitors (typed
/// coordinates, the device's location, a click on the map; radius, nearest-if-none, open now, paging),
/// and "My places" for a signed-in teacher. Each test seeds places around its own spot of the globe with
/// its own category, so the tests of this class never see each other's places.
/// </summary>
public sealed class PlacesPagesTests(BrowserFixture fixture) : BrowserTests(fixture), IClassFixture<BrowserFixture>
{
    private const string Markup = "<img src=x onerror=alert(1)>";

    private static string NewCategory(string stem) => stem + "-" + Guid.NewGuid().ToString("N")[..6];

    [Fact]
    public async Task A_visitor_types_coordinates_and_sees_the_nearest_places_on_the_map_and_in_the_list()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("library");
        await AddAsync(teacher, "Central Library", 48.8570, 2.3510, category, address: "1 Rue de Rivoli", phone: "+33 1 23 45 67 89",
            url: "https://www.example.org/central", hours: "24/7", timeZone: "Europe/Paris");
        await AddAsync(teacher, "Marais Reading Room", 48.8600, 2.3600, category, address: "12 Rue des Archives", hours: "Mo-Su off", timeZone: "Europe/Paris");
        await AddAsync(teacher, "Left Bank Books", 48.8500, 2.3400, category);
        await AddAsync(teacher, "Bastille Media Library", 48.8530, 2.3700, category, hours: "Mo-Fr 09:00-18:00", timeZone: "Europe/Paris");
        await AddAsync(teacher, "Montmartre Library", 48.8860, 2.3430, category);
        await AddAsync(teacher, "La Défense Library", 48.8920, 2.2370, category);
        await AddAsync(teacher, "Another category", 48.8566, 2.3522, NewCategory("zoo"));

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/places");
        await Assertions.Expect(page.Locator(".guest-links a", new() { HasText = "Sign in" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#results-start")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#my-places")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#map.leaflet-container")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("places-start-desktop");

        await page.FillAsync("#search-lat", "48.8566");
        await page.FillAsync("#search-lon", "2.3522");
        await page.FillAsync("#search-category", category);
        await page.ClickAsync("#search-submit");

        var expected = await NearAsync($"lat=48.8566&lon=2.3522&limit=10&unit=km&category={category}&nearestIfNone=true");
        Assert.Equal(6, expected.Items.Count);
        await AssertListMatchesAsync(page, expected);
        await Assertions.Expect(page.Locator("#results-count")).ToHaveTextAsync("6 places");
        await Assertions.Expect(page.Locator("#more-results")).ToBeHiddenAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex(@"/places\?lat=48\.8566&lon=2\.3522&category="));

        // Open, closed and unknown hours, and the links a place has.
        var central = page.Locator(".result-item", new() { HasText = "Central Library" });
        await Assertions.Expect(central.Locator(".badge-open")).ToHaveTextAsync("Open now");
        await Assertions.Expect(central.Locator("a[href='tel:+33123456789']")).ToHaveTextAsync("+33 1 23 45 67 89");
        await Assertions.Expect(central.Locator("a[href='https://www.example.org/central']")).ToHaveTextAsync("example.org");
        await Assertions.Expect(page.Locator(".result-item", new() { HasText = "Marais Reading Room" }).Locator(".badge-closed")).ToHaveTextAsync("Closed");
        await Assertions.Expect(page.Locator(".result-item", new() { HasText = "Left Bank Books" }).Locator(".badge-unknown")).ToHaveTextAsync("Hours unknown");
        await Assertions.Expect(page.Locator(".result-item", new() { HasText = "Another category" })).ToHaveCountAsync(0);

        // Choosing a place in the list opens its marker's popup.
        var third = expected.Items[2];
        await page.Locator(".result-item").Nth(2).Locator(".result-focus").ClickAsync();
        var popup = page.Locator(".leaflet-popup");
        await Assertions.Expect(popup).ToBeVisibleAsync();
        await Assertions.Expect(popup.Locator(".popup-name")).ToHaveTextAsync(third.Str("name"));
        await Assertions.Expect(popup).ToContainTextAsync(FormatDistance(third.GetProperty("distance").GetDouble(), "km"));
        await Assertions.Expect(page.Locator(".result-item").Nth(2)).ToHaveClassAsync(new Regex("is-active"));
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.place-pin.is-active")).ToHaveCountAsync(1);
        await page.WaitForTimeoutAsync(300); // the popup fades in
        await browser.ScreenshotAsync("places-results-desktop");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        await page.WaitForTimeoutAsync(300); // the buttons' colours ease over
        await browser.ScreenshotAsync("places-results-dark");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        // A marker opens its popup and marks its list item.
        await page.Locator(".leaflet-popup-close-button").ClickAsync();
        await Assertions.Expect(popup).ToHaveCountAsync(0);
        await page.Locator(".leaflet-marker-icon.place-pin").Nth(0).ClickAsync();
        await Assertions.Expect(popup.Locator(".popup-name")).ToHaveTextAsync(expected.Items[0].Str("name"));
        await Assertions.Expect(page.Locator(".result-item").Nth(0)).ToHaveClassAsync(new Regex("is-active"));

        // The page's address reopens the same search.
        await page.ReloadAsync();
        await AssertListMatchesAsync(page, expected);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_radius_in_miles_leaves_places_out_and_the_nearest_outside_it_is_offered_with_a_badge()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("museum");
        await AddAsync(teacher, "Harbour Museum", -33.8600, 151.2100, category);
        await AddAsync(teacher, "Hill Museum", -33.7000, 151.1000, category);

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/places");
        await page.FillAsync("#search-lat", "-33.8688");
        await page.FillAsync("#search-lon", "151.2093");
        await page.FillAsync("#search-category", category);
        await page.FillAsync("#search-radius", "5");
        await page.SelectOptionAsync("#search-unit", "mi");
        await page.ClickAsync("#search-submit");

        var inside = await NearAsync($"lat=-33.8688&lon=151.2093&limit=10&radius=5&unit=mi&category={category}&nearestIfNone=true");
        Assert.Single(inside.Items);
        await AssertListMatchesAsync(page, inside);
        await Assertions.Expect(page.Locator(".result-distance").First).ToHaveTextAsync(new Regex(@"^\d\.\d mi$"));
        await Assertions.Expect(page.Locator(".badge-outside")).ToHaveCountAsync(0);
        Assert.Equal(1, await page.Locator("path.radius-circle").CountAsync());

        // Nothing within 0.2 miles: the nearest is shown anyway, flagged.
        await page.FillAsync("#search-radius", "0.2");
        await page.ClickAsync("#search-submit");
        var outside = await NearAsync($"lat=-33.8688&lon=151.2093&limit=10&radius=0.2&unit=mi&category={category}&nearestIfNone=true");
        var nearest = Assert.Single(outside.Items);
        Assert.True(nearest.GetProperty("outsideRadius").GetBoolean());
        await AssertListMatchesAsync(page, outside);
        await Assertions.Expect(page.Locator(".result-item .badge-outside")).ToHaveTextAsync("Outside your radius");
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync("the nearest place is shown instead");
        await page.Locator(".result-item .result-focus").ClickAsync();
        await Assertions.Expect(page.Locator(".leaflet-popup .badge-outside")).ToHaveTextAsync("Outside your radius");
        await page.WaitForTimeoutAsync(300); // the popup fades in
        await browser.ScreenshotAsync("places-outside-radius");

        // Without "show the nearest", nothing.
        await page.UncheckAsync("#search-nearest");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#results-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#results-empty")).ToContainTextAsync("within 0.2 mi");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator(".leaflet-marker-icon")).ToHaveCountAsync(1);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("nearestIfNone=false"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Open_now_keeps_only_the_places_open_at_this_moment()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("pool");
        await AddAsync(teacher, "Always open pool", 35.6800, 139.7600, category, hours: "24/7", timeZone: "Asia/Tokyo");
        await AddAsync(teacher, "Never open pool", 35.6810, 139.7610, category, hours: "Mo-Su off", timeZone: "Asia/Tokyo");
        await AddAsync(teacher, "Unknown hours pool", 35.6820, 139.7620, category);

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/places?lat=35.68&lon=139.76&category={category}");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator(".result-item .result-badges .badge").First).ToHaveTextAsync("Open now");
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.place-pin.is-closed")).ToHaveCountAsync(1);
        // Each place says what its hours mean now, in words.
        await Assertions.Expect(page.Locator(".result-item .result-status")).ToHaveTextAsync(["Open 24/7", "Closed"]);
        await browser.ScreenshotAsync("places-open-status");

        await page.CheckAsync("#search-open");
        await page.ClickAsync("#search-submit");
        var open = await NearAsync($"lat=35.68&lon=139.76&limit=10&unit=km&category={category}&openNow=true&nearestIfNone=true");
        Assert.Equal(["Always open pool"], open.Items.Select(i => i.Str("name")));
        await AssertListMatchesAsync(page, open);
        await Assertions.Expect(page.Locator(".result-item .badge-open")).ToHaveTextAsync("Open now");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("openNow=true"));
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_place_shows_when_it_opens_and_closes_and_what_is_unknown()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("surgery");
        await AddAsync(teacher, "Dentist", 48.8566, 2.3522, category, hours: "\"by appointment\"", timeZone: "Europe/Paris");
        await AddAsync(teacher, "Bakery", 48.8570, 2.3530, category, hours: "Mo-Su 00:00-24:00; Dec 25 off", timeZone: "Europe/Paris");
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"));

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/places?lat=48.8566&lon=2.3522&category={category}");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(2);
        var dentist = page.Locator(".result-item").Nth(0);
        await Assertions.Expect(dentist.Locator(".result-status")).ToHaveTextAsync("Unknown (by appointment)");
        await Assertions.Expect(dentist.Locator(".badge").First).ToHaveTextAsync("Hours unknown");
        var bakery = page.Locator(".result-item").Nth(1);
        if (now.Month == 12 && now.Day is 24 or 25)
        {
            await Assertions.Expect(bakery.Locator(".result-status")).ToContainTextAsync("25 Dec");
        }
        else
        {
            var christmas = new DateTime(now.Month == 12 && now.Day > 25 ? now.Year + 1 : now.Year, 12, 25);
            var when = (christmas - now.Date).Days switch
            {
                1 => "at midnight",
                < 7 => $"on {christmas.DayOfWeek} at 00:00",
                _ => christmas.Year == now.Year ? "on 25 Dec at 00:00" : $"on 25 Dec {christmas.Year} at 00:00",
            };
            await Assertions.Expect(bakery.Locator(".result-status")).ToHaveTextAsync($"Open now, closes {when}");
        }

        await page.Locator(".result-item").Nth(0).Locator("button").First.ClickAsync();
        await Assertions.Expect(page.Locator(".leaflet-popup .popup-status")).ToHaveTextAsync("Unknown (by appointment)");
        await browser.ScreenshotAsync("places-status");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task More_results_continues_by_distance_until_there_are_no_more()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("cafe");
        await Task.WhenAll(Enumerable.Range(0, 23).Select(i =>
            AddAsync(teacher, $"Cafe {i:00}", 40.7000 + (i * 0.003), -74.0000 - (i % 4 * 0.002), category)));

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync("/places");
        await page.FillAsync("#search-lat", "40.7");
        await page.FillAsync("#search-lon", "-74");
        await page.FillAsync("#search-category", category);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("#results-count")).ToHaveTextAsync("10 places so far");
        await page.ClickAsync("#more-results");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(20);
        await Assertions.Expect(page.Locator(".result-item").Nth(10).Locator(".result-focus")).ToBeFocusedAsync();
        await page.ClickAsync("#more-results");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(23);
        await Assertions.Expect(page.Locator("#more-results")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#results-count")).ToHaveTextAsync("23 places");

        var all = await NearAsync($"lat=40.7&lon=-74&limit=100&unit=km&category={category}");
        await AssertListMatchesAsync(page, all);
        await Assertions.Expect(page.Locator(".result-number").Last).ToHaveTextAsync("23");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Clicking_the_map_searches_from_that_point()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("park");
        await AddAsync(teacher, "Park", -1.2900, 36.8200, category);

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.GotoAsync($"/places?lat=-1.29&lon=36.82&category={category}");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(1);
        var before = await page.InputValueAsync("#search-lat");

        var box = (await page.Locator("#map").BoundingBoxAsync())!;
        await page.Locator("#map").ClickAsync(new() { Position = new() { X = box.Width * 0.3f, Y = box.Height * 0.3f } });
        await Assertions.Expect(page.Locator("#search-lat")).Not.ToHaveValueAsync(before);
        var lat = await page.InputValueAsync("#search-lat");
        var lon = await page.InputValueAsync("#search-lon");
        Assert.True(double.Parse(lat, CultureInfo.InvariantCulture) > -1.29, lat);
        Assert.True(double.Parse(lon, CultureInfo.InvariantCulture) < 36.82, lon);
        var expected = await NearAsync($"lat={lat}&lon={lon}&limit=10&unit=km&category={category}&nearestIfNone=true");
        await AssertListMatchesAsync(page, expected);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Use_my_location_searches_from_where_the_device_is()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("gallery");
        await AddAsync(teacher, "Near gallery", 41.9000, 12.5000, category);
        await AddAsync(teacher, "Far gallery", 41.9500, 12.4000, category);

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        await page.Context.GrantPermissionsAsync(["geolocation"]);
        await page.Context.SetGeolocationAsync(new Geolocation { Latitude = 41.8902f, Longitude = 12.4922f });
        await page.GotoAsync("/places");
        await page.FillAsync("#search-category", category);
        await page.ClickAsync("#locate");

        await Assertions.Expect(page.Locator("#search-lat")).ToHaveValueAsync(new Regex(@"^41\.890"));
        await Assertions.Expect(page.Locator("#search-lon")).ToHaveValueAsync(new Regex(@"^12\.492"));
        var lat = await page.InputValueAsync("#search-lat");
        var lon = await page.InputValueAsync("#search-lon");
        var expected = await NearAsync($"lat={lat}&lon={lon}&limit=10&unit=km&category={category}&nearestIfNone=true");
        await AssertListMatchesAsync(page, expected);
        Assert.Equal("Near gallery", expected.Items[0].Str("name"));
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.user-pin")).ToHaveCountAsync(1);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Bad_coordinates_are_explained_beside_their_fields()
    {
        await using var browser = await Browser.NewPageAsync();
        browser.ExpectProblem("status of 400");
        var page = browser.Page;
        await page.GotoAsync("/places");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#search-lat-error")).ToContainTextAsync("Enter a latitude");
        await page.FillAsync("#search-lat", "95");
        await page.FillAsync("#search-lon", "10");
        await page.FillAsync("#search-radius", "-3");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#search-lat-error")).ToContainTextAsync("from -90 to 90");
        await Assertions.Expect(page.Locator("#search-radius-error")).ToHaveTextAsync("The distance must be a number from more than 0 to 20038.");
        await Assertions.Expect(page.Locator("#search-lat")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#search-lon")).Not.ToHaveAttributeAsync("aria-invalid", "true");
        await browser.ScreenshotAsync("places-search-errors");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task A_teacher_adds_a_place_from_the_panel_sees_it_found_and_deletes_it()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("theatre");
        await AddAsync(teacher, "Old Theatre", 52.5200, 13.4050, category);
        await using var browser = await SignedInPageAsync(teacher);
        browser.ExpectProblem("status of 400");
        var page = browser.Page;

        await page.GotoAsync($"/places?lat=52.52&lon=13.405&category={category}");
        await Assertions.Expect(page.Locator("#header-username")).ToHaveTextAsync("@" + teacher.Username);
        await Assertions.Expect(page.Locator(".site-nav a[href='/places']")).ToHaveAttributeAsync("aria-current", "page");
        await Assertions.Expect(page.Locator("#guest-note")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#my-places")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(1);

        await page.FillAsync("#place-name", "New Stage");
        await page.FillAsync("#place-category", category);
        await page.FillAsync("#place-address", "Unter den Linden 1");
        await page.FillAsync("#place-hours", "Mo-Fr 9-17");
        await Assertions.Expect(page.Locator("#map-hint")).ToHaveTextAsync("Click the map to set the new place’s position.");

        // Clicking the map while adding fills the new place's position, not the search.
        var searchLat = await page.InputValueAsync("#search-lat");
        await page.ClickAsync("#place-pick-on-map");
        await Assertions.Expect(page.Locator("#map")).ToBeInViewportAsync();
        var box = (await page.Locator("#map").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (box.Width * 0.6f), box.Y + (box.Height * 0.45f));
        await Assertions.Expect(page.Locator("#place-lat")).ToHaveValueAsync(new Regex(@"^-?\d+(\.\d+)?$"));
        await Assertions.Expect(page.Locator("#place-lon")).ToHaveValueAsync(new Regex(@"^-?\d+(\.\d+)?$"));
        Assert.Equal(searchLat, await page.InputValueAsync("#search-lat"));
        Assert.Equal(1, await page.Locator("path.draft-point").CountAsync());

        await page.ClickAsync("#place-submit");
        await Assertions.Expect(page.Locator("#place-hours-error")).ToContainTextAsync("At position 7 (after 'Mo-Fr'): expected");
        await Assertions.Expect(page.Locator("#place-hours")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator("#place-hours")).ToBeFocusedAsync();
        await browser.ScreenshotAsync("places-add-error");

        // The search location is a quicker way to place it, a few metres off.
        await page.ClickAsync("#place-use-search");
        await Assertions.Expect(page.Locator("#place-lat")).ToHaveValueAsync("52.52");
        await page.FillAsync("#place-lat", "52.5201");
        await page.FillAsync("#place-hours", "24/7");
        await page.FillAsync("#place-url", "https://stage.example.org/");
        await page.UncheckAsync("#place-public");
        await page.ClickAsync("#place-submit");

        await Assertions.Expect(page.Locator("#mine-status")).ToHaveTextAsync("Added New Stage.");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#place-hours-error")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("#place-name")).ToHaveValueAsync("");
        var added = page.Locator(".result-item", new() { HasText = "New Stage" });
        await Assertions.Expect(added).ToBeVisibleAsync();
        await Assertions.Expect(added.Locator(".badge-private")).ToHaveTextAsync("Private");
        await Assertions.Expect(added.Locator(".badge-open")).ToHaveTextAsync("Open now");
        await Assertions.Expect(page.Locator(".leaflet-marker-icon")).ToHaveCountAsync(3);

        var mine = await (await teacher.Api.GetAsync("/api/places")).Json(HttpStatusCode.OK);
        var place = mine.EnumerateArray().Single(p => p.Str("name") == "New Stage");
        Assert.Equal(52.5201, place.GetProperty("lat").GetDouble(), 6);
        Assert.False(place.GetProperty("public").GetBoolean());
        Assert.Equal("24/7", place.Str("hours"));
        Assert.Equal("Unter den Linden 1", place.Str("address"));
        await browser.ScreenshotAsync("places-teacher-desktop");

        // Delete asks first.
        var item = page.Locator("#mine-list .mine-item", new() { HasText = "New Stage" });
        await item.GetByRole(AriaRole.Button, new() { Name = "Delete New Stage" }).ClickAsync();
        await item.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(2);
        await item.GetByRole(AriaRole.Button, new() { Name = "Delete New Stage" }).ClickAsync();
        await item.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#mine-status")).ToHaveTextAsync("Deleted New Stage.");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator(".result-item", new() { HasText = "New Stage" })).ToHaveCountAsync(0);
        await (await teacher.Api.GetAsync($"/api/places/{place.Long("id")}")).Status(HttpStatusCode.NotFound);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task My_places_come_fifty_at_a_time()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("stop");
        await Task.WhenAll(Enumerable.Range(0, 51).Select(i => AddAsync(teacher, $"Stop {i:00}", -60 + (i * 0.01), -60, category)));
        await using var browser = await SignedInPageAsync(teacher);
        var page = browser.Page;

        await page.GotoAsync("/places");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(50);
        await Assertions.Expect(page.Locator("#mine-count")).ToHaveTextAsync("50 shown");
        await Assertions.Expect(page.Locator("#mine-list .mine-name").First).ToHaveTextAsync("Stop 00");
        await page.ClickAsync("#mine-more");
        await Assertions.Expect(page.Locator("#mine-list .mine-item")).ToHaveCountAsync(51);
        await Assertions.Expect(page.Locator("#mine-count")).ToHaveTextAsync("51 places");
        await Assertions.Expect(page.Locator("#mine-more")).ToBeHiddenAsync();

        // "Search here" searches around that place.
        await page.Locator("#mine-list .mine-item", new() { HasText = "Stop 50" }).GetByRole(AriaRole.Button, new() { Name = "Search around Stop 50" }).ClickAsync();
        await Assertions.Expect(page.Locator(".result-item").First).ToContainTextAsync("Stop 50");
        await Assertions.Expect(page.Locator("#search-lat")).ToHaveValueAsync("-59.5");
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task Markup_in_a_place_is_shown_as_text_and_never_run()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("odd");
        await AddAsync(teacher, Markup, 59.3300, 18.0600, category, address: "<b>bold</b> street", phone: "<script>alert(2)</script>",
            hours: "24/7", timeZone: "Europe/Stockholm");

        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        var dialogs = 0;
        page.Dialog += (_, dialog) =>
        {
            dialogs++;
            _ = dialog.DismissAsync();
        };
        await page.GotoAsync($"/places?lat=59.33&lon=18.06&category={category}");
        await Assertions.Expect(page.Locator(".result-item .result-focus")).ToHaveTextAsync(Markup);
        await Assertions.Expect(page.Locator(".result-item .result-meta")).ToContainTextAsync("<b>bold</b> street");
        await Assertions.Expect(page.Locator(".result-item .result-links")).ToHaveTextAsync("<script>alert(2)</script>");
        await page.Locator(".result-item .result-focus").ClickAsync();
        await Assertions.Expect(page.Locator(".leaflet-popup .popup-name")).ToHaveTextAsync(Markup);
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.place-pin")).ToHaveAttributeAsync("title", Markup);
        await page.WaitForTimeoutAsync(300); // the popup fades in
        await browser.ScreenshotAsync("places-markup");
        Assert.Equal(0, await page.Locator("#results-list img, #results-list b, #results-list script, .leaflet-popup img, .leaflet-popup b, .leaflet-popup script").CountAsync());
        Assert.Equal(0, dialogs);
        browser.AssertNoProblems();
    }

    [Fact]
    public async Task The_page_reads_well_on_a_phone()
    {
        var teacher = await Teacher.SignUpAsync(App);
        var category = NewCategory("library");
        await AddAsync(teacher, "Riverside Library and Community Learning Centre", -37.8136, 144.9631, category, address: "300 Flinders Street",
            hours: "Mo-Fr 09:00-17:00; Sa 10:00-14:00", timeZone: "Australia/Melbourne", phone: "+61 3 9000 0000", url: "https://library.example.org");
        await AddAsync(teacher, "State Library", -37.8098, 144.9652, category, hours: "24/7");
        await AddAsync(teacher, "Docklands Library", -37.8150, 144.9400, category);

        await using var browser = await Browser.NewPageAsync(phone: true);
        var page = browser.Page;
        await page.GotoAsync($"/places?lat=-37.8136&lon=144.9631&category={category}&radius=1.5");
        await Assertions.Expect(page.Locator(".result-item")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".leaflet-marker-icon")).ToHaveCountAsync(3);
        await browser.ScreenshotAsync("places-phone");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-phone-top.png") });

        // Stacked: the map, then the list.
        var map = (await page.Locator("#map").BoundingBoxAsync())!;
        var list = (await page.Locator("#results-list").BoundingBoxAsync())!;
        Assert.True(list.Y >= map.Y + map.Height, $"The list (y={list.Y}) should be under the map (bottom={map.Y + map.Height}).");
        Assert.True(map.Width > 300, $"The map is only {map.Width}px wide.");
        await BrowserPage.AssertNoHorizontalScrollAsync(page);
        browser.AssertNoProblems();

        // Signed in, "My places" follows the results.
        await using var signedIn = await SignedInPageAsync(teacher, phone: true);
        await signedIn.Page.GotoAsync($"/places?lat=-37.8136&lon=144.9631&category={category}&radius=1.5");
        await Assertions.Expect(signedIn.Page.Locator("#mine-list .mine-item")).ToHaveCountAsync(3);
        await Assertions.Expect(signedIn.Page.Locator(".result-item")).ToHaveCountAsync(2);
        await signedIn.ScreenshotAsync("places-teacher-phone");
        await signedIn.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-teacher-phone-top.png") });
        await signedIn.Page.Locator("#my-places").ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "places-my-places-phone.png") });
        await BrowserPage.AssertNoHorizontalScrollAsync(signedIn.Page);
        signedIn.AssertNoProblems();
    }

    [Fact]
    public async Task A_configured_tile_server_is_allowed_by_the_page_policy_and_its_tiles_are_drawn()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Homeroom:Places:TileUrl"] = "https://{s}.tiles.example.test/{z}/{x}/{y}.png",
            ["Homeroom:Places:TileAttribution"] = "© Example <contributors>",
        };
        var database = new SqliteFixture();
        await using var app = await database.StartAppAsync(settings);

        using (var api = new ApiClient(app.NewClient()))
        {
            var response = await api.GetAsync("/places");
            await response.Status(HttpStatusCode.OK);
            var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("img-src 'self' data: https://*.tiles.example.test;", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<meta name=\"homeroom-tile-url\" content=\"https://{s}.tiles.example.test/{z}/{x}/{y}.png\">", html, StringComparison.Ordinal);
            Assert.Contains("Example &lt;contributors&gt;\">", html, StringComparison.Ordinal);
            var tag = response.Headers.ETag!.ToString();
            var again = await api.SendAsync(HttpMethod.Get, "/places", null, request => request.Headers.TryAddWithoutValidation("If-None-Match", tag));
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

            var other = await api.GetAsync("/classes");
            Assert.DoesNotContain("tiles.example.test", string.Join(' ', other.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        }

        // No tile server is reachable here: the browser's requests for tiles are answered with one small picture.
        var tile = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        await using var browser = await Browser.NewPageAsync();
        var page = browser.Page;
        var requested = 0;
        await page.RouteAsync(new Regex(@"^https://[abc]\.tiles\.example\.test/"), async route =>
        {
            Interlocked.Increment(ref requested);
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "image/png", BodyBytes = tile });
        });
        await page.GotoAsync(new Uri(app.BaseAddress, "/places").ToString());
        await Assertions.Expect(page.Locator(".leaflet-tile-loaded").First).ToBeAttachedAsync();
        await Assertions.Expect(page.Locator("#tile-attribution")).ToHaveTextAsync("Map tiles: © Example <contributors>");
        Assert.True(requested > 0);
        browser.AssertNoProblems();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Without_a_tile_server_the_page_policy_allows_no_other_images()
    {
        using var api = new ApiClient(App.NewClient());
        var response = await api.GetAsync("/places");
        await response.Status(HttpStatusCode.OK);
        Assert.Contains("img-src 'self' data:;", string.Join(' ', response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<meta name=\"homeroom-tile-url\" content=\"\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unusable_tile_url_leaves_the_map_without_tiles()
    {
        var database = new SqliteFixture();
        await using (var app = await database.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:Places:TileUrl"] = "tiles.example.test/{z}/{x}/{y}.png" }))
        {
            using var api = new ApiClient(app.NewClient());
            var response = await api.GetAsync("/places");
            await response.Status(HttpStatusCode.OK);
            Assert.Equal(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                string.Join(' ', response.Headers.GetValues("Content-Security-Policy")));
            Assert.Contains("<meta name=\"homeroom-tile-url\" content=\"\">", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await database.DisposeAsync();
    }

    // ---- Helpers

    private sealed record Near(List<JsonElement> Items, string Unit);

    private async Task<Near> NearAsync(string query)
    {
        using var api = new ApiClient(App.NewClient());
        var page = await (await api.GetAsync("/api/places/near?" + query)).Json(HttpStatusCode.OK);
        return new Near(page.GetProperty("items").EnumerateArray().ToList(), page.Str("unit"));
    }

    /// <summary>The list shows exactly the API's places, in its order, with its distances, and the map one marker each plus the search point.</summary>
    private static async Task AssertListMatchesAsync(IPage page, Near expected)
    {
        var items = page.Locator("#results-list .result-item");
        await Assertions.Expect(items).ToHaveCountAsync(expected.Items.Count);
        var ids = expected.Items.Select(i => i.Long("id").ToString(CultureInfo.InvariantCulture)).ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            await Assertions.Expect(items.Nth(i)).ToHaveAttributeAsync("data-place-id", ids[i]);
        }

        await Assertions.Expect(page.Locator("#results-list .result-name")).ToHaveTextAsync(expected.Items.Select(i => i.Str("name")).ToArray());
        await Assertions.Expect(page.Locator("#results-list .result-distance"))
            .ToHaveTextAsync(expected.Items.Select(i => FormatDistance(i.GetProperty("distance").GetDouble(), expected.Unit)).ToArray());
        await Assertions.Expect(page.Locator("#results-list .result-number"))
            .ToHaveTextAsync(Enumerable.Range(1, expected.Items.Count).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToArray());
        await Assertions.Expect(page.Locator(".leaflet-marker-icon")).ToHaveCountAsync(expected.Items.Count + 1);
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.place-pin")).ToHaveCountAsync(expected.Items.Count);
        await Assertions.Expect(page.Locator(".leaflet-marker-icon.user-pin")).ToHaveCountAsync(1);
    }

    /// <summary>As the page writes a distance: one decimal under 10, whole numbers with thousands separators above.</summary>
    private static string FormatDistance(double value, string unit)
    {
        if (value < 0.05)
        {
            return $"< 0.1 {unit}";
        }

        return value.ToString(value < 10 ? "N1" : "N0", CultureInfo.InvariantCulture) + " " + unit;
    }

    private static async Task<long> AddAsync(Teacher teacher, string name, double lat, double lon, string category,
        string? address = null, string? phone = null, string? url = null, string? hours = null, string? timeZone = null, bool isPublic = true)
    {
        var response = await teacher.Api.PostAsync("/api/places", new { name, category, lat, lon, address, phone, url, hours, timeZone, @public = isPublic });
        return (await response.Json(HttpStatusCode.Created)).Long("id");
    }
}
