using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Homeroom.Classes;
using Homeroom.Quizzes;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Web;

/// <summary>
/// Every way a request to an import endpoint can fail to carry one good file gets a problem saying why, never a
/// 500, and stores nothing. The three import endpoints read uploads through one helper (Web/Uploads.cs).
/// </summary>
public abstract class UploadsTests(AppFixture fixture) : AppTests(fixture)
{
    public static readonly TheoryData<string> Endpoints = new() { "places", "quizzes", "students" };

    private async Task<(Teacher Teacher, string Path)> EndpointAsync(string endpoint)
    {
        var teacher = await SignUpAsync();
        var path = endpoint switch
        {
            "places" => "/api/places/import",
            "quizzes" => "/api/quizzes/import",
            _ => $"/api/classes/{await teacher.CreateClassAsync()}/students/import",
        };
        return (teacher, path);
    }

    private static async Task NothingStoredAsync(Teacher teacher, string path)
    {
        var listed = path switch
        {
            "/api/places/import" => await (await teacher.Api.GetAsync("/api/places/imports")).Json(HttpStatusCode.OK),
            "/api/quizzes/import" => (await (await teacher.Api.GetAsync("/api/quizzes")).Json(HttpStatusCode.OK)).GetProperty("items"),
            _ => await (await teacher.Api.GetAsync(path.Replace("/import", "", StringComparison.Ordinal))).Json(HttpStatusCode.OK),
        };
        Assert.Equal(0, listed.GetArrayLength());
    }

    private static ByteArrayContent Raw(string text, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    private static string FileText(string endpoint) => endpoint switch
    {
        "places" => "name,category,lat,lon\nLibrary,library,52.5,13.4\n",
        "quizzes" => "::Q1:: 2+2? {=4 ~3 ~5}\n",
        _ => "Ann\nBob\n",
    };

    private static StringContent File(string endpoint) => new(FileText(endpoint), Encoding.UTF8, endpoint == "places" ? "text/csv" : "text/plain");

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_form_with_no_file_is_a_400_naming_the_file(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);
        using var form = new MultipartFormDataContent { { new StringContent("1"), "x" } };

        var messages = await (await teacher.Api.PostAsync(path, form)).ValidationProblem("file");

        Assert.Contains("no file", messages[0], StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Multipart_without_a_boundary_is_a_400_saying_so(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);

        var messages = await (await teacher.Api.PostAsync(path, Raw("x=1", "multipart/form-data"))).ValidationProblem("file");

        Assert.Contains("boundary", messages[0], StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_body_that_is_not_multipart_at_all_is_a_400(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);

        var messages = await (await teacher.Api.PostAsync(path, Raw("just some text, no parts", "multipart/form-data; boundary=xyz"))).ValidationProblem("file");

        Assert.Contains("not a multipart/form-data form", messages[0], StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task A_url_encoded_form_or_an_image_is_a_415(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);

        var form = await (await teacher.Api.PostAsync(path, Raw("x=1", "application/x-www-form-urlencoded"))).Problem(HttpStatusCode.UnsupportedMediaType);
        var image = await (await teacher.Api.PostAsync(path, Raw("GIF89a", "image/gif"))).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("application/x-www-form-urlencoded", form.Str("detail"), StringComparison.Ordinal);
        Assert.Contains("image/gif", image.Str("detail"), StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task An_empty_file_is_a_422_saying_it_is_empty(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);
        using var form = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "empty.txt" } };

        var inForm = await (await teacher.Api.PostAsync(path, form)).Problem(HttpStatusCode.UnprocessableEntity);
        var raw = await (await teacher.Api.PostAsync(path, Raw("", "text/csv"))).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("The file 'empty.txt' is empty.", inForm.Str("detail"));
        Assert.Contains("empty", raw.Str("detail"), StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Two_files_are_a_400_asking_for_one(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);
        using var form = new MultipartFormDataContent { { File(endpoint), "file", "a.txt" }, { File(endpoint), "other", "b.txt" } };

        var messages = await (await teacher.Api.PostAsync(path, form)).ValidationProblem("file");

        Assert.Contains("2 files", messages[0], StringComparison.Ordinal);
        await NothingStoredAsync(teacher, path);
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task One_file_in_a_form_is_imported(string endpoint)
    {
        var (teacher, path) = await EndpointAsync(endpoint);
        using var form = new MultipartFormDataContent { { File(endpoint), "file", endpoint == "places" ? "places.csv" : "list.txt" } };

        var response = await teacher.Api.PostAsync(path, form);

        Assert.True((int)response.StatusCode is 200 or 201 or 202, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("quizzes", true)]
    [InlineData("quizzes", false)]
    [InlineData("students", true)]
    [InlineData("students", false)]
    public async Task A_file_over_the_limit_is_a_413(string endpoint, bool inForm)
    {
        var (teacher, path) = await EndpointAsync(endpoint);
        // Over each endpoint's own limit: a quiz file may carry pictures (32 MB), a roster is text (2 MB).
        var size = (endpoint == "quizzes" ? QuizTransfer.MaxUploadBytes : RosterTransfer.MaxUploadBytes) + (1024 * 1024);
        var huge = new ByteArrayContent(Encoding.UTF8.GetBytes(new string('a', size)));
        huge.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        HttpContent body = inForm ? new MultipartFormDataContent { { huge, "file", "huge.txt" } } : huge;
        // The server refuses a body over the limit before reading it; "Expect: 100-continue" lets the client hear
        // that instead of writing into a closed connection.
        using var client = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }) { BaseAddress = App.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
        request.Headers.ExpectContinue = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", teacher.Token);

        await (await client.SendAsync(request)).Problem(HttpStatusCode.RequestEntityTooLarge);
        await NothingStoredAsync(teacher, path);
    }
}

public sealed class SqliteUploadsTests(SqliteFixture fixture) : UploadsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresUploadsTests(PostgresFixture fixture) : UploadsTests(fixture), IClassFixture<PostgresFixture>;
