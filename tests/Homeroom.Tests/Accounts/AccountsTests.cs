using System.Net;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Accounts;

public abstract class AccountsTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task Signup_answers_201_with_the_profile_and_where_to_find_it()
    {
        using var api = Anonymous();
        var username = Teacher.NewUsername();

        var response = await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword, displayName = "Ms. Ada Lovelace" });

        var profile = await response.Json(HttpStatusCode.Created);
        Assert.Equal("/api/me", response.Headers.Location?.OriginalString);
        Assert.Equal(username, profile.Str("username"));
        Assert.Equal("Ms. Ada Lovelace", profile.Str("displayName"));
        Assert.True(profile.Long("id") > 0);
        Assert.False(profile.TryGetProperty("passwordHash", out _));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("has space")]
    [InlineData("<script>")]
    [InlineData("émile")]
    [InlineData("")]
    public async Task Signup_refuses_a_bad_username_naming_the_field(string username)
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword });

        await response.ValidationProblem("username");
    }

    [Fact]
    public async Task Signup_accepts_every_allowed_username_character()
    {
        using var api = Anonymous();
        var username = "A.b_c-" + Guid.NewGuid().ToString("N")[..8];

        var response = await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword });

        await response.Status(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Signup_refuses_a_short_password_naming_the_field()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new { username = Teacher.NewUsername(), password = "123456789" });

        var messages = await response.ValidationProblem("password");
        Assert.Contains(messages, m => m.Contains("10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signup_with_nothing_names_every_missing_field()
    {
        using var api = Anonymous();

        var response = await api.PostAsync("/api/auth/signup", new { });

        await response.ValidationProblem("username");
        await response.ValidationProblem("password");
    }

    [Fact]
    public async Task Usernames_are_unique_ignoring_case()
    {
        using var api = Anonymous();
        var username = "Case" + Guid.NewGuid().ToString("N")[..8];
        await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);

        var again = await api.PostAsync("/api/auth/signup", new { username = username.ToUpperInvariant(), password = Teacher.DefaultPassword });

        await again.ValidationProblem("username", HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Login_gives_a_bearer_token_that_reads_the_profile()
    {
        var teacher = await SignUpAsync();

        var me = await (await teacher.Api.GetAsync("/api/me")).Json(HttpStatusCode.OK);

        Assert.Equal(teacher.Username, me.Str("username"));
        Assert.Equal(teacher.Id, me.Long("id"));
    }

    [Fact]
    public async Task Login_ignores_the_case_of_the_username()
    {
        var teacher = await SignUpAsync();
        using var api = Anonymous();

        var token = await Teacher.LoginAsync(api, teacher.Username.ToUpperInvariant(), teacher.Password);

        Assert.NotEmpty(token);
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_user_get_the_same_401()
    {
        var teacher = await SignUpAsync();
        using var api = Anonymous();

        var wrong = await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = "not the password" })).Problem(HttpStatusCode.Unauthorized);
        var unknown = await (await api.PostAsync("/api/auth/login", new { username = Teacher.NewUsername(), password = "not the password" })).Problem(HttpStatusCode.Unauthorized);

        Assert.Equal(wrong.Str("detail"), unknown.Str("detail"));
    }

    [Fact]
    public async Task The_api_refuses_no_token_and_a_forged_token()
    {
        using var api = Anonymous();
        await (await api.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);

        api.UseBearer("CfDJ8-forged-token");
        await (await api.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Repeated_failed_logins_are_throttled_per_username_until_the_window_passes()
    {
        var teacher = await SignUpAsync();
        var bystander = await SignUpAsync();
        using var api = Anonymous();
        for (var i = 0; i < 5; i++)
        {
            await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = "guess number " + i })).Status(HttpStatusCode.Unauthorized);
        }

        // Now even the right password is refused, with a time to wait; other usernames are unaffected.
        var throttled = await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password });
        await throttled.Problem(HttpStatusCode.TooManyRequests);
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalMinutes, 14, 15);
        Assert.NotEmpty(await Teacher.LoginAsync(api, bystander.Username, bystander.Password));

        App.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));

        Assert.NotEmpty(await Teacher.LoginAsync(api, teacher.Username, teacher.Password));
    }

    [Fact]
    public async Task A_successful_login_clears_earlier_failures()
    {
        var teacher = await SignUpAsync();
        using var api = Anonymous();
        for (var i = 0; i < 4; i++)
        {
            await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = "guess number " + i })).Status(HttpStatusCode.Unauthorized);
        }

        await Teacher.LoginAsync(api, teacher.Username, teacher.Password);
        for (var i = 0; i < 4; i++)
        {
            await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = "guess again " + i })).Status(HttpStatusCode.Unauthorized);
        }

        Assert.NotEmpty(await Teacher.LoginAsync(api, teacher.Username, teacher.Password));
    }

    [Fact]
    public async Task A_refresh_token_buys_a_new_access_token()
    {
        var teacher = await SignUpAsync();
        using var api = Anonymous();
        var login = await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password })).Json(HttpStatusCode.OK);

        var refreshed = await (await api.PostAsync("/api/auth/refresh", new { refreshToken = login.Str("refreshToken") })).Json(HttpStatusCode.OK);
        api.UseBearer(refreshed.Str("accessToken"));

        Assert.Equal(teacher.Username, (await (await api.GetAsync("/api/me")).Json(HttpStatusCode.OK)).Str("username"));
        await (await api.PostAsync("/api/auth/refresh", new { refreshToken = "not-a-token" })).Problem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_cookie_session_needs_the_antiforgery_token_to_write()
    {
        var teacher = await SignUpAsync();
        using var browser = Anonymous();

        var login = await browser.PostAsync("/api/auth/login?useCookies=true", new { username = teacher.Username, password = teacher.Password });
        Assert.Equal(teacher.Username, (await login.Json(HttpStatusCode.OK)).Str("username"));
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("homeroom=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        await (await browser.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        var forged = await browser.PatchAsync("/api/me", new { displayName = "Changed by another site" });
        await forged.Problem(HttpStatusCode.BadRequest);

        var token = (await (await browser.GetAsync("/api/auth/antiforgery")).Json(HttpStatusCode.OK)).Str("token");
        var genuine = await browser.SendAsync(HttpMethod.Patch, "/api/me", new { displayName = "Changed by me" },
            r => r.Headers.Add("X-CSRF-TOKEN", token));
        Assert.Equal("Changed by me", (await genuine.Json(HttpStatusCode.OK)).Str("displayName"));

        var logout = await browser.SendAsync(HttpMethod.Post, "/api/auth/logout", null, r => r.Headers.Add("X-CSRF-TOKEN", token));
        await logout.Status(HttpStatusCode.NoContent);
        await (await browser.GetAsync("/api/me")).Status(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Changing_the_password_ends_other_sessions()
    {
        var teacher = await SignUpAsync();
        const string newPassword = "a much better passphrase";
        using var other = Anonymous();
        other.UseBearer(await Teacher.LoginAsync(other, teacher.Username, teacher.Password));
        // Used once first, so the service has already opened (and remembered) the token when the password changes.
        await (await other.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        await (await teacher.Api.PostAsync("/api/me/password", new { currentPassword = "wrong password!", newPassword }))
            .ValidationProblem("currentPassword");
        await (await teacher.Api.PostAsync("/api/me/password", new { currentPassword = teacher.Password, newPassword = "short" }))
            .ValidationProblem("newPassword");
        await (await teacher.Api.PostAsync("/api/me/password", new { currentPassword = teacher.Password, newPassword }))
            .Status(HttpStatusCode.NoContent);

        await (await other.GetAsync("/api/me")).Status(HttpStatusCode.Unauthorized);
        await (await other.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password })).Status(HttpStatusCode.Unauthorized);
        Assert.NotEmpty(await Teacher.LoginAsync(other, teacher.Username, newPassword));
    }

    [Fact]
    public async Task A_bearer_token_stops_working_when_it_expires_even_after_heavy_use()
    {
        await using var app = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:AccessTokenHours"] = "1" });
        var teacher = await Teacher.SignUpAsync(app);
        for (var i = 0; i < 3; i++)
        {
            await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);
        }

        app.Clock.Advance(TimeSpan.FromMinutes(59));
        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await (await teacher.Api.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_token_changed_by_one_character_is_refused()
    {
        var teacher = await SignUpAsync();
        using var api = Anonymous();
        var token = await Teacher.LoginAsync(api, teacher.Username, teacher.Password);
        api.UseBearer(token);
        await (await api.GetAsync("/api/me")).Status(HttpStatusCode.OK);

        var middle = token.Length / 2;
        api.UseBearer(token[..middle] + (token[middle] == 'A' ? 'B' : 'A') + token[(middle + 1)..]);
        await (await api.GetAsync("/api/me")).Problem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_profile_can_change_its_display_name_and_time_zone()
    {
        var teacher = await SignUpAsync();

        await (await teacher.Api.PatchAsync("/api/me", new { timeZone = "Mars/Olympus_Mons" })).ValidationProblem("timeZone");
        await (await teacher.Api.PatchAsync("/api/me", new { displayName = "   " })).ValidationProblem("displayName");
        var updated = await (await teacher.Api.PatchAsync("/api/me", new { displayName = "  Mr. Chips  ", timeZone = "Europe/London" })).Json(HttpStatusCode.OK);

        Assert.Equal("Mr. Chips", updated.Str("displayName"));
        Assert.Equal("Europe/London", updated.Str("timeZone"));
    }

    [Fact]
    public async Task Names_are_stored_as_given_never_interpreted()
    {
        using var api = Anonymous();
        const string name = "<script>alert(1)</script> & \"Ünïcødé\" 李老师";
        var username = Teacher.NewUsername();

        var created = await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword, displayName = name })).Json(HttpStatusCode.Created);

        Assert.Equal(name, created.Str("displayName"));
    }

    [Fact]
    public async Task Deleting_the_account_needs_the_password_and_removes_everything()
    {
        var teacher = await SignUpAsync();

        await (await teacher.Api.DeleteAsync("/api/me", new { password = "not my password" })).ValidationProblem("password");
        await (await teacher.Api.DeleteAsync("/api/me", new { password = teacher.Password })).Status(HttpStatusCode.NoContent);

        await (await teacher.Api.GetAsync("/api/me")).Status(HttpStatusCode.Unauthorized);
        using var api = Anonymous();
        await (await api.PostAsync("/api/auth/login", new { username = teacher.Username, password = teacher.Password })).Status(HttpStatusCode.Unauthorized);
        await (await api.PostAsync("/api/auth/signup", new { username = teacher.Username, password = teacher.Password })).Status(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_session_endpoint_says_who_is_signed_in_without_a_401()
    {
        var teacher = await SignUpAsync();
        using var anonymous = Anonymous();

        var nobody = await (await anonymous.GetAsync("/api/auth/session")).Json(HttpStatusCode.OK);
        var somebody = await (await teacher.Api.GetAsync("/api/auth/session")).Json(HttpStatusCode.OK);

        Assert.False(nobody.GetProperty("signedIn").GetBoolean());
        Assert.True(somebody.GetProperty("signedIn").GetBoolean());
        Assert.Equal(teacher.Username, somebody.GetProperty("profile").Str("username"));
    }

    [Fact]
    public async Task Sign_in_requests_are_rate_limited_per_client()
    {
        await using var strict = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:AuthRequestsPerMinutePerClient"] = "3" });
        using var api = new ApiClient(strict.NewClient());
        for (var i = 0; i < 3; i++)
        {
            await (await api.PostAsync("/api/auth/login", new { username = "nobody", password = "whatever it is" })).Status(HttpStatusCode.Unauthorized);
        }

        var limited = await api.PostAsync("/api/auth/login", new { username = "nobody", password = "whatever it is" });

        await limited.Problem(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
        // Fetching an antiforgery token or signing out is never throttled.
        await (await api.GetAsync("/api/auth/antiforgery")).Status(HttpStatusCode.OK);
        await (await api.PostAsync("/api/auth/logout", null)).Status(HttpStatusCode.NoContent);
    }
}

public sealed class SqliteAccountsTests(SqliteFixture fixture) : AccountsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresAccountsTests(PostgresFixture fixture) : AccountsTests(fixture), IClassFixture<PostgresFixture>;
