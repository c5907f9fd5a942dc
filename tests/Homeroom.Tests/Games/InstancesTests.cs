using System.Globalization;
using System.Net;
using Dapper;
using Homeroom.Games;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Homeroom.Tests.Games;

/// <summary>
/// Several servers on one database (PostgreSQL behind a load balancer; on SQLite the same code runs for the one
/// server there is): each server's games are its own, a server starting never touches another's, PINs are unique
/// across all of them, and the games of a server that died are reported interrupted by a survivor.
/// </summary>
public abstract class InstancesTests(AppFixture fixture) : AppTests(fixture)
{
    private static readonly object Quiz = new
    {
        title = "Two servers",
        questions = new[]
        {
            new { type = "truefalse", text = "Servers share one database", correct = true },
            new { type = "truefalse", text = "Never asked", correct = false },
        },
    };

    [Fact]
    public async Task A_second_server_leaves_the_first_servers_games_alone_and_reports_them_interrupted_once_the_first_is_killed()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        await using var first = await ServiceProcess.StartAsync(Fixture.Provider, connectionString, instanceName: "first");
        using var api = first.NewClient();
        var username = Teacher.NewUsername();
        await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
        var token = await Teacher.LoginAsync(api, username, Teacher.DefaultPassword);
        api.UseBearer(token);
        var quizId = (await (await api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var lobby = await (await api.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created);
        var running = await (await api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
        await using var host = await HubClient.ConnectAsync(first.Address, token);
        await host.InvokeAsync("Host", running.Long("id"));
        await using var ann = await HubClient.ConnectAsync(first.Address);
        await ann.InvokeAsync("Join", running.Str("pin"), "Ann");
        await host.InvokeAsync("Start");
        await ann.NextAsync("answersOpen");

        // The second server starts (sweeping at start) and sweeps again at the current time: the first is alive.
        await using var second = await Fixture.StartAppAsync(connectionString: connectionString);
        second.Clock.Set(DateTimeOffset.UtcNow);
        await second.Service<GameRegistry>().SweepOrphansAsync();

        Assert.Equal(("lobby", "running"), (await StatusAsync(connectionString, lobby.Long("id")), await StatusAsync(connectionString, running.Long("id"))));
        Assert.Equal(0, (await ann.InvokeAsync("Answer", 0, true)).Int("questionIndex"));
        await (await api.GetAsync($"/api/play/{lobby.Str("pin")}")).Status(HttpStatusCode.OK);
        Assert.Equal(1L, await ScalarAsync(connectionString, $"SELECT COUNT(*) FROM game_answers WHERE game_id = {running.Long("id")}"));

        // Killed: nothing more is heard from it. Its heartbeat stops; at most GoneAfter plus one sweep later, the
        // survivor reports its running game interrupted (the answer stays) and drops its lobby.
        var killedAt = DateTimeOffset.UtcNow;
        await first.KillAsync();
        second.Clock.Set(killedAt + ServiceInstance.GoneAfter + ServiceInstance.Beat);

        using var survivor = new ApiClient(second.NewClient());
        survivor.UseBearer(token);
        await AssertEventuallyAsync(async () =>
            (await (await survivor.GetAsync($"/api/games/{running.Long("id")}")).Json(HttpStatusCode.OK)).Str("status") == "interrupted");
        await (await survivor.GetAsync($"/api/games/{lobby.Long("id")}")).Problem(HttpStatusCode.NotFound);
        Assert.Equal(1L, await ScalarAsync(connectionString, $"SELECT COUNT(*) FROM game_answers WHERE game_id = {running.Long("id")}"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM instances WHERE name = 'first'"));
        var report = await (await survivor.GetAsync($"/api/reports/games/{running.Long("id")}")).Json(HttpStatusCode.OK);
        Assert.True(report.GetProperty("flags").GetProperty("interrupted").GetBoolean());
        await (await survivor.DeleteAsync($"/api/reports/games/{running.Long("id")}")).Status(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_pin_another_server_holds_is_drawn_again()
    {
        await using var first = await Fixture.StartAppAsync();
        var colliding = new CollidingRandomSource();
        await using var second = await Fixture.StartAppAsync(
            connectionString: first.ConnectionString,
            services: s =>
            {
                s.RemoveAll<IRandomSource>();
                s.AddSingleton<IRandomSource>(colliding);
            });
        second.Clock.Set(first.Clock.GetUtcNow());
        var teacher = await Teacher.SignUpAsync(first);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var held = await (await teacher.Api.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created);

        // The second server's first draw is exactly the PIN the first server's lobby holds.
        colliding.Next = long.Parse(held.Str("pin"), CultureInfo.InvariantCulture) - 100_000;
        var other = new ApiClient(second.NewClient());
        other.UseBearer(teacher.Token);
        var drawnAgain = await (await other.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created);

        Assert.True(colliding.Used);
        Assert.NotEqual(held.Str("pin"), drawnAgain.Str("pin"));
        await (await teacher.Api.GetAsync($"/api/play/{held.Str("pin")}")).Status(HttpStatusCode.OK);
        Assert.Equal(2L, await ScalarAsync(first.ConnectionString, "SELECT COUNT(DISTINCT pin) FROM games WHERE status = 'lobby'"));
        Assert.Equal(
            [first.Service<GameRegistry>().InstanceId, second.Service<GameRegistry>().InstanceId],
            (await QueryAsync<string>(first.ConnectionString, "SELECT owner_instance FROM games ORDER BY id")).ToArray());

        // And the database itself refuses two live games with one PIN.
        var database = first.Service<Database>();
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync((connection, transaction) => connection.ExecuteAsync(
            "INSERT INTO games (teacher_id, pin, title, questions, options, status, created_at) VALUES (@id, @pin, 't', '[]', '{}', 'running', 0)",
            new { id = teacher.Id, pin = held.Str("pin") }, transaction)));
    }

    [Fact]
    public async Task A_server_that_stops_records_its_games_as_interrupted_and_a_restart_under_its_name_takes_over_at_once()
    {
        var first = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:InstanceName"] = "classroom" });
        var connectionString = first.ConnectionString;
        var teacher = await Teacher.SignUpAsync(first);
        var quizId = (await (await teacher.Api.PostAsync("/api/quizzes", Quiz)).Json(HttpStatusCode.Created)).Long("id");
        var lobby = (await (await teacher.Api.PostAsync("/api/games", new { quizId })).Json(HttpStatusCode.Created)).Long("id");
        await first.DisposeAsync();

        Assert.Equal(0L, await ScalarAsync(connectionString, $"SELECT COUNT(*) FROM games WHERE id = {lobby}"));
        Assert.Equal(0L, await ScalarAsync(connectionString, "SELECT COUNT(*) FROM instances"));

        // A run that left a game running (as after a kill -9), then a restart under the same name.
        await using var database = Open(connectionString);
        await database.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("INSERT INTO instances (id, name, started_at, heartbeat_at) VALUES ('dead-run', 'classroom', 0, @now)",
                new { now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, transaction);
            return await connection.ExecuteAsync(
                "INSERT INTO games (teacher_id, pin, title, questions, options, status, created_at, owner_instance) VALUES (@id, '123456', 't', '[]', '{}', 'running', 0, 'dead-run')",
                new { id = teacher.Id }, transaction);
        });
        await using var restarted = await Fixture.StartAppAsync(new Dictionary<string, string?> { ["Homeroom:InstanceName"] = "classroom" }, connectionString: connectionString);

        Assert.Equal("interrupted", (await QueryAsync<string>(connectionString, "SELECT status FROM games WHERE pin = '123456'")).Single());
    }

    private async Task<string> StatusAsync(string connectionString, long gameId) =>
        (await QueryAsync<string>(connectionString, $"SELECT status FROM games WHERE id = {gameId}")).Single();

    private async Task<long> ScalarAsync(string connectionString, string sql) => (await QueryAsync<long>(connectionString, sql)).Single();

    private async Task<List<T>> QueryAsync<T>(string connectionString, string sql)
    {
        await using var database = Open(connectionString);
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<T>(sql)];
    }

    private Database Open(string connectionString) =>
        Fixture.Provider == StorageProvider.Sqlite ? new SqliteDatabase(connectionString) : new PostgresDatabase(connectionString);

    /// <summary>Waits for work the server does on its own (a sweep the clock set off), 15 s at most.</summary>
    private static async Task AssertEventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(await condition());
    }

    /// <summary>Returns <see cref="Next"/> once when it is set, then draws at random.</summary>
    private sealed class CollidingRandomSource : IRandomSource
    {
        private readonly CryptoRandomSource random = new();

        public long? Next { get; set; }

        public bool Used { get; private set; }

        public long NextBelow(long exclusiveMax)
        {
            if (Next is { } next)
            {
                Next = null;
                Used = true;
                return next;
            }

            return random.NextBelow(exclusiveMax);
        }
    }
}

public sealed class SqliteInstancesTests(SqliteFixture fixture) : InstancesTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresInstancesTests(PostgresFixture fixture) : InstancesTests(fixture), IClassFixture<PostgresFixture>;
