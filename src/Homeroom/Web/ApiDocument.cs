using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Homeroom.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Homeroom.Web;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) told from each endpoint's real metadata, so a new endpoint is
/// described correctly without per-endpoint work:
/// <list type="bullet">
/// <item>Responses that every endpoint of a kind really gives (<see cref="WithStandardResponses"/>, a convention on
/// the <c>/api</c> group): 401 where authorization is required, 404 where the route has a parameter (unknown ids
/// and other teachers' ids alike), 400 where a body, a validated argument, a typed query parameter or the cookie
/// write check can refuse the request, 413 and 415 where a body is read, 429 where a rate limiter applies.</item>
/// <item>What a handler decides for itself is declared where it is mapped: <c>Results&lt;…&gt;</c> signatures, and
/// <see cref="Problem"/> for the problems a handler returns through <c>ProblemHttpResult</c> (409, 412, 422, …).</item>
/// <item>Security: the bearer and cookie schemes, and per operation the requirement its authorization metadata
/// makes (a cookie write also needs the antiforgery header).</item>
/// <item>Schemas: a property that may be left out of the JSON is not marked required.</item>
/// <item><c>/health</c> and <c>/health/ready</c>, which are not route handlers, are added by hand.</item>
/// </list>
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "bearer";
    public const string CookieScheme = "cookie";
    public const string CsrfScheme = "csrf";

    public const string ProblemJson = "application/problem+json";

    public static IServiceCollection AddApiDocument(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer(DescribeDocumentAsync);
            options.AddOperationTransformer(DescribeOperationAsync);
            options.AddSchemaTransformer(UnmarkOmittablePropertiesAsync);
        });

    /// <summary>Where the readable API reference (Scalar) is served, drawn from the document.</summary>
    public const string ReferencePath = "/api-reference";

    /// <summary>
    /// The API reference page. Scalar's scripts are served from its assembly (nothing from a CDN: no fonts, no
    /// telemetry, no AI agent, no proxy); its two inline script tags carry a fresh nonce that the page's
    /// Content-Security-Policy allows, and nothing else inline may run.
    /// </summary>
    public static IEndpointConventionBuilder MapApiReference(this IEndpointRouteBuilder app) =>
        app.MapScalarApiReference(ReferencePath, (options, context) =>
        {
            options.WithTitle("Homeroom API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .WithNonce()
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideClientButton()
                .HideDeveloperTools()
                .AddPreferredSecuritySchemes(BearerScheme);
            context.Response.OnStarting(() =>
            {
                if (context.Items[ScalarOptions.NonceHttpContextItemKey] is string nonce)
                {
                    context.Response.Headers.ContentSecurityPolicy = SecurityHeaders.ReferencePagePolicy(nonce);
                }

                return Task.CompletedTask;
            });
        }).ExcludeFromDescription();

    /// <summary>Declares a problem response that the handler returns itself (through <c>ProblemHttpResult</c>).</summary>
    public static RouteHandlerBuilder Problem(this RouteHandlerBuilder builder, int statusCode, string description)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(ProblemDetails), [ProblemJson]) { Description = description });
    }

    /// <summary>
    /// The endpoint honours <c>If-Match</c> (412 when the resource changed since that ETag; without the header the
    /// write is unconditional) and sends the resource's <c>ETag</c>.
    /// </summary>
    public static RouteHandlerBuilder WithIfMatch(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new ConditionalRequest(IfMatch: true))
            .Problem(StatusCodes.Status412PreconditionFailed, "Precondition failed: the resource changed since the ETag sent in If-Match (the response carries the current ETag).");

    /// <summary>The endpoint sends an <c>ETag</c> and answers a matching <c>If-None-Match</c> with 304 and no body.</summary>
    public static RouteHandlerBuilder WithIfNoneMatch(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new ConditionalRequest(IfMatch: false))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified) { Description = "Not modified: If-None-Match matches the current ETag." });

    /// <summary>What a response means on this endpoint, for a status whose shape is declared elsewhere.</summary>
    public sealed record ResponseDescription(int StatusCode, string Description);

    /// <summary>Marks an endpoint that reads <c>If-Match</c> or <c>If-None-Match</c>.</summary>
    public sealed record ConditionalRequest(bool IfMatch);

    /// <summary>Adds, to every endpoint of the group, the responses its kind really gives (see the class summary).</summary>
    public static TBuilder WithStandardResponses<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Finally(AddStandardResponses);
        return builder;
    }

    /// <summary>True when the endpoint needs a signed-in teacher (authorization metadata, no <c>AllowAnonymous</c>).</summary>
    public static bool RequiresSignIn(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();

    private static void AddStandardResponses(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        if (metadata.OfType<MethodInfo>().LastOrDefault() is not { } handler)
        {
            return;
        }

        var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        void Add(int status, Type type, string description)
        {
            // A status the handler already declares keeps its shape; the document still says what it means here.
            metadata.Add(declared.Add(status)
                ? new ProducesResponseTypeMetadata(status, type, [ProblemJson]) { Description = description }
                : new ResponseDescription(status, description));
        }

        var routeParameters = (endpoint as RouteEndpointBuilder)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var methods = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
        var write = methods.Any(m => !HttpMethods.IsGet(m) && !HttpMethods.IsHead(m) && !HttpMethods.IsOptions(m));
        var readsBody = metadata.OfType<IAcceptsMetadata>().Any();
        var parameters = handler.GetParameters();
        var validated = parameters.Any(p => typeof(IValidatable).IsAssignableFrom(p.ParameterType));
        var typedQuery = parameters.Any(p => p.Name is { } name && !routeParameters.Contains(name) && IsParsedFromText(p.ParameterType));

        var reasons = new List<string>();
        if (readsBody)
        {
            reasons.Add("malformed or missing body");
        }

        if (typedQuery)
        {
            reasons.Add("a query parameter of the wrong type");
        }

        if (validated)
        {
            reasons.Add("validation errors, each field named in `errors`");
        }

        if (write)
        {
            reasons.Add("a cookie-authenticated write without the X-CSRF-TOKEN header");
        }

        if (reasons.Count > 0)
        {
            Add(StatusCodes.Status400BadRequest, validated ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails),
                "Bad request: " + string.Join("; ", reasons) + ".");
        }

        if (RequiresSignIn(metadata))
        {
            Add(StatusCodes.Status401Unauthorized, typeof(ProblemDetails), "Not signed in, or the session has ended (signed out, password changed, account deleted).");
        }

        if (routeParameters.Count > 0)
        {
            Add(StatusCodes.Status404NotFound, typeof(ProblemDetails), "Not found: no such id, or it belongs to another teacher.");
        }

        if (readsBody)
        {
            Add(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails), "The request body is larger than this endpoint accepts.");
            Add(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails), "The body's Content-Type is not one this endpoint accepts.");
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any() && !metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            Add(StatusCodes.Status429TooManyRequests, typeof(ProblemDetails), "Too many requests from this client: wait the Retry-After seconds.");
        }
    }

    /// <summary>Types minimal APIs parse from a query string, which answer 400 when the text does not parse.</summary>
    private static bool IsParsedFromText(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(Guid) || type == typeof(DateOnly)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(TimeOnly) || type == typeof(TimeSpan);
    }

    private static Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Homeroom API";
        document.Info.Description =
            "The JSON API of Homeroom. Programs sign in with `POST /api/auth/login` and send `Authorization: Bearer <accessToken>`; " +
            "the browser signs in with `?useCookies=true` and sends the antiforgery token from `GET /api/auth/antiforgery` in " +
            "`X-CSRF-TOKEN` with every write. Every error is an RFC 9457 problem (`application/problem+json`). Another teacher's " +
            "ids answer 404, exactly like ids that do not exist.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An access token from POST /api/auth/login (renewed with POST /api/auth/refresh). For programs.",
        };
        document.Components.SecuritySchemes[CookieScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = AccountsSetup.CookieName,
            Description = "The browser's session cookie from POST /api/auth/login?useCookies=true (HttpOnly, SameSite=Strict).",
        };
        document.Components.SecuritySchemes[CsrfScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = AccountsSetup.AntiforgeryHeader,
            Description = "The antiforgery token from GET /api/auth/antiforgery: every write made with the session cookie must send it (400 without it).",
        };

        document.Paths ??= [];
        document.Paths["/health"] = HealthPath(
            "Liveness: answers from memory, touching nothing (load balancers, benchmark baseline)", readiness: false);
        document.Paths["/health/ready"] = HealthPath("Readiness: answers 200 when the database answers, 503 otherwise", readiness: true);
        return Task.CompletedTask;
    }

    private static OpenApiPathItem HealthPath(string summary, bool readiness)
    {
        OpenApiResponse Text(string description, string value) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [System.Text.Json.Nodes.JsonValue.Create(value)] } },
            },
        };

        // /health answers a plain word; /health/ready a JSON health report naming the database engine and version.
        OpenApiResponse Report(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
            },
        };

        var responses = readiness
            ? new OpenApiResponses
            {
                ["200"] = Report("Healthy: {status, checks: {database: {status, description, data: {engine, version}}}}"),
                ["503"] = Report("Unhealthy: the database does not answer"),
            }
            : new OpenApiResponses { ["200"] = Text("Healthy", "Healthy") };

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new("Service") },
                    Security = [],
                    Responses = responses,
                },
            },
        };
    }

    private static async Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var method = context.Description.HttpMethod ?? "GET";
        var write = !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method);
        OpenApiSecurityRequirement Requirement(params string[] schemes)
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var scheme in schemes)
            {
                requirement[new OpenApiSecuritySchemeReference(scheme, context.Document)] = [];
            }

            return requirement;
        }

        operation.Security = RequiresSignIn(metadata)
            ? [Requirement(BearerScheme), write ? Requirement(CookieScheme, CsrfScheme) : Requirement(CookieScheme)]
            : [];

        if (operation.Responses is { } responses)
        {
            foreach (var (status, response) in responses)
            {
                if (response is not OpenApiResponse concrete)
                {
                    continue;
                }

                // The generator words every response by its reason phrase; the metadata says what it means here.
                var descriptions = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => (m.StatusCode, m.Description))
                    .Concat(metadata.OfType<ResponseDescription>().Select(m => (m.StatusCode, (string?)m.Description)));
                if (descriptions.FirstOrDefault(d => d.StatusCode.ToString(CultureInfo.InvariantCulture) == status && !string.IsNullOrEmpty(d.Item2)) is { Item2: { } text })
                {
                    concrete.Description = text;
                }

                if (status == "201")
                {
                    AddHeader(concrete, "Location", "The address of what was created.");
                }
                else if (status == "202")
                {
                    AddHeader(concrete, "Location", "Where to follow the work's progress.");
                }
                else if (status == "429")
                {
                    AddHeader(concrete, "Retry-After", "Seconds to wait before trying again.", JsonSchemaType.Integer);
                }
            }
        }

        if (metadata.OfType<ConditionalRequest>().LastOrDefault() is { } conditional)
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = conditional.IfMatch ? "If-Match" : "If-None-Match",
                In = ParameterLocation.Header,
                Required = false,
                Description = conditional.IfMatch
                    ? "The ETag this change was made against (e.g. \"3\"), or *. The write is refused with 412 when the resource has changed since."
                    : "An ETag from an earlier answer: 304 with no body when it is still current.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (response is OpenApiResponse concrete && status is "200" or "201" or "304" or "412")
                {
                    AddHeader(concrete, "ETag", "The resource's current version, for If-Match and If-None-Match.");
                }
            }
        }

        await DescribeAlternativesAsync(operation, context, metadata, cancellationToken);
    }

    /// <summary>
    /// Two shapes for one status (sign-in answers tokens, or the profile with ?useCookies=true) are one of either, not
    /// the last declared; a file (<c>byte[]</c>) is a binary body, not a base64 string, and in JSON any JSON.
    /// </summary>
    private static async Task DescribeAlternativesAsync(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, IList<object> metadata, CancellationToken cancellationToken)
    {
        foreach (var group in metadata.OfType<IProducesResponseTypeMetadata>().Where(m => m.Type is not null && m.Type != typeof(void))
            .GroupBy(m => m.StatusCode.ToString(CultureInfo.InvariantCulture)))
        {
            if (operation.Responses?.TryGetValue(group.Key, out var response) != true || response is not OpenApiResponse { Content: { } content })
            {
                continue;
            }

            var types = group.Select(m => m.Type!).Distinct().ToList();
            if (types.Contains(typeof(byte[])))
            {
                foreach (var (mediaType, media) in content)
                {
                    media.Schema = mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
                        ? new OpenApiSchema()
                        : new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                }
            }
            else if (types.Count > 1 && content.TryGetValue("application/json", out var json))
            {
                var choices = new List<IOpenApiSchema>();
                foreach (var type in types)
                {
                    choices.Add(await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
                }

                json.Schema = new OpenApiSchema { OneOf = choices };
            }
        }
    }

    private static void AddHeader(OpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
    }

    /// <summary>
    /// The generator marks every constructor parameter required. On the wire a property can be absent: one written
    /// only when not null (<c>JsonIgnoreCondition.WhenWritingNull</c>) is left out of answers, and a nullable one may be
    /// left out of a request (it then reads as null). Neither is required.
    /// </summary>
    private static Task UnmarkOmittablePropertiesAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required || context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (!property.IsRequired && (OmittedWhenNull(property, context.JsonTypeInfo.Options) || IsNullable(property)))
            {
                required.Remove(property.Name);
            }
        }

        return Task.CompletedTask;
    }

    private static bool OmittedWhenNull(JsonPropertyInfo property, JsonSerializerOptions options) =>
        property.ShouldSerialize is not null
        || options.DefaultIgnoreCondition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault
        || property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true).OfType<JsonIgnoreAttribute>()
            .Any(a => a.Condition is JsonIgnoreCondition.WhenWritingNull or JsonIgnoreCondition.WhenWritingDefault) == true;

    private static bool IsNullable(JsonPropertyInfo property) => property.AttributeProvider switch
    {
        _ when Nullable.GetUnderlyingType(property.PropertyType) is not null => true,
        PropertyInfo info => new NullabilityInfoContext().Create(info).ReadState == NullabilityState.Nullable,
        FieldInfo info => new NullabilityInfoContext().Create(info).ReadState == NullabilityState.Nullable,
        _ => false,
    };
}
