using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Homeroom.Tests.Infrastructure;

/// <summary>An HTTP client for the Homeroom API, with the few helpers every test wants.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Http { get; } = http;

    public Task<HttpResponseMessage> GetAsync(string path) => Http.GetAsync(new Uri(path, UriKind.Relative));

    public Task<HttpResponseMessage> PostAsync(string path, object? body) => SendAsync(HttpMethod.Post, path, body);

    public Task<HttpResponseMessage> PutAsync(string path, object? body) => SendAsync(HttpMethod.Put, path, body);

    public Task<HttpResponseMessage> PatchAsync(string path, object? body) => SendAsync(HttpMethod.Patch, path, body);

    public Task<HttpResponseMessage> DeleteAsync(string path, object? body = null) => SendAsync(HttpMethod.Delete, path, body);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body, options: Json);
        }

        configure?.Invoke(request);
        return Http.SendAsync(request);
    }

    public void UseBearer(string token) => Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public void Dispose() => Http.Dispose();
}

public static class HttpAssert
{
    /// <summary>Asserts the status and returns the JSON body.</summary>
    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<T> Json<T>(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Json(expected);
        return body.Deserialize<T>(ApiClient.Json) ?? throw new InvalidOperationException("null body");
    }

    public static async Task Status(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
    }

    /// <summary>Asserts an RFC 9457 problem with this status and returns it.</summary>
    public static async Task<JsonElement> Problem(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.Json(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Asserts a validation problem naming <paramref name="field"/> and returns its messages.</summary>
    public static async Task<string[]> ValidationProblem(this HttpResponseMessage response, string field, HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        var problem = await response.Problem(expected);
        Assert.True(problem.TryGetProperty("errors", out var errors), "problem has no errors: " + problem);
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors do not name '{field}': {errors}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
    }

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static long Long(this JsonElement element, string property) => element.GetProperty(property).GetInt64();

    public static int Int(this JsonElement element, string property) => element.GetProperty(property).GetInt32();
}

/// <summary>A signed-up teacher with a bearer-token client, the usual starting point of a test.</summary>
public sealed class Teacher
{
    public const string DefaultPassword = "correct horse battery staple";

    private Teacher(string username, string password, long id, string token, ApiClient api)
    {
        Username = username;
        Password = password;
        Id = id;
        Token = token;
        Api = api;
    }

    public string Username { get; }

    public string Password { get; }

    public long Id { get; }

    public string Token { get; }

    public ApiClient Api { get; }

    public static string NewUsername() => "t" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<Teacher> SignUpAsync(HomeroomApp app, string? username = null, string password = DefaultPassword)
    {
        username ??= NewUsername();
        var api = new ApiClient(app.NewClient());
        var created = await (await api.PostAsync("/api/auth/signup", new { username, password })).Json(HttpStatusCode.Created);
        var token = await LoginAsync(api, username, password);
        api.UseBearer(token);
        return new Teacher(username, password, created.Long("id"), token, api);
    }

    public static async Task<string> LoginAsync(ApiClient api, string username, string password)
    {
        var login = await (await api.PostAsync("/api/auth/login", new { username, password })).Json(HttpStatusCode.OK);
        Assert.Equal("Bearer", login.Str("tokenType"));
        return login.Str("accessToken");
    }
}
