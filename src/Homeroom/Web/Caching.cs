using Homeroom.Accounts;
using Microsoft.Net.Http.Headers;

namespace Homeroom.Web;

/// <summary>Marks an endpoint whose answers to anonymous requests are public: anyone's cache may keep them a while.</summary>
public sealed record PublicCacheMetadata(int MaxAgeSeconds);

/// <summary>
/// What browsers and proxies may keep. Every answer under /api and /hubs is personal or changing (a teacher's data,
/// a session, a game) unless an endpoint says otherwise, so it is sent with <c>Cache-Control: no-store</c>: a
/// shared computer's cache or a school proxy never holds a teacher's data. The exception is an endpoint marked
/// <see cref="PublicCacheMetadata"/> (the store locator's public places), answered with <c>public, max-age</c> when
/// the request carries no sign-in at all; signed in, the same endpoint includes the teacher's own places and is
/// no-store too. An endpoint that sets Cache-Control itself keeps its own.
/// </summary>
public static class ApiCaching
{
    public const int PublicPlacesSeconds = 60;

    public static TBuilder CacheablePublicly<TBuilder>(this TBuilder builder, int maxAgeSeconds) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PublicCacheMetadata(maxAgeSeconds));

    public static IApplicationBuilder UseApiCaching(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/api", StringComparison.Ordinal) || path.StartsWithSegments("/hubs", StringComparison.Ordinal))
            {
                context.Response.OnStarting(() =>
                {
                    Decide(context);
                    return Task.CompletedTask;
                });
            }

            return next(context);
        });

    private static void Decide(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (headers.ContainsKey(HeaderNames.CacheControl))
        {
            return;
        }

        if (context.Response.StatusCode == StatusCodes.Status200OK
            && context.GetEndpoint()?.Metadata.GetMetadata<PublicCacheMetadata>() is { } cacheable
            && IsAnonymous(context.Request)
            && context.User.Identity?.IsAuthenticated != true)
        {
            headers.CacheControl = $"public, max-age={cacheable.MaxAgeSeconds}";
            headers.Append(HeaderNames.Vary, "Authorization, Cookie");
            return;
        }

        headers.CacheControl = "no-store";
    }

    /// <summary>No credentials of any kind: a request with them may get a personal answer, even if they turned out invalid.</summary>
    private static bool IsAnonymous(HttpRequest request) =>
        !request.Headers.ContainsKey(HeaderNames.Authorization) && !request.Cookies.ContainsKey(AccountsSetup.CookieName);
}
