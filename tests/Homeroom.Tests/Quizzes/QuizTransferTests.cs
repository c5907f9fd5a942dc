using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;
using Homeroom.Tests.Quizzes.Formats;

namespace Homeroom.Tests.Quizzes;

public abstract class QuizTransferTests(AppFixture fixture) : AppTests(fixture)
{
    private static MultipartFormDataContent File(byte[] bytes, string fileName, string? contentType = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        form.Add(file, "file", fileName);
        return form;
    }

    private static async Task<long> QuizCountAsync(Teacher teacher) =>
        (await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK)).Long("total");

    [Fact]
    public async Task A_gift_file_upload_is_detected_imported_and_its_skipped_questions_reported_by_line()
    {
        var teacher = await SignUpAsync();

        var report = await (await teacher.Api.PostAsync("/api/quizzes/import", File(FormatFixtures.Bytes("every-construct.gift"), "astronomy.gift"))).Json(HttpStatusCode.Created);

        Assert.Equal("gift", report.Str("format"));
        var quiz = report.GetProperty("quiz");
        Assert.True(quiz.GetProperty("questions").GetArrayLength() >= 8);
        var types = quiz.GetProperty("questions").EnumerateArray().Select(q => q.Str("type")).ToHashSet();
        Assert.Superset(new HashSet<string> { "single", "multi", "truefalse", "typeanswer" }, types);
        var skipped = report.GetProperty("skipped").EnumerateArray().ToList();
        Assert.NotEmpty(skipped);
        Assert.All(skipped, s => Assert.True(s.Int("line") > 0 && s.Str("message").Length > 0));
        await (await teacher.Api.GetAsync($"/api/quizzes/{quiz.Long("id")}")).Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_aiken_file_imports_as_the_raw_body_with_a_named_format()
    {
        var teacher = await SignUpAsync();

        var response = await teacher.Api.PostAsync("/api/quizzes/import?format=aiken",
            new ByteArrayContent(FormatFixtures.Bytes("both-styles.aiken.txt")) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } });

        var report = await response.Json(HttpStatusCode.Created);
        Assert.Equal("aiken", report.Str("format"));
        Assert.All(report.GetProperty("quiz").GetProperty("questions").EnumerateArray(), q => Assert.Equal("single", q.Str("type")));
        Assert.NotNull(response.Headers.Location);
    }

    [Theory]
    [InlineData("every-type.csv", "csv")]
    [InlineData("every-type.json", "json")]
    public async Task Csv_and_json_files_carry_every_question_type(string file, string format)
    {
        var teacher = await SignUpAsync();

        var report = await (await teacher.Api.PostAsync("/api/quizzes/import", File(FormatFixtures.Bytes(file), file))).Json(HttpStatusCode.Created);

        Assert.Equal(format, report.Str("format"));
        var types = report.GetProperty("quiz").GetProperty("questions").EnumerateArray().Select(q => q.Str("type")).ToHashSet();
        Assert.Equal(new HashSet<string> { "single", "multi", "truefalse", "typeanswer", "order", "poll" }, types);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("csv")]
    [InlineData("gift")]
    [InlineData("aiken")]
    [InlineData("xlsx")]
    public async Task An_export_imports_back_as_the_same_quiz(string format)
    {
        var teacher = await SignUpAsync();
        // Each format carries a different subset of question types; the quiz holds what this one can.
        var all = (JsonElement)JsonSerializer.SerializeToElement(QuizzesTests.EveryType("Round trip"), ApiClient.Json);
        var carried = format switch
        {
            "json" or "csv" => new[] { "single", "multi", "truefalse", "typeanswer", "order", "poll" },
            "gift" => ["single", "multi", "truefalse", "typeanswer"],
            "xlsx" => ["single", "multi"],
            _ => ["single"],
        };
        var questions = all.GetProperty("questions").EnumerateArray().Where(q => carried.Contains(q.Str("type")))
            .Select(q => format is "json" or "csv" ? q : Strip(q)).ToList();
        var quiz = new { title = "Round trip", questions };
        var id = (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
        var original = await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK);

        var export = await teacher.Api.GetAsync($"/api/quizzes/{id}/export?format={format}");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.NotNull(export.Content.Headers.ContentDisposition?.FileName);
        var bytes = await export.Content.ReadAsByteArrayAsync();
        var report = await (await teacher.Api.PostAsync("/api/quizzes/import", File(bytes, "Round trip" + Path.GetExtension(export.Content.Headers.ContentDisposition!.FileName!.Trim('"'))))).Json(HttpStatusCode.Created);

        Assert.Empty(report.GetProperty("skipped").EnumerateArray());
        Assert.Equal(original.GetProperty("questions").ToString(), report.GetProperty("quiz").GetProperty("questions").ToString());
    }

    /// <summary>Formats other than JSON and CSV carry no timer or points: the imported question has the defaults.</summary>
    private static JsonElement Strip(JsonElement question)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(question.GetRawText())!.AsObject();
        node["timeLimit"] = 20;
        node["points"] = 1000;
        return JsonSerializer.SerializeToElement(node);
    }

    [Fact]
    public async Task A_broken_file_is_a_422_naming_the_line_and_creates_nothing()
    {
        var teacher = await SignUpAsync();
        const string aiken = "What is 2+2?\nA. 3\nB. 4\nANSWER: Z\n";

        var problem = await (await teacher.Api.PostAsync("/api/quizzes/import?format=aiken", new StringContent(aiken, Encoding.UTF8, "text/plain"))).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.True(problem.Int("line") > 0);
        Assert.Contains("Line", problem.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(0, await QuizCountAsync(teacher));
    }

    [Fact]
    public async Task Garbage_zips_and_huge_uploads_are_refused_harmlessly()
    {
        var teacher = await SignUpAsync();
        var random = new Random(42);
        var garbage = new byte[64 * 1024];
        random.NextBytes(garbage);
        var fakeZip = new byte[] { 0x50, 0x4B, 0x03, 0x04 }.Concat(garbage).ToArray();

        await (await teacher.Api.PostAsync("/api/quizzes/import", File(garbage, "noise.bin"))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await teacher.Api.PostAsync("/api/quizzes/import", File(fakeZip, "quiz.xlsx"))).Problem(HttpStatusCode.UnprocessableEntity);
        await (await teacher.Api.PostAsync("/api/quizzes/import?format=gift", File(garbage, "quiz.gift"))).Problem(HttpStatusCode.UnprocessableEntity);
        // With Expect: 100-continue the server refuses by the declared length before a byte of the body is sent.
        await (await teacher.Api.SendAsync(HttpMethod.Post, "/api/quizzes/import", File(new byte[Homeroom.Quizzes.QuizTransfer.MaxUploadBytes + 1], "big.csv"), r => r.Headers.ExpectContinue = true))
            .Problem(HttpStatusCode.RequestEntityTooLarge);
        await (await teacher.Api.PostAsync("/api/quizzes/import?format=pdf", File(garbage, "quiz.pdf"))).ValidationProblem("format");
        await (await teacher.Api.PostAsync("/api/quizzes/import", new StringContent("{}", Encoding.UTF8, "application/xml"))).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal(0, await QuizCountAsync(teacher));
    }

    [Fact]
    public async Task Exports_follow_the_reading_rules()
    {
        var author = await SignUpAsync();
        var stranger = await SignUpAsync();
        var secret = (await (await author.Api.PostAsync("/api/quizzes", QuizzesTests.EveryType())).Json(HttpStatusCode.Created)).Long("id");
        var shared = (await (await author.Api.PostAsync("/api/quizzes", QuizzesTests.EveryType("Shared", "public"))).Json(HttpStatusCode.Created)).Long("id");

        await (await stranger.Api.GetAsync($"/api/quizzes/{secret}/export?format=gift")).Problem(HttpStatusCode.NotFound);
        await (await stranger.Api.GetAsync($"/api/quizzes/{shared}/export?format=csv")).Status(HttpStatusCode.OK);
        await (await author.Api.GetAsync($"/api/quizzes/{secret}/export?format=docx")).ValidationProblem("format");
    }

    [Fact]
    public async Task Pasted_text_imports_as_a_quiz_named_by_the_teacher()
    {
        var teacher = await SignUpAsync();
        var text = new StringContent("Largest planet?\nA. Mars\nB. Jupiter\nANSWER: B\n", Encoding.UTF8, "text/plain");
        var report = await (await teacher.Api.PostAsync("/api/quizzes/import?title=%20My%20%20planets%20", text)).Json(HttpStatusCode.Created);
        Assert.Equal(("aiken", "My planets", 1), (report.Str("format"), report.GetProperty("quiz").Str("title"), report.GetProperty("quiz").GetProperty("questions").GetArrayLength()));

        var unnamed = new StringContent("Largest planet?\nA. Mars\nB. Jupiter\nANSWER: B\n", Encoding.UTF8, "text/plain");
        Assert.NotEqual("My planets", (await (await teacher.Api.PostAsync("/api/quizzes/import?title=%20", unnamed)).Json(HttpStatusCode.Created)).GetProperty("quiz").Str("title"));
        var tooLong = new StringContent("Q?\nA. x\nB. y\nANSWER: A\n", Encoding.UTF8, "text/plain");
        await (await teacher.Api.PostAsync("/api/quizzes/import?title=" + new string('x', 121), tooLong)).ValidationProblem("title");
        Assert.Equal(2, await QuizCountAsync(teacher));
    }

    [Fact]
    public async Task An_export_says_before_and_in_its_response_which_questions_the_format_left_out()
    {
        var teacher = await SignUpAsync();
        var id = (await (await teacher.Api.PostAsync("/api/quizzes", QuizzesTests.EveryType("Six kinds"))).Json(HttpStatusCode.Created)).Long("id");

        // Aiken holds single choice (and true/false as one): 2 of the 6 questions.
        var check = await (await teacher.Api.GetAsync($"/api/quizzes/{id}/export/check?format=aiken")).Json(HttpStatusCode.OK);
        Assert.Equal(("aiken", 6, 2), (check.Str("format"), check.Int("questions"), check.Int("written")));
        Assert.Equal([2, 4, 5, 6], check.GetProperty("leftOut").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Contains(check.GetProperty("notes").EnumerateArray(), n => n.GetString() == "Question 5 (put in order) left out: Aiken has single-choice questions only."
            || n.GetString()!.StartsWith("Question 5 (", StringComparison.Ordinal) && n.GetString()!.Contains("left out: Aiken", StringComparison.Ordinal));
        var aiken = await teacher.Api.GetAsync($"/api/quizzes/{id}/export?format=aiken");
        Assert.Equal(HttpStatusCode.OK, aiken.StatusCode);
        Assert.Equal("2, 4, 5, 6", aiken.Headers.GetValues("X-Export-Left-Out").Single());
        var notes = Uri.UnescapeDataString(aiken.Headers.GetValues("X-Export-Notes").Single()).Split('\n');
        Assert.Equal(check.GetProperty("notes").EnumerateArray().Select(n => n.GetString()), notes);

        // The Kahoot sheet holds single, multi (up to 4 answers) and true/false.
        var kahoot = await (await teacher.Api.GetAsync($"/api/quizzes/{id}/export/check?format=xlsx")).Json(HttpStatusCode.OK);
        Assert.Equal([4, 5, 6], kahoot.GetProperty("leftOut").EnumerateArray().Select(n => n.GetInt32()));
        Assert.Equal("4, 5, 6", (await teacher.Api.GetAsync($"/api/quizzes/{id}/export?format=kahoot")).Headers.GetValues("X-Export-Left-Out").Single());

        // JSON holds everything: nothing to say.
        var json = await (await teacher.Api.GetAsync($"/api/quizzes/{id}/export/check")).Json(HttpStatusCode.OK);
        Assert.Equal((6, 0), (json.Int("written"), json.GetProperty("leftOut").GetArrayLength()));
        Assert.False((await teacher.Api.GetAsync($"/api/quizzes/{id}/export?format=json")).Headers.Contains("X-Export-Left-Out"));
        await (await teacher.Api.GetAsync($"/api/quizzes/{id}/export/check?format=pdf")).ValidationProblem("format");
        await (await (await SignUpAsync()).Api.GetAsync($"/api/quizzes/{id}/export/check?format=aiken")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Csv_exports_neutralise_formulas()
    {
        var teacher = await SignUpAsync();
        var id = (await (await teacher.Api.PostAsync("/api/quizzes", new
        {
            title = "Formulas",
            questions = new[] { new { type = "single", text = "=HYPERLINK(\"http://evil\",\"x\")", answers = new[] { new { text = "@SUM(1)", correct = true }, new { text = "+1", correct = false } } } },
        })).Json(HttpStatusCode.Created)).Long("id");

        var csv = await (await teacher.Api.GetAsync($"/api/quizzes/{id}/export?format=csv")).Content.ReadAsStringAsync();

        Assert.DoesNotContain(",=HYPERLINK", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",@SUM", csv, StringComparison.Ordinal);
        Assert.DoesNotContain(",+1", csv, StringComparison.Ordinal);
    }
}

public sealed class SqliteQuizTransferTests(SqliteFixture fixture) : QuizTransferTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresQuizTransferTests(PostgresFixture fixture) : QuizTransferTests(fixture), IClassFixture<PostgresFixture>;
