using System.Globalization;
using System.Net;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Web;

/// <summary>
/// <c>/metrics</c>: off by default, loopback only when on, and after real activity (sign-up, a quiz, a live game with a host
/// and two players) every metric the operator is promised is there with the values that activity produced. The scrape
/// runs against the service as its own process: meters are process-wide, and other tests' apps would add to them.
/// </summary>
public abstract class MetricsTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task Metrics_are_off_unless_enabled()
    {
        using var api = Anonymous();

        var response = await api.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("http_server", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_enabled_metrics_refuse_clients_outside_the_allowed_networks()
    {
        await using var app = await Fixture.StartAppAsync(new Dictionary<string, string?>
        {
            ["Homeroom:Metrics:Enabled"] = "true",
            ["Homeroom:Metrics:AllowedNetworks"] = "10.9.8.0/24, 192.0.2.7",
        });
        using var api = new ApiClient(app.NewClient());

        var response = await api.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("homeroom_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_scrape_shows_requests_live_games_connected_players_and_the_write_queue_after_real_activity()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        await using var service = await ServiceProcess.StartAsync(new ServiceProcess.Options(Fixture.Provider)
        {
            Settings =
            {
                ["ConnectionStrings:Homeroom"] = connectionString,
                ["Homeroom:Metrics:Enabled"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
            },
        });
        using var api = service.NewClient();
        var username = Teacher.NewUsername();
        await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
        var token = await Teacher.LoginAsync(api, username, Teacher.DefaultPassword);
        api.UseBearer(token);
        var quiz = new { title = "Counted", questions = new[] { new { type = "truefalse", text = "Metrics are real", correct = true } } };
        var quizId = (await (await api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
        var game = await (await api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
        await using var host = await HubClient.ConnectAsync(service.Address, token);
        await host.InvokeAsync("Host", game.Long("id"));
        await using var ann = await HubClient.ConnectAsync(service.Address);
        await using var bob = await HubClient.ConnectAsync(service.Address);
        await ann.InvokeAsync("Join", game.Str("pin"), "Ann");
        await bob.InvokeAsync("Join", game.Str("pin"), "Bob");
        await (await api.GetAsync("/health")).Status(HttpStatusCode.OK);

        var scrape = await api.GetAsync("/metrics");
        var text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var metrics = Parse(text);
        Assert.Equal(1, Single(metrics, "homeroom_games_live"));
        Assert.Equal(2, Single(metrics, "homeroom_games_players_connected"));
        // Every write of the activity was answered before the scrape; only a background write (none today) could be waiting.
        Assert.InRange(Single(metrics, "homeroom_storage_write_queue_depth"), 0, 2);
        // Sign-up, the refresh token of the sign-in, the quiz, the game, two players: at least six writes, each committed.
        var commits = Single(metrics, "homeroom_storage_commit_duration_seconds_count");
        Assert.InRange(commits, 1, 1000);
        Assert.True(Single(metrics, "homeroom_storage_commit_duration_seconds_sum") > 0, text);
        Assert.Equal(commits, Single(metrics, "homeroom_storage_commit_duration_seconds_bucket", "le=\"+Inf\""));
        Assert.InRange(Single(metrics, "homeroom_storage_commit_writes_sum"), 6, 1000);
        Assert.InRange(Single(metrics, "homeroom_storage_commit_writes_count"), 1, 1000);

        // The framework's request metrics, by route and status; /health (the probe and benchmark baseline) is left out.
        Assert.Equal(1, Single(metrics, "http_server_request_duration_seconds_count", "http_route=\"/api/auth/signup\"", "http_request_method=\"POST\"", "http_response_status_code=\"201\""));
        Assert.Equal(1, Single(metrics, "http_server_request_duration_seconds_count", "http_route=\"/api/quizzes/\"", "http_request_method=\"POST\"", "http_response_status_code=\"201\""));
        Assert.Equal(1, Single(metrics, "http_server_request_duration_seconds_count", "http_route=\"/api/games/\"", "http_request_method=\"POST\"", "http_response_status_code=\"201\""));
        Assert.DoesNotContain(metrics, m => m.Name.StartsWith("http_server_request_duration", StringComparison.Ordinal) && m.Labels.Contains("http_route=\"/health\"", StringComparison.Ordinal));
        // SignalR's own meter: the host's and the two players' connections.
        Assert.Equal(3, metrics.Where(m => m.Name == "signalr_server_active_connections").Sum(m => m.Value));
    }

    private sealed record Sample(string Name, string Labels, double Value);

    /// <summary>The samples of a Prometheus text exposition: name, the labels as written, value.</summary>
    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            var name = brace < 0 ? line[..line.IndexOf(' ', StringComparison.Ordinal)] : line[..brace];
            var labels = brace < 0 ? "" : line[(brace + 1)..close];
            var rest = (brace < 0 ? line[name.Length..] : line[(close + 1)..]).Trim().Split(' ');
            samples.Add(new Sample(name, labels, double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    private static double Single(List<Sample> samples, string name, params string[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.Contains(l, StringComparison.Ordinal))).ToList();
        Assert.True(matching.Count == 1, $"{name} {string.Join(',', labels)}: {matching.Count} samples");
        return matching[0].Value;
    }
}

public sealed class SqliteMetricsTests(SqliteFixture fixture) : MetricsTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresMetricsTests(PostgresFixture fixture) : MetricsTests(fixture), IClassFixture<PostgresFixture>;
