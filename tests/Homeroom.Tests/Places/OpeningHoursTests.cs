using Homeroom.Places;

namespace Homeroom.Tests.Places;

public sealed class OpeningHoursTests
{
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    // 2026-11-16 is a Monday.
    private static bool OpenAt(string hours, int day, int hour, int minute = 0)
    {
        Assert.True(OpeningHours.TryParse(hours, out var parsed, out var error), error);
        return parsed!.IsOpenAt(new DateTimeOffset(2026, 11, 16 + day, hour, minute, 0, TimeSpan.Zero), Utc);
    }

    [Theory]
    [InlineData("Mo-Fr 09:00-17:00", 0, 9, 0, true)]
    [InlineData("Mo-Fr 09:00-17:00", 0, 8, 59, false)]
    [InlineData("Mo-Fr 09:00-17:00", 4, 16, 59, true)]
    [InlineData("Mo-Fr 09:00-17:00", 4, 17, 0, false)]
    [InlineData("Mo-Fr 09:00-17:00", 5, 12, 0, false)]
    [InlineData("Mo-Fr 09:00-12:00,13:00-17:00", 2, 12, 30, false)]
    [InlineData("Mo-Fr 09:00-12:00,13:00-17:00", 2, 13, 30, true)]
    [InlineData("Fr 22:00-02:00", 5, 1, 30, true)]
    [InlineData("Fr 22:00-02:00", 5, 2, 0, false)]
    [InlineData("Su 20:00-03:00", 0, 2, 0, true)]
    [InlineData("Sa-Mo 10:00-11:00", 6, 10, 30, true)]
    [InlineData("Mo-Fr 09:00-17:00; We off", 2, 12, 0, false)]
    [InlineData("Mo,We 09:00-24:00", 2, 23, 59, true)]
    [InlineData("24/7", 3, 3, 3, true)]
    public void Schedules_open_and_close_when_they_say(string hours, int day, int hour, int minute, bool open) =>
        Assert.Equal(open, OpenAt(hours, day, hour, minute));

    [Theory]
    [InlineData("")]
    [InlineData("Mo-Fr")]
    [InlineData("Mo-Fr 9-5")]
    [InlineData("Xx 09:00-10:00")]
    [InlineData("Mo 25:00-26:00")]
    [InlineData("Mo 10:00-10:00")]
    [InlineData("Mo 10:60-11:00")]
    public void Bad_schedules_are_refused_with_a_reason(string hours)
    {
        Assert.False(OpeningHours.TryParse(hours, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
