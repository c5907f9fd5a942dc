using System.Net;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Places;

public abstract class PlacesTests(AppFixture fixture) : AppTests(fixture)
{
    private static object NewPlace(string name, double lat, double lon, string category = "library", bool isPublic = true, string? hours = null, string? timeZone = null) =>
        new { name, category, lat, lon, @public = isPublic, hours, timeZone, address = $"{name} street" };

    private static async Task<long> AddAsync(Teacher teacher, object place) =>
        (await (await teacher.Api.PostAsync("/api/places", place)).Json(HttpStatusCode.Created)).Long("id");

    /// <summary>Independent reference: the haversine formula over every place, as a full scan would.</summary>
    private static double Haversine(double lat1, double lon1, double lat2, double lon2)
    {
        static double Rad(double d) => d * Math.PI / 180;
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) + (Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2));
        return 2 * 6371.0088 * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    private static async Task<List<JsonElement>> NearAsync(ApiClient api, string query) =>
        (await (await api.GetAsync("/api/places/near?" + query)).Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task Nearest_k_matches_a_full_scan_everywhere_including_the_poles_and_the_antimeridian()
    {
        var teacher = await SignUpAsync();
        var random = new Random(2026);
        var category = "c" + Guid.NewGuid().ToString("N")[..8];
        var places = new List<(long Id, double Lat, double Lon)>();
        var coordinates = Enumerable.Range(0, 160).Select(_ => (Lat: (random.NextDouble() * 180) - 90, Lon: (random.NextDouble() * 360) - 180))
            .Concat(new (double Lat, double Lon)[] { (90, 0), (-90, 45), (89.99, -179.99), (89.99, 179.99), (0, 180), (0, -180), (10, 179.999), (10, -179.999), (-45.5, 180) })
            .ToList();
        foreach (var batch in coordinates.Chunk(20))
        {
            var ids = await Task.WhenAll(batch.Select((c, i) => AddAsync(teacher, NewPlace($"P{places.Count + i}", c.Lat, c.Lon, category))));
            places.AddRange(ids.Zip(batch, (id, c) => (id, c.Lat, c.Lon)));
        }

        using var anonymous = Anonymous();
        var queries = new (double Lat, double Lon)[] { (90, 0), (-90, 0), (89.995, 180), (0, 179.9999), (0, -179.9999), (10, -180), (51.5, -0.12), (-33.9, 151.2) }
            .Concat(Enumerable.Range(0, 12).Select(_ => ((random.NextDouble() * 180) - 90, (random.NextDouble() * 360) - 180)));
        foreach (var (lat, lon) in queries)
        {
            // Places at the same spot ((0, 180) is (0, -180)) differ only in floating-point noise: a full
            // scan and the index may order them either way, so equal distances (to the metre) go by id.
            var expected = places
                .Select(p => (p.Id, Km: Haversine(lat, lon, p.Lat, p.Lon)))
                .OrderBy(p => Math.Round(p.Km, 3)).ThenBy(p => p.Id).Take(10).ToList();

            var items = await NearAsync(anonymous, FormattableString.Invariant($"lat={lat}&lon={lon}&limit=10&category={category}"));

            var distances = items.Select(i => i.GetProperty("distance").GetDouble()).ToList();
            Assert.Equal(distances.Order(), distances);
            Assert.Equal(expected.Select(e => e.Id), items.OrderBy(i => Math.Round(i.GetProperty("distance").GetDouble(), 3)).ThenBy(i => i.Long("id")).Select(i => i.Long("id")));
            Assert.All(expected.Zip(items), pair => Assert.Equal(pair.First.Km, pair.Second.GetProperty("distance").GetDouble(), 0.001));
        }
    }

    [Fact]
    public async Task Paging_by_cursor_gives_the_same_order_as_one_long_page()
    {
        var teacher = await SignUpAsync();
        var category = "k" + Guid.NewGuid().ToString("N")[..8];
        // Duplicated coordinates make ties, which must break by id and page cleanly.
        foreach (var i in Enumerable.Range(0, 25))
        {
            await AddAsync(teacher, NewPlace($"Tie {i}", 48.85 + (i % 5 * 0.01), 2.35, category));
        }

        using var api = Anonymous();
        var all = await NearAsync(api, $"lat=48.85&lon=2.35&limit=100&category={category}");
        var paged = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await (await api.GetAsync($"/api/places/near?lat=48.85&lon=2.35&limit=7&category={category}" + (cursor is null ? "" : "&cursor=" + cursor))).Json(HttpStatusCode.OK);
            paged.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.Equal(25, all.Count);
        Assert.Equal(all.Select(i => i.Long("id")), paged.Select(i => i.Long("id")));
    }

    [Fact]
    public async Task Radius_unit_and_category_filter_and_the_nearest_is_offered_when_none_is_inside()
    {
        var teacher = await SignUpAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await AddAsync(teacher, NewPlace("Close", 40.0, -3.0, "museum" + tag));
        await AddAsync(teacher, NewPlace("Farther", 40.5, -3.0, "museum" + tag));
        await AddAsync(teacher, NewPlace("Other kind", 40.01, -3.0, "zoo" + tag));
        using var api = Anonymous();

        var inside = await NearAsync(api, $"lat=40&lon=-3&radius=20&category=MUSEUM{tag}");
        Assert.Equal(["Close"], inside.Select(i => i.Str("name")));

        var miles = await NearAsync(api, $"lat=40&lon=-3&radius=40&unit=mi&category=museum{tag}");
        Assert.Equal(["Close", "Farther"], miles.Select(i => i.Str("name")));
        Assert.Equal(Haversine(40, -3, 40.5, -3) / 1.609344, miles[1].GetProperty("distance").GetDouble(), 0.001);

        Assert.Empty(await NearAsync(api, $"lat=10&lon=10&radius=5&category=museum{tag}"));
        var fallback = await NearAsync(api, $"lat=10&lon=10&radius=5&category=museum{tag}&nearestIfNone=true");
        var only = Assert.Single(fallback);
        Assert.Equal("Close", only.Str("name"));
        Assert.True(only.GetProperty("outsideRadius").GetBoolean());
    }

    [Fact]
    public async Task Private_places_are_found_only_by_their_owner()
    {
        var owner = await SignUpAsync();
        var other = await SignUpAsync();
        var category = "p" + Guid.NewGuid().ToString("N")[..8];
        var secret = await AddAsync(owner, NewPlace("Secret garden", -20, 30, category, isPublic: false));
        await AddAsync(owner, NewPlace("Public park", -20.01, 30, category));

        using var anonymous = Anonymous();
        Assert.Equal(["Public park"], (await NearAsync(anonymous, $"lat=-20&lon=30&category={category}")).Select(i => i.Str("name")));
        Assert.Equal(["Public park"], (await NearAsync(other.Api, $"lat=-20&lon=30&category={category}")).Select(i => i.Str("name")));
        var mine = await NearAsync(owner.Api, $"lat=-20&lon=30&category={category}");
        Assert.Equal(["Secret garden", "Public park"], mine.Select(i => i.Str("name")));
        Assert.True(mine[0].GetProperty("mine").GetBoolean());

        await (await other.Api.GetAsync($"/api/places/{secret}")).Problem(HttpStatusCode.NotFound);
        await (await other.Api.PutAsync($"/api/places/{secret}", NewPlace("Mine now", 0, 0))).Problem(HttpStatusCode.NotFound);
        await (await other.Api.DeleteAsync($"/api/places/{secret}")).Problem(HttpStatusCode.NotFound);
        await (await owner.Api.GetAsync($"/api/places/{secret}")).Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Open_now_is_judged_in_each_places_own_time_zone()
    {
        await using var app = await Fixture.StartAppAsync();
        // Wednesday 2026-11-18 12:00 UTC: 12:00 in London, 21:00 in Tokyo, 07:00 in New York.
        app.Clock.Set(new DateTimeOffset(2026, 11, 18, 12, 0, 0, TimeSpan.Zero));
        var teacher = await Teacher.SignUpAsync(app);
        var category = "o" + Guid.NewGuid().ToString("N")[..8];
        await AddAsync(teacher, NewPlace("London library", 51.5, -0.1, category, hours: "Mo-Fr 09:00-16:00", timeZone: "Europe/London"));
        await AddAsync(teacher, NewPlace("Tokyo bar", 51.51, -0.1, category, hours: "Mo-Sa 18:00-02:00", timeZone: "Asia/Tokyo"));
        await AddAsync(teacher, NewPlace("New York bakery", 51.52, -0.1, category, hours: "Mo-Fr 08:00-16:00; We off", timeZone: "America/New_York"));
        await AddAsync(teacher, NewPlace("No hours known", 51.53, -0.1, category));
        using var api = new ApiClient(app.NewClient());

        var open = await (await api.GetAsync($"/api/places/near?lat=51.5&lon=-0.1&openNow=true&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal(["London library", "Tokyo bar"], open.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
        var all = await (await api.GetAsync($"/api/places/near?lat=51.5&lon=-0.1&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal([true, true, false], all.GetProperty("items").EnumerateArray().Take(3).Select(i => i.GetProperty("openNow").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("items")[3].GetProperty("openNow").ValueKind);

        // 16:30 UTC: London has closed; in Tokyo it is 01:30 on Thursday, inside Wednesday's overnight opening.
        app.Clock.Set(new DateTimeOffset(2026, 11, 18, 16, 30, 0, TimeSpan.Zero));
        var late = await (await api.GetAsync($"/api/places/near?lat=51.5&lon=-0.1&openNow=true&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal(["Tokyo bar"], late.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
    }

    [Fact]
    public async Task A_place_has_a_country_and_a_status_that_says_what_its_hours_mean()
    {
        await using var app = await Fixture.StartAppAsync();
        // Thursday 2026-12-24 10:00 in London; Friday the 25th and Monday the 28th are bank holidays.
        app.Clock.Set(new DateTimeOffset(2026, 12, 24, 10, 0, 0, TimeSpan.Zero));
        var teacher = await Teacher.SignUpAsync(app);
        var category = "s" + Guid.NewGuid().ToString("N")[..8];
        var shop = new { name = "Corner shop", category, lat = 51.5, lon = -0.1, hours = "Mo-Fr 09:00-18:00; PH off", timeZone = "Europe/London", country = (string?)"gb" };
        var created = await (await teacher.Api.PostAsync("/api/places", shop)).Json(HttpStatusCode.Created);
        Assert.Equal("GB", created.Str("country"));
        var status = created.GetProperty("status");
        Assert.Equal(("open", "open now, closes at 18:00"), (status.Str("state"), status.Str("text")));
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 18, 0, 0, TimeSpan.Zero), status.GetProperty("nextChange").GetDateTimeOffset());
        Assert.Equal("closed", status.Str("nextState"));
        var id = created.Long("id");
        using var api = new ApiClient(app.NewClient());
        Assert.Equal("open now, closes at 18:00", (await (await api.GetAsync($"/api/places/{id}")).Json(HttpStatusCode.OK)).GetProperty("status").Str("text"));
        await AddAsync(teacher, new { name = "Shop abroad", category, lat = 51.51, lon = -0.1, hours = "Mo-Fr 09:00-18:00; PH off", timeZone = "Europe/London" });
        await AddAsync(teacher, new { name = "Studio", category, lat = 51.52, lon = -0.1, hours = "\"by appointment\"", timeZone = "Europe/London", country = "GB" });

        // Christmas Day: the shop with a country is closed until Tuesday; the one without knows no holidays, and says so.
        app.Clock.Set(new DateTimeOffset(2026, 12, 25, 10, 0, 0, TimeSpan.Zero));
        var items = (await (await api.GetAsync($"/api/places/near?lat=51.5&lon=-0.1&category={category}")).Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["Corner shop", "Shop abroad", "Studio"], items.Select(i => i.Str("name")));
        Assert.Equal("closed today, opens on Tuesday at 09:00", items[0].GetProperty("status").Str("text"));
        Assert.False(items[0].GetProperty("openNow").GetBoolean());
        Assert.Equal("open", items[1].GetProperty("status").Str("state"));
        Assert.Contains("country", items[1].GetProperty("status").Str("note"), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, items[1].GetProperty("country").ValueKind);
        Assert.Equal(("unknown", "by appointment", "unknown (by appointment)"),
            (items[2].GetProperty("status").Str("state"), items[2].GetProperty("status").Str("comment"), items[2].GetProperty("status").Str("text")));
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("openNow").ValueKind);
        var open = await (await api.GetAsync($"/api/places/near?lat=51.5&lon=-0.1&openNow=true&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal(["Shop abroad"], open.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
    }

    [Fact]
    public async Task Bad_hours_and_countries_are_refused_saying_where_and_why()
    {
        var teacher = await SignUpAsync();
        var place = new { name = "X", category = "c", lat = 0, lon = 0, hours = "Mo-Fr 08:00-18:00, Sa 09:00-12:00", country = (string?)"fr" };
        var id = (await (await teacher.Api.PostAsync("/api/places", place)).Json(HttpStatusCode.Created)).Long("id");
        Assert.Equal("FR", (await (await teacher.Api.GetAsync($"/api/places/{id}")).Json(HttpStatusCode.OK)).Str("country"));
        var changed = await (await teacher.Api.PutAsync($"/api/places/{id}", place with { country = null })).Json(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("country").ValueKind);
        Assert.Equal(JsonValueKind.Null, (await (await teacher.Api.GetAsync($"/api/places/{id}")).Json(HttpStatusCode.OK)).GetProperty("country").ValueKind);

        var messages = await (await teacher.Api.PostAsync("/api/places", place with { hours = "Mo-Fr 08:00-18:00 Sa 09:00-12:00" })).ValidationProblem("hours");
        Assert.Contains("At position 19", messages.Single(), StringComparison.Ordinal);
        Assert.Contains("expected", messages.Single(), StringComparison.Ordinal);
        var unsupported = await (await teacher.Api.PostAsync("/api/places", place with { hours = "Mo-Fr 10:00-16:00/01:00" })).ValidationProblem("hours");
        Assert.Contains("valid opening_hours syntax, but Homeroom does not evaluate it", unsupported.Single(), StringComparison.Ordinal);
        await (await teacher.Api.PostAsync("/api/places", place with { country = "XX" })).ValidationProblem("country");
        await (await teacher.Api.PostAsync("/api/places", place with { country = "FRA" })).ValidationProblem("country");
    }

    [Fact]
    public async Task A_place_is_created_read_changed_and_deleted_and_the_search_follows()
    {
        var teacher = await SignUpAsync();
        var category = "u" + Guid.NewGuid().ToString("N")[..8];
        var created = await teacher.Api.PostAsync("/api/places", NewPlace("Science museum", 51.4978, -0.1745, category, hours: "Mo-Su 10:00-18:00", timeZone: "Europe/London"));
        var id = (await created.Json(HttpStatusCode.Created)).Long("id");
        Assert.Equal($"/api/places/{id}", created.Headers.Location?.OriginalString);
        using var api = Anonymous();
        Assert.Single(await NearAsync(api, $"lat=51.5&lon=-0.17&category={category}"));

        var moved = await (await teacher.Api.PutAsync($"/api/places/{id}", NewPlace("Science museum", -33.87, 151.21, category))).Json(HttpStatusCode.OK);
        Assert.Equal(-33.87, moved.GetProperty("lat").GetDouble());
        Assert.Equal("Science museum", (await NearAsync(api, $"lat=-33.8&lon=151.2&radius=50&category={category}")).Single().Str("name"));
        Assert.Empty(await NearAsync(api, $"lat=51.5&lon=-0.17&radius=50&category={category}"));

        await (await teacher.Api.DeleteAsync($"/api/places/{id}")).Status(HttpStatusCode.NoContent);
        Assert.Empty(await NearAsync(api, $"lat=-33.8&lon=151.2&category={category}"));
        await (await teacher.Api.GetAsync($"/api/places/{id}")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_category_nobody_has_finds_nothing_at_once()
    {
        var teacher = await SignUpAsync();
        await AddAsync(teacher, NewPlace("Somewhere", 5, 5, "library"));
        using var api = Anonymous();

        Assert.Empty(await NearAsync(api, "lat=5&lon=5&category=" + Guid.NewGuid().ToString("N")));
        Assert.NotEmpty(await NearAsync(api, "lat=5&lon=5&category=LIBRARY"));
    }

    [Theory]
    [InlineData("lat=91&lon=0", "lat")]
    [InlineData("lat=abc&lon=0", "lat")]
    [InlineData("lat=0&lon=-181", "lon")]
    [InlineData("lon=0", "lat")]
    [InlineData("lat=0&lon=0&limit=0", "limit")]
    [InlineData("lat=0&lon=0&limit=10000", "limit")]
    [InlineData("lat=0&lon=0&limit=2.5", "limit")]
    [InlineData("lat=0&lon=0&unit=furlong", "unit")]
    [InlineData("lat=0&lon=0&radius=-5", "radius")]
    [InlineData("lat=0&lon=0&openNow=maybe", "openNow")]
    [InlineData("lat=0&lon=0&cursor=not-a-cursor", "cursor")]
    [InlineData("lat=NaN&lon=0", "lat")]
    public async Task Bad_search_parameters_name_the_field(string query, string field)
    {
        using var api = Anonymous();

        await (await api.GetAsync("/api/places/near?" + query)).ValidationProblem(field);
    }

    [Theory]
    [InlineData("lat", 91.0)]
    [InlineData("lon", -181.0)]
    public async Task Bad_coordinates_are_refused_naming_the_field(string field, double value)
    {
        var teacher = await SignUpAsync();
        var place = new Dictionary<string, object?> { ["name"] = "X", ["category"] = "c", ["lat"] = 0.0, ["lon"] = 0.0, [field] = value };

        await (await teacher.Api.PostAsync("/api/places", place)).ValidationProblem(field);
    }

    [Fact]
    public async Task Bad_place_fields_are_refused_naming_the_field()
    {
        var teacher = await SignUpAsync();

        await (await teacher.Api.PostAsync("/api/places", new { category = "c", lat = 0, lon = 0 })).ValidationProblem("name");
        await (await teacher.Api.PostAsync("/api/places", new { name = "X", category = "c", lat = 0, lon = 0, hours = "Mo-Fr 9-5" })).ValidationProblem("hours");
        await (await teacher.Api.PostAsync("/api/places", new { name = "X", category = "c", lat = 0, lon = 0, hours = "Xx 09:00-10:00" })).ValidationProblem("hours");
        await (await teacher.Api.PostAsync("/api/places", new { name = "X", category = "c", lat = 0, lon = 0, timeZone = "Mars/Base" })).ValidationProblem("timeZone");
        await (await teacher.Api.PostAsync("/api/places", new { name = "X", category = "c", lat = 0, lon = 0, url = "javascript:alert(1)" })).ValidationProblem("url");
        await (await teacher.Api.PostAsync("/api/places", new { name = "X", category = "c", lon = 0 })).ValidationProblem("lat");
    }

    [Fact]
    public async Task Another_server_on_the_same_database_picks_up_new_places()
    {
        var teacher = await SignUpAsync();
        await using var second = await Fixture.StartAppAsync(connectionString: App.ConnectionString);
        using var elsewhere = new ApiClient(second.NewClient());
        var category = "s" + Guid.NewGuid().ToString("N")[..8];
        Assert.Empty(await NearAsync(elsewhere, $"lat=1&lon=1&category={category}"));

        await AddAsync(teacher, NewPlace("Made on the first server", 1, 1, category));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        List<JsonElement> found;
        do
        {
            await Task.Delay(250);
            found = await NearAsync(elsewhere, $"lat=1&lon=1&category={category}");
        }
        while (found.Count == 0 && DateTime.UtcNow < deadline);

        Assert.Equal("Made on the first server", Assert.Single(found).Str("name"));
    }
}

public sealed class SqlitePlacesTests(SqliteFixture fixture) : PlacesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresPlacesTests(PostgresFixture fixture) : PlacesTests(fixture), IClassFixture<PostgresFixture>;
