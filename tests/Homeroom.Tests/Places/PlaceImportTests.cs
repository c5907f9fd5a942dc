using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Places;

public abstract class PlaceImportTests(AppFixture fixture) : AppTests(fixture)
{
    private static async Task<JsonElement> FinishedAsync(Teacher teacher, HttpResponseMessage accepted)
    {
        var status = await accepted.Json(HttpStatusCode.Accepted);
        var location = accepted.Headers.Location!.OriginalString;
        Assert.Equal($"/api/places/imports/{status.Long("id")}", location);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (status.Str("status") == "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await (await teacher.Api.GetAsync(location)).Json(HttpStatusCode.OK);
        }

        return status;
    }

    private static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task A_country_column_gives_places_their_public_holidays()
    {
        var teacher = await SignUpAsync();
        var category = "k" + Guid.NewGuid().ToString("N")[..8];
        var csv = $""""
            name,category,lat,lon,timezone,hours,country
            Bakery,{category},48.85,2.35,Europe/Paris,"Mo-Sa 07:00-19:00; PH off",fr
            Nowhere,{category},48.86,2.35,Europe/Paris,Mo-Sa 07:00-19:00,France
            """";

        var status = await FinishedAsync(teacher, await teacher.Api.PostAsync("/api/places/import", Csv(csv)));

        Assert.Equal(1, status.Long("imported"));
        var problem = status.GetProperty("problems").EnumerateArray().Single();
        Assert.Equal(3, problem.Int("line"));
        Assert.Contains("country", problem.Str("message"), StringComparison.Ordinal);
        var mine = await (await teacher.Api.GetAsync("/api/places")).Json(HttpStatusCode.OK);
        var bakery = mine.EnumerateArray().Single(p => p.Str("category") == category);
        Assert.Equal(("Bakery", "FR"), (bakery.Str("name"), bakery.Str("country")));
        Assert.Equal(JsonValueKind.Object, bakery.GetProperty("status").ValueKind);
    }

    [Fact]
    public async Task Good_rows_are_kept_and_bad_rows_reported_by_line_with_the_reason()
    {
        var teacher = await SignUpAsync();
        var category = "i" + Guid.NewGuid().ToString("N")[..8];
        var csv = $""""
            name,category,lat,lon,address,timezone,hours,public
            Central Library,{category},52.52,13.40,Unter den Linden,Europe/Berlin,Mo-Fr 09:00-18:00,true
            Bad latitude,{category},91,13.40,,,,
            Bad longitude,{category},52.5,abc,,,,
            ,{category},52.5,13.4,,,,
            Bad hours,{category},52.5,13.4,,,Mo-Fr 9-5,
            Bad zone,{category},52.5,13.4,,Mars/Base,,
            "Quoted, with comma",{category},52.53,13.41,"Street ""A""",,,false
            Zoo,{category},52.51,13.34,,,,
            """";

        var status = await FinishedAsync(teacher, await teacher.Api.PostAsync("/api/places/import", Csv(csv)));

        Assert.Equal("done", status.Str("status"));
        Assert.Equal(8, status.Long("rowsRead"));
        Assert.Equal(3, status.Long("imported"));
        Assert.Equal(1.0, status.GetProperty("progress").GetDouble());
        var problems = status.GetProperty("problems").EnumerateArray().Select(p => (Line: p.Int("line"), Message: p.Str("message"))).ToList();
        Assert.Equal([3, 4, 5, 6, 7], problems.Select(p => p.Line));
        Assert.Contains("lat", problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("lon", problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("name", problems[2].Message, StringComparison.Ordinal);

        using var anonymous = Anonymous();
        var found = await (await anonymous.GetAsync($"/api/places/near?lat=52.52&lon=13.40&category={category}")).Json(HttpStatusCode.OK);
        Assert.Equal(["Central Library", "Zoo"], found.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
        var mine = await (await teacher.Api.GetAsync($"/api/places/near?lat=52.52&lon=13.40&category={category}")).Json(HttpStatusCode.OK);
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), i => i.Str("name") == "Quoted, with comma" && i.Str("address") == "Street \"A\"");
    }

    [Fact]
    public async Task A_bulk_import_is_folded_into_the_index_and_searched_exactly()
    {
        var teacher = await SignUpAsync();
        var category = "b" + Guid.NewGuid().ToString("N")[..8];
        var random = new Random(7);
        var places = Enumerable.Range(0, 25_000).Select(i => (Name: $"Bulk {i}", Lat: (random.NextDouble() * 20) + 40, Lon: (random.NextDouble() * 20) - 5)).ToList();
        var csv = new StringBuilder("name,category,lat,lon\n");
        foreach (var p in places)
        {
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"{p.Name},{category},{p.Lat:R},{p.Lon:R}\n");
        }

        var status = await FinishedAsync(teacher, await teacher.Api.PostAsync("/api/places/import", Csv(csv.ToString())));
        Assert.Equal(25_000, status.Long("imported"));

        using var anonymous = Anonymous();
        var found = await (await anonymous.GetAsync($"/api/places/near?lat=50&lon=5&limit=10&category={category}")).Json(HttpStatusCode.OK);
        static double Km(double lat1, double lon1, double lat2, double lon2) => Homeroom.Places.Geo.Km(lat1, lon1, lat2, lon2);
        var expected = places.OrderBy(p => Km(50, 5, p.Lat, p.Lon)).Take(10).Select(p => p.Name);
        Assert.Equal(expected, found.GetProperty("items").EnumerateArray().Select(i => i.Str("name")));
    }

    [Fact]
    public async Task A_multipart_upload_imports_too_and_the_list_shows_it()
    {
        var teacher = await SignUpAsync();
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes("Name;Category;Latitude;Longitude\nA;shop;1;1\nB;shop;2;2\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "shops.csv");

        var status = await FinishedAsync(teacher, await teacher.Api.PostAsync("/api/places/import", form));

        Assert.Equal(2, status.Long("imported"));
        Assert.Equal("shops.csv", status.Str("fileName"));
        var list = await (await teacher.Api.GetAsync("/api/places/imports")).Json(HttpStatusCode.OK);
        Assert.Equal(status.Long("id"), list[0].Long("id"));
    }

    [Fact]
    public async Task A_header_without_the_required_columns_is_a_422_and_starts_nothing()
    {
        var teacher = await SignUpAsync();

        var problem = await (await teacher.Api.PostAsync("/api/places/import", Csv("title,x,y\nA,1,2\n"))).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("name, category, lat, lon", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(0, (await (await teacher.Api.GetAsync("/api/places/imports")).Json(HttpStatusCode.OK)).GetArrayLength());
        await (await teacher.Api.PostAsync("/api/places/import", new ByteArrayContent([0, 1, 2, 255, 0, 7]))).Problem(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task A_broken_quote_is_reported_and_the_rows_before_it_are_kept()
    {
        var teacher = await SignUpAsync();

        var status = await FinishedAsync(teacher, await teacher.Api.PostAsync("/api/places/import",
            Csv("name,category,lat,lon\nFine,c,1,1\n\"Never closed,c,2,2\nLost,c,3,3\n")));

        Assert.Equal("done", status.Str("status"));
        Assert.Equal(1, status.Long("imported"));
        Assert.Contains(status.GetProperty("problems").EnumerateArray(), p => p.Int("line") >= 3 && p.Str("message").Contains("quote", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_two_gigabyte_upload_is_refused_before_it_is_sent()
    {
        var teacher = await SignUpAsync();

        var response = await teacher.Api.SendAsync(HttpMethod.Post, "/api/places/import", new ClaimedLength(2L * 1024 * 1024 * 1024),
            r => r.Headers.ExpectContinue = true);

        await response.Problem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Imports_belong_to_their_teacher()
    {
        var owner = await SignUpAsync();
        var other = await SignUpAsync();
        var status = await FinishedAsync(owner, await owner.Api.PostAsync("/api/places/import", Csv("name,category,lat,lon\nA,c,1,1\n")));

        await (await other.Api.GetAsync($"/api/places/imports/{status.Long("id")}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await other.Api.GetAsync("/api/places/imports")).Json(HttpStatusCode.OK)).GetArrayLength());
        using var anonymous = Anonymous();
        await (await anonymous.PostAsync("/api/places/import", Csv("name,category,lat,lon\nA,c,1,1\n"))).Status(HttpStatusCode.Unauthorized);
    }

    /// <summary>A body that claims a length it would only produce if asked (it never is: the server refuses first).</summary>
    private sealed class ClaimedLength(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var zeros = new byte[64 * 1024];
            for (long sent = 0; sent < length; sent += zeros.Length)
            {
                await stream.WriteAsync(zeros.AsMemory(0, (int)Math.Min(zeros.Length, length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length1)
        {
            length1 = length;
            return true;
        }
    }
}

public sealed class SqlitePlaceImportTests(SqliteFixture fixture) : PlaceImportTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresPlaceImportTests(PostgresFixture fixture) : PlaceImportTests(fixture), IClassFixture<PostgresFixture>;
