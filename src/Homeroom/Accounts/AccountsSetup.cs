using System.Globalization;
using System.Text.Encodings.Web;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Homeroom.Accounts;

/// <summary>
/// Sign-in for people and programs with the framework's own handlers: a cookie for the browser, a bearer
/// token for everything else, chosen per request by the Authorization header. Cookie-authenticated
/// writes must carry an antiforgery token; sign-in endpoints are rate limited per client.
/// </summary>
public static class AccountsSetup
{
    public const string Scheme = "Homeroom";
    public const string AuthRateLimit = "auth";
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";
    public const string CookieName = "homeroom";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var settings = builder.Configuration.GetSection("Homeroom");
        var tokenLifetime = TimeSpan.FromHours(settings.GetValue("AccessTokenHours", 8.0));

        services.AddAuthentication(Scheme)
            .AddScheme<AuthenticationSchemeOptions, TeacherAuthenticationHandler>(Scheme, "Cookie or bearer token", null)
            .AddCookie(options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.ExpireTimeSpan = tokenLifetime;
                options.SlidingExpiration = true;
                // The API answers 401/403; pages decide for themselves where to send the person.
                options.Events.OnRedirectToLogin = context => SetStatus(context.Response, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => SetStatus(context.Response, StatusCodes.Status403Forbidden);
            })
            .AddBearerToken(options =>
            {
                options.BearerTokenExpiration = tokenLifetime;
                // Browsers cannot set headers on a WebSocket: hub clients send the token as ?access_token=.
                options.Events.OnMessageReceived = context =>
                {
                    if (HubToken(context.Request) is { Length: > 0 } token)
                    {
                        context.Token = token;
                    }

                    return Task.CompletedTask;
                };
            });
        services.AddAuthorization();
        services.AddMemoryCache();
        services.AddSingleton<SecurityStampCheck>();
        services.AddSingleton<BearerTicketCache>();
        services.AddSingleton<IPasswordHasher<TeacherAccount>, PasswordHasher<TeacherAccount>>();
        services.Configure<LoginThrottleOptions>(settings.GetSection("LoginThrottle"));
        services.AddSingleton<LoginThrottle>();
        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = "homeroom.csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });

        var perMinute = settings.GetValue("AuthRequestsPerMinutePerClient", 60);
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(AuthRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "local",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            options.OnRejected = async (context, cancellationToken) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Too many sign-in requests from this client. Wait a minute and try again.",
                    },
                });
            };
        });
        return builder;
    }

    /// <summary>
    /// A write that arrives with the sign-in cookie (and no bearer token) must carry the antiforgery
    /// token in the X-CSRF-TOKEN header, so another site cannot make a teacher's browser post for them.
    /// Bearer-token requests cannot be forged that way and need none.
    /// </summary>
    public static IApplicationBuilder UseCookieWriteProtection(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (context.User.Identity?.IsAuthenticated == true
                && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method)
                && request.Path.StartsWithSegments("/api", StringComparison.Ordinal)
                && !HasBearerToken(request))
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                    {
                        HttpContext = context,
                        ProblemDetails = new ProblemDetails
                        {
                            Status = StatusCodes.Status400BadRequest,
                            Title = "Missing antiforgery token",
                            Detail = $"Writes made with the sign-in cookie need the {AntiforgeryHeader} header from GET /api/auth/antiforgery.",
                        },
                    });
                    return;
                }
            }

            await next(context);
        });

    /// <summary>
    /// The default scheme: authenticates with the bearer-token handler when the request has an
    /// Authorization: Bearer header, else with the cookie handler, then refuses a ticket whose security
    /// stamp is stale (password changed, account deleted). Challenges are 401, forbids 403.
    /// </summary>
    private sealed class TeacherAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, SecurityStampCheck stamps, BearerTicketCache tickets)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var token = BearerToken(Request);
            AuthenticationTicket? ticket;
            if (token is null)
            {
                var result = await Context.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    return result;
                }

                ticket = new AuthenticationTicket(result.Principal, result.Properties, Scheme.Name);
            }
            else if (tickets.Find(token) is { } known)
            {
                ticket = known;
            }
            else
            {
                var result = await Context.AuthenticateAsync(BearerTokenDefaults.AuthenticationScheme);
                if (!result.Succeeded)
                {
                    return result;
                }

                ticket = new AuthenticationTicket(result.Principal, result.Properties, Scheme.Name);
                tickets.Remember(token, ticket);
            }

            return await stamps.IsCurrentAsync(ticket.Principal)
                ? AuthenticateResult.Success(ticket)
                : AuthenticateResult.Fail("The session has ended: the password was changed or the account deleted.");
        }
    }

    /// <summary>
    /// The bearer token a request carries, else null: ?access_token= on a hub, else the Authorization header
    /// (the order in which the bearer-token handler itself takes them, see OnMessageReceived).
    /// </summary>
    private static string? BearerToken(HttpRequest request)
    {
        if (HubToken(request) is { Length: > 0 } token)
        {
            return token;
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static bool HasBearerToken(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || HubToken(request) is { Length: > 0 };

    private static string? HubToken(HttpRequest request) =>
        request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal) ? request.Query["access_token"].ToString() : null;

    private static Task SetStatus(HttpResponse response, int status)
    {
        response.StatusCode = status;
        return Task.CompletedTask;
    }
}
