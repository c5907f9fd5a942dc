using Microsoft.Net.Http.Headers;

namespace Homeroom.Web;

/// <summary>
/// The web front end: plain HTML pages under wwwroot, each a thin client of the public JSON API.
/// A page is served at a clean path (/login, not /login.html) with the page Content-Security-Policy.
/// </summary>
public static partial class Pages
{
    /// <summary>
    /// Path → file under wwwroot. Features add their pages here. A path may be a route pattern
    /// ("/classes/{id:long}"): the page reads its ids from location.pathname.
    /// </summary>
    private static readonly Dictionary<string, string> Routes = new(StringComparer.Ordinal)
    {
        ["/"] = "index.html",
        ["/signup"] = "signup.html",
        ["/login"] = "login.html",
        ["/dashboard"] = "dashboard.html",
        ["/account"] = "account.html",
        ["/classes"] = "classes.html",
        ["/classes/{id:long}"] = "class.html",
        ["/classes/{id:long}/picker"] = "picker.html",
        ["/classes/{id:long}/report"] = "class-report.html",
        ["/quizzes"] = "quizzes.html",
        ["/quizzes/new"] = "quiz.html",
        ["/quizzes/{id:long}"] = "quiz.html",
        ["/places"] = "places.html",
        // Live games: the player's phone (anonymous, a PIN and a nickname) and the host's projector screen.
        ["/play"] = "play.html",
        ["/games/{id:long}/host"] = "host.html",
        // Assignments: the student's phone (anonymous, the code in the path) and the teacher's list.
        ["/a/{code}"] = "assignment.html",
        ["/assignments"] = "assignments.html",
        ["/reports/assignments/{id:long}"] = "report.html",
        ["/reports"] = "reports.html",
        ["/reports/games/{id:long}"] = "report.html",
    };

    /// <summary>The page with the map, whose tile server (when configured) the page policy allows.</summary>
    private const string MapPage = "places.html";

    /// <summary>The last unusable tile URL logged, so a bad setting is reported once, not on every visit.</summary>
    private static string? refusedTileUrl;

    private const string HtmlType = "text/html; charset=utf-8";

    private const string NotFoundPage = "404.html";

    /// <summary>
    /// Scripts, styles and images from wwwroot, revalidated on every load (ETag) so a deploy never pairs
    /// new pages with old scripts. HTML files are not served as files: pages only exist at their clean
    /// paths, with the page policy.
    /// </summary>
    public static StaticFileOptions StaticFileOptions()
    {
        var types = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
        types.Mappings.Remove(".html");
        types.Mappings.Remove(".htm");
        return new StaticFileOptions
        {
            ContentTypeProvider = types,
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        };
    }

    public static void MapPages(this IEndpointRouteBuilder app)
    {
        foreach (var (path, file) in Routes)
        {
            app.MapGet(path, (HttpContext context, IWebHostEnvironment environment, IConfiguration configuration) => file == MapPage
                    ? ServeMapPage(context, environment, configuration, file)
                    : Serve(context, environment, file, StatusCodes.Status200OK))
                .ExcludeFromDescription();
        }
    }

    /// <summary>The readable 404 page for any unknown path outside /api.</summary>
    public static IResult NotFound(HttpContext context, IWebHostEnvironment environment) =>
        Serve(context, environment, NotFoundPage, StatusCodes.Status404NotFound);

    private static IResult Serve(HttpContext context, IWebHostEnvironment environment, string file, int status)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = SecurityHeaders.PagePolicy;
        headers.CacheControl = "no-cache";
        if (PagePath(context, environment, file) is not { } path)
        {
            // A page missing from wwwroot (a broken deploy) is not found, never a 500.
            return file == NotFoundPage
                ? TypedResults.Content("Not found", "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound)
                : Serve(context, environment, NotFoundPage, StatusCodes.Status404NotFound);
        }

        return status == StatusCodes.Status200OK
            ? TypedResults.PhysicalFile(path, HtmlType, lastModified: File.GetLastWriteTimeUtc(path), entityTag: EntityTag(path))
            : TypedResults.Content(File.ReadAllText(path), HtmlType, statusCode: status);
    }

    /// <summary>
    /// The Places page. Without <c>Homeroom:Places:TileUrl</c> it is served like any page and its map has no
    /// tiles (a plain background under the markers); so it is, with a logged warning, when the setting is
    /// not a usable template. With it, the page's <c>homeroom-tile-url</c> and
    /// <c>homeroom-tile-attribution</c> meta tags carry the template and its attribution text, and the
    /// page policy allows images from the tile server's origin, and from nowhere else.
    /// </summary>
    private static IResult ServeMapPage(HttpContext context, IWebHostEnvironment environment, IConfiguration configuration, string file)
    {
        var template = configuration["Homeroom:Places:TileUrl"];
        if (string.IsNullOrWhiteSpace(template))
        {
            return Serve(context, environment, file, StatusCodes.Status200OK);
        }

        if (MapTiles.Source(template) is not { } source)
        {
            if (Interlocked.Exchange(ref refusedTileUrl, template) != template)
            {
                LogUnusableTileUrl(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Pages)), template);
            }

            return Serve(context, environment, file, StatusCodes.Status200OK);
        }

        var attribution = configuration["Homeroom:Places:TileAttribution"] ?? "";
        if (PagePath(context, environment, file) is not { } path)
        {
            return Serve(context, environment, NotFoundPage, StatusCodes.Status404NotFound);
        }

        var html = Fill(Fill(File.ReadAllText(path), "homeroom-tile-url", template.Trim()), "homeroom-tile-attribution", attribution.Trim());
        var bytes = System.Text.Encoding.UTF8.GetBytes(html);

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = SecurityHeaders.PagePolicyWithImagesFrom(source);
        headers.CacheControl = "no-cache";
        var tag = new EntityTagHeaderValue('"' + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes).AsSpan(0, 12)) + '"');
        return TypedResults.Bytes(bytes, HtmlType, lastModified: File.GetLastWriteTimeUtc(path), entityTag: tag);
    }

    /// <summary>The page's file, or null (logged) when wwwroot lacks it: the content root is not the app's folder.</summary>
    private static string? PagePath(HttpContext context, IWebHostEnvironment environment, string file)
    {
        if (environment.WebRootFileProvider.GetFileInfo(file) is { Exists: true, PhysicalPath: { } path })
        {
            return path;
        }

        LogMissingPage(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Pages)), file, environment.WebRootPath ?? "(none)");
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The page {File} is missing from the web root {WebRoot}: answered 404")]
    private static partial void LogMissingPage(ILogger logger, string file, string webRoot);

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Homeroom:Places:TileUrl is not an http or https tile URL template like 'https://tile.example.org/{{z}}/{{x}}/{{y}}.png': '{TileUrl}'. The Places map is shown without tiles.")]
    private static partial void LogUnusableTileUrl(ILogger logger, string tileUrl);

    /// <summary>Puts <paramref name="value"/> (attribute-encoded) in the page's empty <c>&lt;meta name="…" content=""&gt;</c>.</summary>
    private static string Fill(string html, string name, string value)
    {
        var empty = $"<meta name=\"{name}\" content=\"\">";
        return html.Contains(empty, StringComparison.Ordinal)
            ? html.Replace(empty, $"<meta name=\"{name}\" content=\"{System.Net.WebUtility.HtmlEncode(value)}\">", StringComparison.Ordinal)
            : throw new InvalidOperationException($"The map page has no {empty} to fill.");
    }

    private static EntityTagHeaderValue EntityTag(string path) =>
        new('"' + File.GetLastWriteTimeUtc(path).Ticks.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + '"');
}

/// <summary>Map tile URL templates (Leaflet's: <c>{s}</c> subdomain, <c>{z}</c>, <c>{x}</c>, <c>{y}</c>, <c>{r}</c>).</summary>
public static class MapTiles
{
    /// <summary>
    /// The CSP source that allows a template's tiles: its scheme, host and port, e.g.
    /// <c>https://tile.example.org</c>; a <c>{s}</c> in the host's first label becomes a wildcard
    /// (<c>https://{s}.tile.example.org/…</c> → <c>https://*.tile.example.org</c>). Null when the template is
    /// not an absolute http or https URL with <c>{z}</c>, <c>{x}</c> and <c>{y}</c>, or has placeholders
    /// elsewhere in its host.
    /// </summary>
    public static string? Source(string? template)
    {
        var text = template?.Trim();
        if (string.IsNullOrEmpty(text) || !text.Contains("{z}", StringComparison.Ordinal)
            || !text.Contains("{x}", StringComparison.Ordinal) || !text.Contains("{y}", StringComparison.Ordinal))
        {
            return null;
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return null;
        }

        var authorityEnd = text.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
        var authority = authorityEnd < 0 ? text[(schemeEnd + 3)..] : text[(schemeEnd + 3)..authorityEnd];
        var firstDot = authority.IndexOf('.', StringComparison.Ordinal);
        var wildcard = firstDot > 0 && authority[..firstDot].Contains("{s}", StringComparison.Ordinal);
        if (wildcard)
        {
            authority = "a" + authority[firstDot..];
        }

        if (authority.Contains('{', StringComparison.Ordinal) || authority.Contains('@', StringComparison.Ordinal)
            || !Uri.TryCreate(text[..(schemeEnd + 3)] + authority + "/", UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.HostNameType is UriHostNameType.Unknown
            || (wildcard && uri.HostNameType is not UriHostNameType.Dns))
        {
            return null;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        if (wildcard)
        {
            host = "*" + host[1..];
        }

        return uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
