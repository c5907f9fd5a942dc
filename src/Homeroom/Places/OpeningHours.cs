using System.Globalization;
using System.Text.RegularExpressions;

namespace Homeroom.Places;

/// <summary>
/// A weekly schedule written in the common subset of OpenStreetMap's opening_hours syntax:
/// rules separated by ';', each "days times": days as Mo Tu We Th Fr Sa Su, ranges (Mo-Fr, Sa-Mo) and
/// lists (Mo,We,Fr); times as HH:MM-HH:MM, several separated by ','; an end before the start runs past
/// midnight ("Fr 22:00-02:00"); "24:00" ends at midnight; "off" closes those days; "24/7" is always open.
/// A later rule replaces earlier ones for the days it names ("Mo-Fr 09:00-17:00; We off").
/// Evaluated in the place's own time zone.
/// </summary>
public sealed partial class OpeningHours
{
    private const int MinutesPerDay = 24 * 60;
    private const int MinutesPerWeek = 7 * MinutesPerDay;
    private static readonly string[] DayNames = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

    // Minute-of-week intervals [start, end), Monday 00:00 = 0, sorted, none crossing the week's end.
    private readonly (int Start, int End)[] intervals;

    private OpeningHours((int Start, int End)[] intervals, string text)
    {
        this.intervals = intervals;
        Text = text;
    }

    /// <summary>The schedule as written (trimmed).</summary>
    public string Text { get; }

    public static bool TryParse(string? text, out OpeningHours? hours, out string? error)
    {
        hours = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "hours is empty.";
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Length > 500)
        {
            error = "hours is longer than 500 characters.";
            return false;
        }

        if (trimmed == "24/7")
        {
            hours = new OpeningHours([(0, MinutesPerWeek)], trimmed);
            return true;
        }

        var perDay = new List<(int Start, int End)>?[7];
        foreach (var rule in trimmed.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = Rule().Match(rule);
            if (!match.Success)
            {
                error = $"'{rule}' is not \"days times\" (e.g. \"Mo-Fr 09:00-17:00\", \"Sa 10:00-12:00,13:00-16:00\", \"Su off\").";
                return false;
            }

            if (!TryDays(match.Groups["days"].Value, out var days))
            {
                error = $"'{match.Groups["days"].Value}' names no days: use Mo Tu We Th Fr Sa Su, ranges like Mo-Fr and lists like Mo,We.";
                return false;
            }

            var spans = new List<(int Start, int End)>();
            var times = match.Groups["times"].Value;
            if (!times.Equals("off", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var span in times.Split(',', StringSplitOptions.TrimEntries))
                {
                    var parts = span.Split('-');
                    if (parts.Length != 2 || !TryTime(parts[0], out var start) || !TryTime(parts[1], out var end) || start == MinutesPerDay || start == end)
                    {
                        error = $"'{span}' is not a time range like 09:00-17:00.";
                        return false;
                    }

                    spans.Add((start, end <= start ? end + MinutesPerDay : end));
                }
            }

            foreach (var day in days)
            {
                perDay[day] = spans;
            }
        }

        var week = new List<(int Start, int End)>();
        for (var day = 0; day < 7; day++)
        {
            foreach (var (start, end) in perDay[day] ?? [])
            {
                var from = (day * MinutesPerDay) + start;
                var to = (day * MinutesPerDay) + end;
                if (to <= MinutesPerWeek)
                {
                    week.Add((from, to));
                }
                else
                {
                    // Sunday night into Monday morning wraps round the week.
                    week.Add((from, MinutesPerWeek));
                    week.Add((0, to - MinutesPerWeek));
                }
            }
        }

        week.Sort();
        hours = new OpeningHours([.. week], trimmed);
        return true;
    }

    /// <summary>Whether the place is open at <paramref name="instant"/>, in its time zone.</summary>
    public bool IsOpenAt(DateTimeOffset instant, TimeZoneInfo zone) => IsOpenAtMinute(MinuteOfWeek(instant, zone));

    public bool IsOpenAtMinute(int minuteOfWeek)
    {
        foreach (var (start, end) in intervals)
        {
            if (minuteOfWeek < start)
            {
                return false;
            }

            if (minuteOfWeek < end)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Minutes since Monday 00:00 of the local week in <paramref name="zone"/>.</summary>
    public static int MinuteOfWeek(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var day = ((int)local.DayOfWeek + 6) % 7;
        return (day * MinutesPerDay) + (local.Hour * 60) + local.Minute;
    }

    private static bool TryDays(string text, out List<int> days)
    {
        days = [];
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            var first = Array.FindIndex(DayNames, d => d.Equals(range[0], StringComparison.OrdinalIgnoreCase));
            var last = range.Length == 2 ? Array.FindIndex(DayNames, d => d.Equals(range[1], StringComparison.OrdinalIgnoreCase)) : first;
            if (range.Length > 2 || first < 0 || last < 0)
            {
                return false;
            }

            for (var day = first; ; day = (day + 1) % 7)
            {
                days.Add(day);
                if (day == last)
                {
                    break;
                }
            }
        }

        return days.Count > 0;
    }

    private static bool TryTime(string text, out int minutes)
    {
        minutes = 0;
        var parts = text.Trim().Split(':');
        if (parts.Length != 2 || parts[0].Length is < 1 or > 2 || parts[1].Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hour)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute)
            || minute > 59 || hour > 24 || (hour == 24 && minute != 0))
        {
            return false;
        }

        minutes = (hour * 60) + minute;
        return true;
    }

    [GeneratedRegex(@"^(?<days>[A-Za-z]{2}(\s*[-,]\s*[A-Za-z]{2})*)\s+(?<times>.+)$")]
    private static partial Regex Rule();
}
