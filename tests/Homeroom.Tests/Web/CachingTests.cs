using System.Net;
using System.Text;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Web;

/// <summary>
/// Personal answers must never be kept by a browser or a proxy: every API answer is Cache-Control: no-store,
/// except the public store locator asked anonymously, which any cache may keep for a minute.
/// </summary>
public abstract class CachingTests(AppFixture fixture) : AppTests(fixture)
{
    private static void NoStore(HttpResponseMessage response) =>
        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{response.RequestMessage!.RequestUri} answered Cache-Control: {response.Headers.CacheControl}");

    [Fact]
    public async Task Personal_answers_are_no_store()
    {
        var teacher = await SignUpAsync();
        var (classId, _) = await teacher.ClassWithStudentsAsync(3);
        var quiz = await (await teacher.Api.PostAsync("/api/quizzes/import", new StringContent("Q {=a ~b}", Encoding.UTF8, "text/plain"))).Json(HttpStatusCode.Created);
        var quizId = quiz.GetProperty("quiz").Long("id");

        foreach (var path in new[]
        {
            "/api/me", "/api/auth/session", "/api/classes", $"/api/classes/{classId}", $"/api/classes/{classId}/students",
            $"/api/classes/{classId}/students/export", $"/api/classes/{classId}/picks/stats", "/api/quizzes", $"/api/quizzes/{quizId}",
            $"/api/quizzes/{quizId}/export?format=gift", "/api/quizzes/public", "/api/reports", "/api/places", "/api/places/near?lat=1&lon=1",
            "/api/classes/999999999",
        })
        {
            NoStore(await teacher.Api.GetAsync(path));
        }

        NoStore(await teacher.Api.PostAsync($"/api/classes/{classId}/picks", new { mode = "fair" }));
        NoStore(await teacher.Api.PatchAsync("/api/me", new { displayName = "Ms. Cache" }));
    }

    [Fact]
    public async Task Anonymous_and_error_answers_under_the_api_are_no_store()
    {
        using var anonymous = Anonymous();

        foreach (var path in new[] { "/api/me", "/api/auth/session", "/api/auth/antiforgery", "/api/play/000000", "/api/nothing-here" })
        {
            NoStore(await anonymous.GetAsync(path));
        }

        NoStore(await anonymous.PostAsync("/api/auth/login", new { username = "nobody", password = "whatever it is" }));
    }

    [Fact]
    public async Task The_public_store_locator_asked_anonymously_may_be_cached_briefly()
    {
        using var anonymous = Anonymous();

        var response = await anonymous.GetAsync("/api/places/near?lat=52.5&lon=13.4");

        await response.Status(HttpStatusCode.OK);
        Assert.True(response.Headers.CacheControl?.Public, response.Headers.CacheControl?.ToString());
        Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.CacheControl?.MaxAge);
        Assert.Contains("Authorization", response.Headers.Vary);
        Assert.Contains("Cookie", response.Headers.Vary);
        NoStore(await anonymous.GetAsync("/api/places/near?lat=100&lon=13.4"));
    }
}

public sealed class SqliteCachingTests(SqliteFixture fixture) : CachingTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresCachingTests(PostgresFixture fixture) : CachingTests(fixture), IClassFixture<PostgresFixture>;
