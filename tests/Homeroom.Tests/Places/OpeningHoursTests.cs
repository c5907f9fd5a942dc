using System.Globalization;
using Homeroom.Places;

namespace Homeroom.Tests.Places;

public sealed class OpeningHoursTests
{
    private static readonly string[] Zones = ["Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

    private static OpeningHours Parse(string hours)
    {
        Assert.True(OpeningHours.TryParse(hours, out var parsed, out var error), error);
        return parsed!;
    }

    private static OpeningContext Where(string zone, string? country = null, double lat = 51.5, double lon = 0) =>
        new(TimeZoneInfo.FindSystemTimeZoneById(zone), lat, lon, country);

    /// <summary>The state at a local wall-clock time ("2026-12-24 10:00") in the zone, through the instant it names.</summary>
    private static string StateAt(string hours, string local, string zone = "Europe/Berlin", string? country = null)
    {
        var at = DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        var context = Where(zone, country);
        var instant = OpeningHours.Instant(DateOnly.FromDateTime(at), (at.Hour * 60) + at.Minute, context.Zone);
        return Parse(hours).StateAt(instant, context).ToString().ToLowerInvariant();
    }

    // Every selector, at fixed local times, evaluated in several time zones: the same wall-clock answer in each.
    // 2026-12-24 is a Thursday; 2026-11-16 a Monday.
    [Theory]
    // Times without days, and the old forms.
    [InlineData("10:00-12:00", "2026-11-21 11:00", "open")]
    [InlineData("10:00-12:00", "2026-11-21 12:00", "closed")]
    [InlineData("Mo-Fr 09:00-17:00", "2026-11-16 09:00", "open")]
    [InlineData("Mo-Fr 09:00-17:00", "2026-11-16 08:59", "closed")]
    [InlineData("Mo-Fr 09:00-17:00", "2026-11-21 12:00", "closed")]
    [InlineData("Mo-Fr 09:00-12:00,13:00-17:00", "2026-11-18 12:30", "closed")]
    [InlineData("Sa-Mo 10:00-11:00", "2026-11-22 10:30", "open")]
    [InlineData("Mo,We 09:00-24:00", "2026-11-18 23:59", "open")]
    [InlineData("Mo-Fr", "2026-11-18 03:00", "open")]
    // Weekday lists and nth weekdays.
    [InlineData("Mo,We,Fr 10:00-12:00", "2026-11-17 11:00", "closed")]
    [InlineData("Su[1] 10:00-12:00", "2026-12-06 11:00", "open")]
    [InlineData("Su[1] 10:00-12:00", "2026-12-13 11:00", "closed")]
    [InlineData("Fr[-1] 10:00-12:00", "2026-12-25 11:00", "open")]
    [InlineData("Fr[-1] 10:00-12:00", "2026-12-18 11:00", "closed")]
    [InlineData("Mo[2-3] 10:00-12:00", "2026-12-14 11:00", "open")]
    [InlineData("Sa[-1] +1 day 10:00-12:00", "2026-12-27 11:00", "open")]
    // Months and dates.
    [InlineData("Jan-Mar 10:00-16:00", "2026-02-10 11:00", "open")]
    [InlineData("Jan-Mar 10:00-16:00", "2026-04-01 11:00", "closed")]
    [InlineData("Nov-Feb 10:00-16:00", "2026-01-15 11:00", "open")]
    [InlineData("Dec 24 10:00-14:00", "2026-12-24 11:00", "open")]
    [InlineData("Dec 24 10:00-14:00", "2026-12-23 11:00", "closed")]
    [InlineData("24/7; Dec 24-26 off", "2026-12-25 11:00", "closed")]
    [InlineData("24/7; Dec 24-26 off", "2026-12-27 11:00", "open")]
    [InlineData("24/7; Dec 24-Jan 02 off", "2027-01-01 11:00", "closed")]
    [InlineData("24/7; Dec 24-Jan 02 off", "2027-01-03 11:00", "open")]
    [InlineData("Jan 01-Mar 15 10:00-12:00", "2026-03-15 11:00", "open")]
    [InlineData("Jan 01-Mar 15 10:00-12:00", "2026-03-16 11:00", "closed")]
    [InlineData("Apr 01+ 10:00-12:00", "2026-06-01 11:00", "open")]
    [InlineData("24/7; easter off", "2026-04-05 11:00", "closed")]
    [InlineData("24/7; easter off", "2027-03-28 11:00", "closed")]
    [InlineData("24/7; easter +1 day off", "2026-04-06 11:00", "closed")]
    [InlineData("24/7; easter +1 day off", "2026-04-05 11:00", "open")]
    [InlineData("Dec 25 -Su 10:00-12:00", "2026-12-20 11:00", "open")]
    [InlineData("Mar Su[-1]-Oct Su[-1] -1 day 10:00-12:00", "2026-03-29 11:00", "open")]
    [InlineData("Mar Su[-1]-Oct Su[-1] -1 day 10:00-12:00", "2026-03-28 11:00", "closed")]
    [InlineData("Mar Su[-1]-Oct Su[-1] -1 day 10:00-12:00", "2026-10-24 11:00", "open")]
    [InlineData("Mar Su[-1]-Oct Su[-1] -1 day 10:00-12:00", "2026-10-25 11:00", "closed")]
    [InlineData("Jan 01-31/8 10:00-12:00", "2026-01-09 11:00", "open")]
    [InlineData("Jan 01-31/8 10:00-12:00", "2026-01-10 11:00", "closed")]
    [InlineData("2026/2 10:00-12:00", "2028-01-10 11:00", "open")]
    [InlineData("2026/2 10:00-12:00", "2027-01-10 11:00", "closed")]
    // Years and week numbers.
    [InlineData("2026 Mo-Fr 10:00-12:00", "2026-11-16 11:00", "open")]
    [InlineData("2026 Mo-Fr 10:00-12:00", "2027-11-15 11:00", "closed")]
    [InlineData("2025-2027/2 10:00-12:00", "2027-06-01 11:00", "open")]
    [InlineData("2025-2027/2 10:00-12:00", "2026-06-01 11:00", "closed")]
    [InlineData("2030+ 10:00-12:00", "2026-06-01 11:00", "closed")]
    [InlineData("2026 Dec 24 10:00-12:00", "2026-12-24 11:00", "open")]
    [InlineData("week 01-53/2 Fr 09:00-12:00; week 02-52/2 We 09:00-12:00", "2026-01-02 10:00", "open")]
    [InlineData("week 01-53/2 Fr 09:00-12:00; week 02-52/2 We 09:00-12:00", "2026-01-09 10:00", "closed")]
    [InlineData("week 01-53/2 Fr 09:00-12:00; week 02-52/2 We 09:00-12:00", "2026-01-07 10:00", "open")]
    [InlineData("week 01-10/2 10:00-12:00", "2026-02-23 11:00", "open")]
    [InlineData("week 01-10/2 10:00-12:00", "2026-03-02 11:00", "closed")]
    [InlineData("week 01-10/2 10:00-12:00", "2026-03-09 11:00", "closed")]
    // Open end, comments and modifiers.
    [InlineData("Su 10:00+", "2026-11-22 11:00", "unknown")]
    [InlineData("Su 10:00+", "2026-11-22 09:00", "closed")]
    [InlineData("10:00-16:00+", "2026-11-22 17:00", "unknown")]
    [InlineData("17:00+ off", "2026-11-22 18:00", "closed")]
    [InlineData("\"by appointment\"", "2026-11-22 18:00", "unknown")]
    [InlineData("Mo 10:00-12:00 \"call first\"", "2026-11-16 11:00", "unknown")]
    [InlineData("Mo 10:00-12:00 open \"call first\"", "2026-11-16 11:00", "open")]
    [InlineData("Mo-Fr 10:00-18:00 unknown", "2026-11-16 11:00", "unknown")]
    [InlineData("open", "2026-11-16 03:00", "open")]
    [InlineData("closed", "2026-11-16 03:00", "closed")]
    [InlineData("24/7 closed \"always closed\"", "2026-11-16 03:00", "closed")]
    // 24/7 with other rules, additional and fallback rules.
    [InlineData("24/7; Su off", "2026-11-22 11:00", "closed")]
    [InlineData("24/7; Mo 15:00-16:00 off", "2026-11-16 15:30", "closed")]
    [InlineData("24/7; Mo 15:00-16:00 off", "2026-11-16 16:30", "open")]
    [InlineData("Mo-Fr 08:00-18:00, Sa 09:00-12:00", "2026-11-21 10:00", "open")]
    [InlineData("Mo-Fr 08:00-18:00, Sa 09:00-12:00", "2026-11-16 17:00", "open")]
    [InlineData("10:00-14:00; 12:00-14:00 off", "2026-11-16 12:30", "closed")]
    [InlineData("10:00-14:00; 12:00-14:00 off", "2026-11-16 11:30", "open")]
    [InlineData("Mo-Sa 08:00-13:00,14:00-17:00 || \"by appointment\"", "2026-11-22 10:00", "unknown")]
    [InlineData("Mo-Sa 08:00-13:00,14:00-17:00 || \"by appointment\"", "2026-11-16 10:00", "open")]
    [InlineData("Mo-Sa 08:00-13:00,14:00-17:00 || \"by appointment\"", "2026-11-16 13:30", "unknown")]
    public void Every_selector_means_the_same_wall_clock_time_in_every_zone(string hours, string local, string expected)
    {
        foreach (var zone in Zones)
        {
            Assert.True(expected == StateAt(hours, local, zone), $"{hours} at {local} in {zone}: expected {expected}, got {StateAt(hours, local, zone)}");
        }
    }

    [Theory]
    // The tutorial's own examples (OSM wiki, Key:opening_hours/Tutorial and specification), in Berlin with German holidays.
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30", "2026-12-23 12:30", "closed")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30", "2026-12-23 13:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00", "2026-12-19 10:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH off", "2026-12-25 10:00", "closed")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH off", "2026-12-24 10:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH 09:00-12:00", "2026-12-25 10:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH 09:00-12:00", "2026-12-25 08:30", "closed")]
    [InlineData("Mo,Tu,Th,Fr 12:00-18:00; Sa,PH 12:00-17:00; Th[3],Th[-1] off", "2026-12-17 13:00", "closed")]
    [InlineData("Mo,Tu,Th,Fr 12:00-18:00; Sa,PH 12:00-17:00; Th[3],Th[-1] off", "2026-12-31 13:00", "closed")]
    [InlineData("Mo,Tu,Th,Fr 12:00-18:00; Sa,PH 12:00-17:00; Th[3],Th[-1] off", "2026-12-10 13:00", "open")]
    [InlineData("Mo,Tu,Th,Fr 12:00-18:00; Sa,PH 12:00-17:00; Th[3],Th[-1] off", "2026-12-25 17:30", "closed")]
    [InlineData("Mo-Fr 08:00-12:00,13:00-17:30; Sa 08:00-12:00; PH off; SH off", "2026-12-23 10:00", "open")]
    [InlineData("PH +1 day off; 10:00-12:00", "2026-12-27 11:00", "open")]
    [InlineData("10:00-12:00; PH +1 day off", "2026-12-26 11:00", "closed")]
    [InlineData("10:00-12:00; PH -1 day off", "2026-12-24 11:00", "closed")]
    [InlineData("Mo-Fr 10:00-12:00; PH Fr off", "2026-12-25 11:00", "closed")]
    [InlineData("Mo-Fr 10:00-12:00; PH Fr off", "2026-12-18 11:00", "open")]
    // Fallback rules from the conformance suite (opening_hours.js test.js).
    [InlineData("We-Fr 10:00-24:00 open \"it is open\" || \"please call\"", "2026-12-23 09:00", "unknown")]
    [InlineData("We-Fr 10:00-24:00 open \"it is open\" || \"please call\"", "2026-12-23 11:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-13:00; PH off || Tu 06:00-06:00 open \"Notdienst\"", "2026-12-22 13:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-13:00; PH off || Tu 06:00-06:00 open \"Notdienst\"", "2026-12-23 05:00", "open")]
    [InlineData("Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-13:00; PH off || Tu 06:00-06:00 open \"Notdienst\"", "2026-12-23 12:30", "closed")]
    public void The_specifications_examples_hold(string hours, string local, string expected) =>
        Assert.Equal(expected, StateAt(hours, local, "Europe/Berlin", "DE"));

    [Theory]
    // A later normal rule replaces the whole day, the night spilling in from the day before included.
    [InlineData("Mo-Fr 11:00-01:00; Sa 11:00-02:00", "2026-11-21 00:30", "closed")]
    [InlineData("Mo-Fr 11:00-01:00; Sa 11:00-02:00", "2026-11-22 01:30", "open")]
    [InlineData("Mo-Fr 11:00-01:00; Sa 11:00-02:00", "2026-11-22 02:00", "closed")]
    [InlineData("Mo-Fr 11:00-01:00; Sa 11:00-02:00", "2026-11-17 00:30", "open")]
    [InlineData("Mo-Fr 11:00-01:00; Sa 11:00-02:00", "2026-11-16 00:30", "closed")]
    [InlineData("Mo-Fr 11:00-01:00", "2026-11-21 00:30", "open")]
    [InlineData("Mo-Fr 11:00-01:00; Fr 11:00-20:00", "2026-11-21 00:30", "closed")]
    [InlineData("Fr 22:00-02:00", "2026-11-21 01:30", "open")]
    [InlineData("Su 20:00-03:00", "2026-11-16 02:00", "open")]
    [InlineData("Tu 23:59-48:00", "2026-11-18 23:00", "open")]
    [InlineData("Tu 23:59-48:00", "2026-11-19 00:00", "closed")]
    [InlineData("Mo-Su 22:00-03:00; We off", "2026-11-19 01:00", "closed")]
    [InlineData("Mo-Su 22:00-03:00; We off", "2026-11-18 01:00", "closed")]
    [InlineData("Mo-Su 22:00-03:00; We off", "2026-11-17 01:00", "open")]
    [InlineData("Mo-Su 22:00-03:00, We off", "2026-11-18 01:00", "closed")]
    public void Overnight_hours_spill_into_the_next_day_only_when_no_later_rule_replaces_it(string hours, string local, string expected) =>
        Assert.Equal(expected, StateAt(hours, local));

    [Fact]
    public void The_status_says_what_it_means_for_a_person()
    {
        var london = Where("Europe/London", "GB");
        DateTimeOffset At(int month, int day, int hour, int minute = 0) => OpeningHours.Instant(new DateOnly(2026, month, day), (hour * 60) + minute, london.Zone);

        var shop = Parse("Mo-Fr 09:00-18:00; Sa 10:00-12:00");
        var open = shop.Status(At(11, 18, 12), london);
        Assert.Equal(("open", "open now, closes at 18:00"), (open.State, open.Text));
        Assert.Equal(At(11, 18, 18), open.NextChange);
        Assert.Equal("closed", open.NextState);
        Assert.Equal("closed now, opens tomorrow at 09:00", shop.Status(At(11, 18, 19), london).Text);
        Assert.Equal("closed now, opens at 09:00", shop.Status(At(11, 19, 7), london).Text);
        Assert.Equal("closed today, opens tomorrow at 09:00", shop.Status(At(11, 22, 13), london).Text);
        Assert.Equal("closed now, opens on Monday at 09:00", shop.Status(At(11, 21, 13), london).Text);
        Assert.Equal("open 24/7", Parse("24/7").Status(At(11, 21, 13), london).Text);
        Assert.Null(Parse("24/7").Status(At(11, 21, 13), london).NextChange);
        var appointment = Parse("\"by appointment\"").Status(At(11, 21, 13), london);
        Assert.Equal(("unknown", "by appointment", "unknown (by appointment)"), (appointment.State, appointment.Comment, appointment.Text));
        Assert.Equal("closed", Parse("off").Status(At(11, 21, 13), london).Text);
        var bar = Parse("Mo-Fr 11:00-01:00; Sa 11:00-02:00");
        Assert.Equal("open now, closes tomorrow at 01:00", bar.Status(At(11, 19, 23), london).Text);
        // Saturday's rule replaces the whole of Saturday, so Friday's night ends at midnight.
        Assert.Equal("open now, closes at midnight", bar.Status(At(11, 20, 23), london).Text);
        Assert.Equal("closed today, opens on 24 Dec at 10:00", Parse("Dec 24 10:00-14:00").Status(At(11, 20, 23), london).Text);
        Assert.Equal("closed now, unknown from 18:00", Parse("18:00+").Status(At(11, 20, 9), london).Text);
        Assert.Null(shop.Status(At(11, 20, 9), london).Note);
        Assert.Contains("School holidays (SH)", Parse("Mo-Fr 09:00-17:00; SH off").Status(At(11, 20, 9), london).Note, StringComparison.Ordinal);
        Assert.Contains("country", Parse("Mo-Fr 09:00-17:00; PH off").Status(At(11, 20, 9), Where("Europe/London")).Note, StringComparison.Ordinal);
    }

    // A status is remembered until the next change or local midnight: read at every 7 minutes over days that
    // cross clock changes and holidays, forwards and then backwards, the remembered answer is always the one a
    // fresh parse works out.
    [Theory]
    [InlineData("Mo-Fr 09:00-17:00", "Europe/London", null, "2026-03-27")]
    [InlineData("Sa 22:00-03:00", "Europe/London", null, "2026-10-23")]
    [InlineData("Mo-Fr 08:00-18:00; PH off", "America/New_York", "US", "2026-11-24")]
    [InlineData("sunrise-sunset", "Australia/Sydney", "AU", "2026-04-03")]
    [InlineData("Mo-Fr 09:00-12:00,13:00-18:00; Sa 10:00-14:00 \"by appointment\"; Dec 24 off", "Asia/Tokyo", "JP", "2026-12-22")]
    public void A_remembered_status_is_the_one_worked_out_afresh(string hours, string zone, string? country, string from)
    {
        var shared = Parse(hours);
        var place = Where(zone, country, lat: -33.87, lon: 151.21);
        var start = new DateTimeOffset(DateTime.ParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture), TimeSpan.Zero);
        var instants = Enumerable.Range(0, 4 * 24 * 60 / 7).Select(i => start.AddMinutes(i * 7).AddSeconds(i % 60)).ToList();
        foreach (var instant in instants.Concat(Enumerable.Reverse(instants)))
        {
            var afresh = Parse(hours).Status(instant, place);
            Assert.Equal(afresh, shared.Status(instant, place));
        }
    }

    [Fact]
    public void The_next_change_is_a_true_instant_across_clock_changes()
    {
        var bar = Parse("Sa 22:00-03:00");
        var london = Where("Europe/London");
        // Spring forward: 01:00 GMT became 02:00 BST on 2026-03-29, so 03:00 is 02:00 UTC.
        var spring = bar.Status(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), london);
        Assert.Equal(("open", new DateTimeOffset(2026, 3, 29, 2, 0, 0, TimeSpan.Zero)), (spring.State, spring.NextChange!.Value.ToUniversalTime()));
        // Fall back: 02:00 BST became 01:00 GMT on 2026-10-25, so 03:00 is 03:00 UTC.
        var autumn = bar.Status(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero), london);
        Assert.Equal(("open", new DateTimeOffset(2026, 10, 25, 3, 0, 0, TimeSpan.Zero)), (autumn.State, autumn.NextChange!.Value.ToUniversalTime()));

        // New York springs forward on 2026-03-08 (02:00 EST to 03:00 EDT); Sydney falls back on 2026-04-05 (03:00 AEDT to 02:00 AEST).
        var shop = Parse("Mo-Fr 09:00-17:00");
        var newYork = Where("America/New_York");
        Assert.Equal(OpeningState.Closed, shop.StateAt(new DateTimeOffset(2026, 3, 6, 13, 30, 0, TimeSpan.Zero), newYork)); // 08:30 EST
        Assert.Equal(OpeningState.Open, shop.StateAt(new DateTimeOffset(2026, 3, 9, 13, 30, 0, TimeSpan.Zero), newYork)); // 09:30 EDT
        Assert.Equal(new DateTimeOffset(2026, 3, 9, 13, 0, 0, TimeSpan.Zero), shop.Status(new DateTimeOffset(2026, 3, 7, 12, 0, 0, TimeSpan.Zero), newYork).NextChange!.Value.ToUniversalTime());
        var sydney = Where("Australia/Sydney");
        Assert.Equal(OpeningState.Open, shop.StateAt(new DateTimeOffset(2026, 4, 2, 22, 30, 0, TimeSpan.Zero), sydney)); // Fri 09:30 AEDT
        Assert.Equal(OpeningState.Closed, shop.StateAt(new DateTimeOffset(2026, 4, 5, 22, 30, 0, TimeSpan.Zero), sydney)); // Mon 08:30 AEST
        Assert.Equal(OpeningState.Open, shop.StateAt(new DateTimeOffset(2026, 4, 5, 23, 30, 0, TimeSpan.Zero), sydney)); // Mon 09:30 AEST
        var tokyo = Where("Asia/Tokyo");
        Assert.Equal(OpeningState.Open, shop.StateAt(new DateTimeOffset(2026, 3, 30, 0, 30, 0, TimeSpan.Zero), tokyo)); // Mon 09:30 JST
    }

    [Theory]
    [InlineData("GB", "Europe/London", "2026-12-25", true)]
    [InlineData("GB", "Europe/London", "2026-12-28", true)] // Boxing Day falls on a Saturday: the Monday after instead
    [InlineData("GB", "Europe/London", "2026-08-31", true)] // Summer bank holiday
    [InlineData("GB", "Europe/London", "2026-07-14", false)]
    [InlineData("FR", "Europe/Paris", "2026-07-14", true)]
    [InlineData("FR", "Europe/Paris", "2026-05-01", true)]
    [InlineData("DE", "Europe/Berlin", "2026-10-03", true)]
    [InlineData("DE", "Europe/Berlin", "2026-04-06", true)] // Easter Monday
    [InlineData("US", "America/New_York", "2026-11-26", true)] // Thanksgiving
    [InlineData("US", "America/New_York", "2026-07-14", false)]
    [InlineData("JP", "Asia/Tokyo", "2026-01-01", true)]
    [InlineData("AU", "Australia/Sydney", "2026-01-26", true)] // Australia Day
    public void Public_holidays_come_from_the_places_country(string country, string zone, string date, bool holiday)
    {
        var expected = holiday ? "closed" : "open";
        Assert.Equal(expected, StateAt("10:00-16:00; PH off", date + " 12:00", zone, country));
        Assert.Equal("open", StateAt("10:00-16:00; PH off", date + " 12:00", zone, null));
    }

    [Theory]
    // Known values from the conformance suite (opening_hours.js test.js, which uses these coordinates):
    // Lauda-Königshofen, Germany, 49.54 N, on 2012-10-01: dawn 06:50, sunrise 07:22, sunset 19:00, dusk 19:32.
    [InlineData(49.5438327, 9.8155867, "Europe/Berlin", "2012-10-01", 6 * 60 + 50, 7 * 60 + 22, 19 * 60, 19 * 60 + 32)]
    // Oslo, 59.91 N, on the 2024 summer solstice: sunrise 03:54, sunset 22:44 CEST.
    [InlineData(59.9139, 10.7522, "Europe/Oslo", "2024-06-21", null, 3 * 60 + 54, 22 * 60 + 44, null)]
    // London on the 2024 summer solstice: sunrise 04:43 BST, sunset 21:21 BST (HM Nautical Almanac Office).
    [InlineData(51.5074, -0.1278, "Europe/London", "2024-06-21", null, 4 * 60 + 43, 21 * 60 + 21, null)]
    public void Sunrise_and_sunset_match_published_times(double lat, double lon, string zone, string date, int? dawn, int sunrise, int? sunset, int? dusk)
    {
        var day = SunTimes.For(DateOnly.Parse(date, CultureInfo.InvariantCulture), lat, lon, TimeZoneInfo.FindSystemTimeZoneById(zone));
        Assert.InRange(day.Sunrise, sunrise - 2, sunrise + 2);
        if (sunset is { } s)
        {
            Assert.InRange(day.Sunset, s - 2, s + 2);
        }

        if (dawn is { } d)
        {
            Assert.InRange(day.Dawn, d - 2, d + 2);
        }

        if (dusk is { } k)
        {
            Assert.InRange(day.Dusk, k - 2, k + 2);
        }
    }

    [Fact]
    public void Sun_events_open_and_close_with_the_sun_at_the_place()
    {
        var hours = Parse("sunrise-sunset");
        var place = new OpeningContext(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), 49.5438327, 9.8155867, "DE");
        var date = new DateOnly(2012, 10, 1);
        Assert.Equal(OpeningState.Closed, hours.StateAt(date, (7 * 60) + 19, place));
        Assert.Equal(OpeningState.Open, hours.StateAt(date, (7 * 60) + 25, place));
        Assert.Equal(OpeningState.Open, hours.StateAt(date, (18 * 60) + 57, place));
        Assert.Equal(OpeningState.Closed, hours.StateAt(date, (19 * 60) + 3, place));
        // In the polar night (Tromsø, 69.6 N, in December) the sun does not rise: never open.
        var tromso = new OpeningContext(TimeZoneInfo.FindSystemTimeZoneById("Europe/Oslo"), 69.65, 18.96, "NO");
        Assert.Equal(OpeningState.Closed, hours.StateAt(new DateOnly(2026, 12, 21), 12 * 60, tromso));
        Assert.Equal(OpeningState.Open, hours.StateAt(new DateOnly(2026, 6, 21), 0, tromso));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Mo-Fr 9-5", "At position 7")]
    [InlineData("Xx 09:00-10:00", "At position 1")]
    [InlineData("Mo 25:00-26:00", "past 24:00")]
    [InlineData("Mo 10:60-11:00", "00 to 59")]
    [InlineData("Mo-Fr 08:00-18:00; Sa 09:00", "point in time")]
    [InlineData("Mo-Fr 10:00-16:00/01:30", "does not evaluate")]
    [InlineData("Mo-Fr 08:00-18:00 \"unclosed", "not closed")]
    [InlineData("Montag 10:00-12:00", "two-letter weekday")]
    [InlineData("Mo-Fr 08:00-18:00 Sa 09:00-12:00", "At position 19")]
    [InlineData("Mo[0] 10:00-12:00", "which weekday of the month")]
    [InlineData("Feb 30 10:00-12:00", "has no day 30")]
    public void Bad_values_are_refused_saying_where_and_what_was_expected(string hours, string expected)
    {
        Assert.False(OpeningHours.TryParse(hours, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_additional_rule_is_not_mistaken_for_a_bad_time_range()
    {
        Assert.True(OpeningHours.TryParse("Mo-Fr 08:00-18:00, Sa 09:00-12:00", out var hours, out var error), error);
        Assert.Equal([RuleKind.Normal, RuleKind.Additional], hours!.Rules.Select(r => r.Kind));
    }

    private static string[] Fixture(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Places", "Fixtures", name)).Where(l => l.Length > 0).ToArray();

    [Fact]
    public void Most_values_of_the_conformance_suite_are_accepted_and_its_bad_ones_refused()
    {
        // opening_hours.js's own suite: values it accepts (a fifth of them only through its error tolerance,
        // e.g. "10-12", "10am-12pm", "Montags", which the specification does not allow) and values it refuses.
        // Before this parser, 25 of the 570 were accepted; the 190 still refused are all outside the specification
        // (12-hour clocks, other languages, other dashes, selectors out of order, rules without separators).
        var valid = Fixture("opening_hours.js-valid.txt");
        var accepted = valid.Count(v => OpeningHours.TryParse(v, out _, out _));
        var invalid = Fixture("opening_hours.js-invalid.txt");
        var refused = invalid.Count(v => !OpeningHours.TryParse(v, out _, out _));
        TestContext.Current.SendDiagnosticMessage($"conformance: {accepted} of {valid.Length} valid values accepted; {refused} of {invalid.Length} invalid values refused");
        Assert.True(accepted >= 380, $"{accepted} of {valid.Length} accepted");
        Assert.True(refused >= 109, $"{refused} of {invalid.Length} refused");
    }

    [Fact]
    public void Every_accepted_value_of_the_conformance_suite_evaluates_without_failing()
    {
        var place = new OpeningContext(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), 49.5438327, 9.8155867, "DE");
        foreach (var value in Fixture("opening_hours.js-valid.txt"))
        {
            if (OpeningHours.TryParse(value, out var hours, out _))
            {
                var status = hours!.Status(new DateTimeOffset(2026, 12, 24, 11, 0, 0, TimeSpan.Zero), place);
                Assert.False(string.IsNullOrEmpty(status.Text), value);
            }
        }
    }
}
