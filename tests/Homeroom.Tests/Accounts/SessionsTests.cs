using System.Globalization;
using System.Net;
using System.Security.Claims;
using Dapper;
using Homeroom.Accounts;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;

namespace Homeroom.Tests.Accounts;

/// <summary>
/// A session ended on the server stays ended: a copy of a signed-out cookie (or token) is refused, on this
/// server at once and on every other server sharing the database within <see cref="SecurityStampCheck.SessionCacheFor"/>.
/// </summary>
public abstract class SessionsTests(AppFixture fixture) : AppTests(fixture)
{
    /// <summary>Signs in with a cookie and returns the client and the cookie header a thief could copy.</summary>
    private static async Task<(ApiClient Browser, string Cookie, string Csrf)> CookieSessionAsync(HomeroomApp app, Teacher teacher)
    {
        var browser = new ApiClient(app.NewClient());
        var login = await browser.PostAsync("/api/auth/login?useCookies=true", new { username = teacher.Username, password = teacher.Password });
        await login.Status(HttpStatusCode.OK);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AccountsSetup.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];
        var csrf = (await (await browser.GetAsync("/api/auth/antiforgery")).Json(HttpStatusCode.OK)).Str("token");
        return (browser, cookie, csrf);
    }

    /// <summary>A client that sends only this cookie, by hand (as a copied cookie would be sent).</summary>
    private static ApiClient WithCookie(HomeroomApp app, string cookie)
    {
        var client = new HttpClient { BaseAddress = app.BaseAddress };
        if (cookie.Length > 0)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookie);
        }

        return new ApiClient(client);
    }

    [Fact]
    public async Task A_copy_of_a_signed_out_cookie_is_refused()
    {
        var teacher = await SignUpAsync();
        var (browser, cookie, csrf) = await CookieSessionAsync(App, teacher);
        using var copy = WithCookie(App, cookie);
        await (await copy.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await browser.SendAsync(HttpMethod.Post, "/api/auth/logout", null, r => r.Headers.Add("X-CSRF-TOKEN", csrf))).Status(HttpStatusCode.NoContent);

        await (await copy.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await browser.GetAsync("/api/me")).Status(HttpStatusCode.Unauthorized);
        // Other sessions of the same teacher go on.
        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        browser.Dispose();
    }

    [Fact]
    public async Task Signing_out_with_a_bearer_token_ends_that_token_and_its_refresh_token()
    {
        var teacher = await SignUpAsync();
        using var program = Anonymous();
        var login = await (await program.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password })).Json(HttpStatusCode.OK);
        program.UseBearer(login.Str("accessToken"));
        await (await program.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await program.PostAsync("/api/auth/logout", null)).Status(HttpStatusCode.NoContent);

        await (await program.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        using var other = Anonymous();
        await (await other.PostAsync("/api/auth/refresh", new { refreshToken = login.Str("refreshToken") })).Problem(HttpStatusCode.Unauthorized);
        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refreshed_token_belongs_to_the_same_session()
    {
        var teacher = await SignUpAsync();
        using var program = Anonymous();
        var login = await (await program.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password })).Json(HttpStatusCode.OK);
        var refreshed = await (await program.PostAsync("/api/auth/refresh", new { refreshToken = login.Str("refreshToken") })).Json(HttpStatusCode.OK);
        program.UseBearer(refreshed.Str("accessToken"));
        await (await program.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await program.PostAsync("/api/auth/logout", null)).Status(HttpStatusCode.NoContent);

        using var old = Anonymous();
        old.UseBearer(login.Str("accessToken"));
        await (await old.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await program.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_signed_out_session_is_refused_by_every_server_sharing_the_database()
    {
        await using var first = await Fixture.StartAppAsync();
        await using var second = await Fixture.StartAppAsync(connectionString: first.ConnectionString);
        var teacher = await Teacher.SignUpAsync(first);
        var (browser, cookie, csrf) = await CookieSessionAsync(first, teacher);
        using var program = new ApiClient(second.NewClient());
        program.UseBearer(await Teacher.LoginAsync(program, teacher.Username, teacher.Password));
        using var copyOnSecond = WithCookie(second, cookie);
        using var tokenOnFirst = WithCookie(first, "");
        tokenOnFirst.UseBearer(program.Http.DefaultRequestHeaders.Authorization!.Parameter!);
        // Both servers have seen (and cached) both sessions.
        await (await copyOnSecond.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        await (await tokenOnFirst.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await browser.SendAsync(HttpMethod.Post, "/api/auth/logout", null, r => r.Headers.Add("X-CSRF-TOKEN", csrf))).Status(HttpStatusCode.NoContent);
        await (await program.PostAsync("/api/auth/logout", null)).Status(HttpStatusCode.NoContent);

        // Once the other server's short cache has run out (its clock moved on), it refuses them too.
        second.Clock.Advance(SecurityStampCheck.SessionCacheFor);
        first.Clock.Advance(SecurityStampCheck.SessionCacheFor);
        await (await copyOnSecond.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await tokenOnFirst.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        browser.Dispose();
    }

    [Fact]
    public async Task A_token_from_before_sessions_existed_is_still_accepted_until_the_password_changes()
    {
        var teacher = await SignUpAsync();
        string stamp;
        await using (var connection = await App.Service<Database>().OpenAsync())
        {
            stamp = await connection.QuerySingleAsync<string>("SELECT security_stamp FROM teachers WHERE id = @id", new { id = teacher.Id });
        }

        // What a sign-in wrote before sessions: the teacher's id, name and security stamp, no session id.
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, teacher.Id.ToString(CultureInfo.InvariantCulture)), new Claim(ClaimTypes.Name, teacher.Username), new Claim(TeacherClaims.SecurityStamp, stamp)],
            TeacherClaims.AuthenticationType);
        var properties = new AuthenticationProperties { ExpiresUtc = App.Clock.GetUtcNow().AddHours(1) };
        var protector = App.Service<IOptionsMonitor<BearerTokenOptions>>().Get(BearerTokenDefaults.AuthenticationScheme).BearerTokenProtector;
        using var old = Anonymous();
        old.UseBearer(protector.Protect(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, BearerTokenDefaults.AuthenticationScheme)));

        await (await old.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        await (await teacher.Api.PostAsync("/api/me/password", new { currentPassword = teacher.Password, newPassword = "a much better passphrase" }))
            .Status(HttpStatusCode.NoContent);

        await (await old.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Changing_the_password_with_a_bearer_token_keeps_that_token_and_ends_every_other_session()
    {
        var teacher = await SignUpAsync();
        var (browser, _, _) = await CookieSessionAsync(App, teacher);
        using var other = Anonymous();
        other.UseBearer(await Teacher.LoginAsync(other, teacher.Username, teacher.Password));
        await (await other.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        await (await browser.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await teacher.Api.PostAsync("/api/me/password", new { currentPassword = teacher.Password, newPassword = "a much better passphrase" }))
            .Status(HttpStatusCode.NoContent);

        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        await (await other.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await browser.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        browser.Dispose();
    }

    [Fact]
    public async Task Changing_the_password_with_a_cookie_keeps_that_browser_and_ends_every_other_session()
    {
        var teacher = await SignUpAsync();
        var (browser, _, csrf) = await CookieSessionAsync(App, teacher);
        var (otherBrowser, _, _) = await CookieSessionAsync(App, teacher);
        await (await otherBrowser.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await browser.SendAsync(HttpMethod.Post, "/api/me/password",
                new { currentPassword = teacher.Password, newPassword = "a much better passphrase" }, r => r.Headers.Add("X-CSRF-TOKEN", csrf)))
            .Status(HttpStatusCode.NoContent);

        await (await browser.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        await (await otherBrowser.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        await (await teacher.Api.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
        browser.Dispose();
        otherBrowser.Dispose();
    }
}

public sealed class SqliteSessionsTests(SqliteFixture fixture) : SessionsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresSessionsTests(PostgresFixture fixture) : SessionsTests(fixture), IClassFixture<PostgresFixture>;
