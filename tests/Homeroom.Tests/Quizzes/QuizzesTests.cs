using System.Net;
using System.Text.Json;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Quizzes;

public abstract class QuizzesTests(AppFixture fixture) : AppTests(fixture)
{
    /// <summary>One question of every type, as a teacher would send it.</summary>
    public static object EveryType(string title = "Fractions and friends", string visibility = "private") => new
    {
        title,
        description = "Warm-up for Year 7",
        tags = new[] { "maths", "fractions" },
        visibility,
        questions = new object[]
        {
            new { type = "single", text = "What is 1/2 + 1/4?", timeLimit = 30, points = 1000, answers = new[] { new { text = "3/4", correct = true }, new { text = "2/6", correct = false } } },
            new { type = "multi", text = "Which equal one half?", timeLimit = 20, points = 2000, answers = new[] { new { text = "2/4", correct = true }, new { text = "3/6", correct = true }, new { text = "2/3", correct = false } } },
            new { type = "truefalse", text = "0.5 is the same as 1/2", timeLimit = 10, points = 1000, correct = true },
            new { type = "typeanswer", text = "Name the bottom of a fraction", timeLimit = 60, points = 1000, accepted = new[] { "Denominator", "the denominator" } },
            new { type = "order", text = "Smallest to largest", timeLimit = 90, points = 0, items = new[] { "1/8", "1/4", "1/2" } },
            new { type = "poll", text = "How confident are you?", timeLimit = 20, points = 0, answers = new[] { new { text = "Very" }, new { text = "A bit" } } },
        },
    };

    private static async Task<JsonElement> CreateAsync(Teacher teacher, object quiz) =>
        await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created);

    [Fact]
    public async Task Every_question_type_is_stored_and_read_back_as_sent()
    {
        var teacher = await SignUpAsync();

        var response = await teacher.Api.PostAsync("/api/quizzes", EveryType());
        var created = await response.Json(HttpStatusCode.Created);
        var read = await (await teacher.Api.GetAsync($"/api/quizzes/{created.Long("id")}")).Json(HttpStatusCode.OK);

        Assert.Equal($"/api/quizzes/{created.Long("id")}", response.Headers.Location?.OriginalString);
        var questions = read.GetProperty("questions");
        Assert.Equal(6, questions.GetArrayLength());
        Assert.Equal("3/4", questions[0].GetProperty("answers")[0].Str("text"));
        Assert.True(questions[0].GetProperty("answers")[0].GetProperty("correct").GetBoolean());
        Assert.True(questions[2].GetProperty("correct").GetBoolean());
        Assert.False(questions[2].TryGetProperty("answers", out _));
        Assert.Equal(["Denominator", "the denominator"], questions[3].GetProperty("accepted").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["1/8", "1/4", "1/2"], questions[4].GetProperty("items").EnumerateArray().Select(a => a.GetString()));
        Assert.False(questions[5].GetProperty("answers")[0].TryGetProperty("correct", out _));
        Assert.Equal(30, questions[0].Int("timeLimit"));
        Assert.Equal(2000, questions[1].Int("points"));
        Assert.Equal(teacher.Username, read.GetProperty("owner").Str("username"));
        Assert.True(read.GetProperty("mine").GetBoolean());
    }

    [Fact]
    public async Task Defaults_fill_in_private_twenty_seconds_and_a_thousand_points()
    {
        var teacher = await SignUpAsync();

        var created = await CreateAsync(teacher, new { title = "Quick", questions = new[] { new { type = "truefalse", text = "Sky is blue", correct = true } } });

        Assert.Equal("private", created.Str("visibility"));
        Assert.Equal(20, created.GetProperty("questions")[0].Int("timeLimit"));
        Assert.Equal(1000, created.GetProperty("questions")[0].Int("points"));
    }

    public static TheoryData<string, object> BadQuestions => new()
    {
        { "questions[0].answers", new { type = "single", text = "Two right", answers = new[] { new { text = "a", correct = true }, new { text = "b", correct = true } } } },
        { "questions[0].answers", new { type = "single", text = "One answer", answers = new[] { new { text = "a", correct = true } } } },
        { "questions[0].answers", new { type = "multi", text = "None right", answers = new[] { new { text = "a", correct = false }, new { text = "b", correct = false } } } },
        { "questions[0].answers", new { type = "poll", text = "Rigged poll", answers = new[] { new { text = "a", correct = true }, new { text = "b", correct = false } } } },
        { "questions[0].answers", new { type = "single", text = "Seven", answers = Enumerable.Range(1, 7).Select(i => new { text = $"{i}", correct = i == 1 }).ToArray() } },
        { "questions[0].answers[1].text", new { type = "single", text = "Long answer", answers = new[] { new { text = "a", correct = true }, new { text = new string('b', 76), correct = false } } } },
        { "questions[0].timeLimit", new { type = "truefalse", text = "Odd timer", timeLimit = 15, correct = true } },
        { "questions[0].points", new { type = "truefalse", text = "Odd points", points = 500, correct = true } },
        { "questions[0].type", new { type = "essay", text = "Write a lot" } },
        { "questions[0].correct", new { type = "truefalse", text = "Missing truth" } },
        { "questions[0].accepted", new { type = "typeanswer", text = "Nothing accepted", accepted = Array.Empty<string>() } },
        { "questions[0].items", new { type = "order", text = "One item", items = new[] { "only" } } },
        { "questions[0].text", new { type = "truefalse", text = new string('q', 281), correct = true } },
    };

    [Theory]
    [MemberData(nameof(BadQuestions))]
    public async Task A_bad_question_is_refused_naming_the_field(string field, object question)
    {
        var teacher = await SignUpAsync();

        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "Bad", questions = new[] { question } })).ValidationProblem(field);
    }

    [Fact]
    public async Task Titles_shown_on_the_projector_are_normalised()
    {
        var teacher = await SignUpAsync();
        var question = new { type = "truefalse", text = "T", correct = true };

        var quiz = await CreateAsync(teacher, new { title = "  \u202eCapitals\u200b  of \uff25urope ", questions = new[] { question } });
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "\u200b\u2066", questions = new[] { question } })).ValidationProblem("title");

        Assert.Equal("Capitals of Europe", quiz.Str("title"));
    }

    [Fact]
    public async Task Quiz_level_rules_name_their_fields()
    {
        var teacher = await SignUpAsync();
        var question = new { type = "truefalse", text = "T", correct = true };

        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "" })).ValidationProblem("title");
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = new string('t', 121) })).ValidationProblem("title");
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "V", visibility = "friends" })).ValidationProblem("visibility");
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "Q", questions = new[] { new { type = "truefalse", text = "One\nTwo", correct = true } } })).ValidationProblem("questions[0].text");
        Assert.Equal("Line one\nLine two", (await (await teacher.Api.PostAsync("/api/quizzes", new { title = "D", description = "Line one\nLine two" })).Json(HttpStatusCode.Created)).Str("description"));
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "Q", questions = Enumerable.Repeat(question, 101) })).ValidationProblem("questions");
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "Q", questions = Enumerable.Repeat(question, 100) })).Status(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Concurrent_edits_are_caught_with_etags()
    {
        var teacher = await SignUpAsync();
        var created = await teacher.Api.PostAsync("/api/quizzes", EveryType());
        var id = (await created.Json(HttpStatusCode.Created)).Long("id");
        var etag = created.Headers.ETag!.ToString();

        var first = await teacher.Api.SendAsync(HttpMethod.Put, $"/api/quizzes/{id}", EveryType("First edit"), r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal("First edit", (await first.Json(HttpStatusCode.OK)).Str("title"));
        Assert.NotEqual(etag, first.Headers.ETag!.ToString());

        var stale = await teacher.Api.SendAsync(HttpMethod.Put, $"/api/quizzes/{id}", EveryType("Second edit"), r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        await stale.Problem(HttpStatusCode.PreconditionFailed);
        Assert.Equal("First edit", (await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK)).Str("title"));

        var unchanged = await teacher.Api.SendAsync(HttpMethod.Get, $"/api/quizzes/{id}", null, r => r.Headers.TryAddWithoutValidation("If-None-Match", first.Headers.ETag!.ToString()));
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_given_and_still_validates()
    {
        var teacher = await SignUpAsync();
        var id = (await CreateAsync(teacher, EveryType())).Long("id");

        var patched = await (await teacher.Api.PatchAsync($"/api/quizzes/{id}", new { title = "Renamed", visibility = "public" })).Json(HttpStatusCode.OK);

        Assert.Equal("Renamed", patched.Str("title"));
        Assert.Equal("public", patched.Str("visibility"));
        Assert.Equal(6, patched.GetProperty("questions").GetArrayLength());
        Assert.Equal(2, patched.Int("version"));
        await (await teacher.Api.PatchAsync($"/api/quizzes/{id}", new { title = " " })).ValidationProblem("title");
    }

    [Fact]
    public async Task A_copy_is_a_new_private_quiz_of_my_own()
    {
        var author = await SignUpAsync();
        var reader = await SignUpAsync();
        var id = (await CreateAsync(author, EveryType(visibility: "public"))).Long("id");

        var copy = await (await reader.Api.PostAsync($"/api/quizzes/{id}/copy", null)).Json(HttpStatusCode.Created);

        Assert.NotEqual(id, copy.Long("id"));
        Assert.Equal("Copy of Fractions and friends", copy.Str("title"));
        Assert.Equal("private", copy.Str("visibility"));
        Assert.Equal(reader.Username, copy.GetProperty("owner").Str("username"));
        Assert.Equal(6, copy.GetProperty("questions").GetArrayLength());
    }

    [Fact]
    public async Task Favourites_work_across_teachers_for_public_quizzes_only()
    {
        var author = await SignUpAsync();
        var reader = await SignUpAsync();
        var shared = (await CreateAsync(author, EveryType("Shared quiz", "public"))).Long("id");
        var secret = (await CreateAsync(author, EveryType("Secret quiz"))).Long("id");
        var own = (await CreateAsync(reader, EveryType("My own quiz"))).Long("id");

        await (await reader.Api.PutAsync($"/api/quizzes/{shared}/favorite", null)).Status(HttpStatusCode.NoContent);
        await (await reader.Api.PutAsync($"/api/quizzes/{shared}/favorite", null)).Status(HttpStatusCode.NoContent);
        await (await reader.Api.PutAsync($"/api/quizzes/{own}/favorite", null)).Status(HttpStatusCode.NoContent);
        await (await reader.Api.PutAsync($"/api/quizzes/{secret}/favorite", null)).Problem(HttpStatusCode.NotFound);

        var favourites = await (await reader.Api.GetAsync("/api/quizzes?favorites=true")).Json(HttpStatusCode.OK);
        Assert.Equal(["My own quiz", "Shared quiz"], favourites.GetProperty("items").EnumerateArray().Select(q => q.Str("title")).Order());
        Assert.True(favourites.GetProperty("items").EnumerateArray().All(q => q.GetProperty("favorite").GetBoolean()));
        var mine = await (await reader.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK);
        Assert.Equal(["My own quiz"], mine.GetProperty("items").EnumerateArray().Select(q => q.Str("title")));

        // When the author makes it private again it leaves the reader's favourites.
        await (await author.Api.PatchAsync($"/api/quizzes/{shared}", new { visibility = "private" })).Status(HttpStatusCode.OK);
        var after = await (await reader.Api.GetAsync("/api/quizzes?favorites=true")).Json(HttpStatusCode.OK);
        Assert.Equal(["My own quiz"], after.GetProperty("items").EnumerateArray().Select(q => q.Str("title")));

        await (await reader.Api.DeleteAsync($"/api/quizzes/{own}/favorite")).Status(HttpStatusCode.NoContent);
        Assert.Equal(0, (await (await reader.Api.GetAsync("/api/quizzes?favorites=true")).Json(HttpStatusCode.OK)).Int("total"));
    }

    [Fact]
    public async Task Search_is_ranked_prefix_and_accent_insensitive()
    {
        var teacher = await SignUpAsync();
        var tag = "z" + Guid.NewGuid().ToString("N")[..8];
        object Quiz(string title, string question) => new { title = $"{title} {tag}", questions = new[] { new { type = "truefalse", text = question, correct = true } } };
        await CreateAsync(teacher, Quiz("Volcanoes", "Is lava hot?"));
        await CreateAsync(teacher, Quiz("Rivers", "Do volcanoes make islands?"));
        await CreateAsync(teacher, Quiz("Élèves et écoles", "Où est la bibliothèque?"));

        var volcano = await (await teacher.Api.GetAsync($"/api/quizzes?q=volcano {tag}")).Json(HttpStatusCode.OK);
        Assert.Equal([$"Volcanoes {tag}", $"Rivers {tag}"], volcano.GetProperty("items").EnumerateArray().Select(q => q.Str("title")));

        var eleve = await (await teacher.Api.GetAsync($"/api/quizzes?q=ELEVES {tag}")).Json(HttpStatusCode.OK);
        Assert.Equal([$"Élèves et écoles {tag}"], eleve.GetProperty("items").EnumerateArray().Select(q => q.Str("title")));

        var body = await (await teacher.Api.GetAsync($"/api/quizzes?q=bibliotheque")).Json(HttpStatusCode.OK);
        Assert.Equal(1, body.Int("total"));

        var syntax = await teacher.Api.GetAsync("/api/quizzes?q=" + Uri.EscapeDataString("\"* OR ) & :* NEAR("));
        await syntax.Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_catalogue_lists_public_quizzes_of_every_teacher_and_nothing_private()
    {
        var author = await SignUpAsync();
        var reader = await SignUpAsync();
        var tag = "c" + Guid.NewGuid().ToString("N")[..8];
        await CreateAsync(author, EveryType($"Public {tag}", "public"));
        await CreateAsync(author, EveryType($"Private {tag}"));

        var catalogue = await (await reader.Api.GetAsync($"/api/quizzes/public?q={tag}")).Json(HttpStatusCode.OK);

        var item = Assert.Single(catalogue.GetProperty("items").EnumerateArray());
        Assert.Equal($"Public {tag}", item.Str("title"));
        Assert.False(item.GetProperty("mine").GetBoolean());
        Assert.Equal(author.Username, item.GetProperty("owner").Str("username"));
    }

    [Fact]
    public async Task Listing_pages_newest_first()
    {
        var teacher = await SignUpAsync();
        for (var i = 1; i <= 5; i++)
        {
            await CreateAsync(teacher, new { title = $"Quiz {i}" });
        }

        var page = await (await teacher.Api.GetAsync("/api/quizzes?page=2&pageSize=2")).Json(HttpStatusCode.OK);

        Assert.Equal(5, page.Int("total"));
        Assert.Equal(["Quiz 3", "Quiz 2"], page.GetProperty("items").EnumerateArray().Select(q => q.Str("title")));
        await (await teacher.Api.GetAsync("/api/quizzes?page=0")).ValidationProblem("page");
    }

    [Fact]
    public async Task Another_teachers_private_quiz_is_not_found_on_any_route()
    {
        var author = await SignUpAsync();
        var stranger = await SignUpAsync();
        var id = (await CreateAsync(author, EveryType())).Long("id");
        var publicId = (await CreateAsync(author, EveryType("Public", "public"))).Long("id");

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/quizzes/{id}", null),
            (HttpMethod.Put, $"/api/quizzes/{id}", EveryType("Hijacked")),
            (HttpMethod.Patch, $"/api/quizzes/{id}", new { title = "Hijacked" }),
            (HttpMethod.Delete, $"/api/quizzes/{id}", null),
            (HttpMethod.Post, $"/api/quizzes/{id}/copy", null),
            (HttpMethod.Put, $"/api/quizzes/{id}/favorite", null),
            (HttpMethod.Delete, $"/api/quizzes/{id}/favorite", null),
            // A public quiz can be read, copied and favourited by anyone, but changed only by its owner.
            (HttpMethod.Put, $"/api/quizzes/{publicId}", EveryType("Hijacked")),
            (HttpMethod.Patch, $"/api/quizzes/{publicId}", new { title = "Hijacked" }),
            (HttpMethod.Delete, $"/api/quizzes/{publicId}", null),
        })
        {
            var response = await stranger.Api.SendAsync(method, path, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}");
        }

        Assert.Equal("Fractions and friends", (await (await author.Api.GetAsync($"/api/quizzes/{id}")).Json(HttpStatusCode.OK)).Str("title"));
        Assert.Equal("Public", (await (await author.Api.GetAsync($"/api/quizzes/{publicId}")).Json(HttpStatusCode.OK)).Str("title"));
    }

    [Fact]
    public async Task Deleting_a_quiz_removes_it_and_its_search_entry()
    {
        var teacher = await SignUpAsync();
        var tag = "d" + Guid.NewGuid().ToString("N")[..8];
        var id = (await CreateAsync(teacher, EveryType($"Gone {tag}"))).Long("id");

        await (await teacher.Api.DeleteAsync($"/api/quizzes/{id}")).Status(HttpStatusCode.NoContent);

        await (await teacher.Api.GetAsync($"/api/quizzes/{id}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await teacher.Api.GetAsync($"/api/quizzes?q={tag}")).Json(HttpStatusCode.OK)).Int("total"));
    }

    [Fact]
    public async Task Quiz_text_is_stored_as_given()
    {
        var teacher = await SignUpAsync();
        const string text = "<img src=x onerror=alert(1)> & <script>alert(2)</script>";

        var created = await CreateAsync(teacher, new { title = text, questions = new[] { new { type = "truefalse", text, correct = false } } });

        Assert.Equal(text, created.Str("title"));
        Assert.Equal(text, created.GetProperty("questions")[0].Str("text"));
    }
}

public sealed class SqliteQuizzesTests(SqliteFixture fixture) : QuizzesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresQuizzesTests(PostgresFixture fixture) : QuizzesTests(fixture), IClassFixture<PostgresFixture>;
