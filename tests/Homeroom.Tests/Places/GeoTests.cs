using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Homeroom.Places;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Places;

/// <summary>The offline gazetteer and the time zone of a point, without a server.</summary>
public sealed class GeoDataTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(51.5074, -0.1278, "Europe/London")]
    [InlineData(40.7128, -74.0060, "America/New_York")]
    [InlineData(35.6762, 139.6503, "Asia/Tokyo")]
    [InlineData(-33.8688, 151.2093, "Australia/Sydney")]
    [InlineData(39.7392, -104.9903, "America/Denver")]
    [InlineData(48.8566, 2.3522, "Europe/Paris")]
    [InlineData(-23.5505, -46.6333, "America/Sao_Paulo")]
    [InlineData(21.3069, -157.8583, "Pacific/Honolulu")]
    [InlineData(28.6139, 77.2090, "Asia/Kolkata")]
    public void The_time_zone_of_a_point_comes_from_the_embedded_table(double lat, double lon, string zone) =>
        Assert.Equal(zone, TimeZoneLookup.Find(lat, lon));

    [Fact]
    public void Every_point_on_the_earth_has_a_zone_this_machine_knows()
    {
        for (var lat = -90.0; lat <= 90; lat += 7.5)
        {
            for (var lon = -180.0; lon <= 180; lon += 7.5)
            {
                Assert.True(TimeZoneInfo.TryFindSystemTimeZoneById(TimeZoneLookup.Find(lat, lon), out _), $"{lat}, {lon}");
            }
        }

        // At sea the table has the nautical zones: mid-Pacific is twelve hours from Greenwich.
        Assert.Equal("Etc/GMT+12", TimeZoneLookup.Find(0, -177.5));
    }

    [Theory]
    [InlineData("Zürich", "zurich")]
    [InlineData("  SÃO   paulo ", "sao paulo")]
    [InlineData("Saint-Étienne", "saint etienne")]
    [InlineData("St. Louis", "saint louis")]
    [InlineData("Mt Vernon", "mount vernon")]
    [InlineData("Coeur d'Alene", "coeur dalene")]
    [InlineData("Łódź", "lodz")]
    [InlineData("Straße", "strasse")]
    [InlineData("?!", "")]
    public void Names_compare_without_case_accents_or_punctuation(string name, string key) =>
        Assert.Equal(key, Gazetteer.Key(name));

    [Fact]
    public void A_town_that_stands_out_is_unique_and_the_others_follow_by_population()
    {
        var denver = Gazetteer.Find("denver", 10, out _)!;
        Assert.True(denver.Unique);
        Assert.Equal(("Denver", "Colorado", "CO", "US"), (denver.Matches[0].Name, denver.Matches[0].Region, denver.Matches[0].RegionCode, denver.Matches[0].CountryCode));
        Assert.Equal(39.74, denver.Matches[0].Lat, 0.01);
        Assert.Equal(-104.98, denver.Matches[0].Lon, 0.01);
        Assert.True(denver.Matches.Count > 1, "the smaller Denvers are offered too");
        Assert.Equal(denver.Matches.Select(m => m.Population).OrderDescending(), denver.Matches.Select(m => m.Population));
    }

    [Fact]
    public void An_ambiguous_name_gives_choices_by_population_and_a_qualifier_picks_one()
    {
        var springfield = Gazetteer.Find("Springfield", 10, out _)!;
        Assert.False(springfield.Unique);
        Assert.True(springfield.Matches.Count >= 5);
        Assert.Equal(springfield.Matches.Select(m => m.Population).OrderDescending(), springfield.Matches.Select(m => m.Population));
        Assert.All(springfield.Matches, m => Assert.Equal("Springfield", m.Name));
        Assert.Contains(springfield.Matches, m => m.Label == "Springfield, Illinois, United States");

        var portland = Gazetteer.Find("Portland", 10, out _)!;
        Assert.False(portland.Unique);
        Assert.Equal(["OR", "ME"], portland.Matches.Take(2).Select(m => m.RegionCode));

        foreach (var query in new[] { "Portland, OR", "portland, oregon", "Portland, Oregon, USA", "Portland OR" })
        {
            var one = Gazetteer.Find(query, 10, out _)!;
            Assert.True(one.Unique, query);
            Assert.Equal("Oregon", one.Matches[0].Region);
        }

        Assert.Equal("Maine", Gazetteer.Find("Portland, ME", 10, out _)!.Matches[0].Region);
        Assert.Equal("Springfield, Illinois, United States", Gazetteer.Find("Springfield, IL", 10, out _)!.Matches[0].Label);
        var paris = Gazetteer.Find("Paris, FR", 10, out _)!;
        Assert.Equal(("FR", "France"), (paris.Matches[0].CountryCode, paris.Matches[0].Country));
        Assert.Equal("TX", Gazetteer.Find("Paris, Texas", 10, out _)!.Matches[0].RegionCode);
        Assert.Equal("GB", Gazetteer.Find("London, England", 10, out _)!.Matches[0].CountryCode);
        Assert.Equal("CA", Gazetteer.Find("London, Canada", 10, out _)!.Matches[0].CountryCode);
    }

    [Fact]
    public void Accents_case_and_whole_word_prefixes_find_the_town()
    {
        Assert.Equal("São Paulo", Gazetteer.Find("SAO PAULO", 10, out _)!.Matches[0].Name);
        Assert.Equal("DE", Gazetteer.Find("koln", 10, out _)!.Matches[0].CountryCode);
        // GeoNames calls it "New York City": a name that is no town's whole name matches whole leading words.
        var newYork = Gazetteer.Find("new york", 10, out _)!;
        Assert.True(newYork.Unique);
        Assert.Equal("New York City", newYork.Matches[0].Name);
    }

    [Fact]
    public void US_zip_codes_are_found_and_other_postcodes_are_explained()
    {
        var zip = Gazetteer.Find("80202", 10, out _)!;
        Assert.True(zip.Unique);
        var match = Assert.Single(zip.Matches);
        Assert.Equal(("80202", "Denver", "CO", "US"), (match.Postcode, match.Name, match.RegionCode, match.CountryCode));
        Assert.Equal(39.75, match.Lat, 0.05);
        Assert.Equal("10001", Gazetteer.Find("10001-1234", 10, out _)!.Matches[0].Postcode);

        Assert.Null(Gazetteer.Find("00000", 10, out var unknownZip));
        Assert.Contains("not a US ZIP code", unknownZip!.Message, StringComparison.Ordinal);
        Assert.Null(Gazetteer.Find("SW1A 1AA", 10, out var british));
        Assert.Contains("only US ZIP codes", british!.Message, StringComparison.Ordinal);
        Assert.Null(Gazetteer.Find("Qwxzzy", 10, out var nothing));
        Assert.Contains("No town called 'Qwxzzy'", nothing!.Message, StringComparison.Ordinal);
        Assert.Null(Gazetteer.Find("Springfield, Atlantis", 10, out var region));
        Assert.Contains("'atlantis'", region!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_figures_are_reported()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        Gazetteer.Load();
        var (towns, postcodes, elapsed, bytes) = Gazetteer.LoadFigures;
        Assert.True(towns > 130_000, $"{towns} towns");
        Assert.True(postcodes > 40_000, $"{postcodes} ZIP codes");
        output.WriteLine($"{towns} towns, {postcodes} ZIP codes, loaded in {elapsed.TotalMilliseconds:F0} ms holding about {bytes / 1048576.0:F1} MB " +
            $"(process CPU since this test started: {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms)");
    }
}

public abstract class GeoApiTests(AppFixture fixture) : AppTests(fixture)
{
    private static async Task<JsonElement> CreateAsync(Teacher teacher, object place) =>
        await (await teacher.Api.PostAsync("/api/places", place)).Json(HttpStatusCode.Created);

    [Fact]
    public async Task Geocode_answers_towns_postcodes_choices_and_problems()
    {
        using var api = Anonymous();
        var denver = await (await api.GetAsync("/api/places/geocode?q=Denver")).Json(HttpStatusCode.OK);
        Assert.True(denver.GetProperty("unique").GetBoolean());
        var first = denver.GetProperty("matches")[0];
        Assert.Equal(("Denver", "Colorado", "United States", "US"), (first.Str("name"), first.Str("region"), first.Str("country"), first.Str("countryCode")));
        Assert.True(first.Long("population") > 500_000);

        var springfield = await (await api.GetAsync("/api/places/geocode?q=springfield&limit=3")).Json(HttpStatusCode.OK);
        Assert.False(springfield.GetProperty("unique").GetBoolean());
        var populations = springfield.GetProperty("matches").EnumerateArray().Select(m => m.Long("population")).ToList();
        Assert.Equal(3, populations.Count);
        Assert.Equal(populations.OrderDescending(), populations);

        var portland = await (await api.GetAsync("/api/places/geocode?q=" + Uri.EscapeDataString("Portland, OR"))).Json(HttpStatusCode.OK);
        Assert.Equal("Portland, Oregon, United States", Assert.Single(portland.GetProperty("matches").EnumerateArray()).Str("label"));

        var zip = await (await api.GetAsync("/api/places/geocode?q=80202")).Json(HttpStatusCode.OK);
        Assert.Equal("80202", zip.GetProperty("matches")[0].Str("postcode"));

        var none = await (await api.GetAsync("/api/places/geocode?q=Qwxzzy")).ValidationProblem("q", HttpStatusCode.NotFound);
        Assert.Contains("No town called 'Qwxzzy'", none[0], StringComparison.Ordinal);
        await (await api.GetAsync("/api/places/geocode")).ValidationProblem("q");
        await (await api.GetAsync("/api/places/geocode?q=%20")).ValidationProblem("q");
        await (await api.GetAsync("/api/places/geocode?q=" + new string('a', 201))).ValidationProblem("q");
        await (await api.GetAsync("/api/places/geocode?q=Paris&limit=0")).ValidationProblem("limit");
        await (await api.GetAsync("/api/places/geocode?q=Paris&limit=x")).ValidationProblem("limit");
    }

    [Fact]
    public async Task Near_by_town_searches_around_it_and_an_ambiguous_town_offers_choices()
    {
        var teacher = await SignUpAsync();
        var category = "g" + Guid.NewGuid().ToString("N")[..8];
        var downtown = (await CreateAsync(teacher, new { name = "Denver Public Library", category, lat = 39.7372, lon = -104.9886 })).Long("id");
        var boulder = (await CreateAsync(teacher, new { name = "Boulder Library", category, lat = 40.0150, lon = -105.2705 })).Long("id");
        await CreateAsync(teacher, new { name = "Portland Library", category, lat = 45.5190, lon = -122.6826 });

        using var api = Anonymous();
        var page = await (await api.GetAsync($"/api/places/near?q=Denver&limit=2&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal([downtown, boulder], page.GetProperty("items").EnumerateArray().Select(i => i.Long("id")));
        Assert.Equal("Denver, Colorado, United States", page.GetProperty("origin").Str("label"));
        Assert.True(page.GetProperty("items")[0].GetProperty("distance").GetDouble() < 1);

        var byZip = await (await api.GetAsync($"/api/places/near?q=80202&limit=1&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal(downtown, byZip.GetProperty("items")[0].Long("id"));
        Assert.Equal("80202", byZip.GetProperty("origin").Str("postcode"));

        var qualified = await (await api.GetAsync($"/api/places/near?q={Uri.EscapeDataString("Portland, OR")}&limit=1&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal("Portland Library", qualified.GetProperty("items")[0].Str("name"));

        var ambiguous = await api.GetAsync($"/api/places/near?q=Portland&category={category}");
        var messages = await ambiguous.ValidationProblem("q", HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Portland, Oregon, United States", messages[0], StringComparison.Ordinal);
        var problem = JsonDocument.Parse(await ambiguous.Content.ReadAsStringAsync()).RootElement;
        var choices = problem.GetProperty("choices").EnumerateArray().ToList();
        Assert.True(choices.Count >= 2);
        Assert.Equal(("OR", "ME"), (choices[0].Str("regionCode"), choices[1].Str("regionCode")));
        Assert.All(choices, c => Assert.True(c.TryGetProperty("lat", out _) && c.TryGetProperty("lon", out _) && c.TryGetProperty("population", out _)));

        await (await api.GetAsync("/api/places/near?q=Qwxzzy")).ValidationProblem("q", HttpStatusCode.NotFound);
        await (await api.GetAsync("/api/places/near?q=Denver&lat=1&lon=2")).ValidationProblem("q");
        await (await api.GetAsync("/api/places/near?q=")).ValidationProblem("q");
        await (await api.GetAsync("/api/places/near?q=Denver&radius=-1")).ValidationProblem("radius");
        await (await api.GetAsync("/api/places/near")).ValidationProblem("lat");
    }

    [Fact]
    public async Task A_place_without_a_time_zone_gets_the_zone_of_its_coordinates_and_a_given_zone_wins()
    {
        var teacher = await SignUpAsync();
        var expected = new (string Name, double Lat, double Lon, string Zone)[]
        {
            ("British Library", 51.5299, -0.1277, "Europe/London"),
            ("New York Public Library", 40.7532, -73.9822, "America/New_York"),
            ("National Diet Library", 35.6784, 139.7443, "Asia/Tokyo"),
            ("State Library of NSW", -33.8660, 151.2130, "Australia/Sydney"),
        };
        foreach (var (name, lat, lon, zone) in expected)
        {
            var created = await CreateAsync(teacher, new { name, category = "library", lat, lon });
            Assert.Equal(zone, created.Str("timeZone"));
            var stored = await (await teacher.Api.GetAsync($"/api/places/{created.Long("id")}")).Json(HttpStatusCode.OK);
            Assert.Equal(zone, stored.Str("timeZone"));
        }

        var given = await CreateAsync(teacher, new { name = "Kept", category = "library", lat = 51.5, lon = -0.12, timeZone = "Asia/Tokyo" });
        Assert.Equal("Asia/Tokyo", given.Str("timeZone"));

        // A change that leaves the zone out (PUT is the whole place) takes the zone of the new coordinates.
        var moved = await (await teacher.Api.PutAsync($"/api/places/{given.Long("id")}", new { name = "Moved", category = "library", lat = 40.75, lon = -73.98 })).Json(HttpStatusCode.OK);
        Assert.Equal("America/New_York", moved.Str("timeZone"));
        var found = await (await teacher.Api.GetAsync($"/api/places/{given.Long("id")}")).Json(HttpStatusCode.OK);
        Assert.Equal("America/New_York", found.Str("timeZone"));
    }

    [Fact]
    public async Task A_csv_import_without_a_zone_column_or_value_takes_the_zone_of_each_row()
    {
        var teacher = await SignUpAsync();
        var category = "z" + Guid.NewGuid().ToString("N")[..8];
        var withoutColumn = $"""
            name,category,lat,lon
            London,{category},51.5074,-0.1278
            New York,{category},40.7128,-74.0060
            Tokyo,{category},35.6762,139.6503
            Sydney,{category},-33.8688,151.2093
            """;
        var withColumn = $"""
            name,category,lat,lon,timezone
            Given,{category},51.5074,-0.1278,America/Denver
            Blank,{category},35.6762,139.6503,
            """;
        foreach (var csv in new[] { withoutColumn, withColumn })
        {
            var accepted = await teacher.Api.SendAsync(HttpMethod.Post, "/api/places/import", null,
                request => request.Content = new StringContent(csv, Encoding.UTF8, "text/csv"));
            var location = accepted.Headers.Location!.OriginalString;
            var status = await accepted.Json(HttpStatusCode.Accepted);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (status.Str("status") == "running" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                status = await (await teacher.Api.GetAsync(location)).Json(HttpStatusCode.OK);
            }

            Assert.Equal("done", status.Str("status"));
        }

        var mine = await (await teacher.Api.GetAsync("/api/places?pageSize=500")).Json(HttpStatusCode.OK);
        var zones = mine.EnumerateArray().Where(p => p.Str("category") == category).ToDictionary(p => p.Str("name"), p => p.Str("timeZone"));
        Assert.Equal("Europe/London", zones["London"]);
        Assert.Equal("America/New_York", zones["New York"]);
        Assert.Equal("Asia/Tokyo", zones["Tokyo"]);
        Assert.Equal("Australia/Sydney", zones["Sydney"]);
        Assert.Equal("America/Denver", zones["Given"]);
        Assert.Equal("Asia/Tokyo", zones["Blank"]);
    }
}

public sealed class SqliteGeoApiTests(SqliteFixture fixture) : GeoApiTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresGeoApiTests(PostgresFixture fixture) : GeoApiTests(fixture), IClassFixture<PostgresFixture>;
