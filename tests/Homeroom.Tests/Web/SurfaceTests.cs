using System.Net;
using System.Text.Json;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Web;

public abstract class SurfaceTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task Health_answers_at_once_and_ready_checks_the_database_and_names_its_engine_and_version()
    {
        using var api = Anonymous();

        var health = await api.GetAsync("/health");
        var ready = await (await api.GetAsync("/health/ready")).Json(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", ready.Str("status"));
        var database = ready.GetProperty("checks").GetProperty("database");
        Assert.Equal("Healthy", database.Str("status"));
        var engine = database.GetProperty("data").Str("engine");
        var version = Version.Parse(database.GetProperty("data").Str("version"));
        Assert.Equal($"{engine} {database.GetProperty("data").Str("version")} answers.", database.Str("description"));
        if (Fixture.Provider == StorageProvider.Sqlite)
        {
            // The SQLite bundled with the service (SQLitePCLRaw 3), not the 3.35.5 of 2021 that the 2.0 bundle carried.
            Assert.Equal("SQLite", engine);
            Assert.True(version >= new Version(3, 50), $"SQLite {version}");
        }
        else
        {
            Assert.Equal("PostgreSQL", engine);
            Assert.True(version.Major >= 13, $"PostgreSQL {version}");
        }
    }

    [Fact]
    public async Task The_openapi_document_describes_the_endpoints_and_their_shapes()
    {
        using var api = Anonymous();

        var document = await (await api.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/signup", "/api/auth/login", "/api/auth/logout", "/api/me", "/api/me/password" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        }

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.TryGetProperty("SignupRequest", out var signup));
        Assert.True(signup.GetProperty("properties").TryGetProperty("username", out _));
        Assert.True(schemas.TryGetProperty("TeacherProfile", out _));
        Assert.Equal(JsonValueKind.Object, paths.GetProperty("/api/me").GetProperty("get").GetProperty("responses").ValueKind);
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy()
    {
        using var api = Anonymous();

        foreach (var page in new[] { "/", "/login", "/signup", "/dashboard", "/account" })
        {
            var response = await api.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        }
    }

    [Fact]
    public async Task Pages_exist_only_at_their_clean_paths_and_scripts_are_revalidated()
    {
        using var api = Anonymous();

        var raw = await api.GetAsync("/dashboard.html");
        var script = await api.GetAsync("/js/api.js");

        Assert.Equal(HttpStatusCode.NotFound, raw.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("no-cache", script.Headers.CacheControl?.ToString());
        Assert.NotNull(script.Headers.ETag);
    }

    [Fact]
    public async Task Api_responses_forbid_sniffing_and_framing()
    {
        using var api = Anonymous();

        var response = await api.GetAsync("/api/me");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }
}

public sealed class SqliteSurfaceTests(SqliteFixture fixture) : SurfaceTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresSurfaceTests(PostgresFixture fixture) : SurfaceTests(fixture), IClassFixture<PostgresFixture>;
