using System.Reflection;

namespace Homeroom.Places;

/// <summary>
/// The IANA time zone of a point on the Earth, offline: the quadtree of the npm package
/// <c>@photostructure/tz-lookup</c> (CC0; built from timezone-boundary-builder), copied into
/// <c>Places/Data/timezones.txt</c> by <c>npm run geodata</c> and decoded here exactly as the package does.
/// It is accurate away from borders (the package's own figures: the zone, or one with the same offsets, for
/// about 95% of inhabited points); a place near a border can still be given its zone by hand.
/// </summary>
public static class TimeZoneLookup
{
    private static readonly Lazy<(string[] Zones, string Table)> Data = new(Load);

    /// <summary>
    /// The zone at a point, e.g. <c>Europe/London</c>; <c>UTC</c> at sea, where the table has only the
    /// nautical <c>Etc/GMT±N</c> zones, is kept as that zone. A zone this machine's time-zone database does
    /// not know (a newer name) becomes <c>UTC</c>, as a place without a zone always was.
    /// </summary>
    public static string Find(double latitude, double longitude)
    {
        if (!double.IsFinite(latitude) || !double.IsFinite(longitude) || latitude is < -90 or > 90 || longitude is < -180 or > 180)
        {
            throw new ArgumentOutOfRangeException(nameof(latitude), "Not a point on the Earth.");
        }

        var zone = Decode(latitude, longitude);
        return TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : "UTC";
    }

    /// <summary>The same steps as the package's <c>tz.js</c> (and the check in <c>scripts/geodata.js</c>).</summary>
    private static string Decode(double latitude, double longitude)
    {
        if (latitude >= 90)
        {
            return "Etc/GMT";
        }

        var (zones, table) = Data.Value;
        var leaf = -1;
        var s = 48 * (180 + longitude) / 360.00000000000006;
        var u = 24 * (90 - latitude) / 180.00000000000003;
        var x = (int)s;
        var y = (int)u;
        var k = (96 * y) + (2 * x);
        k = (56 * table[k]) + table[k + 1] - 1995;
        while (k + zones.Length < 3136)
        {
            leaf = leaf + k + 1;
            u = 2 * (u - y) % 2;
            y = (int)u;
            s = 2 * (s - x) % 2;
            x = (int)s;
            k = (8 * leaf) + (4 * y) + (2 * x) + 2304;
            k = (56 * table[k]) + table[k + 1] - 1995;
        }

        return zones[k + zones.Length - 3136];
    }

    private static (string[], string) Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Homeroom.Places.Data.timezones.txt")
            ?? throw new InvalidOperationException("The time-zone table is missing.");
        using var reader = new StreamReader(stream);
        var zones = (reader.ReadLine() ?? "").Split(',');
        var table = reader.ReadLine() ?? "";
        return zones.Length > 0 && table.Length > 2304 ? (zones, table) : throw new InvalidOperationException("The time-zone table is damaged.");
    }
}
