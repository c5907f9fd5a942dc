using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Homeroom.Games;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Homeroom.Tests.Deployment;

/// <summary>
/// The service deployed as an operator would: the published build started from elsewhere, behind a reverse
/// proxy, on a classroom network.
/// </summary>
public sealed class DeploymentTests(SqliteFixture fixture) : AppTests(fixture), IClassFixture<SqliteFixture>
{
    [Fact]
    public async Task The_published_app_started_from_another_directory_serves_pages_and_files_and_answers_404_for_what_is_missing()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "homeroom-tests", "cwd-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        // No settings but the address: appsettings.json, wwwroot and the data folder are the app's own defaults.
        await using var service = await ServiceProcess.StartAsync(new ServiceProcess.Options(StorageProvider.Sqlite)
        {
            Dll = await PublishedApp.DllAsync(),
            WorkingDirectory = elsewhere,
        });
        using var http = new HttpClient { BaseAddress = service.Address };

        foreach (var page in new[] { "/", "/login", "/play" })
        {
            var response = await http.GetAsync(new Uri(page, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }

        var css = await http.GetAsync(new Uri("/css/site.css", UriKind.Relative));
        Assert.Equal((HttpStatusCode.OK, "text/css"), (css.StatusCode, css.Content.Headers.ContentType?.MediaType));
        var missingFile = await http.GetAsync(new Uri("/css/no-such-file.css", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missingFile.StatusCode);
        var missingPage = await http.GetAsync(new Uri("/no/such/page", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missingPage.StatusCode);
        Assert.Contains("<html", await missingPage.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        await (await http.GetAsync(new Uri("/api/no-such-endpoint", UriKind.Relative))).Problem(HttpStatusCode.NotFound);

        // The data folder is under the working directory; the app's appsettings.json was read (Production logs
        // Microsoft.AspNetCore at Warning, so no request is logged), and the start says where to go.
        Assert.True(File.Exists(Path.Combine(elsewhere, "data", "homeroom.db")));
        Assert.DoesNotContain(service.Output, line => line.Contains("Request starting", StringComparison.Ordinal));
        Assert.Contains(service.Output, line => line.Contains("Teacher: open http://localhost:", StringComparison.Ordinal));
        var appFolder = Path.GetDirectoryName(await PublishedApp.DllAsync())!;
        Assert.Contains(service.Output, line => line.Contains("Content root path: " + appFolder, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_published_app_listens_where_ASPNETCORE_URLS_says_over_its_own_default()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "homeroom-tests", "cwd-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await using var service = await ServiceProcess.StartAsync(new ServiceProcess.Options(StorageProvider.Sqlite)
        {
            Dll = await PublishedApp.DllAsync(),
            WorkingDirectory = elsewhere,
            AddressInEnvironment = true,
        });
        using var http = new HttpClient { BaseAddress = service.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode);
        Assert.Contains(service.Output, line => line.Contains("Now listening on: " + service.Address.ToString().TrimEnd('/'), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_or_file_missing_from_the_web_root_is_a_404_never_a_500()
    {
        var empty = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "homeroom-tests", "webroot-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        await using var app = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["webroot"] = empty });
        using var http = app.NewClient();

        foreach (var path in new[] { "/", "/login", "/places", "/css/site.css", "/no-such-page" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        }
    }

    [Fact]
    public async Task Refused_hub_calls_are_answered_to_the_caller_and_not_logged_as_errors()
    {
        var logs = new CapturedLogs();
        await using var app = await Fixture.StartAppAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Debug" },
            services => services.AddSingleton<ILoggerProvider>(logs));
        var teacher = await Teacher.SignUpAsync(app);
        var quiz = new { title = "Logs", questions = new[] { new { type = "truefalse", text = "Quiet?", correct = true } } };
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await teacher.Api.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created);
        await using var ann = await HubClient.ConnectAsync(app.BaseAddress);
        await ann.InvokeAsync("Join", game.Str("pin"), "Ann");
        await using var other = await HubClient.ConnectAsync(app.BaseAddress);
        var before = logs.Entries.Count;

        await Assert.ThrowsAsync<HubCallException>(() => other.InvokeAsync("Join", "000000", "Bob"));
        await Assert.ThrowsAsync<HubCallException>(() => other.InvokeAsync("Join", game.Str("pin"), "Ann"));

        var after = logs.Entries.Skip(before).ToList();
        // Each refusal is a one-line Debug entry, without a stack trace.
        Assert.Equal(2, after.Count(e => e.Category == typeof(HubErrorLog).FullName && e.Level == LogLevel.Debug && e.Exception is null));
        Assert.DoesNotContain(after, e => e.Level >= LogLevel.Warning || (e.Level >= LogLevel.Information && e.Exception is not null));
    }

    [Fact]
    public async Task Behind_a_proxy_rate_limits_count_each_real_client_and_https_gets_secure_cookies_and_hsts()
    {
        await using var app = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:AuthRequestsPerMinutePerClient"] = "2" });
        var username = Teacher.NewUsername();
        using var http = app.NewClient();

        // The proxy (loopback, always believed) forwards two schools' requests: each client has its own limit.
        Task<HttpResponseMessage> LoginFrom(string client, string proto = "http") => http.SendAsync(Login(username, client, proto));
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFrom("203.0.113.5")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFrom("203.0.113.5")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginFrom("203.0.113.5")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFrom("198.51.100.7")).StatusCode);

        await (await new ApiClient(http).SendAsync(HttpMethod.Post, "/api/auth/signup", new { username, password = Teacher.DefaultPassword },
            r => r.Headers.Add("X-Forwarded-For", "192.0.2.50"))).Status(HttpStatusCode.Created);
        var overHttps = await LoginFrom("192.0.2.51", "https");
        Assert.Equal(HttpStatusCode.OK, overHttps.StatusCode);
        var cookie = Assert.Single(overHttps.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Homeroom.Accounts.AccountsSetup.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=", Assert.Single(overHttps.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);

        // Plain HTTP at the proxy: no Secure (the browser would drop the cookie), no HSTS.
        var overHttp = await LoginFrom("192.0.2.52");
        Assert.Equal(HttpStatusCode.OK, overHttp.StatusCode);
        Assert.DoesNotContain("secure", Assert.Single(overHttp.Headers.GetValues("Set-Cookie"), c => c.StartsWith(Homeroom.Accounts.AccountsSetup.CookieName + "=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        Assert.False(overHttp.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Forwarded_headers_from_a_sender_that_is_not_a_known_proxy_are_ignored_unless_every_sender_is_believed()
    {
        // Only 10.1.2.3 is a known proxy (loopback stays one unless ASPNETCORE_FORWARDEDHEADERS_ENABLED clears the lists).
        await using var strict = await Fixture.StartAppAsync(new Dictionary<string, string?>
        {
            ["Homeroom:AuthRequestsPerMinutePerClient"] = "1",
            ["Homeroom:ForwardedHeaders:KnownProxies"] = "10.1.2.3",
            ["Homeroom:ForwardedHeaders:KnownNetworks"] = "10.9.0.0/16, fd00::/8",
        });
        using var http = strict.NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(Login("nobody", "203.0.113.9"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.SendAsync(Login("nobody", "203.0.113.9"))).StatusCode);

        await using var trusting = await Fixture.StartAppAsync(new Dictionary<string, string?>
        {
            ["Homeroom:AuthRequestsPerMinutePerClient"] = "1",
            ["FORWARDEDHEADERS_ENABLED"] = "true",
        });
        using var other = trusting.NewClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.SendAsync(Login("nobody", "203.0.113.9", "https"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.SendAsync(Login("nobody", "203.0.113.10", "https"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await other.SendAsync(Login("nobody", "203.0.113.10", "https"))).StatusCode);
    }

    [Fact]
    public async Task The_join_address_is_the_teachers_when_it_is_not_loopback_and_this_machines_network_address_when_it_is()
    {
        var teacher = await SignUpAsync();
        var quiz = new { title = "Join", questions = new[] { new { type = "truefalse", text = "Reachable?", correct = true } } };
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
        async Task<string> JoinUrlAsync(Action<HttpRequestMessage> configure) =>
            (await (await teacher.Api.SendAsync(HttpMethod.Post, "/api/games", new { quizId }, configure)).Json(HttpStatusCode.Created)).Str("joinUrl");

        // The teacher's browser used the machine's network address: phones use it too.
        Assert.StartsWith("http://192.168.1.20:5000/play?pin=", await JoinUrlAsync(r => r.Headers.Host = "192.168.1.20:5000"), StringComparison.Ordinal);
        Assert.StartsWith("http://quiz-laptop.local:5000/play?pin=", await JoinUrlAsync(r => r.Headers.Host = "quiz-laptop.local:5000"), StringComparison.Ordinal);

        // Through a proxy: the address the browser saw.
        Assert.StartsWith("https://quiz.school.example/play?pin=", await JoinUrlAsync(r =>
        {
            r.Headers.Add("X-Forwarded-Proto", "https");
            r.Headers.Add("X-Forwarded-Host", "quiz.school.example");
        }), StringComparison.Ordinal);

        // The teacher used localhost: never a loopback address, but this machine's address on the network (on a
        // machine with no network at all, there is nothing better than the address the teacher used).
        var lan = JoinAddress.LanAddress();
        foreach (var loopback in new[] { "localhost:5000", "127.0.0.1:5000", "[::1]:5000" })
        {
            var joinUrl = new Uri(await JoinUrlAsync(r => r.Headers.Host = loopback));
            Assert.Equal((lan?.ToString() ?? new Uri("http://" + loopback).Host, 5000), (joinUrl.Host, joinUrl.Port));
            Assert.Equal(lan is null, JoinAddress.IsLoopback(joinUrl.Host));
        }
    }

    [Fact]
    public async Task The_configured_public_url_is_the_join_address()
    {
        await using var app = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:PublicUrl"] = "https://quiz.school.example/" });
        var teacher = await Teacher.SignUpAsync(app);
        var quiz = new { title = "Join", questions = new[] { new { type = "truefalse", text = "Reachable?", correct = true } } };
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");

        var game = await (await teacher.Api.SendAsync(HttpMethod.Post, "/api/games", new { quizId }, r => r.Headers.Host = "localhost:5000")).Json(HttpStatusCode.Created);

        Assert.StartsWith("https://quiz.school.example/play?pin=", game.Str("joinUrl"), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Login(string username, string client, string proto = "http")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login?useCookies=true")
        {
            Content = new StringContent($$"""{"username":"{{username}}","password":"{{Teacher.DefaultPassword}}"}""", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.Add("X-Forwarded-Proto", proto);
        request.Headers.Add("X-Forwarded-Host", "quiz.school.example");
        return request;
    }

    private sealed class CapturedLogs : ILoggerProvider
    {
        public ConcurrentQueue<(string Category, LogLevel Level, Exception? Exception, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs logs, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                logs.Entries.Enqueue((category, logLevel, exception, formatter(state, exception)));
        }
    }
}
