using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Homeroom.Images;
using Homeroom.Tests.Infrastructure;
using SkiaSharp;

namespace Homeroom.Tests.Images;

public abstract class QuestionImagesTests(AppFixture fixture) : AppTests(fixture)
{
    private static ByteArrayContent Raw(byte[] bytes, string contentType) =>
        new(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(contentType) } };

    private static MultipartFormDataContent Form(byte[] bytes, string fileName, string contentType)
    {
        var form = new MultipartFormDataContent();
        form.Add(Raw(bytes, contentType), "file", fileName);
        return form;
    }

    private static async Task<JsonElement> UploadAsync(Teacher teacher, byte[] bytes, string contentType = "image/png") =>
        await (await teacher.Api.PostAsync("/api/images", Raw(bytes, contentType))).Json(HttpStatusCode.Created);

    private static async Task<byte[]> DownloadAsync(ApiClient api, string url)
    {
        var response = await api.GetAsync(url);
        await response.Status(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static object QuizWith(string title, params long?[] images) => new
    {
        title,
        questions = images.Select((image, i) => new
        {
            type = "truefalse",
            text = $"Statement {i + 1}",
            correct = true,
            imageId = image,
        }).ToArray(),
    };

    private static async Task<JsonElement> CreateQuizAsync(Teacher teacher, object quiz) =>
        await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created);

    [Theory]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("png", "image/png")]
    [InlineData("webp", "image/webp")]
    [InlineData("gif", "image/png")]
    public async Task Each_format_uploads_and_is_served_re_encoded_with_its_hash_as_etag_and_long_cache_headers(string format, string served)
    {
        var teacher = await SignUpAsync();
        var bytes = format switch
        {
            "jpeg" => TestImages.Jpeg(),
            "png" => TestImages.Png(),
            "webp" => TestImages.Webp(),
            _ => TestImages.Gif,
        };

        var response = await teacher.Api.PostAsync("/api/images", Form(bytes, "picture." + format, "image/" + format));
        var image = await response.Json(HttpStatusCode.Created);

        Assert.Equal($"/api/images/{image.Long("id")}", response.Headers.Location?.OriginalString);
        Assert.Equal(served, image.Str("contentType"));
        var get = await teacher.Api.GetAsync(image.Str("url"));
        await get.Status(HttpStatusCode.OK);
        Assert.Equal(served, get.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", get.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("max-age=31536000", get.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.True(get.Headers.CacheControl?.Private);
        var etag = get.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal(66, etag.Tag.Length); // "<SHA-256 in hex>"
        var stored = await get.Content.ReadAsByteArrayAsync();
        var (width, height, _) = TestImages.Inspect(stored);
        Assert.Equal((image.Int("width"), image.Int("height")), (width, height));
        Assert.Equal(image.Int("bytes"), stored.Length);

        var again = await teacher.Api.SendAsync(HttpMethod.Get, image.Str("url"), null, r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        // The same picture uploaded again is the same image.
        Assert.Equal(image.Long("id"), (await UploadAsync(teacher, bytes, "image/" + format)).Long("id"));
    }

    [Fact]
    public async Task Metadata_is_stripped_exif_with_gps_from_a_jpeg_and_text_from_a_png()
    {
        var teacher = await SignUpAsync();
        var jpeg = TestImages.JpegWithExif();
        var png = TestImages.PngWithText();
        Assert.Contains(TestImages.Secret, Encoding.ASCII.GetString(jpeg), StringComparison.Ordinal);
        Assert.Contains(TestImages.Secret, Encoding.ASCII.GetString(png), StringComparison.Ordinal);

        var storedJpeg = await DownloadAsync(teacher.Api, (await UploadAsync(teacher, jpeg, "image/jpeg")).Str("url"));
        var storedPng = await DownloadAsync(teacher.Api, (await UploadAsync(teacher, png, "image/png")).Str("url"));

        foreach (var stored in new[] { storedJpeg, storedPng })
        {
            var text = Encoding.ASCII.GetString(stored);
            Assert.DoesNotContain(TestImages.Secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exif", text, StringComparison.Ordinal);
            Assert.DoesNotContain("tEXt", text, StringComparison.Ordinal);
        }

        Assert.Equal(SKEncodedImageFormat.Jpeg, TestImages.Inspect(storedJpeg).Format);
        Assert.Equal(SKEncodedImageFormat.Png, TestImages.Inspect(storedPng).Format);
    }

    [Fact]
    public async Task A_big_photo_is_brought_down_to_1920_pixels_on_its_long_side()
    {
        var teacher = await SignUpAsync();

        var image = await UploadAsync(teacher, TestImages.Encode(SKEncodedImageFormat.Jpeg, 3000, 2000), "image/jpeg");

        Assert.Equal((1920, 1280), (image.Int("width"), image.Int("height")));
        Assert.Equal((1920, 1280, SKEncodedImageFormat.Jpeg), TestImages.Inspect(await DownloadAsync(teacher.Api, image.Str("url"))));
    }

    [Fact]
    public async Task A_phone_photo_is_turned_the_way_its_exif_orientation_says_before_the_tag_is_dropped()
    {
        var teacher = await SignUpAsync();

        var image = await UploadAsync(teacher, TestImages.JpegWithOrientation(6), "image/jpeg");

        // Stored 80 × 40, red on the left; seen after a quarter turn clockwise: 40 × 80, red on top.
        Assert.Equal((40, 80), (image.Int("width"), image.Int("height")));
        var stored = await DownloadAsync(teacher.Api, image.Str("url"));
        Assert.DoesNotContain("Exif", Encoding.ASCII.GetString(stored), StringComparison.Ordinal);
        using var bitmap = SKBitmap.Decode(stored);
        Assert.Equal((40, 80), (bitmap.Width, bitmap.Height));
        var top = bitmap.GetPixel(20, 10);
        var bottom = bitmap.GetPixel(20, 70);
        Assert.True(top.Red > 200 && top.Blue < 60, $"The top is {top}, not red.");
        Assert.True(bottom.Blue > 200 && bottom.Red < 60, $"The bottom is {bottom}, not blue.");
    }

    [Fact]
    public async Task A_text_file_named_and_typed_as_a_picture_is_refused_by_its_content()
    {
        var teacher = await SignUpAsync();
        var text = Encoding.UTF8.GetBytes("This is not a picture at all, just words in a file called cat.png.\n");

        var form = await teacher.Api.PostAsync("/api/images", Form(text, "cat.png", "image/png"));
        var raw = await teacher.Api.PostAsync("/api/images", Raw(text, "image/jpeg"));

        Assert.Contains("JPEG, PNG, WebP or GIF", (await form.ValidationProblem("file", HttpStatusCode.UnprocessableContent))[0], StringComparison.Ordinal);
        await raw.ValidationProblem("file", HttpStatusCode.UnprocessableContent);
        // A body that says it is text is not read at all.
        await (await teacher.Api.PostAsync("/api/images", Raw(text, "text/plain"))).Problem(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_body_over_5_MB_is_refused_with_413()
    {
        var teacher = await SignUpAsync();
        var big = new byte[ImageProcessor.MaxUploadBytes + 1];
        TestImages.Png().CopyTo(big, 0);

        // With Expect: 100-continue the server refuses by the declared length before a byte of the body is sent.
        await (await teacher.Api.SendAsync(HttpMethod.Post, "/api/images", Raw(big, "image/png"), r => r.Headers.ExpectContinue = true))
            .Problem(HttpStatusCode.RequestEntityTooLarge);
        await (await teacher.Api.SendAsync(HttpMethod.Post, "/api/images", Form(big, "big.png", "image/png"), r => r.Headers.ExpectContinue = true))
            .Problem(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData(30_000, 30_000)]
    [InlineData(10_000, 9_000)]
    [InlineData(100_000, 1)]
    [InlineData(6_000, 5_000)] // under 50 megapixels, but a PNG cannot be decoded at a reduced scale: 30 megapixels is too many
    public async Task A_header_claiming_huge_dimensions_is_refused_before_decoding(int width, int height)
    {
        var teacher = await SignUpAsync();

        var messages = await (await teacher.Api.PostAsync("/api/images", Raw(TestImages.PngClaiming(width, height), "image/png")))
            .ValidationProblem("file", HttpStatusCode.UnprocessableContent);

        Assert.Contains(width.ToString(System.Globalization.CultureInfo.InvariantCulture), messages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_teachers_private_image_is_404_and_a_public_quizs_images_are_readable_by_all_teachers()
    {
        var ann = await SignUpAsync();
        var bob = await SignUpAsync();
        var image = await UploadAsync(ann, TestImages.Png());
        var url = image.Str("url");

        await (await bob.Api.GetAsync(url)).Problem(HttpStatusCode.NotFound);
        await (await Anonymous().GetAsync(url)).Status(HttpStatusCode.Unauthorized);
        // Bob cannot put Ann's image in his quiz either.
        await (await bob.Api.PostAsync("/api/quizzes", QuizWith("Bob's", image.Long("id")))).ValidationProblem("questions[0].imageId");

        var quiz = await CreateQuizAsync(ann, QuizWith("Ann's", null, image.Long("id")));
        Assert.Equal(image.Long("id"), quiz.GetProperty("questions")[1].Long("imageId"));
        await (await bob.Api.GetAsync(url)).Problem(HttpStatusCode.NotFound);

        await (await ann.Api.PatchAsync($"/api/quizzes/{quiz.Long("id")}", new { visibility = "public" })).Status(HttpStatusCode.OK);
        await (await bob.Api.GetAsync(url)).Status(HttpStatusCode.OK);

        // Bob's copy of the public quiz has a picture of his own, which stays his when Ann's quiz goes private.
        var copy = await (await bob.Api.PostAsync($"/api/quizzes/{quiz.Long("id")}/copy", null)).Json(HttpStatusCode.Created);
        var bobsImage = copy.GetProperty("questions")[1].Long("imageId");
        Assert.NotEqual(image.Long("id"), bobsImage);
        await (await ann.Api.PatchAsync($"/api/quizzes/{quiz.Long("id")}", new { visibility = "private" })).Status(HttpStatusCode.OK);
        await (await bob.Api.GetAsync(url)).Problem(HttpStatusCode.NotFound);
        Assert.Equal(await DownloadAsync(ann.Api, url), await DownloadAsync(bob.Api, $"/api/images/{bobsImage}"));
    }

    [Fact]
    public async Task The_json_export_carries_the_pictures_and_imports_back_for_another_teacher()
    {
        var ann = await SignUpAsync();
        var bob = await SignUpAsync();
        var png = await UploadAsync(ann, TestImages.Png(80, 60));
        var jpeg = await UploadAsync(ann, TestImages.Jpeg(40, 30), "image/jpeg");
        var quiz = await CreateQuizAsync(ann, QuizWith("Pictures", png.Long("id"), null, jpeg.Long("id")));

        var export = await (await ann.Api.GetAsync($"/api/quizzes/{quiz.Long("id")}/export?format=json")).Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(export);
        var questions = json.RootElement.GetProperty("questions");
        Assert.False(questions[0].TryGetProperty("imageId", out _));
        Assert.Equal("image/png", questions[0].GetProperty("image").Str("contentType"));
        Assert.Equal(await DownloadAsync(ann.Api, png.Str("url")), Convert.FromBase64String(questions[0].GetProperty("image").Str("data")));
        Assert.False(questions[1].TryGetProperty("image", out _));

        var report = await (await bob.Api.PostAsync("/api/quizzes/import", Raw(Encoding.UTF8.GetBytes(export), "application/json"))).Json(HttpStatusCode.Created);
        var imported = report.GetProperty("quiz").GetProperty("questions");
        var first = imported[0].Long("imageId");
        Assert.NotEqual(png.Long("id"), first);
        Assert.False(imported[1].TryGetProperty("imageId", out _));
        Assert.Equal(await DownloadAsync(ann.Api, png.Str("url")), await DownloadAsync(bob.Api, $"/api/images/{first}"));
        Assert.Equal(await DownloadAsync(ann.Api, jpeg.Str("url")), await DownloadAsync(bob.Api, $"/api/images/{imported[2].Long("imageId")}"));

        // Formats without pictures say so before the download.
        var check = await (await ann.Api.GetAsync($"/api/quizzes/{quiz.Long("id")}/export/check?format=gift")).Json(HttpStatusCode.OK);
        Assert.Contains(check.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("Pictures left out (questions 1, 3)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_inline_picture_that_is_not_one_is_a_validation_problem_naming_the_question()
    {
        var teacher = await SignUpAsync();
        var quiz = new
        {
            title = "Inline",
            questions = new object[]
            {
                new { type = "truefalse", text = "A", correct = true, image = new { data = Convert.ToBase64String(TestImages.Png()) } },
                new { type = "truefalse", text = "B", correct = true, image = new { data = Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")) } },
            },
        };

        await (await teacher.Api.PostAsync("/api/quizzes", quiz)).ValidationProblem("questions[1].image");
        await (await teacher.Api.PostAsync("/api/quizzes", new { title = "x", questions = new[] { new { type = "truefalse", text = "A", correct = true, image = new { data = "not base64!" } } } }))
            .ValidationProblem("questions[0].image.data");
    }

    [Fact]
    public async Task Players_load_the_current_questions_picture_from_the_address_the_game_sends_with_it()
    {
        var teacher = await SignUpAsync();
        var image = await UploadAsync(teacher, TestImages.Png());
        var quiz = await CreateQuizAsync(teacher, QuizWith("Live", image.Long("id")));
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId = quiz.Long("id"), options = new { readSeconds = 2 } })).Json(HttpStatusCode.Created);
        await using var host = await HubClient.ConnectAsync(App.BaseAddress, teacher.Token);
        await host.InvokeAsync("Host", game.Long("id"));
        await using var player = await HubClient.ConnectAsync(App.BaseAddress);
        await player.InvokeAsync("Join", game.Str("pin"), "Ann");

        await host.InvokeAsync("Start");
        var shown = await player.NextAsync("question");

        var link = shown.Str("image");
        Assert.StartsWith("/api/play/images/", link, StringComparison.Ordinal);
        var phone = Anonymous();
        var response = await phone.GetAsync(link);
        await response.Status(HttpStatusCode.OK);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await DownloadAsync(teacher.Api, image.Str("url")), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(link, (await host.NextAsync("question")).Str("image"));
        // A made-up or altered address is nothing.
        await (await phone.GetAsync(link[..^3] + "abc")).Problem(HttpStatusCode.NotFound);
        await (await phone.GetAsync("/api/play/images/" + image.Long("id"))).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_student_playing_an_assignment_loads_the_questions_picture_from_the_address_it_comes_with()
    {
        var teacher = await SignUpAsync();
        var image = await UploadAsync(teacher, TestImages.Jpeg(), "image/jpeg");
        var quiz = await CreateQuizAsync(teacher, QuizWith("Homework", null, image.Long("id")));
        var deadline = App.Clock.GetUtcNow() + TimeSpan.FromDays(2);
        var code = (await (await teacher.Api.PostAsync("/api/assignments", new { quizId = quiz.Long("id"), deadline, options = new { timer = "off" } }))
            .Json(HttpStatusCode.Created)).Str("code");
        var phone = Anonymous();
        var token = (await (await phone.PostAsync($"/api/a/{code}/start", new { name = "Ann" })).Json(HttpStatusCode.Created)).Str("token");

        var first = (await (await phone.PostAsync($"/api/a/{code}/next", new { token })).Json(HttpStatusCode.OK)).GetProperty("question");
        Assert.False(first.TryGetProperty("image", out var none) && none.ValueKind != JsonValueKind.Null);
        await (await phone.PostAsync($"/api/a/{code}/answers", new { token, questionIndex = 0, answer = true })).Status(HttpStatusCode.OK);
        var second = (await (await phone.PostAsync($"/api/a/{code}/next", new { token })).Json(HttpStatusCode.OK)).GetProperty("question");

        var response = await phone.GetAsync(second.Str("image"));
        await response.Status(HttpStatusCode.OK);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await DownloadAsync(teacher.Api, image.Str("url")), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Images_no_quiz_uses_are_deleted_after_the_grace_period_and_used_ones_are_kept()
    {
        var teacher = await SignUpAsync();
        var kept = await UploadAsync(teacher, TestImages.Png(10, 10));
        var removed = await UploadAsync(teacher, TestImages.Png(11, 11));
        var ofDeletedQuiz = await UploadAsync(teacher, TestImages.Png(12, 12));
        var neverUsed = await UploadAsync(teacher, TestImages.Png(13, 13));
        var quiz = await CreateQuizAsync(teacher, QuizWith("Keep", kept.Long("id"), removed.Long("id")));
        var doomed = await CreateQuizAsync(teacher, QuizWith("Doomed", ofDeletedQuiz.Long("id")));
        await (await teacher.Api.PutAsync($"/api/quizzes/{quiz.Long("id")}", QuizWith("Keep", kept.Long("id"), null))).Status(HttpStatusCode.OK);
        await (await teacher.Api.DeleteAsync($"/api/quizzes/{doomed.Long("id")}")).Status(HttpStatusCode.NoContent);
        var sweep = App.Service<ImageSweep>();

        await sweep.SweepAsync(App.Clock.GetUtcNow() + ImageSweep.Grace - TimeSpan.FromMinutes(1));
        foreach (var image in new[] { kept, removed, ofDeletedQuiz, neverUsed })
        {
            await (await teacher.Api.GetAsync(image.Str("url"))).Status(HttpStatusCode.OK);
        }

        await sweep.SweepAsync(App.Clock.GetUtcNow() + ImageSweep.Grace + TimeSpan.FromMinutes(1));
        await (await teacher.Api.GetAsync(kept.Str("url"))).Status(HttpStatusCode.OK);
        foreach (var image in new[] { removed, ofDeletedQuiz, neverUsed })
        {
            await (await teacher.Api.GetAsync(image.Str("url"))).Problem(HttpStatusCode.NotFound);
        }
    }
}

public sealed class SqliteQuestionImagesTests(SqliteFixture fixture) : QuestionImagesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresQuestionImagesTests(PostgresFixture fixture) : QuestionImagesTests(fixture), IClassFixture<PostgresFixture>;
