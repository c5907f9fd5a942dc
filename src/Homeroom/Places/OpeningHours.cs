using System.Collections.Concurrent;
using System.Globalization;

namespace Homeroom.Places;

/// <summary>Where a place is, for what its hours depend on: its clock, the sun over it, its country's holidays.</summary>
public sealed record OpeningContext(TimeZoneInfo Zone, double Lat, double Lon, string? Country)
{
    public static OpeningContext Of(TimeZoneInfo zone) => new(zone, 0, 0, null);
}

/// <summary>What a place's hours mean at one instant, for a person: see docs/api.md.</summary>
public sealed record OpeningStatus(string State, DateTimeOffset? NextChange, string? NextState, string? Comment, string Text, string? Note);

/// <summary>
/// A place's opening hours in OpenStreetMap's opening_hours syntax (wiki "Key:opening_hours/specification"),
/// parsed once into rules (<see cref="OpeningHoursParser"/>) and evaluated day by day in the place's time
/// zone: a day's schedule is painted rule by rule (';' replaces the days it matches, the night spilling in
/// from the day before included; ',' adds; '||' fills only what earlier rules left unsaid), and the state at
/// an instant, or the next change, is read off those schedules.
/// </summary>
public sealed class OpeningHours
{
    private const int Day = 24 * 60;
    private const int Horizon = 400;
    private const string OpenEndComment = "open end: the closing time is not given";
    private const int CacheLimit = 100_000;
    private const int StatusCacheLimit = 4_096;
    private static readonly ConcurrentDictionary<string, OpeningHours> Parsed = new(StringComparer.Ordinal);

    private readonly OpeningRule[] rules;
    private readonly bool spills;
    private readonly bool usesSun;

    // A week-stable value (weekdays and times only, no sun) has one schedule per weekday, worked out once;
    // any other value keeps the last day it worked out, for the same country (PH) and place (sun): a search
    // asks about one day, and places sharing a value share this object.
    private readonly bool weekStable;
    private readonly List<Piece>?[] byWeekday = new List<Piece>?[7];
    private volatile DayCache? lastDay;

    // A status holds from the start of the current piece until the next change or local midnight, whichever
    // comes first (its sentence names days relative to today), so it is worked out once per place's context
    // and stretch of time and then read: nearest-places answers show ten statuses per request.
    private readonly ConcurrentDictionary<StatusKey, KnownStatus> statuses = new();

    private sealed record DayCache(DateOnly Date, OpeningContext Context, List<Piece> Pieces);

    /// <summary>What a status depends on besides the instant: the zone, the country only with PH, the point only with sun.</summary>
    private readonly record struct StatusKey(TimeZoneInfo Zone, string? Country, double Lat, double Lon);

    private sealed record KnownStatus(DateTimeOffset From, DateTimeOffset Until, OpeningStatus Status);

    private OpeningHours(string text, OpeningRule[] rules)
    {
        Text = text;
        this.rules = rules;
        spills = rules.Any(r => r.Times?.Any(t => t.OpenEnd || t.End is null || t.End.Value.Event != SunEvent.None || t.Start.Event != SunEvent.None
            || t.End.Value.Minutes > Day || t.End.Value.Minutes < t.Start.Minutes) == true);
        UsesPublicHolidays = rules.Any(r => r.UsesPublicHolidays);
        UsesSchoolHolidays = rules.Any(r => r.UsesSchoolHolidays);
        usesSun = rules.Any(r => r.Times?.Any(t => t.Start.Event != SunEvent.None || t.End?.Event is not (null or SunEvent.None)) == true);
        weekStable = !usesSun && rules.All(r => r.Years is null && r.Dates is null && r.Weeks is null
            && (r.Days is null || (r.Days.Holidays.Length == 0 && r.Days.Weekdays.All(w => w.Nth is null))));
    }

    /// <summary>The value as written (trimmed).</summary>
    public string Text { get; }

    public IReadOnlyList<OpeningRule> Rules => rules;

    public bool UsesPublicHolidays { get; }

    public bool UsesSchoolHolidays { get; }

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

        try
        {
            hours = new OpeningHours(trimmed, [.. OpeningHoursParser.Parse(trimmed)]);
            return true;
        }
        catch (OpeningHoursParser.SyntaxException e)
        {
            error = $"hours is not valid opening_hours syntax. {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// The parsed hours, shared between places with the same text (an import of a million places has a
    /// few thousand distinct values); null when there are none or they do not parse.
    /// </summary>
    public static OpeningHours? Cached(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (Parsed.TryGetValue(text, out var known))
        {
            return known;
        }

        if (!TryParse(text, out var hours, out _))
        {
            return null;
        }

        if (Parsed.Count >= CacheLimit)
        {
            Parsed.Clear();
        }

        return Parsed.GetOrAdd(text, hours!);
    }

    /// <summary>Whether the place is open at <paramref name="instant"/> (unknown counts as not open).</summary>
    public bool IsOpenAt(DateTimeOffset instant, TimeZoneInfo zone) => StateAt(instant, OpeningContext.Of(zone)) == OpeningState.Open;

    public OpeningState StateAt(DateTimeOffset instant, OpeningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (date, minute) = Local(instant, context.Zone);
        return StateAt(date, minute, context);
    }

    /// <summary>The state at a local date and minute of that day.</summary>
    public OpeningState StateAt(DateOnly date, int minute, OpeningContext context)
    {
        foreach (var piece in Schedule(date, context))
        {
            if (minute < piece.End)
            {
                return piece.State;
            }
        }

        return OpeningState.Closed;
    }

    public static (DateOnly Date, int Minute) Local(DateTimeOffset instant, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return (DateOnly.FromDateTime(local.DateTime), (local.Hour * 60) + local.Minute);
    }

    /// <summary>The state now, when it next changes (within about a year), and a sentence saying so.</summary>
    public OpeningStatus Status(DateTimeOffset instant, OpeningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = new StatusKey(context.Zone, UsesPublicHolidays ? context.Country : null, usesSun ? context.Lat : 0, usesSun ? context.Lon : 0);
        if (statuses.TryGetValue(key, out var known) && instant >= known.From && instant < known.Until)
        {
            return known.Status;
        }

        var (status, from, until) = WorkOutStatus(instant, context);
        if (statuses.Count >= StatusCacheLimit)
        {
            statuses.Clear();
        }

        statuses[key] = new KnownStatus(from, until, status);
        return status;
    }

    private (OpeningStatus Status, DateTimeOffset From, DateTimeOffset Until) WorkOutStatus(DateTimeOffset instant, OpeningContext context)
    {
        var (today, minute) = Local(instant, context.Zone);
        var schedule = Schedule(today, context);
        var index = schedule.FindIndex(p => minute < p.End);
        var current = schedule[index];
        (DateOnly Date, Piece Piece)? change = index + 1 < schedule.Count ? (today, schedule[index + 1]) : null;
        // A week-stable schedule that has not changed in a week never will.
        for (var day = 1; day <= (weekStable ? 8 : Horizon) && change is null; day++)
        {
            var date = today.AddDays(day);
            foreach (var piece in Schedule(date, context))
            {
                if (!piece.SameAs(current))
                {
                    change = (date, piece);
                    break;
                }
            }
        }

        var state = Name(current.State);
        var next = change is { } c ? Instant(c.Date, c.Piece.Start, context.Zone) : (DateTimeOffset?)null;
        var text = Sentence(current, change, today, schedule.Any(p => p.State == OpeningState.Open));
        var status = new OpeningStatus(state, next, change is { } n ? Name(n.Piece.State) : null, current.Comment, text, Note(context));
        var from = Instant(today, current.Start, context.Zone);
        var midnight = Instant(today.AddDays(1), 0, context.Zone);
        var until = next is { } at && at < midnight ? at : midnight;
        // A clock change can make the piece's local start a later instant than now (the repeated hour): hold from now.
        return (status, from <= instant ? from : instant, until);
    }

    private string? Note(OpeningContext context)
    {
        var notes = new List<string>();
        if (UsesPublicHolidays && context.Country is null)
        {
            notes.Add("Public holidays (PH) need the place's country; rules with PH are not applied.");
        }
        else if (UsesPublicHolidays && !Holidays.Knows(context.Country!))
        {
            notes.Add($"Public holidays (PH) of {context.Country} are not known to Homeroom; rules with PH are not applied.");
        }

        if (UsesSchoolHolidays)
        {
            notes.Add("School holidays (SH) are not known to Homeroom; rules with SH are not applied.");
        }

        return notes.Count == 0 ? null : string.Join(" ", notes);
    }

    private static string Name(OpeningState state) => state switch
    {
        OpeningState.Open => "open",
        OpeningState.Unknown => "unknown",
        _ => "closed",
    };

    private static string Sentence(Piece current, (DateOnly Date, Piece Piece)? change, DateOnly today, bool opensToday)
    {
        var comment = current.Comment is { } note ? $" ({note})" : "";
        string When((DateOnly Date, Piece Piece) c)
        {
            var clock = string.Create(CultureInfo.InvariantCulture, $"{c.Piece.Start / 60:00}:{c.Piece.Start % 60:00}");
            var days = c.Date.DayNumber - today.DayNumber;
            if (days == 1 && c.Piece.Start == 0)
            {
                return "at midnight";
            }

            return days switch
            {
                0 => $"at {clock}",
                1 => $"tomorrow at {clock}",
                < 7 => $"on {c.Date.DayOfWeek.ToString()} at {clock}",
                _ => $"on {c.Date.ToString(c.Date.Year == today.Year ? "d MMM" : "d MMM yyyy", CultureInfo.InvariantCulture)} at {clock}",
            };
        }

        string From((DateOnly Date, Piece Piece) c) => When(c) is var when && when.StartsWith("at ", StringComparison.Ordinal) ? "from " + when[3..] : "from " + when;

        switch (current.State)
        {
            case OpeningState.Open when change is null:
                return "open 24/7" + comment;
            case OpeningState.Open:
                return change.Value.Piece.State == OpeningState.Closed
                    ? $"open now, closes {When(change.Value)}{comment}"
                    : $"open now{comment}, unknown {From(change.Value)}";
            case OpeningState.Unknown:
                return $"unknown{comment}";
            default:
                if (change is not { } next)
                {
                    return "closed" + comment;
                }

                var prefix = next.Date == today || opensToday ? "closed now" : "closed today";
                return next.Piece.State == OpeningState.Open
                    ? $"{prefix}{comment}, opens {When(next)}"
                    : $"{prefix}{comment}, unknown {From(next)}";
        }
    }

    /// <summary>The instant a local date and minute of day falls on; a time skipped by a clock change moves to the first that exists.</summary>
    public static DateTimeOffset Instant(DateOnly date, int minute, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = date.ToDateTime(TimeOnly.MinValue).AddMinutes(minute);
        for (var i = 0; i < 180 && zone.IsInvalidTime(local); i++)
        {
            local = local.AddMinutes(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>A stretch of one day, [Start, End) in minutes, with its state and comment.</summary>
    public readonly record struct Piece(int Start, int End, OpeningState State, string? Comment)
    {
        public bool SameAs(Piece other) => State == other.State && Comment == other.Comment;
    }

    /// <summary>The day's schedule: pieces covering 00:00 to 24:00, in order, neighbours differing (not to be changed).</summary>
    public List<Piece> Schedule(DateOnly date, OpeningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (weekStable)
        {
            var weekday = WeekdayRange.Index(date.DayOfWeek);
            return byWeekday[weekday] ??= Build(date, context);
        }

        if (lastDay is { } cached && cached.Date == date && (!UsesPublicHolidays || cached.Context.Country == context.Country)
            && (!usesSun || (cached.Context.Lat == context.Lat && cached.Context.Lon == context.Lon && cached.Context.Zone == context.Zone)))
        {
            return cached.Pieces;
        }

        var pieces = Build(date, context);
        lastDay = new DayCache(date, context, pieces);
        return pieces;
    }

    private List<Piece> Build(DateOnly date, OpeningContext context)
    {
        var painted = new List<Piece>();
        var yesterday = date.AddDays(-1);
        var replacedYesterday = -1;
        if (spills)
        {
            for (var i = 0; i < rules.Length; i++)
            {
                if (rules[i].ReplacesDay && Matches(rules[i], yesterday, context))
                {
                    replacedYesterday = i;
                }
            }
        }

        SunTimes.Day? sunToday = null, sunYesterday = null;
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            var today = Matches(rule, date, context);
            var fromYesterday = spills && i >= replacedYesterday && rule.Times is not null && Matches(rule, yesterday, context);
            if (!today && !fromYesterday)
            {
                continue;
            }

            if (today && rule.ReplacesDay)
            {
                painted.Clear();
            }

            var fill = rule.Kind == RuleKind.Fallback;
            if (fromYesterday)
            {
                sunYesterday ??= SunFor(rule, yesterday, context);
                foreach (var piece in Spans(rule, sunYesterday))
                {
                    if (piece.End > Day)
                    {
                        Paint(painted, new Piece(Math.Max(piece.Start - Day, 0), piece.End - Day, piece.State, piece.Comment), fill);
                    }
                }
            }

            if (today)
            {
                sunToday ??= SunFor(rule, date, context);
                foreach (var piece in Spans(rule, sunToday))
                {
                    if (piece.Start < Day)
                    {
                        Paint(painted, piece with { End = Math.Min(piece.End, Day) }, fill);
                    }
                }
            }
        }

        // Fill the gaps with "closed" and merge neighbours that say the same.
        var day = new List<Piece>(painted.Count * 2 + 1);
        var at = 0;
        foreach (var piece in painted)
        {
            if (piece.Start > at)
            {
                Add(day, new Piece(at, piece.Start, OpeningState.Closed, null));
            }

            Add(day, piece);
            at = piece.End;
        }

        if (at < Day)
        {
            Add(day, new Piece(at, Day, OpeningState.Closed, null));
        }

        return day;

        static void Add(List<Piece> day, Piece piece)
        {
            if (day.Count > 0 && day[^1].SameAs(piece))
            {
                day[^1] = day[^1] with { End = piece.End };
            }
            else
            {
                day.Add(piece);
            }
        }
    }

    private static SunTimes.Day? SunFor(OpeningRule rule, DateOnly date, OpeningContext context) =>
        rule.Times?.Any(t => t.Start.Event != SunEvent.None || t.End?.Event is not (null or SunEvent.None)) == true
            ? SunTimes.For(date, context.Lat, context.Lon, context.Zone)
            : null;

    /// <summary>Paints a piece over the sorted, non-overlapping pieces; a fallback paints only where nothing is yet.</summary>
    private static void Paint(List<Piece> painted, Piece piece, bool onlyGaps)
    {
        if (piece.End <= piece.Start)
        {
            return;
        }

        if (onlyGaps)
        {
            var at = piece.Start;
            foreach (var existing in painted.ToArray())
            {
                if (existing.End <= at || existing.Start >= piece.End)
                {
                    continue;
                }

                if (existing.Start > at)
                {
                    Paint(painted, piece with { Start = at, End = existing.Start }, false);
                }

                at = Math.Max(at, existing.End);
            }

            if (at < piece.End)
            {
                Paint(painted, piece with { Start = at }, false);
            }

            return;
        }

        var result = new List<Piece>(painted.Count + 2);
        var inserted = false;
        foreach (var existing in painted)
        {
            if (existing.End <= piece.Start || existing.Start >= piece.End)
            {
                if (!inserted && existing.Start >= piece.End)
                {
                    result.Add(piece);
                    inserted = true;
                }

                result.Add(existing);
                continue;
            }

            if (existing.Start < piece.Start)
            {
                result.Add(existing with { End = piece.Start });
            }

            if (!inserted)
            {
                result.Add(piece);
                inserted = true;
            }

            if (existing.End > piece.End)
            {
                result.Add(existing with { Start = piece.End });
            }
        }

        if (!inserted)
        {
            result.Add(piece);
        }

        painted.Clear();
        painted.AddRange(result);
    }

    /// <summary>The rule's spans on a day it matches, in minutes from that day's start (past 24:00 into the next).</summary>
    private static IEnumerable<Piece> Spans(OpeningRule rule, SunTimes.Day? sun)
    {
        if (rule.Times is null)
        {
            yield return new Piece(0, Day, rule.State, rule.Comment);
            yield break;
        }

        var starts = rule.Times.Select(t => Resolve(t.Start, sun)).ToArray();
        for (var i = 0; i < rule.Times.Length; i++)
        {
            var span = rule.Times[i];
            var start = starts[i];
            var end = start;
            if (span.End is { } closing)
            {
                end = Resolve(closing, sun);
                if (end < start)
                {
                    end += Day;
                }

                yield return new Piece(start, end, rule.State, rule.Comment);
            }

            if (span.OpenEnd)
            {
                // No closing time: unknown for a guessed while, or until the rule's next span begins.
                var guess = end < 17 * 60 ? Day : end < Day ? Day + (3 * 60) : 2 * Day;
                foreach (var other in starts)
                {
                    if (other > end && other < guess)
                    {
                        guess = other;
                    }
                }

                var state = rule.State == OpeningState.Closed ? OpeningState.Closed : OpeningState.Unknown;
                yield return new Piece(end, guess, state, rule.Comment ?? (state == OpeningState.Unknown ? OpenEndComment : null));
            }
        }
    }

    private static int Resolve(TimePoint point, SunTimes.Day? sun)
    {
        if (point.Event == SunEvent.None || sun is null)
        {
            return point.Minutes;
        }

        var at = point.Event switch
        {
            SunEvent.Dawn => sun.Dawn,
            SunEvent.Sunrise => sun.Sunrise,
            SunEvent.Sunset => sun.Sunset,
            _ => sun.Dusk,
        };
        return Math.Clamp(at + point.Minutes, 0, 2 * Day);
    }

    private static bool Matches(OpeningRule rule, DateOnly date, OpeningContext context)
    {
        if (rule.Years is { } years && !years.Any(y => y.Matches(date.Year)))
        {
            return false;
        }

        if (rule.Dates is { } dates && !dates.Any(d => d.Matches(date)))
        {
            return false;
        }

        if (rule.Weeks is { } weeks)
        {
            var week = ISOWeek.GetWeekOfYear(date.ToDateTime(TimeOnly.MinValue));
            if (!weeks.Any(w => w.Matches(week)))
            {
                return false;
            }
        }

        if (rule.Days is not { } days)
        {
            return true;
        }

        var weekday = days.Weekdays.Any(w => w.Matches(date));
        var holiday = days.Holidays.Any(h => !h.School && Holidays.IsPublicHoliday(context.Country, date.AddDays(-h.DayOffset)));
        if (days.Both)
        {
            return weekday && holiday;
        }

        return weekday || holiday;
    }
}
