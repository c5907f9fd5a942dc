using System.Globalization;
using System.Text;
using CsvHelper;
using Homeroom.Quizzes.Formats;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Classes;

/// <summary>
/// A class's attendance over a range of days as a register: a row a student, a column a day. Only absences are
/// stored (a day with none recorded reads "present" for everyone on the roster that day), so a day the teacher
/// never opened the attendance tab also reads "present". Students removed from the roster are on the register up
/// to the day they were removed (in the teacher's time zone), with empty cells after it; students added during
/// the range count from its start, so attendance entered afterwards for earlier days (a teacher catching up) reads
/// right. Text a spreadsheet would run as a formula is neutralised (<see cref="CsvSafety"/>).
/// </summary>
public static class AttendanceExport
{
    public const int MaxDays = 366;
    public const int DefaultDays = 7;

    public static readonly string[] Formats = ["csv", "xlsx"];

    public static readonly string[] Columns = ["Student", "Preferred name", "External id", "Days absent"];

    public static void MapAttendanceExport(this RouteGroupBuilder classes)
    {
        ArgumentNullException.ThrowIfNull(classes);
        classes.MapGet("/{id:long}/attendance/export", Export)
            .WithSummary($"Download attendance from ?from= to ?to= (YYYY-MM-DD, at most {MaxDays} days; by default the last {DefaultDays} days to today) as ?format=csv or xlsx: a row a student, a column a day")
            .Produces<byte[]>(StatusCodes.Status200OK, "text/csv", Spreadsheet.ContentType);
    }

    private sealed class AbsenceRow
    {
        public long StudentId { get; init; }

        public string Day { get; init; } = "";
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Export(
        long id, string? from, string? to, string? format, TeacherDb mine, TimeProvider clock)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        format ??= "csv";
        if (!Formats.Contains(format))
        {
            return Problems.Invalid("format", "format must be 'csv' or 'xlsx'.");
        }

        var last = DateOnly.ParseExact(ClassRules.Today(clock, row.TimeZone), "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (to is not null && !ClassRules.TryParseDay(to, out last))
        {
            return Problems.Invalid("to", "to must be a day written YYYY-MM-DD.");
        }

        var first = last.AddDays(-(DefaultDays - 1));
        if (from is not null && !ClassRules.TryParseDay(from, out first))
        {
            return Problems.Invalid("from", "from must be a day written YYYY-MM-DD.");
        }

        if (first > last)
        {
            return Problems.Invalid("to", "to must be the same day as from or later.");
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            return Problems.Invalid("to", $"An export covers at most {MaxDays} days: choose a later from or an earlier to.");
        }

        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        var fromText = Day(first);
        var toText = Day(last);
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(row.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        DateOnly LocalDay(long unixMs) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(unixMs), zone).DateTime);

        var students = (await mine.QueryAsync<StudentRow>(
            $"""
            SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id
            WHERE s.class_id = @id AND c.teacher_id = @TeacherId
            """, new { id }))
            .Where(s => s.RemovedAt is not { } removed || LocalDay(removed) >= first)
            .OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Id) // the same order on both databases
            .ToList();
        var absences = (await mine.QueryAsync<AbsenceRow>(
            """
            SELECT a.student_id, a.day FROM absences a JOIN classes c ON c.id = a.class_id
            WHERE a.class_id = @id AND c.teacher_id = @TeacherId AND a.day >= @fromText AND a.day <= @toText
            """, new { id, fromText, toText }))
            .Select(a => (a.StudentId, a.Day)).ToHashSet();

        // A student removed on a day is still on that day's register.
        var rows = students.Select(s =>
        {
            var left = s.RemovedAt is { } removed ? LocalDay(removed) : DateOnly.MaxValue;
            var marks = days.Select(d => absences.Contains((s.Id, Day(d))) ? "absent" : d <= left ? "present" : null).ToList();
            return (Student: s, Marks: marks, Absent: marks.Count(m => m == "absent"));
        }).ToList();

        var name = string.Concat(row.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-')).Trim('-');
        var fileName = $"{(name.Length == 0 ? "class" : name)}-attendance-{fromText}-to-{toText}.{format}";
        var header = Columns.Concat(days.Select(Day)).ToList();
        if (format == "xlsx")
        {
            var sheetRows = new List<SheetRow> { new(1, header.Select(h => SheetCell.Of(h, bold: true)).ToList()) };
            sheetRows.AddRange(rows.Select((r, i) => new SheetRow(i + 2,
            [
                SheetCell.Of(r.Student.Name), Optional(r.Student.PreferredName), Optional(r.Student.ExternalId), SheetCell.Of(r.Absent),
                .. r.Marks.Select(Optional),
            ])));
            var widths = new List<double> { 28, 18, 14, 12 };
            widths.AddRange(days.Select(_ => 11.0));
            return TypedResults.File(Spreadsheet.Write([new SheetSpec("Attendance", widths, sheetRows)]), Spreadsheet.ContentType, fileName);
        }

        var output = new StringBuilder();
        using (var writer = new StringWriter(output, CultureInfo.InvariantCulture))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var column in header)
            {
                csv.WriteField(column);
            }

            await csv.NextRecordAsync();
            foreach (var (student, marks, absent) in rows)
            {
                csv.WriteField(CsvSafety.Neutralise(student.Name));
                csv.WriteField(CsvSafety.Neutralise(student.PreferredName));
                csv.WriteField(CsvSafety.Neutralise(student.ExternalId));
                csv.WriteField(absent.ToString(CultureInfo.InvariantCulture));
                foreach (var mark in marks)
                {
                    csv.WriteField(mark ?? "");
                }

                await csv.NextRecordAsync();
            }
        }

        return TypedResults.File(QuizFormats.Utf8(output.ToString(), byteOrderMark: true), "text/csv; charset=utf-8", fileName);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static SheetCell Optional(string? text) => text is null ? default : SheetCell.Of(text);
}
