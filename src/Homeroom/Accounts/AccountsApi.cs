using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Homeroom.Accounts;

/// <summary>A teacher's row, as the accounts feature reads it.</summary>
public sealed class TeacherAccount
{
    public long Id { get; init; }

    public string Username { get; init; } = "";

    public string DisplayName { get; init; } = "";

    public string PasswordHash { get; init; } = "";

    public string SecurityStamp { get; init; } = "";

    public string TimeZone { get; init; } = "UTC";

    public long CreatedAt { get; init; }

    public TeacherProfile ToProfile() => new(Id, Username, DisplayName, TimeZone, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt));
}

/// <summary>The signed-in teacher, as the API shows them.</summary>
public sealed record TeacherProfile(long Id, string Username, string DisplayName, string TimeZone, DateTimeOffset CreatedAt);

/// <summary>Lets a page ask "am I signed in?" without a 401 in the browser console.</summary>
public sealed record SessionState(bool SignedIn, TeacherProfile? Profile);

public sealed record AntiforgeryToken(string Token, string HeaderName);

public sealed partial record SignupRequest(string? Username, string? Password, string? DisplayName, string? TimeZone) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        AccountRules.Username(errors, Username);
        AccountRules.NewPassword(errors, "password", Password);
        errors.OptionalText("displayName", DisplayName, AccountRules.MaxDisplayName);
        AccountRules.TimeZoneId(errors, TimeZone);
    }
}

public sealed record LoginRequest(string? Username, string? Password) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(Username))
        {
            errors.Add("username", "username is required.");
        }

        if (string.IsNullOrEmpty(Password))
        {
            errors.Add("password", "password is required.");
        }
    }
}

public sealed record RefreshRequest(string? RefreshToken) : IValidatable
{
    public void Validate(ValidationErrors errors) => errors.RequireText("refreshToken", RefreshToken, 8192);
}

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(CurrentPassword))
        {
            errors.Add("currentPassword", "currentPassword is required.");
        }

        AccountRules.NewPassword(errors, "newPassword", NewPassword);
    }
}

public sealed record UpdateMeRequest(string? DisplayName, string? TimeZone) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (DisplayName is not null)
        {
            errors.RequireText("displayName", DisplayName, AccountRules.MaxDisplayName);
        }

        AccountRules.TimeZoneId(errors, TimeZone);
    }
}

public sealed record DeleteAccountRequest(string? Password) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(Password))
        {
            errors.Add("password", "password is required to delete the account.");
        }
    }
}

public static partial class AccountRules
{
    public const int MaxDisplayName = 100;
    public const int MinPassword = 10;

    // Long enough for any passphrase, short enough that hashing it costs nothing unusual.
    public const int MaxPassword = 256;

    public static string Key(string username) => username.Trim().ToLowerInvariant();

    public static void Username(ValidationErrors errors, string? username)
    {
        if (string.IsNullOrWhiteSpace(username))
        {
            errors.Add("username", "username is required.");
        }
        else if (!UsernamePattern().IsMatch(username.Trim()))
        {
            errors.Add("username", "username must be 3 to 32 letters, digits, '.', '_' or '-'.");
        }
    }

    public static void NewPassword(ValidationErrors errors, string field, string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add(field, $"{field} is required.");
        }
        else if (password.Length < MinPassword)
        {
            errors.Add(field, $"{field} must be at least {MinPassword} characters long.");
        }
        else if (password.Length > MaxPassword)
        {
            errors.Add(field, $"{field} must be at most {MaxPassword} characters long.");
        }
    }

    public static void TimeZoneId(ValidationErrors errors, string? timeZone)
    {
        if (timeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add("timeZone", $"timeZone must be an IANA time zone such as 'Europe/London', not '{timeZone}'.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{3,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();
}

public static class AccountsApi
{
    private const string TeacherColumns = "id, username, display_name, password_hash, security_stamp, time_zone, created_at";

    public static void MapAccounts(this IEndpointRouteBuilder api)
    {
        // Only the endpoints that check passwords or mint tokens are rate limited; a school behind one
        // address must still be able to fetch antiforgery tokens and sign out freely.
        var auth = api.MapGroup("/auth").WithTags("Accounts");
        auth.MapPost("/signup", Signup).WithSummary("Create a teacher account").RequireRateLimiting(AccountsSetup.AuthRateLimit)
            .Problem(StatusCodes.Status409Conflict, "The username is taken (ignoring case); `errors.username` says so.");
        auth.MapPost("/login", Login)
            .RequireRateLimiting(AccountsSetup.AuthRateLimit)
            .WithSummary("Sign in: a bearer token for programs, or a cookie for the browser with ?useCookies=true")
            .Produces<AccessTokenResponse>()
            .Produces<TeacherProfile>(contentType: "application/json")
            .Problem(StatusCodes.Status401Unauthorized, "The username or password is wrong.")
            .Problem(StatusCodes.Status429TooManyRequests, "Too many failed sign-ins for this username, or too many requests from this client: wait the Retry-After seconds.");
        auth.MapPost("/refresh", Refresh).WithSummary("Exchange a refresh token for a new access token").Produces<AccessTokenResponse>()
            .RequireRateLimiting(AccountsSetup.AuthRateLimit)
            .Problem(StatusCodes.Status401Unauthorized, "The refresh token is invalid or expired, or the session has ended.");
        auth.MapGet("/session", Session).WithSummary("Whether this request is signed in, and as whom (never 401)");
        auth.MapPost("/logout", (Delegate)Logout).WithSummary("Sign out: ends this session (cookie or bearer token and its refresh token) on every server");
        auth.MapGet("/antiforgery", GetAntiforgeryToken).WithSummary("The token that cookie-authenticated writes send in X-CSRF-TOKEN");

        var me = api.MapGroup("/me").WithTags("Accounts").RequireAuthorization();
        me.MapGet("/", GetMe).WithSummary("The signed-in teacher");
        me.MapPatch("/", UpdateMe).WithSummary("Change display name or time zone");
        me.MapPost("/password", ChangePassword).WithSummary("Change password; ends every other session (this one goes on)");
        me.MapDelete("/", DeleteAccount).WithSummary("Delete the account and everything it owns");
    }

    private static async Task<Results<Created<TeacherProfile>, ProblemHttpResult>> Signup(
        SignupRequest request, Database database, IPasswordHasher<TeacherAccount> hasher, TimeProvider clock)
    {
        var username = request.Username!.Trim();
        var account = new TeacherAccount
        {
            Username = username,
            DisplayName = request.DisplayName?.Trim() is { Length: > 0 } name ? name : username,
            SecurityStamp = NewStamp(),
            TimeZone = request.TimeZone ?? "UTC",
            CreatedAt = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        var hash = hasher.HashPassword(account, request.Password!);
        try
        {
            var id = await database.WriteAsync((connection, transaction) => connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO teachers (username, username_key, display_name, password_hash, security_stamp, time_zone, created_at)
                VALUES (@Username, @Key, @DisplayName, @hash, @SecurityStamp, @TimeZone, @CreatedAt)
                RETURNING id
                """,
                new { account.Username, Key = AccountRules.Key(username), account.DisplayName, hash, account.SecurityStamp, account.TimeZone, account.CreatedAt },
                transaction));
            var me = new TeacherProfile(id, account.Username, account.DisplayName, account.TimeZone, DateTimeOffset.FromUnixTimeMilliseconds(account.CreatedAt));
            return TypedResults.Created("/api/me", me);
        }
        catch (DbException e) when (database.IsUniqueViolation(e))
        {
            return UsernameTaken(username);
        }
    }

    private static async Task<IResult> Login(
        LoginRequest request, bool? useCookies, HttpContext context, Database database,
        IPasswordHasher<TeacherAccount> hasher, LoginThrottle throttle, SecurityStampCheck sessions)
    {
        var key = AccountRules.Key(request.Username!);
        if (await throttle.RetryAfterAsync(key) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status429TooManyRequests,
                title: "Too many failed sign-ins",
                detail: $"Too many failed sign-ins for this username. Try again in {seconds} seconds.");
        }

        var account = await FindAsync(database, "username_key = @key", new { key });
        var verdict = account is null
            ? VerifyAgainstDecoy(hasher, request.Password!)
            : hasher.VerifyHashedPassword(account, account.PasswordHash, request.Password!);
        if (account is null || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(key);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Sign-in failed",
                detail: "The username or password is wrong.");
        }

        await throttle.ClearAsync(key);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            var rehashed = hasher.HashPassword(account, request.Password!);
            await database.WriteAsync((connection, transaction) =>
                connection.ExecuteAsync("UPDATE teachers SET password_hash = @rehashed WHERE id = @Id", new { rehashed, account.Id }, transaction));
        }

        await sessions.PruneAsync(account.Id);
        var principal = TeacherClaims.Principal(account.Id, account.Username, account.SecurityStamp, await sessions.StartAsync(account.Id));
        if (useCookies == true)
        {
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            return TypedResults.Ok(account.ToProfile());
        }

        // The bearer-token handler writes {tokenType, accessToken, expiresIn, refreshToken}.
        return TypedResults.SignIn(principal, authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Refresh(
        RefreshRequest request, Database database, TimeProvider clock, IOptionsMonitor<BearerTokenOptions> bearerOptions, SecurityStampCheck sessions)
    {
        var protector = bearerOptions.Get(BearerTokenDefaults.AuthenticationScheme).RefreshTokenProtector;
        var ticket = protector.Unprotect(request.RefreshToken);
        if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
            || ticket.Principal.TeacherId() is not { } teacherId)
        {
            return RefreshRefused();
        }

        var account = await FindAsync(database, "id = @teacherId", new { teacherId });
        if (account is null)
        {
            return RefreshRefused();
        }

        // A refreshed token belongs to the same session: signing out ends both. A token from before sessions
        // existed is checked by the stamp and gets a session of its own.
        var sessionId = ticket.Principal.SessionId();
        if (sessionId is null
            ? account.SecurityStamp != ticket.Principal.FindFirst(TeacherClaims.SecurityStamp)?.Value
            : !await sessions.IsOpenNowAsync(account.Id, sessionId))
        {
            return RefreshRefused();
        }

        sessionId ??= await sessions.StartAsync(account.Id);
        return TypedResults.SignIn(TeacherClaims.Principal(account.Id, account.Username, account.SecurityStamp, sessionId),
            authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }

    private static async Task<Ok<SessionState>> Session(HttpContext context, Database database)
    {
        if (context.User.TeacherId() is not { } teacherId)
        {
            return TypedResults.Ok(new SessionState(false, null));
        }

        var account = await FindAsync(database, "id = @teacherId", new { teacherId });
        return TypedResults.Ok(new SessionState(account is not null, account?.ToProfile()));
    }

    /// <summary>Ends the session the request belongs to, cookie or bearer token, on every server; removes the cookie.</summary>
    private static async Task<NoContent> Logout(HttpContext context, SecurityStampCheck sessions)
    {
        if (context.User.TeacherId() is { } teacherId && context.User.SessionId() is { } sessionId)
        {
            await sessions.EndAsync(teacherId, sessionId);
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static Ok<AntiforgeryToken> GetAntiforgeryToken(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new AntiforgeryToken(tokens.RequestToken!, AccountsSetup.AntiforgeryHeader));
    }

    private static async Task<Results<Ok<TeacherProfile>, UnauthorizedHttpResult>> GetMe(TeacherDb mine)
    {
        var account = await FindAsync(mine);
        return account is null ? TypedResults.Unauthorized() : TypedResults.Ok(account.ToProfile());
    }

    private static async Task<Results<Ok<TeacherProfile>, UnauthorizedHttpResult>> UpdateMe(UpdateMeRequest request, TeacherDb mine, SecurityStampCheck sessions)
    {
        await mine.ExecuteAsync(
            """
            UPDATE teachers SET display_name = COALESCE(@displayName, display_name), time_zone = COALESCE(@TimeZone, time_zone)
            WHERE id = @TeacherId
            """,
            new { displayName = request.DisplayName?.Trim(), request.TimeZone });
        sessions.Forget(mine.TeacherId);
        return await GetMe(mine);
    }

    private static async Task<Results<NoContent, ValidationProblem, UnauthorizedHttpResult>> ChangePassword(
        ChangePasswordRequest request, TeacherDb mine, HttpContext context,
        IPasswordHasher<TeacherAccount> hasher, SecurityStampCheck stamps)
    {
        var account = await FindAsync(mine);
        if (account is null)
        {
            return TypedResults.Unauthorized();
        }

        if (hasher.VerifyHashedPassword(account, account.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["currentPassword"] = ["currentPassword is wrong."] });
        }

        // Every other session ends: those with a session id by their row, older ones by the new stamp. The session
        // that changed the password (cookie or bearer token) goes on.
        var stamp = NewStamp();
        await mine.ExecuteAsync("UPDATE teachers SET password_hash = @hash, security_stamp = @stamp WHERE id = @TeacherId",
            new { hash = hasher.HashPassword(account, request.NewPassword!), stamp });
        var current = context.User.SessionId();
        await stamps.EndOthersAsync(account.Id, current);
        stamps.Forget(account.Id);
        if (current is null && !context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            // A cookie from before sessions existed: keep this browser signed in, with a session of its own.
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
                TeacherClaims.Principal(account.Id, account.Username, stamp, await stamps.StartAsync(account.Id)));
        }

        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem, UnauthorizedHttpResult>> DeleteAccount(
        [FromBody] DeleteAccountRequest request, TeacherDb mine, HttpContext context,
        IPasswordHasher<TeacherAccount> hasher, SecurityStampCheck stamps)
    {
        var account = await FindAsync(mine);
        if (account is null)
        {
            return TypedResults.Unauthorized();
        }

        if (hasher.VerifyHashedPassword(account, account.PasswordHash, request.Password!) == PasswordVerificationResult.Failed)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["password is wrong."] });
        }

        // Everything a teacher owns references teachers(id) ON DELETE CASCADE.
        await mine.ExecuteAsync("DELETE FROM teachers WHERE id = @TeacherId");
        stamps.Forget(account.Id);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static Task<TeacherAccount?> FindAsync(TeacherDb mine) =>
        mine.QuerySingleOrDefaultAsync<TeacherAccount>($"SELECT {TeacherColumns} FROM teachers WHERE id = @TeacherId");

    private static async Task<TeacherAccount?> FindAsync(Database database, string where, object args)
    {
        await using var connection = await database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<TeacherAccount>($"SELECT {TeacherColumns} FROM teachers WHERE {where}", args);
    }

    private static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static readonly Lazy<string> Decoy = new(() => new PasswordHasher<TeacherAccount>().HashPassword(new TeacherAccount(), NewStamp()));

    /// <summary>Spends the same time on an unknown username as on a known one, so timing reveals nothing.</summary>
    private static PasswordVerificationResult VerifyAgainstDecoy(IPasswordHasher<TeacherAccount> hasher, string password)
    {
        hasher.VerifyHashedPassword(new TeacherAccount(), Decoy.Value, password);
        return PasswordVerificationResult.Failed;
    }

    private static ProblemHttpResult UsernameTaken(string username) => TypedResults.Problem(new ProblemDetails
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Username taken",
        Detail = $"The username '{username}' is already taken.",
        Extensions = { ["errors"] = new Dictionary<string, string[]> { ["username"] = ["username is already taken."] } },
    });

    private static ProblemHttpResult RefreshRefused() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized, title: "Refresh refused", detail: "The refresh token is invalid or has expired.");
}
