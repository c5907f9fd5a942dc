using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Classes;

public abstract class ClassesTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task A_class_is_created_listed_renamed_archived_and_deleted()
    {
        var teacher = await SignUpAsync();

        var created = await teacher.Api.PostAsync("/api/classes", new { name = "  Year 9 Chemistry  " });
        var id = (await created.Json(HttpStatusCode.Created)).Long("id");
        Assert.Equal($"/api/classes/{id}", created.Headers.Location?.OriginalString);

        var listed = await (await teacher.Api.GetAsync("/api/classes")).Json(HttpStatusCode.OK);
        Assert.Equal("Year 9 Chemistry", Assert.Single(listed.EnumerateArray()).Str("name"));

        var renamed = await (await teacher.Api.PatchAsync($"/api/classes/{id}", new { name = "Year 9 Science" })).Json(HttpStatusCode.OK);
        Assert.Equal("Year 9 Science", renamed.Str("name"));

        await (await teacher.Api.PatchAsync($"/api/classes/{id}", new { archived = true })).Status(HttpStatusCode.OK);
        Assert.Empty((await (await teacher.Api.GetAsync("/api/classes")).Json(HttpStatusCode.OK)).EnumerateArray());
        Assert.Single((await (await teacher.Api.GetAsync("/api/classes?archived=true")).Json(HttpStatusCode.OK)).EnumerateArray());

        await (await teacher.Api.DeleteAsync($"/api/classes/{id}")).Status(HttpStatusCode.NoContent);
        await (await teacher.Api.GetAsync($"/api/classes/{id}")).Problem(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_class_needs_a_name(string name)
    {
        var teacher = await SignUpAsync();

        await (await teacher.Api.PostAsync("/api/classes", new { name })).ValidationProblem("name");
    }

    [Fact]
    public async Task Student_names_are_normalised_wherever_they_come_from()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();

        var added = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students",
            new { name = "A\u200bnn  \u202eLee", preferredName = "\uff21nn" })).Json(HttpStatusCode.Created);
        var edited = await (await teacher.Api.PatchAsync($"/api/classes/{classId}/students/{added.Long("id")}", new { name = "Zoe\u0308\u200d Li" })).Json(HttpStatusCode.OK);
        var imported = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students/import",
            new StringContent("Дмитрий\u2066 Петров\u2069\n李雷\nJos\u00e9\n", System.Text.Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.OK);

        Assert.Equal("Ann Lee", added.Str("name"));
        Assert.Equal("Ann", added.Str("preferredName"));
        Assert.Equal("Zoë Li", edited.Str("name"));
        Assert.Equal(["Дмитрий Петров", "李雷", "José"], imported.GetProperty("students").EnumerateArray().Select(s => s.Str("name")));
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "\u200b\u202e " })).ValidationProblem("name");
    }

    [Fact]
    public async Task Students_are_added_trimmed_in_any_script_edited_and_removed()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();

        var added = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students",
            new { name = "  Zoë Ångström-李  ", preferredName = "Zo", pronouns = "she/her", externalId = "S-1001", notes = "Front row" })).Json(HttpStatusCode.Created);
        var studentId = added.Long("id");
        Assert.Equal("Zoë Ångström-李", added.Str("name"));

        var edited = await (await teacher.Api.PatchAsync($"/api/classes/{classId}/students/{studentId}", new { preferredName = "", notes = "Back row" })).Json(HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, edited.GetProperty("preferredName").ValueKind);
        Assert.Equal("Back row", edited.Str("notes"));
        Assert.Equal("she/her", edited.Str("pronouns"));

        await (await teacher.Api.DeleteAsync($"/api/classes/{classId}/students/{studentId}")).Status(HttpStatusCode.NoContent);
        Assert.Empty((await (await teacher.Api.GetAsync($"/api/classes/{classId}/students")).Json(HttpStatusCode.OK)).EnumerateArray());
        var withRemoved = await (await teacher.Api.GetAsync($"/api/classes/{classId}/students?includeRemoved=true")).Json(HttpStatusCode.OK);
        Assert.True(Assert.Single(withRemoved.EnumerateArray()).GetProperty("removed").GetBoolean());
    }

    [Fact]
    public async Task Bad_student_fields_are_refused_naming_the_field()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();

        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "" })).ValidationProblem("name");
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = new string('x', 101) })).ValidationProblem("name");
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "Ok", pronouns = new string('x', 41) })).ValidationProblem("pronouns");
        Assert.Equal(100, (await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = new string('é', 100) })).Json(HttpStatusCode.Created)).Str("name").Length);
    }

    [Fact]
    public async Task A_pasted_list_imports_one_student_per_line_and_reports_bad_lines()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        var text = "Ada Lovelace\r\n\r\n  Alan Turing  \n" + new string('x', 101) + "\nGrace Hopper\n";

        var report = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students/import", new StringContent(text, Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.OK);

        Assert.Equal(3, report.Int("imported"));
        Assert.Equal(["Ada Lovelace", "Alan Turing", "Grace Hopper"], report.GetProperty("students").EnumerateArray().Select(s => s.Str("name")));
        var problem = Assert.Single(report.GetProperty("problems").EnumerateArray());
        Assert.Equal(4, problem.Int("line"));
    }

    [Fact]
    public async Task Names_already_on_the_roster_are_skipped_and_reported_unless_the_teacher_adds_them_anyway()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        var path = $"/api/classes/{classId}/students/import";
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "Ada Lovelace" })).Status(HttpStatusCode.Created);

        // "ADA LOVELACE" and "Zoë Li" after "Zoe Li" count as the same name (case, accents); so does a repeat in the list.
        var report = await (await teacher.Api.PostAsync(path, new StringContent("ADA LOVELACE\nAlan Turing\nZoe Li\nZoë Li\n", Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.OK);

        Assert.Equal(["Alan Turing", "Zoe Li"], report.GetProperty("students").EnumerateArray().Select(s => s.Str("name")));
        Assert.Equal([1, 4], report.GetProperty("duplicates").EnumerateArray().Select(d => d.Int("line")));
        Assert.Equal([1, 4], report.GetProperty("problems").EnumerateArray().Select(d => d.Int("line")));
        Assert.Equal("ADA LOVELACE is already on the roster: skipped.", report.GetProperty("problems")[0].Str("message"));
        Assert.Equal("Zoë Li is earlier in this list: skipped.", report.GetProperty("problems")[1].Str("message"));

        // Only repeats: nothing to add, and the answer says why, line by line.
        var refused = await (await teacher.Api.PostAsync(path, new StringContent("Alan Turing\n", Encoding.UTF8, "text/plain"))).Problem(HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, Assert.Single(refused.GetProperty("duplicates").EnumerateArray()).Int("line"));

        // Two students really share a name: added anyway, and still reported.
        var again = await (await teacher.Api.PostAsync(path + "?duplicates=add", new StringContent("Alan Turing\n", Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.OK);
        Assert.Equal(1, again.Int("imported"));
        Assert.Empty(again.GetProperty("problems").EnumerateArray());
        Assert.Equal("Alan Turing is already on the roster: added again.", Assert.Single(again.GetProperty("duplicates").EnumerateArray()).Str("message"));
        var roster = await (await teacher.Api.GetAsync($"/api/classes/{classId}/students")).Json(HttpStatusCode.OK);
        Assert.Equal(["Ada Lovelace", "Alan Turing", "Alan Turing", "Zoe Li"], roster.EnumerateArray().Select(s => s.Str("name")));

        await (await teacher.Api.PostAsync(path + "?duplicates=maybe", new StringContent("Grace Hopper\n", Encoding.UTF8, "text/plain"))).ValidationProblem("duplicates");
    }

    [Fact]
    public async Task A_csv_imports_by_header_reports_unknown_columns_and_bad_rows_as_a_file_upload()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        const string csv = "Student Number,Name,Preferred name,Pronouns,Email\n1001,\"Lovelace, Ada\",Ada,she/her,ada@example.org\n1002,,,,\n1003,Alan Turing,,he/him,\n";
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "roster.csv");

        var report = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students/import", form)).Json(HttpStatusCode.OK);

        Assert.Equal(2, report.Int("imported"));
        var ada = report.GetProperty("students")[0];
        Assert.Equal("Lovelace, Ada", ada.Str("name"));
        Assert.Equal("Ada", ada.Str("preferredName"));
        Assert.Equal("1001", ada.Str("externalId"));
        Assert.Equal(["Email"], report.GetProperty("unknownColumns").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, Assert.Single(report.GetProperty("problems").EnumerateArray()).Int("line"));
    }

    [Fact]
    public async Task Broken_files_are_refused_and_keep_nothing()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        var path = $"/api/classes/{classId}/students/import";

        await (await teacher.Api.PostAsync(path, new ByteArrayContent([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF, 0x00]))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await teacher.Api.PostAsync(path, new StringContent("email,age\na@b.c,12\n", Encoding.UTF8, "text/csv"))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await teacher.Api.PostAsync(path, new StringContent("\n\n", Encoding.UTF8, "text/plain"))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await teacher.Api.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"))).Problem(HttpStatusCode.UnsupportedMediaType);
        await (await teacher.Api.SendAsync(HttpMethod.Post, path, new ByteArrayContent(new byte[3 * 1024 * 1024]), r => r.Headers.ExpectContinue = true))
            .Problem(HttpStatusCode.RequestEntityTooLarge);

        Assert.Empty((await (await teacher.Api.GetAsync($"/api/classes/{classId}/students")).Json(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task An_exported_roster_imports_again_unchanged_and_formulas_are_neutralised()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "=HYPERLINK(\"http://evil\")", notes = "line one, \"quoted\"" })).Status(HttpStatusCode.Created);
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "Ada Lovelace", preferredName = "Ada", pronouns = "she/her", externalId = "1001" })).Status(HttpStatusCode.Created);

        var export = await teacher.Api.GetAsync($"/api/classes/{classId}/students/export");
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        var csv = await export.Content.ReadAsStringAsync();
        Assert.Contains("\"'=HYPERLINK", csv, StringComparison.Ordinal);

        var copy = await teacher.CreateClassAsync("Copy");
        await (await teacher.Api.PostAsync($"/api/classes/{copy}/students/import", new StringContent(csv, Encoding.UTF8, "text/csv"))).Status(HttpStatusCode.OK);
        var original = await (await teacher.Api.GetAsync($"/api/classes/{classId}/students")).Json(HttpStatusCode.OK);
        var imported = await (await teacher.Api.GetAsync($"/api/classes/{copy}/students")).Json(HttpStatusCode.OK);
        string Fields(System.Text.Json.JsonElement s) => string.Join('|', new[] { "name", "preferredName", "pronouns", "notes", "externalId" }.Select(f => s.GetProperty(f).ToString()));
        Assert.Equal(original.EnumerateArray().Select(Fields), imported.EnumerateArray().Select(Fields));
    }

    [Fact]
    public async Task A_class_holds_at_most_2000_students()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        var names = string.Join('\n', Enumerable.Range(1, 2005).Select(i => $"Student {i}"));

        var report = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students/import", new StringContent(names, Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.OK);

        Assert.Equal(2000, report.Int("imported"));
        Assert.Equal(5, report.GetProperty("problems").GetArrayLength());
        await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name = "One too many" })).Problem(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Another_teachers_class_and_students_are_not_found_on_any_route()
    {
        var owner = await SignUpAsync();
        var stranger = await SignUpAsync();
        var (classId, students) = await owner.ClassWithStudentsAsync(3);
        var pick = await owner.Api.PickAsync(classId);
        var pickId = pick.Long("id");
        var studentId = students[0];
        var grouping = (await (await owner.Api.PostAsync($"/api/classes/{classId}/groups", new { size = 2 })).Json(HttpStatusCode.Created)).Long("id");
        var api = stranger.Api;

        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, $"/api/classes/{classId}", null),
            (HttpMethod.Patch, $"/api/classes/{classId}", new { name = "Mine now" }),
            (HttpMethod.Delete, $"/api/classes/{classId}", null),
            (HttpMethod.Get, $"/api/classes/{classId}/students", null),
            (HttpMethod.Post, $"/api/classes/{classId}/students", new { name = "Intruder" }),
            (HttpMethod.Post, $"/api/classes/{classId}/students/import", new StringContent("Intruder", Encoding.UTF8, "text/plain")),
            (HttpMethod.Get, $"/api/classes/{classId}/students/export", null),
            (HttpMethod.Get, $"/api/classes/{classId}/students/{studentId}", null),
            (HttpMethod.Patch, $"/api/classes/{classId}/students/{studentId}", new { name = "Renamed" }),
            (HttpMethod.Delete, $"/api/classes/{classId}/students/{studentId}", null),
            (HttpMethod.Get, $"/api/classes/{classId}/attendance", null),
            (HttpMethod.Put, $"/api/classes/{classId}/attendance", new { absent = Array.Empty<long>() }),
            (HttpMethod.Get, $"/api/classes/{classId}/attendance/export", null),
            (HttpMethod.Post, $"/api/classes/{classId}/picks", new { mode = "fair" }),
            (HttpMethod.Get, $"/api/classes/{classId}/picks", null),
            (HttpMethod.Patch, $"/api/classes/{classId}/picks/{pickId}", new { outcome = "passed" }),
            (HttpMethod.Delete, $"/api/classes/{classId}/picks/{pickId}", null),
            (HttpMethod.Get, $"/api/classes/{classId}/picks/round", null),
            (HttpMethod.Post, $"/api/classes/{classId}/picks/reshuffle", null),
            (HttpMethod.Get, $"/api/classes/{classId}/picks/stats", null),
            (HttpMethod.Post, $"/api/classes/{classId}/groups", new { size = 2 }),
            (HttpMethod.Get, $"/api/classes/{classId}/groups", null),
            (HttpMethod.Get, $"/api/classes/{classId}/groups/{grouping}", null),
        };
        foreach (var (method, path, body) in attempts)
        {
            var response = await api.SendAsync(method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }

        // Nothing the stranger tried changed anything.
        var cls = await (await owner.Api.GetAsync($"/api/classes/{classId}")).Json(HttpStatusCode.OK);
        Assert.Equal("Class 7B", cls.Str("name"));
        Assert.Equal(3, cls.Int("studentCount"));
        var history = await (await owner.Api.GetAsync($"/api/classes/{classId}/picks")).Json(HttpStatusCode.OK);
        Assert.False(Assert.Single(history.GetProperty("items").EnumerateArray()).GetProperty("undone").GetBoolean());
        Assert.Empty((await (await stranger.Api.GetAsync("/api/classes")).Json(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task Past_days_attendance_is_read_back_and_exported_over_a_range_as_csv_and_xlsx()
    {
        var teacher = await SignUpAsync();
        var (classId, students) = await teacher.ClassWithStudentsAsync(3);
        await (await teacher.Api.PatchAsync($"/api/classes/{classId}/students/{students[2]}", new { name = "=SUM(A1)", externalId = "1003" })).Status(HttpStatusCode.OK);
        async Task Absent(string date, params long[] absent) =>
            await (await teacher.Api.PutAsync($"/api/classes/{classId}/attendance", new { absent, date })).Status(HttpStatusCode.OK);
        await Absent("2026-03-02", students[0]);
        await Absent("2026-03-04", students[0], students[1]);
        await Absent("2026-03-05", students[2]);

        var day = await (await teacher.Api.GetAsync($"/api/classes/{classId}/attendance?date=2026-03-04")).Json(HttpStatusCode.OK);
        Assert.Equal([students[0], students[1]], day.GetProperty("absent").EnumerateArray().Select(a => a.GetInt64()));
        Assert.Equal(1, day.Int("present"));

        var response = await teacher.Api.GetAsync($"/api/classes/{classId}/attendance/export?from=2026-03-02&to=2026-03-04");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Class-7B-attendance-2026-03-02-to-2026-03-04.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var csv = (await response.Content.ReadAsStringAsync()).TrimStart('\uFEFF');
        Assert.Equal(
            [
                "Student,Preferred name,External id,Days absent,2026-03-02,2026-03-03,2026-03-04",
                "'=SUM(A1),,1003,0,present,present,present",
                "Student 01,,,2,absent,present,absent",
                "Student 02,,,1,present,present,absent",
            ],
            csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));

        var xlsx = await teacher.Api.GetAsync($"/api/classes/{classId}/attendance/export?from=2026-03-04&to=2026-03-05&format=xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        using (var document = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()), false))
        {
            var workbook = document.WorkbookPart!;
            Assert.Equal("Attendance", workbook.Workbook!.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single().Name!.Value);
            var texts = workbook.SharedStringTablePart!.SharedStringTable!.Elements<DocumentFormat.OpenXml.Spreadsheet.SharedStringItem>().Select(i => i.InnerText).ToList();
            Assert.Contains("2026-03-05", texts);
            Assert.Contains("absent", texts);
            Assert.Contains("=SUM(A1)", texts);
        }

        // By default the last seven days up to today.
        var recent = await teacher.Api.GetAsync($"/api/classes/{classId}/attendance/export");
        Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        Assert.Equal(4 + 7, (await recent.Content.ReadAsStringAsync()).Split("\r\n")[0].Split(',').Length);

        var path = $"/api/classes/{classId}/attendance/export";
        await (await teacher.Api.GetAsync(path + "?from=2026-03-05&to=2026-03-04")).ValidationProblem("to");
        await (await teacher.Api.GetAsync(path + "?from=2025-01-01&to=2026-03-04")).ValidationProblem("to");
        await (await teacher.Api.GetAsync(path + "?from=March&to=2026-03-04")).ValidationProblem("from");
        await (await teacher.Api.GetAsync(path + "?to=2026-02-30")).ValidationProblem("to");
        await (await teacher.Api.GetAsync(path + "?format=pdf")).ValidationProblem("format");
    }

    [Fact]
    public async Task A_student_named_like_a_script_is_kept_as_text()
    {
        var teacher = await SignUpAsync();
        var classId = await teacher.CreateClassAsync();
        const string name = "<script>alert(1)</script>";

        var student = await (await teacher.Api.PostAsync($"/api/classes/{classId}/students", new { name })).Json(HttpStatusCode.Created);

        Assert.Equal(name, student.Str("name"));
    }

    [Fact]
    public async Task Deleting_the_account_deletes_its_classes()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(2);
        await teacher.Api.PickAsync(classId);

        await (await teacher.Api.DeleteAsync("/api/me", new { password = teacher.Password })).Status(HttpStatusCode.NoContent);

        var database = App.Service<Homeroom.Storage.Database>();
        await using var connection = await database.OpenAsync();
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM classes WHERE id = @classId", new { classId }));
        Assert.Equal(0L, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "SELECT COUNT(*) FROM picks WHERE class_id = @classId", new { classId }));
    }
}

public sealed class SqliteClassesTests(SqliteFixture fixture) : ClassesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresClassesTests(PostgresFixture fixture) : ClassesTests(fixture), IClassFixture<PostgresFixture>;
