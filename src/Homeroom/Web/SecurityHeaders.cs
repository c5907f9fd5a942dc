namespace Homeroom.Web;

/// <summary>Headers that keep browsers from sniffing, framing or running anything we did not write.</summary>
public static class SecurityHeaders
{
    /// <summary>Pages load only our own scripts and styles; no inline script can run.</summary>
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly System.Buffers.SearchValues<char> NotInASource = System.Buffers.SearchValues.Create("; ,'\"\r\n\t");

    /// <summary>
    /// The page policy that also lets images come from <paramref name="imageSource"/>, a CSP source
    /// expression such as <c>https://tile.example.org</c> (the Places page's map tile server).
    /// </summary>
    public static string PagePolicyWithImagesFrom(string imageSource)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageSource);
        if (imageSource.AsSpan().ContainsAny(NotInASource))
        {
            throw new ArgumentException($"'{imageSource}' is not a single CSP source expression.", nameof(imageSource));
        }

        return PagePolicy.Replace("img-src 'self' data:", "img-src 'self' data: " + imageSource, StringComparison.Ordinal);
    }

    /// <summary>
    /// The API reference page (Scalar): the page policy, plus its own two inline scripts by <paramref name="nonce"/>
    /// and the style elements its components insert at run time (Scalar has no way to put a nonce on those).
    /// </summary>
    public static string ReferencePagePolicy(string nonce)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nonce);
        return PagePolicy
            .Replace("script-src 'self'", $"script-src 'self' 'nonce-{nonce}'", StringComparison.Ordinal)
            .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'", StringComparison.Ordinal);
    }

    /// <summary>Everything that is not a page (JSON, files) may load nothing at all.</summary>
    public const string ResourcePolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = ResourcePolicy;
            return next(context);
        });
}
