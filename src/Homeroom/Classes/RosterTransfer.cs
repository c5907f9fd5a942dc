using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Classes;

/// <summary>
/// What an import did. <c>Duplicates</c> are the lines whose name was already on the roster (or earlier in the same
/// list), compared ignoring case, accents and look-alike letters: added again with <c>?duplicates=add</c>, else skipped
/// (and then also in <c>Problems</c>).
/// </summary>
public sealed record RosterImportReport(
    int Imported, IReadOnlyList<Student> Students, IReadOnlyList<ImportProblem> Problems, IReadOnlyList<string> UnknownColumns, string Format, string Encoding,
    IReadOnlyList<ImportProblem> Duplicates);

/// <summary>
/// Rosters in and out. Import takes plain text (one name per line) or CSV with a header row that has
/// at least a name column, as the raw body or a multipart 'file'. Good rows are kept; bad rows are
/// reported by line with the reason. Export writes the same CSV layout, so an export imports again.
/// </summary>
public static class RosterTransfer
{
    public const int MaxUploadBytes = 2 * 1024 * 1024;

    /// <summary>Header spellings people use, folded to lower case without spaces, '_' or '-'.</summary>
    private static readonly Dictionary<string, string> Columns = new(StringComparer.Ordinal)
    {
        ["name"] = "name", ["fullname"] = "name", ["student"] = "name", ["studentname"] = "name",
        ["preferredname"] = "preferredName", ["nickname"] = "preferredName", ["knownas"] = "preferredName",
        ["pronouns"] = "pronouns",
        ["notes"] = "notes", ["note"] = "notes",
        ["externalid"] = "externalId", ["studentnumber"] = "externalId", ["studentid"] = "externalId", ["id"] = "externalId", ["number"] = "externalId",
    };

    private static readonly string[] ExportHeader = ["name", "preferredName", "pronouns", "notes", "externalId"];

    public static void MapRosterTransfer(this RouteGroupBuilder students)
    {
        ArgumentNullException.ThrowIfNull(students);
        students.MapPost("/import", Import)
            .WithSummary("Add many students from text (one name per line) or CSV (a header with at least 'name'); ?format=text|csv; names already on the roster are skipped unless ?duplicates=add")
            .Accepts<string>("text/plain", "text/csv", "multipart/form-data")
            .WithMetadata(new RequestSizeLimitAttribute(MaxUploadBytes))
            .WithFormOptions(multipartBodyLengthLimit: MaxUploadBytes)
            .Problem(StatusCodes.Status422UnprocessableEntity, "Nothing can be imported: not a text file, too large, or no usable rows (`problems` says why).");
        students.MapGet("/export", Export).WithSummary("The roster as CSV").Produces<string>(contentType: "text/csv");
    }

    public sealed record Row(int Line, string Name, string? PreferredName, string? Pronouns, string? Notes, string? ExternalId);

    public sealed record Parsed(List<Row> Rows, List<ImportProblem> Problems, List<string> UnknownColumns, string Format, string? Error);

    private static async Task<Results<Ok<RosterImportReport>, ProblemHttpResult, ValidationProblem>> Import(
        long id, string? format, string? duplicates, HttpRequest request, TeacherDb mine, TimeProvider clock)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        if (format is not null and not ("text" or "csv"))
        {
            return Problems.Invalid("format", "format must be 'text' or 'csv'.");
        }

        if (duplicates is not null and not ("skip" or "add"))
        {
            return Problems.Invalid("duplicates", "duplicates must be 'skip' (leave out names already on the roster) or 'add'.");
        }

        var (upload, error) = await Uploads.ReadAsync(request, MaxUploadBytes, "text/plain", "text/csv", "application/csv");
        if (upload is null)
        {
            return error!;
        }

        var bytes = upload.Content;
        if (TextDecoding.Decode(bytes) is not var (text, encoding))
        {
            return Problems.Unprocessable("This is not a text file. Send a plain-text list of names or a CSV file.");
        }

        var csv = format == "csv" || (format is null && LooksLikeCsv(upload, text));
        var parsed = csv ? ParseCsv(text) : ParseText(text);
        if (parsed.Error is not null)
        {
            return Problems.Unprocessable(parsed.Error, new Dictionary<string, object?> { ["problems"] = parsed.Problems });
        }

        var problems = parsed.Problems;
        var repeated = new List<ImportProblem>();
        var seen = (await ClassesApi.ActiveStudentsAsync(mine, id)).Select(s => Games.Nicknames.Key(s.Name)).ToHashSet(StringComparer.Ordinal);
        var onRoster = seen.ToHashSet(StringComparer.Ordinal);
        var kept = new List<Row>(parsed.Rows.Count);
        foreach (var candidate in parsed.Rows)
        {
            var key = Games.Nicknames.Key(candidate.Name);
            if (seen.Add(key))
            {
                kept.Add(candidate);
                continue;
            }

            var where = onRoster.Contains(key) ? "already on the roster" : "earlier in this list";
            if (duplicates == "add")
            {
                repeated.Add(new ImportProblem(candidate.Line, $"{candidate.Name} is {where}: added again."));
                kept.Add(candidate);
            }
            else
            {
                var skipped = new ImportProblem(candidate.Line, $"{candidate.Name} is {where}: skipped.");
                repeated.Add(skipped);
                problems.Add(skipped);
            }
        }

        parsed = parsed with { Rows = kept };
        var room = ClassRules.MaxStudents - (int)row.StudentCount;
        foreach (var extra in parsed.Rows.Skip(Math.Max(room, 0)))
        {
            problems.Add(new ImportProblem(extra.Line, $"Not added: a class holds at most {ClassRules.MaxStudents} students."));
        }

        var rows = parsed.Rows.Take(Math.Max(room, 0)).ToList();
        if (rows.Count == 0)
        {
            return Problems.Unprocessable(
                problems.Count == 0 ? "The file has no student names." : "No student could be added; see problems.",
                new Dictionary<string, object?> { ["problems"] = problems.OrderBy(p => p.Line).ToList(), ["duplicates"] = repeated });
        }

        var createdAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await mine.WriteAsync(async tx =>
        {
            var added = new List<long>(rows.Count);
            foreach (var student in rows)
            {
                added.Add(await tx.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO students (class_id, name, preferred_name, pronouns, notes, external_id, created_at)
                    SELECT @id, @Name, @PreferredName, @Pronouns, @Notes, @ExternalId, @createdAt
                    WHERE EXISTS (SELECT 1 FROM classes WHERE id = @id AND teacher_id = @TeacherId)
                    RETURNING id
                    """,
                    new { id, createdAt, student.Name, student.PreferredName, student.Pronouns, student.Notes, student.ExternalId }));
            }

            return added;
        });
        var students = rows.Zip(ids, (r, studentId) =>
            new Student(studentId, r.Name, r.PreferredName, r.Pronouns, r.Notes, r.ExternalId, DateTimeOffset.FromUnixTimeMilliseconds(createdAt), false)).ToList();
        return TypedResults.Ok(new RosterImportReport(
            students.Count, students, problems.OrderBy(p => p.Line).ToList(), parsed.UnknownColumns, parsed.Format, encoding, repeated));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Export(long id, TeacherDb mine)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } row)
        {
            return Problems.NotFound("class");
        }

        var students = await ClassesApi.ActiveStudentsAsync(mine, id);
        var output = new StringBuilder();
        using (var writer = new StringWriter(output, CultureInfo.InvariantCulture))
        using (var csv = new CsvWriter(writer, CultureInfo.InvariantCulture))
        {
            foreach (var header in ExportHeader)
            {
                csv.WriteField(header);
            }

            await csv.NextRecordAsync();
            foreach (var s in students)
            {
                foreach (var value in new[] { s.Name, s.PreferredName, s.Pronouns, s.Notes, s.ExternalId })
                {
                    csv.WriteField(CsvSafety.Neutralise(value));
                }

                await csv.NextRecordAsync();
            }
        }

        var fileName = string.Concat(row.Name.Select(c => char.IsLetterOrDigit(c) ? c : '-')).Trim('-') + "-roster.csv";
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(output.ToString())).ToArray(), "text/csv; charset=utf-8", fileName);
    }

    public static Parsed ParseText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<Row>();
        var problems = new List<ImportProblem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var name = Names.Normalize(CsvSafety.Restore(lines[i].Trim().TrimEnd('\r').Trim()))!;
            if (name.Length == 0)
            {
                continue;
            }

            if (CheckName(name) is { } problem)
            {
                problems.Add(new ImportProblem(i + 1, problem));
                continue;
            }

            rows.Add(new Row(i + 1, name, null, null, null, null));
        }

        return new Parsed(rows, problems, [], "text", null);
    }

    public static Parsed ParseCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rows = new List<Row>();
        var problems = new List<ImportProblem>();
        var badRows = new HashSet<int>();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t"],
            BadDataFound = args => badRows.Add(args.Context.Parser?.RawRow ?? 0),
            MissingFieldFound = null,
            TrimOptions = TrimOptions.Trim,
        };
        using var reader = new StringReader(text);
        using var parser = new CsvParser(reader, configuration);
        if (!parser.Read())
        {
            return new Parsed(rows, problems, [], "csv", "The file is empty.");
        }

        var header = parser.Record ?? [];
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        var unknown = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            var key = new string(header[i].Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
            if (Columns.TryGetValue(key, out var column) && !map.ContainsKey(column))
            {
                map[column] = i;
            }
            else if (header[i].Length > 0)
            {
                unknown.Add(header[i]);
            }
        }

        if (!map.ContainsKey("name"))
        {
            return new Parsed(rows, problems, unknown, "csv",
                $"The CSV needs a 'name' column in its first row; it has {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        }

        while (parser.Read())
        {
            var line = parser.RawRow;
            var record = parser.Record ?? [];
            if (record.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            if (badRows.Remove(line))
            {
                problems.Add(new ImportProblem(line, "Malformed quotes in this row."));
                continue;
            }

            string? Field(string column) =>
                map.TryGetValue(column, out var index) && index < record.Length && record[index].Trim() is { Length: > 0 } value ? CsvSafety.Restore(value) : null;

            var name = Names.Normalize(Field("name")) is { Length: > 0 } given ? given : null;
            var preferredName = Names.Normalize(Field("preferredName")) is { Length: > 0 } preferred ? preferred : null;
            var problem = name is null ? "The name is empty." : CheckName(name)
                ?? Check(preferredName, "preferredName", ClassRules.MaxStudentName)
                ?? Check(Field("pronouns"), "pronouns", ClassRules.MaxPronouns)
                ?? Check(Field("notes"), "notes", ClassRules.MaxNotes)
                ?? Check(Field("externalId"), "externalId", ClassRules.MaxExternalId);
            if (problem is not null)
            {
                problems.Add(new ImportProblem(line, problem));
                continue;
            }

            rows.Add(new Row(line, name!, preferredName, Field("pronouns"), Field("notes"), Field("externalId")));
        }

        return new Parsed(rows, problems, unknown, "csv", null);
    }

    private static string? CheckName(string name) => Check(name, "name", ClassRules.MaxStudentName);

    private static string? Check(string? value, string field, int max)
    {
        if (value is null)
        {
            return null;
        }

        var errors = new ValidationErrors();
        errors.OptionalText(field, value, max);
        return errors.IsEmpty ? null : errors.ToDictionary()[field][0];
    }

    private static bool LooksLikeCsv(UploadedBytes upload, string text)
    {
        if (upload.ContentType is "text/csv" or "application/csv" || upload.FileName?.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) == true)
        {
            return true;
        }

        if (upload.ContentType == "text/plain" || upload.FileName?.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) == true)
        {
            return false;
        }

        var first = text.Split('\n').FirstOrDefault(l => l.Trim().Length > 0) ?? "";
        return first.Split(',', ';', '\t').Any(h => h.Trim().Trim('"').Equals("name", StringComparison.OrdinalIgnoreCase));
    }
}
