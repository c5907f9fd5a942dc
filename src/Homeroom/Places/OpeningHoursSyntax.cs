using System.Globalization;

namespace Homeroom.Places;

// The syntax tree of an OpenStreetMap opening_hours value (wiki "Key:opening_hours/specification"):
// rules, each with its wide-range selectors (years, dates, weeks), small-range selectors (weekdays,
// holidays, times) and modifier. Built once by OpeningHoursParser; OpeningHours evaluates it.

/// <summary>How a rule joins the rules before it: ';' replaces days, ',' adds, '||' fills what is left.</summary>
public enum RuleKind
{
    Normal,
    Additional,
    Fallback,
}

public enum OpeningState
{
    Closed,
    Open,
    Unknown,
}

public sealed record YearRange(int From, int? To, int Step, bool OpenEnded)
{
    public bool Matches(int year) =>
        year >= From && (OpenEnded || year <= (To ?? From)) && (year - From) % Step == 0;
}

public sealed record WeekRange(int From, int To, int Step)
{
    public bool Matches(int week) =>
        From <= To
            ? week >= From && week <= To && (week - From) % Step == 0
            : (week >= From || week <= To) && ((week - From + 53) % 53) % Step == 0;
}

/// <summary>
/// A day of the year: a fixed month and day, the nth weekday of a month ("Mar Su[-1]": <see cref="NthWeekday"/>
/// Monday = 0, <see cref="Nth"/> 1 to 5 or -1 to -5), or Easter Sunday; then optional offsets.
/// </summary>
public sealed record DatePoint(int? Year, int Month, int Day, bool Easter, int WeekdayShift, DayOfWeek? ShiftTo, int DayOffset, int? NthWeekday = null, int Nth = 0)
{
    /// <summary>The concrete date in <paramref name="year"/> (ignored when the point names its own year).</summary>
    public DateOnly In(int year)
    {
        var y = Year ?? year;
        var date = Easter ? EasterSunday(y)
            : NthWeekday is { } nthWeekday ? NthOf(y, Month, nthWeekday, Nth)
            : new DateOnly(y, Month, Math.Min(Day, DateTime.DaysInMonth(y, Month)));
        if (ShiftTo is { } weekday)
        {
            // "+Su": the next Sunday after the date (or the date itself when it is one); "-Su" the one before.
            while (date.DayOfWeek != weekday)
            {
                date = date.AddDays(WeekdayShift);
            }
        }

        return date.AddDays(DayOffset);
    }

    private static DateOnly NthOf(int year, int month, int weekday, int nth)
    {
        if (nth > 0)
        {
            var first = new DateOnly(year, month, 1);
            var date = first.AddDays(((weekday - WeekdayRange.Index(first.DayOfWeek)) + 7) % 7).AddDays(7 * (nth - 1));
            // A fifth weekday that the month does not have falls into the next month, like the JavaScript reference.
            return date;
        }

        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        return last.AddDays(-(((WeekdayRange.Index(last.DayOfWeek) - weekday) + 7) % 7)).AddDays(7 * (nth + 1));
    }

    /// <summary>Western Easter Sunday (the anonymous Gregorian algorithm).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = ((19 * a) + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        int m = (a + (11 * h) + (22 * l)) / 451;
        int month = (h + l - (7 * m) + 114) / 31, day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }
}

/// <summary>
/// A month-day selector part: whole months (From/To with Day 0), a date range, or one date; a range whose
/// end comes before its start wraps round the new year ("Dec 24-Jan 02").
/// </summary>
public sealed record DateRange(DatePoint From, DatePoint To, bool WholeMonths, bool OpenEnded, int Step = 1)
{
    public bool Matches(DateOnly date)
    {
        if (Step > 1)
        {
            // "Jan 01-31/8": every eighth day of the range, counted from its first.
            return InRange(date) && (date.DayNumber - From.In(date.Year).DayNumber) % Step == 0;
        }

        return InRange(date);
    }

    private bool InRange(DateOnly date)
    {
        if (WholeMonths)
        {
            if (From.Year is { } fromYear)
            {
                var start = new DateOnly(fromYear, From.Month, 1);
                var endYear = To.Year ?? (To.Month >= From.Month ? fromYear : fromYear + 1);
                var end = new DateOnly(endYear, To.Month, DateTime.DaysInMonth(endYear, To.Month));
                return date >= start && date <= end;
            }

            return From.Month <= To.Month
                ? date.Month >= From.Month && date.Month <= To.Month
                : date.Month >= From.Month || date.Month <= To.Month;
        }

        if (From.Year is not null || To.Year is not null)
        {
            var start = From.In(date.Year);
            var end = OpenEnded ? DateOnly.MaxValue : To.In(To.Year ?? start.Year);
            if (!OpenEnded && end < start && To.Year is null)
            {
                end = To.In(start.Year + 1);
            }

            return date >= start && date <= end;
        }

        // Without years: the range as it falls in this year, or one that started last year and wraps.
        foreach (var year in (ReadOnlySpan<int>)[date.Year, date.Year - 1])
        {
            var start = From.In(year);
            var end = OpenEnded ? new DateOnly(year, 12, 31) : To.In(year);
            if (end < start)
            {
                end = To.In(year + 1);
            }

            if (date >= start && date <= end)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A weekday range ("Mo-Fr", "Sa-Mo", "Th") or an nth weekday of the month ("Su[1]", "Mo[-1] +2 days").</summary>
public sealed record WeekdayRange(int From, int To, (int From, int To)[]? Nth, int DayOffset)
{
    /// <summary>Monday = 0.</summary>
    public static int Index(DayOfWeek day) => ((int)day + 6) % 7;

    public bool Matches(DateOnly date)
    {
        var day = date.AddDays(-DayOffset);
        var index = Index(day.DayOfWeek);
        var inRange = From <= To ? index >= From && index <= To : index >= From || index <= To;
        if (!inRange || Nth is null)
        {
            return inRange;
        }

        var fromStart = ((day.Day - 1) / 7) + 1;
        var fromEnd = -(((DateTime.DaysInMonth(day.Year, day.Month) - day.Day) / 7) + 1);
        foreach (var (from, to) in Nth)
        {
            var n = from < 0 ? fromEnd : fromStart;
            if (n >= from && n <= to)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>PH (with an optional day offset) or SH.</summary>
public sealed record HolidaySelector(bool School, int DayOffset);

/// <summary>Weekdays and holidays; with <see cref="Both"/> ("SH Mo-Fr") a day must be in both, otherwise in either.</summary>
public sealed record WeekdaySelector(WeekdayRange[] Weekdays, HolidaySelector[] Holidays, bool Both);

public enum SunEvent
{
    None,
    Dawn,
    Sunrise,
    Sunset,
    Dusk,
}

/// <summary>A clock time (minutes from the day's start, up to 48:00), or a sun event with an offset in minutes.</summary>
public readonly record struct TimePoint(int Minutes, SunEvent Event)
{
    public override string ToString() => Event == SunEvent.None
        ? string.Create(CultureInfo.InvariantCulture, $"{Minutes / 60:00}:{Minutes % 60:00}")
        : Event.ToString().ToLowerInvariant() + (Minutes == 0 ? "" : Minutes > 0 ? $"+{Minutes}min" : $"{Minutes}min");
}

/// <summary>A time span; without <see cref="End"/> it is an open end ("18:00+"), with one it may also be open-ended ("10:00-16:00+").</summary>
public sealed record TimeSpanSelector(TimePoint Start, TimePoint? End, bool OpenEnd);

public sealed record OpeningRule(
    RuleKind Kind,
    bool Always,
    YearRange[]? Years,
    DateRange[]? Dates,
    WeekRange[]? Weeks,
    WeekdaySelector? Days,
    TimeSpanSelector[]? Times,
    OpeningState State,
    string? Comment)
{
    /// <summary>
    /// A normal rule replaces everything earlier rules said of the days it matches, the night spilling in
    /// from the day before included; only a closing rule with its own times ("Mo 12:00-14:00 off") closes
    /// just those times.
    /// </summary>
    public bool ReplacesDay => Kind == RuleKind.Normal && (State != OpeningState.Closed || Times is null);

    public bool UsesSchoolHolidays => Days?.Holidays.Any(h => h.School) == true;

    public bool UsesPublicHolidays => Days?.Holidays.Any(h => !h.School) == true;
}
