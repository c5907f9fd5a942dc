namespace Homeroom.Places;

/// <summary>
/// Dawn, sunrise, sunset and dusk for a place and a local day, by NOAA's solar calculator (the
/// equations of its published spreadsheet, after Meeus): sunrise and sunset when the sun's centre is
/// 0.833° below the horizon (refraction and the sun's radius), dawn and dusk at civil twilight, 6° below.
/// Accurate to a minute or so between the polar circles. Where the sun does not rise that day, sunrise and
/// sunset are both at solar noon (no daylight); where it does not set, they are a day before and after
/// solar noon (daylight all day).
/// </summary>
public static class SunTimes
{
    private const double SunriseZenith = 90.833;
    private const double CivilZenith = 96;

    /// <summary>Minutes from the local day's start (may be below 0 or past 1440 far from the zone's meridian).</summary>
    public sealed record Day(int Dawn, int Sunrise, int Sunset, int Dusk);

    public static Day For(DateOnly date, double lat, double lon, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var (rise, set) = Event(date, lat, lon, SunriseZenith);
        var (dawn, dusk) = Event(date, lat, lon, CivilZenith);
        return new Day(Local(date, dawn, zone), Local(date, rise, zone), Local(date, set, zone), Local(date, dusk, zone));
    }

    /// <summary>The morning and evening times, in minutes after 00:00 UTC of the date, when the sun is at the zenith angle.</summary>
    public static (double Morning, double Evening) Event(DateOnly date, double lat, double lon, double zenith)
    {
        // Julian centuries since J2000.0, at about the place's solar noon.
        var julianDay = date.DayNumber - new DateOnly(2000, 1, 1).DayNumber + 2451544.5 + 0.5 - (lon / 360);
        var t = (julianDay - 2451545.0) / 36525.0;
        var meanLongitude = Mod(280.46646 + (t * (36000.76983 + (t * 0.0003032))), 360);
        var meanAnomaly = 357.52911 + (t * (35999.05029 - (0.0001537 * t)));
        var eccentricity = 0.016708634 - (t * (0.000042037 + (0.0000001267 * t)));
        var m = Radians(meanAnomaly);
        var centre = (Math.Sin(m) * (1.914602 - (t * (0.004817 + (0.000014 * t))))) + (Math.Sin(2 * m) * (0.019993 - (0.000101 * t))) + (Math.Sin(3 * m) * 0.000289);
        var omega = Radians(125.04 - (1934.136 * t));
        var apparentLongitude = Radians(meanLongitude + centre - 0.00569 - (0.00478 * Math.Sin(omega)));
        var meanObliquity = 23 + ((26 + ((21.448 - (t * (46.815 + (t * (0.00059 - (t * 0.001813)))))) / 60)) / 60);
        var obliquity = Radians(meanObliquity + (0.00256 * Math.Cos(omega)));
        var declination = Math.Asin(Math.Sin(obliquity) * Math.Sin(apparentLongitude));
        var y = Math.Pow(Math.Tan(obliquity / 2), 2);
        var l0 = Radians(meanLongitude);
        var equationOfTime = 4 * Degrees((y * Math.Sin(2 * l0)) - (2 * eccentricity * Math.Sin(m)) + (4 * eccentricity * y * Math.Sin(m) * Math.Cos(2 * l0))
            - (0.5 * y * y * Math.Sin(4 * l0)) - (1.25 * eccentricity * eccentricity * Math.Sin(2 * m)));
        var noon = 720 - (4 * lon) - equationOfTime;
        var phi = Radians(lat);
        var cosHourAngle = (Math.Cos(Radians(zenith)) / (Math.Cos(phi) * Math.Cos(declination))) - (Math.Tan(phi) * Math.Tan(declination));
        if (cosHourAngle >= 1)
        {
            return (noon, noon);
        }

        if (cosHourAngle <= -1)
        {
            return (noon - 1440, noon + 1440);
        }

        var hourAngle = Degrees(Math.Acos(cosHourAngle));
        return (noon - (4 * hourAngle), noon + (4 * hourAngle));
    }

    private static int Local(DateOnly date, double utcMinutes, TimeZoneInfo zone)
    {
        var instant = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(utcMinutes);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return (int)Math.Round((DateOnly.FromDateTime(local.DateTime).DayNumber - date.DayNumber) * 1440 + local.TimeOfDay.TotalMinutes);
    }

    private static double Mod(double value, double by) => ((value % by) + by) % by;

    private static double Radians(double degrees) => degrees * Math.PI / 180;

    private static double Degrees(double radians) => radians * 180 / Math.PI;
}
