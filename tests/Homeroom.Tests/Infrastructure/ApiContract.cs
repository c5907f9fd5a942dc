using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Homeroom.Tests.Infrastructure;

/// <summary>
/// The service's own OpenAPI document, read back to check real answers against it: every status an operation
/// answers must be listed for it, a JSON body must have the documented shape, and its content type must be one
/// the document names for that status.
/// </summary>
public sealed class ApiContract
{
    private readonly JsonElement schemas;

    private ApiContract(JsonElement document)
    {
        Document = document;
        schemas = document.GetProperty("components").GetProperty("schemas");
        Operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => new ApiOperation(op.Name.ToUpperInvariant(), path.Name, op.Value)))
            .ToList();
    }

    public JsonElement Document { get; }

    public IReadOnlyList<ApiOperation> Operations { get; }

    /// <summary>(operation, status) pairs seen, for the report.</summary>
    public HashSet<string> Seen { get; } = [];

    public static async Task<ApiContract> LoadAsync(ApiClient api)
    {
        ArgumentNullException.ThrowIfNull(api);
        return new ApiContract(await (await api.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK));
    }

    public ApiOperation Find(string method, string path) =>
        Operations.SingleOrDefault(o => o.Method == method && o.Path == path)
        ?? throw new InvalidOperationException($"The document has no operation {method} {path}.");

    /// <summary>Null when the answer is what the document says this operation can answer; else why not.</summary>
    public async Task<string?> CheckAsync(ApiOperation operation, HttpResponseMessage response, string what)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(response);
        var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        var body = await response.Content.ReadAsStringAsync();
        Seen.Add(operation.Key + " " + status);
        string Fail(string reason) =>
            $"{operation.Key} ({what}): {reason}\n  answer {status}: {Shorten(body)}\n" +
            "  Declare the response where the endpoint is mapped (Results<…>, .Produces…, .Problem(status, description)) or, " +
            "for a rule of every endpoint of a kind, in Web/ApiDocument.cs.";

        if ((int)response.StatusCode >= 500)
        {
            return Fail("a server error: a bug in the service.");
        }

        if (!operation.Responses.TryGetProperty(status, out var documented))
        {
            return Fail($"the document does not list {status} for it (it lists {string.Join(", ", operation.Responses.EnumerateObject().Select(r => r.Name))}).");
        }

        if (body.Length == 0)
        {
            return null;
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!documented.TryGetProperty("content", out var content))
        {
            return Fail($"the document says {status} has no body, but it came with {mediaType}.");
        }

        var listed = content.EnumerateObject().Select(c => c.Name).ToList();
        if (mediaType is null || !listed.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Fail($"the body is {mediaType ?? "untyped"}, but the document lists only {string.Join(", ", listed)} for {status}.");
        }

        if (!mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || !content.GetProperty(listed.First(l => string.Equals(l, mediaType, StringComparison.OrdinalIgnoreCase))).TryGetProperty("schema", out var schema))
        {
            return null;
        }

        JsonElement value;
        try
        {
            value = JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException e)
        {
            return Fail($"the body is not JSON although it says {mediaType}: {e.Message}");
        }

        var errors = new List<string>();
        Validate(value, schema, "$", errors, 0);
        return errors.Count == 0 ? null : Fail("the body does not match the documented schema: " + string.Join("; ", errors.Take(5)));
    }

    public JsonElement Resolve(JsonElement schema)
    {
        for (var hops = 0; schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference) && hops < 20; hops++)
        {
            schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return schema;
    }

    public static IReadOnlyList<string> Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList()
        : [type.GetString()!];

    private void Validate(JsonElement value, JsonElement schema, string path, List<string> errors, int depth)
    {
        if (depth > 40)
        {
            return;
        }

        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var combinator in new[] { "oneOf", "anyOf" })
        {
            if (schema.TryGetProperty(combinator, out var choices))
            {
                var matched = choices.EnumerateArray().Any(choice =>
                {
                    var inner = new List<string>();
                    Validate(value, choice, path, inner, depth + 1);
                    return inner.Count == 0;
                });
                if (!matched)
                {
                    errors.Add($"{path} matches none of the {combinator} schemas");
                }

                return;
            }
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "binary")
        {
            return;
        }

        var types = Types(schema);
        if (types.Count > 0 && !types.Any(t => Is(value, t)))
        {
            errors.Add($"{path} is {value.ValueKind}, not {string.Join(" or ", types)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                {
                    if (!value.TryGetProperty(name, out _))
                    {
                        errors.Add($"{path}.{name} is required but missing");
                    }
                }
            }

            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    Validate(property.Value, propertySchema, path + "." + property.Name, errors, depth + 1);
                }
                else if (additional.ValueKind == JsonValueKind.Object)
                {
                    Validate(property.Value, additional, path + "." + property.Name, errors, depth + 1);
                }
                else if (additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{path}.{property.Name} is not in the schema");
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                Validate(item, items, $"{path}[{index++}]", errors, depth + 1);
            }
        }

        if (schema.TryGetProperty("enum", out var allowed) && value.ValueKind is JsonValueKind.String
            && !allowed.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.String && e.GetString() == value.GetString()))
        {
            errors.Add($"{path} is '{value.GetString()}', not one of the documented values");
        }
    }

    private static bool Is(JsonElement value, string type) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && d == decimal.Truncate(d),
        "number" => value.ValueKind == JsonValueKind.Number,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;
}

/// <summary>One operation of the document.</summary>
public sealed record ApiOperation(string Method, string Path, JsonElement Element)
{
    public string Key => $"{Method} {Path}";

    public JsonElement Responses => Element.GetProperty("responses");

    public bool RequiresSignIn => Element.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;

    public IReadOnlyList<JsonElement> Parameters =>
        Element.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray().ToList() : [];

    public IReadOnlyList<string> PathParameters =>
        Parameters.Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()!).ToList();

    public IReadOnlyList<JsonElement> QueryParameters => Parameters.Where(p => p.GetProperty("in").GetString() == "query").ToList();

    public IReadOnlyList<string> BodyContentTypes =>
        Element.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content)
            ? content.EnumerateObject().Select(c => c.Name).ToList()
            : [];

    public JsonElement? JsonBodySchema =>
        Element.TryGetProperty("requestBody", out var body) && body.TryGetProperty("content", out var content)
        && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var schema)
            ? schema
            : null;

    public string Fill(IReadOnlyDictionary<string, string> values) =>
        PathParameters.Aggregate(Path, (path, name) => path.Replace("{" + name + "}", Uri.EscapeDataString(values[name]), StringComparison.Ordinal));

    public override string ToString() => Key;
}

/// <summary>
/// Requests made from the document's schemas: valid-looking values, and values mutated the ways clients and
/// attackers get them wrong. Seeded, so a failure repeats.
/// </summary>
public sealed class RequestFuzzer(ApiContract contract, int seed)
{
    private readonly Random random = new(seed);

    public static readonly string[] NastyStrings =
    [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE teachers; --", "=HYPERLINK(\"http://x\")",
        "\u202Eevil\u200B", "\0", "%s%n%x", "../../etc/passwd", "A\u0301\u0308\u0327", "😀👩‍🏫", " ", "",
    ];

    public Random Random => random;

    /// <summary>Stands for 200 nested arrays, put into the text after serialising (JsonNode itself stops at 64 levels).</summary>
    private const string DeepMarker = "__deeply_nested__";

    private static string Deepen(string json) =>
        json.Replace("\"" + DeepMarker + "\"", new string('[', 200) + new string(']', 200), StringComparison.Ordinal);

    /// <summary>A value that fits the schema (as far as the schema says: the service's rules may still refuse it).</summary>
    public JsonNode? Valid(JsonElement schema, int depth = 0)
    {
        schema = contract.Resolve(schema);
        if (depth > 6 || schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (schema.TryGetProperty("enum", out var values) && values.GetArrayLength() > 0)
        {
            return JsonNode.Parse(values[random.Next(values.GetArrayLength())].GetRawText());
        }

        var types = ApiContract.Types(schema).Where(t => t != "null").ToList();
        var type = types.Contains("object") || schema.TryGetProperty("properties", out _) ? "object"
            : types.Contains("array") ? "array"
            : types.Contains("integer") ? "integer"
            : types.Contains("number") ? "number"
            : types.Contains("boolean") ? "boolean"
            : types.Contains("string") ? "string" : "null";
        switch (type)
        {
            case "object":
                var node = new JsonObject();
                if (schema.TryGetProperty("properties", out var properties))
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        node[property.Name] = Valid(property.Value, depth + 1);
                    }
                }

                return node;
            case "array":
                var array = new JsonArray();
                for (var i = random.Next(1, 3); i > 0; i--)
                {
                    array.Add(schema.TryGetProperty("items", out var items) ? Valid(items, depth + 1) : null);
                }

                return array;
            case "integer":
                return random.Next(1, 4);
            case "number":
                return Math.Round(random.NextDouble() * 10, 3);
            case "boolean":
                return random.Next(2) == 0;
            case "string":
                return schema.TryGetProperty("format", out var format) && format.GetString() == "date-time"
                    ? DateTimeOffset.UnixEpoch.AddDays(random.Next(20000)).ToString("O", CultureInfo.InvariantCulture)
                    : "fuzz " + random.Next(1000).ToString(CultureInfo.InvariantCulture);
            default:
                return null;
        }
    }

    /// <summary>A value of the wrong kind, too big, negative, hostile or deeply nested.</summary>
    public JsonNode? Hostile() => random.Next(12) switch
    {
        0 => new string('x', random.Next(2) == 0 ? 10_000 : 300_000),
        1 => -1,
        2 => JsonNode.Parse("99999999999999999999999"),
        3 => long.MinValue,
        4 => JsonNode.Parse("1e308"),
        5 => NastyStrings[random.Next(NastyStrings.Length)],
        6 => DeepMarker,
        7 => new JsonObject { ["unexpected"] = new JsonArray(1, "two", null) },
        8 => true,
        9 => "no-such-value-" + random.Next(100),
        10 => new JsonArray(Enumerable.Range(0, 3000).Select(i => (JsonNode?)i).ToArray()),
        _ => null,
    };

    /// <summary>The valid body with one mutation: a field removed, replaced by a hostile value, or the whole body replaced.</summary>
    public string MutatedJson(JsonElement schema)
    {
        var valid = Valid(schema);
        if (valid is JsonObject obj && obj.Count > 0 && random.Next(5) > 0)
        {
            var names = obj.Select(p => p.Key).ToList();
            var name = names[random.Next(names.Count)];
            if (random.Next(3) == 0)
            {
                obj.Remove(name);
            }
            else
            {
                obj[name] = MutateInside(obj[name]);
            }

            return Deepen(obj.ToJsonString());
        }

        return random.Next(4) switch
        {
            0 => "{\"a\":" + new string('[', 100) + new string(']', 100) + "}",
            1 => "{\"x\": 1",
            2 => "[]",
            _ => Deepen(Hostile()?.ToJsonString() ?? "null"),
        };
    }

    private JsonNode? MutateInside(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject inner when inner.Count > 0 && random.Next(2) == 0:
                var name = inner.Select(p => p.Key).ElementAt(random.Next(inner.Count));
                inner[name] = MutateInside(inner[name]);
                return inner;
            case JsonArray array when array.Count > 0 && random.Next(2) == 0:
                var index = random.Next(array.Count);
                array[index] = MutateInside(array[index]?.DeepClone());
                return array;
            default:
                return Hostile();
        }
    }

    /// <summary>A query value: sometimes sensible, often not.</summary>
    public string QueryValue(JsonElement schema)
    {
        var types = ApiContract.Types(contract.Resolve(schema));
        return random.Next(6) switch
        {
            0 when types.Contains("integer") => random.Next(1, 50).ToString(CultureInfo.InvariantCulture),
            0 when types.Contains("boolean") => "true",
            1 => "-1",
            2 => "99999999999999999999999",
            3 => NastyStrings[random.Next(NastyStrings.Length)],
            // Long, but the whole request line stays inside Kestrel's 8 KB (beyond it Kestrel answers 414 before any endpoint).
            4 => new string('9', 1000),
            _ => "abc",
        };
    }

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
}
