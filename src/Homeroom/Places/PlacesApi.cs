using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Homeroom.Accounts;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Places;

public sealed record Place(
    long Id, string Name, string? Address, string Category, double Lat, double Lon, string? Phone, string? Url,
    bool Public, string TimeZone, string? Hours, bool Mine, string? Country = null, OpeningStatus? Status = null);

public sealed record NearbyPlace(
    long Id, string Name, string? Address, string Category, double Lat, double Lon, string? Phone, string? Url,
    bool Public, string TimeZone, string? Hours, bool Mine, double Distance, bool? OpenNow, bool OutsideRadius,
    string? Country = null, OpeningStatus? Status = null);

/// <summary>
/// A page of nearest places. <see cref="NextCursor"/> continues by distance; null at the end. <see cref="Origin"/>:
/// the town searched from, when the search was by name (<c>q</c>).
/// </summary>
public sealed record NearbyPage(IReadOnlyList<NearbyPlace> Items, string Unit, string? NextCursor, GeoMatch? Origin = null);

public sealed record PlaceRequest(
    string? Name, string? Address, string? Category, double? Lat, double? Lon, string? Phone, string? Url,
    bool? Public, string? TimeZone, string? Hours, string? Country = null) : IValidatable
{
    public void Validate(ValidationErrors errors) => PlaceRules.Validate(errors, "", Name, Address, Category, Lat, Lon, Phone, Url, TimeZone, Hours, Country);
}

public static class PlaceRules
{
    public const int MaxName = 200;
    public const int MaxAddress = 300;
    public const int MaxCategory = 60;
    public const int MaxPhone = 40;
    public const int MaxUrl = 500;

    /// <summary>The rules of a place, shared by the API and the CSV import (which prefixes nothing).</summary>
    public static void Validate(ValidationErrors errors, string prefix, string? name, string? address, string? category,
        double? lat, double? lon, string? phone, string? url, string? timeZone, string? hours, string? country = null)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.RequireText(prefix + "name", name, MaxName);
        errors.OptionalText(prefix + "address", address, MaxAddress);
        errors.RequireText(prefix + "category", category, MaxCategory);
        if (lat is not { } latitude || !double.IsFinite(latitude) || latitude is < -90 or > 90)
        {
            errors.Add(prefix + "lat", "lat must be a latitude from -90 to 90.");
        }

        if (lon is not { } longitude || !double.IsFinite(longitude) || longitude is < -180 or > 180)
        {
            errors.Add(prefix + "lon", "lon must be a longitude from -180 to 180.");
        }

        errors.OptionalText(prefix + "phone", phone, MaxPhone);
        if (errors.OptionalText(prefix + "url", url, MaxUrl) is { } link
            && !(Uri.TryCreate(link, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add(prefix + "url", "url must be an http or https address.");
        }

        if (!string.IsNullOrWhiteSpace(timeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone.Trim(), out _))
        {
            errors.Add(prefix + "timeZone", $"timeZone must be an IANA time zone such as 'Europe/Paris', not '{timeZone}'.");
        }

        if (!string.IsNullOrWhiteSpace(hours) && !OpeningHours.TryParse(hours, out _, out var problem))
        {
            errors.Add(prefix + "hours", problem!);
        }

        if (!string.IsNullOrWhiteSpace(country) && Country(country) is null)
        {
            errors.Add(prefix + "country", $"country must be a two-letter ISO 3166-1 country code such as 'GB', not '{country}'.");
        }
    }

    /// <summary>The country code in capitals, or null when it is not an ISO 3166-1 alpha-2 code.</summary>
    public static string? Country(string? text)
    {
        var code = text?.Trim().ToUpperInvariant();
        if (code is not { Length: 2 } || !char.IsAsciiLetterUpper(code[0]) || !char.IsAsciiLetterUpper(code[1]))
        {
            return null;
        }

        try
        {
            // RegionInfo knows the assigned codes (and a few reserved ones it maps, which are harmless here).
            return new RegionInfo(code).TwoLetterISORegionName == code ? code : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}

/// <summary>
/// Places and the nearest-places search. A place belongs to the teacher who made it; public places (the
/// default) are found by everyone, private ones only by their owner. The search needs no sign-in.
/// </summary>
public static class PlacesApi
{
    public const int MaxLimit = 100;

    public static RouteGroupBuilder MapPlaces(this IEndpointRouteBuilder api)
    {
        var places = api.MapGroup("/places").WithTags("Places");
        places.MapGet("/near", Near).WithSummary(
            "The places nearest a point, by exact great-circle distance: public ones and, signed in, mine. " +
            "?lat&lon (or q: a town or a US ZIP code)&limit=10&radius&unit=km|mi&category&openNow=true&nearestIfNone=true&cursor")
            .Produces<NearbyPage>()
            .CacheablePublicly(ApiCaching.PublicPlacesSeconds)
            .Problem(StatusCodes.Status404NotFound, "With q: no town or ZIP code matches it (errors.q says why).")
            .Problem(StatusCodes.Status422UnprocessableEntity, "With q: the name is several towns; choices lists them, most populous first.");
        places.MapGeocode();
        var mine = places.MapGroup("").RequireAuthorization();
        mine.MapGet("/", List).WithSummary("My places, by name (?page&pageSize)");
        mine.MapPost("/", Create).WithSummary("Add a place");
        places.MapGet("/{id:long}", Get).WithSummary("One place: mine, or anyone's public one").CacheablePublicly(ApiCaching.PublicPlacesSeconds);
        mine.MapPut("/{id:long}", Replace).WithSummary("Change a place of mine");
        mine.MapDelete("/{id:long}", Delete).WithSummary("Delete a place of mine");
        PlaceImports.Map(mine);
        return places;
    }

    private static Place ToPlace(PlaceInfo p, long? me, DateTimeOffset now) =>
        new(p.Id, p.Name, p.Address, p.Category, p.Lat, p.Lon, p.Phone, p.Url, p.Public, p.TimeZone, p.Hours, p.TeacherId == me, p.Country, p.StatusAt(now));

    private static async Task<Results<JsonHttpResult<NearbyPage>, ValidationProblem, ProblemHttpResult>> Near(
        HttpContext context, PlaceDirectory directory, TimeProvider clock,
        string? lat, string? lon, string? limit, string? radius, string? unit, string? category, string? openNow, string? nearestIfNone, string? cursor,
        string? q)
    {
        var errors = new ValidationErrors();
        var byName = q is not null;
        if (byName && (!string.IsNullOrWhiteSpace(lat) || !string.IsNullOrWhiteSpace(lon)))
        {
            errors.Add("q", "Search either by q (a town or a ZIP code) or by lat and lon, not both.");
        }

        var where = byName ? GeocodeApi.Query(errors, q) : null;
        var latitude = byName ? null : Number(errors, "lat", lat, -90, 90, required: true);
        var longitude = byName ? null : Number(errors, "lon", lon, -180, 180, required: true);
        var count = (int)(Number(errors, "limit", limit, 1, MaxLimit, required: false, whole: true) ?? 10);
        var miles = unit?.Trim().ToLowerInvariant() switch
        {
            null or "" or "km" => false,
            "mi" => true,
            _ => Flag(errors, "unit", "unit must be 'km' or 'mi'."),
        };
        var maxDistance = Number(errors, "radius", radius, double.Epsilon, miles ? 12_451 : 20_038, required: false);
        var mustBeOpen = Bool(errors, "openNow", openNow);
        var fallback = Bool(errors, "nearestIfNone", nearestIfNone);
        var after = Cursor(errors, cursor);
        if (!errors.IsEmpty)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }

        GeoMatch? origin = null;
        if (where is not null)
        {
            (origin, var problem) = GeocodeApi.Origin(where);
            if (problem is not null)
            {
                return problem;
            }

            (latitude, longitude) = (origin!.Lat, origin.Lon);
        }

        await directory.ReadyAsync(context.RequestAborted);
        var me = context.User.TeacherId();
        var now = clock.GetUtcNow();
        var wanted = category?.Trim();
        var radiusChord = maxDistance is { } r ? Geo.ChordSquaredFromKm(miles ? r * Geo.KmPerMile : r) : double.PositiveInfinity;

        bool Matches(PlaceInfo p) =>
            (p.Public || p.TeacherId == me)
            && (string.IsNullOrEmpty(wanted) || string.Equals(p.Category, wanted, StringComparison.OrdinalIgnoreCase))
            && (!mustBeOpen || IsOpen(p) == true);

        // The status is worked out once per place context and stretch of time (OpeningHours caches it), so the
        // filter and the answer read the same one.
        bool? IsOpen(PlaceInfo p) => OpenFrom(p.StatusAt(now));

        static bool? OpenFrom(OpeningStatus? status) => status?.State switch
        {
            "open" => true,
            "closed" => false,
            _ => null,
        };

        NearbyPlace Item(PlaceInfo p, double chordSquared, bool outside)
        {
            var km = Geo.KmFromChordSquared(chordSquared);
            var status = p.StatusAt(now);
            return new NearbyPlace(p.Id, p.Name, p.Address, p.Category, p.Lat, p.Lon, p.Phone, p.Url, p.Public, p.TimeZone, p.Hours,
                p.TeacherId == me, Math.Round(miles ? km / Geo.KmPerMile : km, 4), OpenFrom(status), outside, p.Country, status);
        }

        var items = new List<NearbyPlace>(count);
        var lastChord = 0.0;
        string? next = null;
        (PlaceInfo Place, double ChordSquared)? nearestOutside = null;
        var candidates = string.IsNullOrEmpty(wanted) || directory.MayHaveCategory(wanted)
            ? directory.Nearest(latitude!.Value, longitude!.Value)
            : [];
        foreach (var (place, chordSquared) in candidates)
        {
            if (after is { } c && (chordSquared, place.Id).CompareTo(c) <= 0)
            {
                continue;
            }

            // Beyond the radius only the nearest-if-none fallback can still want a place: stop at once
            // otherwise, instead of filtering every place on the planet.
            if (chordSquared > radiusChord && (!fallback || items.Count > 0 || after is not null))
            {
                break;
            }

            if (!Matches(place))
            {
                continue;
            }

            if (chordSquared > radiusChord)
            {
                nearestOutside = (place, chordSquared);
                break;
            }

            if (items.Count == count)
            {
                next = EncodeCursor(lastChord, items[^1].Id);
                break;
            }

            items.Add(Item(place, chordSquared, outside: false));
            lastChord = chordSquared;
        }

        if (items.Count == 0 && fallback && after is null && nearestOutside is { } outside)
        {
            items.Add(Item(outside.Place, outside.ChordSquared, outside: true));
        }

        // Written by the source-generated serializer: a third of this endpoint's time was reflection-based JSON.
        return TypedResults.Json(new NearbyPage(items, miles ? "mi" : "km", next, origin), PlacesJson.Default.NearbyPage);
    }

    private static async Task<Results<Ok<List<Place>>, ValidationProblem>> List(TeacherDb mine, TimeProvider clock, int? page, int? pageSize)
    {
        if (Paging.TryRead(page, pageSize, defaultSize: 50, maxSize: 500, out var paging) is { } invalid)
        {
            return invalid;
        }

        var rows = await mine.QueryAsync<PlaceDirectory.PlaceRow>(
            $"SELECT {PlaceDirectory.Columns} FROM places WHERE teacher_id = @TeacherId ORDER BY name, id LIMIT @size OFFSET @skip",
            new { size = paging.PageSize, skip = paging.Skip });
        var now = clock.GetUtcNow();
        return TypedResults.Ok(rows.Select(r => ToPlace(r.ToInfo(), mine.TeacherId, now)).ToList());
    }

    private static async Task<Results<Ok<Place>, ProblemHttpResult>> Get(long id, HttpContext context, Database database, TimeProvider clock)
    {
        var me = context.User.TeacherId() ?? 0;
        await using var connection = await database.OpenAsync(context.RequestAborted);
        var row = await connection.QuerySingleOrDefaultAsync<PlaceDirectory.PlaceRow>(
            $"SELECT {PlaceDirectory.Columns} FROM places WHERE id = @id AND (teacher_id = @me OR is_public = @yes)", new { id, me, yes = true });
        return row is null ? Problems.NotFound("place") : TypedResults.Ok(ToPlace(row.ToInfo(), me, clock.GetUtcNow()));
    }

    private static async Task<Created<Place>> Create(PlaceRequest request, TeacherDb mine, TimeProvider clock, PlaceDirectory directory)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var id = await mine.Database.WriteAsync(async (connection, transaction) =>
        {
            var version = await NextVersionsAsync(connection, transaction, 1);
            return await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO places (teacher_id, name, address, category, lat, lon, phone, url, is_public, time_zone, hours, country, version, created_at, updated_at)
                VALUES (@teacher, @name, @address, @category, @lat, @lon, @phone, @url, @isPublic, @timeZone, @hours, @country, @version, @now, @now)
                RETURNING id
                """,
                Row(request, mine.TeacherId, version, now, 0), transaction);
        });
        await directory.SyncAsync();
        return TypedResults.Created($"/api/places/{id}", ToPlace(Info(request, id, mine.TeacherId), mine.TeacherId, clock.GetUtcNow()));
    }

    private static async Task<Results<Ok<Place>, ProblemHttpResult>> Replace(long id, PlaceRequest request, TeacherDb mine, TimeProvider clock, PlaceDirectory directory)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var changed = await mine.Database.WriteAsync(async (connection, transaction) =>
        {
            if (await connection.ExecuteScalarAsync<long?>("SELECT id FROM places WHERE id = @id AND teacher_id = @teacher",
                new { id, teacher = mine.TeacherId }, transaction) is null)
            {
                return false;
            }

            var version = await NextVersionsAsync(connection, transaction, 1);
            await connection.ExecuteAsync(
                """
                UPDATE places SET name = @name, address = @address, category = @category, lat = @lat, lon = @lon, phone = @phone, url = @url,
                    is_public = @isPublic, time_zone = @timeZone, hours = @hours, country = @country, version = @version, updated_at = @now
                WHERE id = @id AND teacher_id = @teacher
                """,
                Row(request, mine.TeacherId, version, now, id), transaction);
            return true;
        });
        if (!changed)
        {
            return Problems.NotFound("place");
        }

        await directory.SyncAsync();
        return TypedResults.Ok(ToPlace(Info(request, id, mine.TeacherId), mine.TeacherId, clock.GetUtcNow()));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, TeacherDb mine, PlaceDirectory directory)
    {
        if (await mine.ExecuteAsync("DELETE FROM places WHERE id = @id AND teacher_id = @TeacherId", new { id }) == 0)
        {
            return Problems.NotFound("place");
        }

        await directory.SyncAsync();
        return TypedResults.NoContent();
    }

    /// <summary>Takes the next <paramref name="count"/> place versions; returns the last. The counter row's lock orders writers.</summary>
    internal static Task<long> NextVersionsAsync(DbConnection connection, DbTransaction transaction, int count) =>
        connection.ExecuteScalarAsync<long>("UPDATE place_versions SET value = value + @count WHERE id = 1 RETURNING value", new { count }, transaction);

    private static object Row(PlaceRequest r, long teacher, long version, long now, long id) => new
    {
        id,
        teacher,
        name = r.Name!.Trim(),
        address = Blank(r.Address),
        category = r.Category!.Trim(),
        lat = r.Lat!.Value,
        lon = r.Lon!.Value,
        phone = Blank(r.Phone),
        url = Blank(r.Url),
        isPublic = r.Public ?? true,
        timeZone = ZoneOf(r),
        hours = Blank(r.Hours),
        country = PlaceRules.Country(r.Country),
        version,
        now,
    };

    private static PlaceInfo Info(PlaceRequest r, long id, long teacher) =>
        new(id, teacher, r.Name!.Trim(), Blank(r.Address), r.Category!.Trim(), r.Lat!.Value, r.Lon!.Value, Blank(r.Phone), Blank(r.Url),
            r.Public ?? true, ZoneOf(r), Blank(r.Hours), 0, PlaceRules.Country(r.Country));

    /// <summary>The zone given, or else the zone at the place's coordinates.</summary>
    private static string ZoneOf(PlaceRequest r) => Blank(r.TimeZone) ?? TimeZoneLookup.Find(r.Lat!.Value, r.Lon!.Value);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static double? Number(ValidationErrors errors, string field, string? text, double min, double max, bool required, bool whole = false)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required)
            {
                errors.Add(field, $"{field} is required.");
            }

            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)
            || value < min || value > max || (whole && value != Math.Floor(value)))
        {
            errors.Add(field, $"{field} must be {(whole ? "a whole number" : "a number")} from {(min == double.Epsilon ? "more than 0" : min.ToString(CultureInfo.InvariantCulture))} to {max.ToString(CultureInfo.InvariantCulture)}.");
            return null;
        }

        return value;
    }

    private static bool Bool(ValidationErrors errors, string field, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => Flag(errors, field, $"{field} must be true or false."),
    };

    private static bool Flag(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return false;
    }

    private static string EncodeCursor(double chordSquared, long id)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), chordSquared);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), id);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (double, long)? Cursor(ValidationErrors errors, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            var bytes = Convert.FromBase64String(padded + new string('=', (4 - (padded.Length % 4)) % 4));
            if (bytes.Length == 16 && BitConverter.ToDouble(bytes, 0) is var chord && double.IsFinite(chord) && chord >= 0)
            {
                return (chord, BitConverter.ToInt64(bytes, 8));
            }
        }
        catch (FormatException)
        {
        }

        errors.Add("cursor", "cursor is not one this API gave out; start again without it.");
        return null;
    }
}

/// <summary>
/// The nearest-places answer's serializer, generated at build time. It has the API's web defaults and no
/// converters, so System.Text.Json writes it by its fast path (the answer holds no enums).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(NearbyPage))]
internal sealed partial class PlacesJson : JsonSerializerContext;
