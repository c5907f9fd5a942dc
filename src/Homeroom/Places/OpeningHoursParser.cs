using System.Globalization;

namespace Homeroom.Places;

/// <summary>
/// Reads an opening_hours value into <see cref="OpeningRule"/>s: a tokenizer, then a recursive-descent
/// parser that follows the specification's grammar. A refusal says where (1-based character position),
/// what was expected there and what was found, and says so plainly when the value is valid OSM syntax
/// that Homeroom does not evaluate.
/// </summary>
internal sealed class OpeningHoursParser
{
    private static readonly string[] Weekdays = ["mo", "tu", "we", "th", "fr", "sa", "su"];
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private enum Kind
    {
        Number,
        Time,
        Word,
        Comment,
        Symbol,
        Or,
        Always,
        End,
    }

    private readonly record struct Token(Kind Kind, string Text, int Position, int Value);

    private readonly string text;
    private readonly List<Token> tokens;
    private int at;

    private OpeningHoursParser(string text, List<Token> tokens)
    {
        this.text = text;
        this.tokens = tokens;
    }

    public sealed class SyntaxException(string message) : Exception(message);

    public static List<OpeningRule> Parse(string text)
    {
        var parser = new OpeningHoursParser(text, Tokenize(text));
        return parser.Rules();
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '"')
            {
                var close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    throw new SyntaxException($"At position {i + 1}: this comment is not closed: expected a closing '\"'.");
                }

                tokens.Add(new Token(Kind.Comment, text[(i + 1)..close], i, 0));
                i = close + 1;
            }
            else if (string.CompareOrdinal(text, i, "24/7", 0, 4) == 0)
            {
                tokens.Add(new Token(Kind.Always, "24/7", i, 0));
                i += 4;
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                var digits = text[start..i];
                if (digits.Length <= 2 && i + 2 < text.Length && text[i] == ':' && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiDigit(text[i + 2])
                    && (i + 3 == text.Length || !char.IsAsciiDigit(text[i + 3])))
                {
                    var hours = int.Parse(digits, CultureInfo.InvariantCulture);
                    var minutes = int.Parse(text.AsSpan(i + 1, 2), CultureInfo.InvariantCulture);
                    if (minutes > 59)
                    {
                        throw new SyntaxException($"At position {i + 2}: '{text[start..(i + 3)]}' has {minutes} minutes; expected 00 to 59.");
                    }

                    tokens.Add(new Token(Kind.Time, text[start..(i + 3)], start, (hours * 60) + minutes));
                    i += 3;
                }
                else
                {
                    tokens.Add(new Token(Kind.Number, digits, start, digits.Length > 6 ? int.MaxValue : int.Parse(digits, CultureInfo.InvariantCulture)));
                }
            }
            else if (char.IsAsciiLetter(c))
            {
                var start = i;
                while (i < text.Length && char.IsAsciiLetter(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Word, text[start..i].ToLowerInvariant(), start, 0));
            }
            else if (c == '|' && i + 1 < text.Length && text[i + 1] == '|')
            {
                tokens.Add(new Token(Kind.Or, "||", i, 0));
                i += 2;
            }
            else if ("-,;:+[]()/".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new Token(Kind.Symbol, c.ToString(), i, 0));
                i++;
            }
            else
            {
                throw new SyntaxException($"At position {i + 1}: '{c}' is not part of the opening_hours syntax.");
            }
        }

        tokens.Add(new Token(Kind.End, "", text.Length, 0));
        return tokens;
    }

    private Token Current => tokens[at];

    private Token Peek(int ahead = 1) => tokens[Math.Min(at + ahead, tokens.Count - 1)];

    private bool IsSymbol(string symbol, int ahead = 0) => Peek(ahead) is { Kind: Kind.Symbol } t && t.Text == symbol;

    private bool IsWord(string word, int ahead = 0) => Peek(ahead) is { Kind: Kind.Word } t && t.Text == word;

    private Token Next() => tokens[at++];

    private SyntaxException Expected(string what)
    {
        var found = Current.Kind == Kind.End ? "the end of the value" : $"'{Current.Text}'";
        var before = text[..Current.Position].TrimEnd();
        var context = before.Length == 0 ? "" : $" (after '{(before.Length > 30 ? "…" + before[^30..] : before)}')";
        return new SyntaxException($"At position {Current.Position + 1}{context}: expected {what}, found {found}.");
    }

    private static SyntaxException Unsupported(Token token, string what) =>
        new($"At position {token.Position + 1}: {what} is valid opening_hours syntax, but Homeroom does not evaluate it.");

    private void Expect(string symbol, string what)
    {
        if (!IsSymbol(symbol))
        {
            throw Expected(what);
        }

        at++;
    }

    private List<OpeningRule> Rules()
    {
        var rules = new List<OpeningRule>();
        var kind = RuleKind.Normal;
        while (true)
        {
            if (Current.Kind == Kind.End && rules.Count > 0)
            {
                // A trailing ';' or ',' is harmless.
                break;
            }

            if (IsSymbol(";"))
            {
                // So are empty rules (";; Mo 10:00-12:00").
                at++;
                kind = RuleKind.Normal;
                continue;
            }

            rules.Add(Rule(kind));
            if (Current.Kind == Kind.End)
            {
                break;
            }

            if (IsSymbol(";"))
            {
                kind = RuleKind.Normal;
            }
            else if (IsSymbol(","))
            {
                kind = RuleKind.Additional;
            }
            else if (Current.Kind == Kind.Or)
            {
                kind = RuleKind.Fallback;
            }
            else
            {
                throw Expected("';', ',' or '||' between rules, or the end of the value");
            }

            at++;
            if (kind == RuleKind.Fallback && Current.Kind == Kind.End)
            {
                throw Expected("a rule after '||'");
            }
        }

        return rules;
    }

    private OpeningRule Rule(RuleKind kind)
    {
        var start = at;
        var always = false;
        YearRange[]? years = null;
        DateRange[]? dates = null;
        WeekRange[]? weeks = null;
        WeekdaySelector? days = null;
        TimeSpanSelector[]? times = null;
        string? comment = null;

        if (Current.Kind == Kind.Always)
        {
            at++;
            always = true;
        }
        else
        {
            // A comment followed by ':' labels the rule ("\"Winter\": Mo-Fr 10:00-16:00").
            if (Current.Kind == Kind.Comment && IsSymbol(":", 1))
            {
                comment = Next().Text;
                at++;
            }

            if (Current.Kind == Kind.Number && Current.Text.Length == 4 && !IsMonthAt(1))
            {
                years = YearSelector();
            }

            if (IsMonthAt(0) || IsWord("easter") || (Current.Kind == Kind.Number && Current.Text.Length == 4 && IsMonthAt(1)))
            {
                dates = DateSelector();
            }

            if (IsWord("week"))
            {
                weeks = WeekSelector();
            }

            if ((years ?? (object?)dates ?? weeks) is not null && IsSymbol(":"))
            {
                at++;
            }

            if (IsWeekdayOrHoliday())
            {
                days = WeekdaySelector();
                if (IsSymbol(":") && IsTimeStartAt(1))
                {
                    // "Mo: 10:00-12:00" is common; the colon adds nothing.
                    at++;
                }
            }

            if (IsTimeStart())
            {
                times = TimeSelector();
            }
        }

        var state = OpeningState.Open;
        var stated = false;
        if (IsSymbol(":") && at > start)
        {
            // "24/7: closed" and "Mo: off" are common; the colon adds nothing.
            at++;
        }

        if (Current.Kind == Kind.Word && Current.Text is "open" or "closed" or "off" or "unknown")
        {
            state = Next().Text switch
            {
                "open" => OpeningState.Open,
                "unknown" => OpeningState.Unknown,
                _ => OpeningState.Closed,
            };
            stated = true;
        }

        if (Current.Kind == Kind.Comment)
        {
            comment = Next().Text;
            if (!stated)
            {
                // A comment without a state leaves the state unknown: "by appointment", "Mo 10:00-12:00 \"call first\"".
                state = OpeningState.Unknown;
            }
        }

        if (at == start)
        {
            throw Expected(Current.Kind == Kind.Word && Current.Text.Length >= 2 && Weekdays.Contains(Current.Text[..2]) && Current.Text.Length > 2
                ? "a two-letter weekday (Mo Tu We Th Fr Sa Su)"
                : "a rule: days, times, months, '24/7', 'open', 'closed', 'off', 'unknown' or a \"comment\"");
        }

        if (Current.Kind is Kind.Number or Kind.Time or Kind.Word)
        {
            throw Expected(times is not null || state != OpeningState.Open || stated
                ? "';', ',' or '||' before the next rule"
                : "days, times or a modifier in their order: years, months and dates, weeks, weekdays, times, then open/closed/unknown");
        }

        return new OpeningRule(kind, always, years, dates, weeks, days, times, state, comment);
    }

    private bool IsMonthAt(int ahead) => Peek(ahead) is { Kind: Kind.Word } t && Array.IndexOf(Months, t.Text) >= 0;

    private bool IsWeekdayOrHoliday() =>
        Current.Kind == Kind.Word && (Array.IndexOf(Weekdays, Current.Text) >= 0 || Current.Text is "ph" or "sh");

    private bool IsTimeStart() => IsTimeStartAt(0);

    private bool IsTimeStartAt(int ahead) =>
        Peek(ahead).Kind == Kind.Time || (Peek(ahead).Kind == Kind.Word && Event(Peek(ahead).Text) != SunEvent.None)
        || (IsSymbol("(", ahead) && Peek(ahead + 1).Kind == Kind.Word && Event(Peek(ahead + 1).Text) != SunEvent.None);

    private static SunEvent Event(string word) => word switch
    {
        "dawn" => SunEvent.Dawn,
        "sunrise" => SunEvent.Sunrise,
        "sunset" => SunEvent.Sunset,
        "dusk" => SunEvent.Dusk,
        _ => SunEvent.None,
    };

    private YearRange[] YearSelector()
    {
        var ranges = new List<YearRange>();
        do
        {
            var from = Year();
            if (IsSymbol("+"))
            {
                at++;
                ranges.Add(new YearRange(from, null, 1, true));
            }
            else if (IsSymbol("-"))
            {
                at++;
                var to = Year();
                if (to < from)
                {
                    throw new SyntaxException($"At position {tokens[at - 1].Position + 1}: the year range ends ({to}) before it starts ({from}).");
                }

                ranges.Add(new YearRange(from, to, IsSymbol("/") ? Step() : 1, false));
            }
            else if (IsSymbol("/"))
            {
                // "2026/2": every second year from 2026.
                ranges.Add(new YearRange(from, null, Step(), true));
            }
            else
            {
                ranges.Add(new YearRange(from, from, 1, false));
            }
        }
        while (IsSymbol(",") && Peek(1) is { Kind: Kind.Number, Text.Length: 4 } && !IsMonthAt(2) && Consume());

        return [.. ranges];
    }

    private bool Consume()
    {
        at++;
        return true;
    }

    private int Year()
    {
        if (Current is not { Kind: Kind.Number, Text.Length: 4, Value: >= 1900 and <= 9999 })
        {
            throw Expected("a year such as 2026");
        }

        return Next().Value;
    }

    private int Step()
    {
        at++; // '/'
        if (Current is not { Kind: Kind.Number, Value: > 0 and < 100 })
        {
            throw Expected("a step such as /2 after '/'");
        }

        return Next().Value;
    }

    private WeekRange[] WeekSelector()
    {
        at++; // "week"
        var ranges = new List<WeekRange>();
        do
        {
            var from = Week();
            var to = from;
            var step = 1;
            if (IsSymbol("-"))
            {
                at++;
                to = Week();
                if (IsSymbol("/"))
                {
                    step = Step();
                }
            }

            ranges.Add(new WeekRange(from, to, step));
        }
        while (IsSymbol(",") && Peek(1).Kind == Kind.Number && Consume());

        return [.. ranges];
    }

    private int Week()
    {
        if (Current is not { Kind: Kind.Number, Value: >= 1 and <= 53 })
        {
            throw Expected("a week number from 01 to 53");
        }

        return Next().Value;
    }

    private DateRange[] DateSelector()
    {
        var ranges = new List<DateRange>();
        do
        {
            ranges.Add(DateRangeItem());
        }
        while (IsSymbol(",") && (IsMonthAt(1) || IsWord("easter", 1) || (Peek(1) is { Kind: Kind.Number, Text.Length: 4 } && IsMonthAt(2))
            || (Peek(1).Kind == Kind.Number && Peek(1).Text.Length <= 2 && ranges[^1] is { WholeMonths: false, OpenEnded: false })) && Consume());

        return [.. ranges];
    }

    private DateRange DateRangeItem()
    {
        int? year = null;
        if (Current.Kind == Kind.Number && Current.Text.Length == 4)
        {
            year = Year();
        }

        // "Dec 24, 26": a day alone after a comma repeats the previous date's month.
        if (Current.Kind == Kind.Number && year is null && LastMonth is { } repeat)
        {
            var single = DatePointAfterMonth(null, repeat);
            return new DateRange(single, single, false, false);
        }

        var from = DateStart(year, out var wholeMonth);
        if (wholeMonth)
        {
            if (IsSymbol("-") && (IsMonthAt(1) || (Peek(1) is { Kind: Kind.Number, Text.Length: 4 } && IsMonthAt(2))))
            {
                at++;
                int? toYear = Current.Kind == Kind.Number ? Year() : null;
                var toMonth = Month();
                if (IsDayNumber())
                {
                    // "Jan-Feb 15" is not in the grammar; "Jan 01-Feb 15" is.
                    throw Expected("a month range without days (Jan-Mar) or a date range with days on both ends (Jan 01-Mar 15)");
                }

                return new DateRange(from, new DatePoint(toYear, toMonth, 0, false, 0, null, 0), true, false);
            }

            return new DateRange(from, from, true, false);
        }

        if (IsSymbol("+") && !IsWeekdayWord(1))
        {
            at++;
            return new DateRange(from, from, false, true);
        }

        if (IsSymbol("-") && !IsWeekdayWord(1) && Peek(1).Kind is Kind.Number or Kind.Word)
        {
            at++;
            DatePoint to;
            if (Current.Kind == Kind.Number && Current.Text.Length <= 2)
            {
                // "Dec 24-26": the same month.
                to = DatePointAfterMonth(null, from.Month);
            }
            else
            {
                int? toYear = Current.Kind == Kind.Number ? Year() : null;
                to = DateStart(toYear, out var toWholeMonth);
                if (toWholeMonth)
                {
                    throw Expected("a day of the month after the month");
                }
            }

            return new DateRange(from, to, false, false, IsSymbol("/") ? Step() : 1);
        }

        return new DateRange(from, from, false, false);
    }

    private int? LastMonth { get; set; }

    private bool IsDayNumber() => Current is { Kind: Kind.Number, Text.Length: <= 2 };

    private bool IsWeekdayWord(int ahead) => Peek(ahead) is { Kind: Kind.Word } t && Array.IndexOf(Weekdays, t.Text) >= 0;

    private DatePoint DateStart(int? year, out bool wholeMonth)
    {
        wholeMonth = false;
        if (IsWord("easter"))
        {
            at++;
            return Offsets(new DatePoint(year, 0, 0, true, 0, null, 0));
        }

        var month = Month();
        LastMonth = month;
        if (IsWeekdayWord(0) && IsSymbol("[", 1))
        {
            // "Mar Su[-1]": the last Sunday of March.
            var weekday = Weekday();
            at++;
            var nth = Nth();
            Expect("]", "']' after which weekday of the month");
            return Offsets(new DatePoint(year, month, 0, false, 0, null, 0, weekday, nth));
        }

        if (!IsDayNumber())
        {
            wholeMonth = true;
            return new DatePoint(year, month, 0, false, 0, null, 0);
        }

        return DatePointAfterMonth(year, month);
    }

    private DatePoint DatePointAfterMonth(int? year, int month)
    {
        if (Current is not { Kind: Kind.Number, Value: >= 1 and <= 31 })
        {
            throw Expected("a day of the month from 01 to 31");
        }

        var dayToken = Next();
        if (dayToken.Value > DateTime.DaysInMonth(2024, month))
        {
            throw new SyntaxException($"At position {dayToken.Position + 1}: {Months[month - 1][..1].ToUpperInvariant()}{Months[month - 1][1..]} has no day {dayToken.Value}.");
        }

        return Offsets(new DatePoint(year, month, dayToken.Value, false, 0, null, 0));
    }

    /// <summary>Date offsets: "+Su"/"-Mo" (the next/previous such weekday), then "+2 days"/"-1 day".</summary>
    private DatePoint Offsets(DatePoint point)
    {
        if ((IsSymbol("+") || IsSymbol("-")) && IsWeekdayWord(1))
        {
            var sign = Next().Text == "+" ? 1 : -1;
            var weekday = (DayOfWeek)((Array.IndexOf(Weekdays, Next().Text) + 1) % 7);
            point = point with { WeekdayShift = sign, ShiftTo = weekday };
        }

        if (DayOffsetAhead())
        {
            point = point with { DayOffset = DayOffset() };
        }

        return point;
    }

    private bool DayOffsetAhead() =>
        (IsSymbol("+") || IsSymbol("-")) && Peek(1).Kind == Kind.Number && Peek(2) is { Kind: Kind.Word, Text: "day" or "days" };

    private int DayOffset()
    {
        var sign = Next().Text == "+" ? 1 : -1;
        var count = Next().Value;
        at++; // day(s)
        return sign * count;
    }

    private int Month()
    {
        if (!IsMonthAt(0))
        {
            throw Expected("a month (Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec)");
        }

        return Array.IndexOf(Months, Next().Text) + 1;
    }

    private WeekdaySelector WeekdaySelector()
    {
        var weekdays = new List<WeekdayRange>();
        var holidays = new List<HolidaySelector>();
        var both = false;
        while (true)
        {
            if (IsWord("ph") || IsWord("sh"))
            {
                var school = Next().Text == "sh";
                holidays.Add(new HolidaySelector(school, !school && DayOffsetAhead() ? DayOffset() : 0));
            }
            else
            {
                weekdays.Add(WeekdayRangeItem());
            }

            if (IsSymbol(",") && (IsWeekdayOrHolidayAt(1)))
            {
                at++;
                continue;
            }

            // "SH Mo-Fr", "PH Su": holidays, then (with a space) weekdays: days that are both.
            if (holidays.Count > 0 && weekdays.Count == 0 && IsWeekdayWord(0))
            {
                both = true;
                continue;
            }

            break;
        }

        return new WeekdaySelector([.. weekdays], [.. holidays], both);
    }

    private bool IsWeekdayOrHolidayAt(int ahead) =>
        Peek(ahead) is { Kind: Kind.Word } t && (Array.IndexOf(Weekdays, t.Text) >= 0 || t.Text is "ph" or "sh");

    private WeekdayRange WeekdayRangeItem()
    {
        var from = Weekday();
        if (IsSymbol("-") && IsWeekdayWord(1))
        {
            at++;
            return new WeekdayRange(from, Weekday(), null, 0);
        }

        if (!IsSymbol("["))
        {
            return new WeekdayRange(from, from, null, 0);
        }

        at++;
        var nth = new List<(int, int)>();
        do
        {
            var first = Nth();
            var last = first;
            if (IsSymbol("-") && Peek(1).Kind == Kind.Number)
            {
                at++;
                last = Nth();
                if ((first < 0) != (last < 0) || last < first)
                {
                    throw new SyntaxException($"At position {tokens[at - 1].Position + 1}: expected a range of nth weekdays such as [1-2].");
                }
            }

            nth.Add((first, last));
        }
        while (IsSymbol(",") && Consume());

        Expect("]", "']' to close the nth-weekday list");
        var offset = DayOffsetAhead() ? DayOffset() : 0;
        return new WeekdayRange(from, from, [.. nth], offset);
    }

    private int Nth()
    {
        var negative = false;
        if (IsSymbol("-"))
        {
            at++;
            negative = true;
        }

        if (Current is not { Kind: Kind.Number, Value: >= 1 and <= 5 })
        {
            throw Expected("which weekday of the month, 1 to 5 or -1 to -5 (Su[1], Fr[-1])");
        }

        return negative ? -Next().Value : Next().Value;
    }

    private int Weekday()
    {
        if (!IsWeekdayWord(0))
        {
            throw Expected("a weekday (Mo Tu We Th Fr Sa Su)");
        }

        return Array.IndexOf(Weekdays, Next().Text);
    }

    private TimeSpanSelector[] TimeSelector()
    {
        var spans = new List<TimeSpanSelector>();
        do
        {
            spans.Add(TimeSpanItem());
        }
        while (IsSymbol(",") && (Peek(1).Kind == Kind.Time || (Peek(1).Kind == Kind.Word && Event(Peek(1).Text) != SunEvent.None) || (IsSymbol("(", 1) && Peek(2).Kind == Kind.Word && Event(Peek(2).Text) != SunEvent.None)) && Consume());

        return [.. spans];
    }

    private TimeSpanSelector TimeSpanItem()
    {
        var startToken = Current;
        var start = TimeValue(extended: false);
        if (IsSymbol("+"))
        {
            at++;
            return new TimeSpanSelector(start, null, true);
        }

        if (!IsSymbol("-"))
        {
            throw Current.Kind is Kind.End or Kind.Comment || IsSymbol(";") || IsSymbol(",") || Current.Kind == Kind.Or
                ? Unsupported(startToken, $"a point in time without an end ('{startToken.Text}', as in collection_times)")
                : Expected("'-' and a closing time, or '+' for an open end");
        }

        at++;
        var end = TimeValue(extended: true);
        if (end.Event == SunEvent.None && start.Event == SunEvent.None && end.Minutes == start.Minutes)
        {
            // "06:00-06:00" is a full day from 06:00.
            end = end with { Minutes = end.Minutes + (24 * 60) };
        }

        if (IsSymbol("/"))
        {
            throw Unsupported(Current, "a repeating time span ('/' with a period, as in collection_times)");
        }

        var openEnd = false;
        if (IsSymbol("+"))
        {
            at++;
            openEnd = true;
        }

        return new TimeSpanSelector(start, end, openEnd);
    }

    private TimePoint TimeValue(bool extended)
    {
        if (Current.Kind == Kind.Time)
        {
            var token = Next();
            if (token.Value > (extended ? 48 : 24) * 60)
            {
                throw new SyntaxException($"At position {token.Position + 1}: '{token.Text}' is past {(extended ? "48:00, the latest closing time" : "24:00")}.");
            }

            return new TimePoint(token.Value, SunEvent.None);
        }

        if (Current.Kind == Kind.Word && Event(Current.Text) is var plain and not SunEvent.None)
        {
            at++;
            return new TimePoint(0, plain);
        }

        if (IsSymbol("(") && Peek(1).Kind == Kind.Word && Event(Peek(1).Text) is var shifted and not SunEvent.None)
        {
            at += 2;
            if (!IsSymbol("+") && !IsSymbol("-"))
            {
                throw Expected("'+' or '-' and an offset such as 01:00 after the sun event");
            }

            var sign = Next().Text == "+" ? 1 : -1;
            if (Current.Kind != Kind.Time)
            {
                throw Expected("an offset such as 00:30");
            }

            var offset = Next().Value;
            Expect(")", "')' to close the sun event");
            return new TimePoint(sign * offset, shifted);
        }

        throw Expected("a time such as 09:00 (hours and minutes), or sunrise, sunset, dawn, dusk");
    }
}
