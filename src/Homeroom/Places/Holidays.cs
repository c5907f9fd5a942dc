using System.Collections.Concurrent;
using PublicHoliday;

namespace Homeroom.Places;

/// <summary>
/// Public holidays (the opening_hours "PH" selector) by ISO 3166-1 country code, from the PublicHoliday
/// library's national calendars (regional holidays are not included). Each country's year is worked out
/// once and kept.
/// </summary>
public static class Holidays
{
    private static readonly ConcurrentDictionary<(string Country, int Year), HashSet<DateOnly>> Years = new();

    /// <summary>Whether the library has a calendar for the country.</summary>
    public static bool Knows(string country) =>
        country is { Length: 2 } && char.IsAsciiLetter(country[0]) && char.IsAsciiLetter(country[1])
        && Enum.TryParse<PublicHolidayCountryCode>(country, ignoreCase: true, out var code) && Enum.IsDefined(code);

    /// <summary>False when the day is not a public holiday, or the country is missing or not known.</summary>
    public static bool IsPublicHoliday(string? country, DateOnly date)
    {
        if (country is null || !Knows(country))
        {
            return false;
        }

        var days = Years.GetOrAdd((country.ToUpperInvariant(), date.Year), key =>
            [.. PublicHolidayFactory.GetPublicHolidayForCountry(key.Country).PublicHolidays(key.Year).Select(DateOnly.FromDateTime)]);
        return days.Contains(date);
    }
}
