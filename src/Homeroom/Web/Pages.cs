using Microsoft.Net.Http.Headers;

namespace Homeroom.Web;

/// <summary>
/// The web front end: plain HTML pages under wwwroot, each a thin client of the public JSON API.
/// A page is served at a clean path (/login, not /login.html) with the page Content-Security-Policy.
/// </summary>
public static class Pages
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
        ["/quizzes"] = "quizzes.html",
        ["/quizzes/new"] = "quiz.html",
        ["/quizzes/{id:long}"] = "quiz.html",
    };

    private const string HtmlType = "text/html; charset=utf-8";

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
            app.MapGet(path, (HttpContext context, IWebHostEnvironment environment) => Serve(context, environment, file, StatusCodes.Status200OK))
                .ExcludeFromDescription();
        }
    }

    /// <summary>The readable 404 page for any unknown path outside /api.</summary>
    public static IResult NotFound(HttpContext context, IWebHostEnvironment environment) =>
        Serve(context, environment, "404.html", StatusCodes.Status404NotFound);

    private static IResult Serve(HttpContext context, IWebHostEnvironment environment, string file, int status)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = SecurityHeaders.PagePolicy;
        headers.CacheControl = "no-cache";
        var path = environment.WebRootFileProvider.GetFileInfo(file).PhysicalPath
            ?? throw new InvalidOperationException($"The page {file} is missing from wwwroot.");
        return status == StatusCodes.Status200OK
            ? TypedResults.PhysicalFile(path, HtmlType, lastModified: File.GetLastWriteTimeUtc(path), entityTag: EntityTag(path))
            : TypedResults.Content(File.ReadAllText(path), HtmlType, statusCode: status);
    }

    private static EntityTagHeaderValue EntityTag(string path) =>
        new('"' + File.GetLastWriteTimeUtc(path).Ticks.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + '"');
}
