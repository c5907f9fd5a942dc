using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Homeroom.Web;

/// <summary>
/// One shape for every error: RFC 9457 problem details for the API, a readable page for people.
/// Bad requests the framework detects (malformed JSON, wrong content type, a body over the limit) become
/// 400/415/413 problems that say what was wrong; anything unexpected becomes a logged 500 with a trace id.
/// </summary>
public static class Errors
{
    public static IServiceCollection AddHomeroomErrors(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = Explain);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Let binding failures reach the exception handler, which explains them, instead of an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseHomeroomErrors(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// A browser asking for an unknown page (GET outside /api) gets the readable HTML 404 page. Nothing
    /// else has a fallback endpoint: routing's own 404, 405 and 415 reach the status-code pages, which write
    /// them as problem details. (A catch-all for every method would be a routing candidate for every path
    /// and turn a wrong method or content type into a 404.)
    /// </summary>
    public static void MapNotFoundFallbacks(this IEndpointRouteBuilder app) =>
        app.MapMethods("{*path:regex(^(?!api(/|$)))}", [HttpMethods.Get, HttpMethods.Head], Pages.NotFound)
            .WithOrder(int.MaxValue)
            .ExcludeFromDescription();

    private static void Explain(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var request = context.HttpContext.Request;
        problem.Instance ??= request.Path;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"There is no API endpoint at {request.Method} {request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}.",
            StatusCodes.Status415UnsupportedMediaType => $"This endpoint does not accept '{request.ContentType}'; send application/json.",
            _ => null,
        };
    }

    private sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            httpContext.Response.StatusCode = bad.StatusCode;
            var (title, detail) = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ("Request body too large", "The request body is larger than this endpoint accepts."),
                StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", bad.Message),
                _ when bad.InnerException is JsonException json => ("Malformed JSON", "The request body is not valid JSON: " + json.Message),
                _ when bad.Message.Contains("no body was provided", StringComparison.Ordinal) => ("Missing body", "This endpoint needs a JSON request body."),
                _ => ("Bad request", bad.Message),
            };
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                Exception = exception,
                ProblemDetails = new ProblemDetails { Status = bad.StatusCode, Title = title, Detail = detail },
            });
        }
    }
}
