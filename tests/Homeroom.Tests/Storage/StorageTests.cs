using System.Net;
using Dapper;
using Homeroom.Storage;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Storage;

public abstract class StorageTests(AppFixture fixture) : AppTests(fixture)
{
    [Fact]
    public async Task Every_migration_is_applied_once_and_recorded()
    {
        var database = App.Service<Database>();
        await using var connection = await database.OpenAsync();

        var recorded = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations ORDER BY version")).ToList();

        Assert.Equal(Migrator.ScriptsFor(App.Provider).Select(s => s.Version), recorded);
        Assert.Equal(recorded.Distinct(), recorded);
    }

    [Fact]
    public async Task Migrating_an_up_to_date_database_changes_nothing()
    {
        var database = App.Service<Database>();
        await using var connection = await database.OpenAsync();
        var before = await connection.QueryAsync<(long, long)>("SELECT version, applied_at FROM schema_migrations ORDER BY version");

        await App.Service<Migrator>().MigrateAsync();

        var after = await connection.QueryAsync<(long, long)>("SELECT version, applied_at FROM schema_migrations ORDER BY version");
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task A_teacher_scoped_statement_without_the_teacher_filter_is_refused()
    {
        var scope = TeacherDb.For(App.Service<Database>(), teacherId: 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scope.QueryAsync<long>("SELECT id FROM teachers"));

        Assert.Contains("@TeacherId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepared_statements_bind_each_writes_own_values_also_after_a_failed_write()
    {
        var teacher = await SignUpAsync();
        var scope = TeacherDb.For(App.Service<Database>(), teacher.Id);
        const string sql = "SELECT @TeacherId AS teacher, CAST(@text AS TEXT) AS text, CAST(@number AS BIGINT) AS number";

        var failed = scope.WriteAsync(tx => tx.ExecutePreparedAsync("INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, NULL, 0)"));
        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            scope.WriteAsync(tx => tx.QueryPreparedAsync<(long Teacher, string? Text, long Number)>(sql, new { text = i % 5 == 0 ? null : $"t{i}", number = (long)i }))));

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => failed);
        Assert.Equal(
            Enumerable.Range(0, 50).Select(i => (teacher.Id, i % 5 == 0 ? null : $"t{i}", (long)i)),
            answers.Select(a => Assert.Single(a)));
        Assert.Equal(1, await scope.WriteAsync(tx => tx.ExecutePreparedAsync(
            "UPDATE teachers SET display_name = @name WHERE id = @TeacherId", new { name = "Prepared" })));
    }

    [Fact]
    public async Task An_acknowledged_signup_survives_a_kill_9_of_the_service()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        var username = Teacher.NewUsername();

        await using (var service = await ServiceProcess.StartAsync(Fixture.Provider, connectionString))
        {
            using var api = service.NewClient();
            await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
            await service.KillAsync();
        }

        await using var restarted = await ServiceProcess.StartAsync(Fixture.Provider, connectionString);
        using var again = restarted.NewClient();
        Assert.NotEmpty(await Teacher.LoginAsync(again, username, Teacher.DefaultPassword));
    }

    [Fact]
    public async Task A_game_stopped_by_a_kill_9_keeps_every_acknowledged_answer_and_is_reported_interrupted()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        var username = Teacher.NewUsername();
        string token;
        long gameId;
        await using (var service = await ServiceProcess.StartAsync(Fixture.Provider, connectionString))
        {
            using var api = service.NewClient();
            await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
            token = await Teacher.LoginAsync(api, username, Teacher.DefaultPassword);
            api.UseBearer(token);
            var quiz = new
            {
                title = "Crash course",
                questions = new[]
                {
                    new { type = "truefalse", text = "Acknowledged means stored", correct = true },
                    new { type = "truefalse", text = "Never asked", correct = false },
                },
            };
            var quizId = (await (await api.PostAsync("/api/quizzes", quiz)).Json(HttpStatusCode.Created)).Long("id");
            var game = await (await api.PostAsync("/api/games", new { quizId, options = new { readSeconds = 0 } })).Json(HttpStatusCode.Created);
            gameId = game.Long("id");

            await using var host = await HubClient.ConnectAsync(service.Address, token);
            await host.InvokeAsync("Host", gameId);
            await using var ann = await HubClient.ConnectAsync(service.Address);
            await using var bob = await HubClient.ConnectAsync(service.Address);
            await ann.InvokeAsync("Join", game.Str("pin"), "Ann");
            await bob.InvokeAsync("Join", game.Str("pin"), "Bob");
            await host.InvokeAsync("Start");
            await ann.NextAsync("answersOpen");
            await ann.InvokeAsync("Answer", 0, true);

            // Killed mid-question: Ann's answer was acknowledged, Bob never answered.
            await service.KillAsync();
        }

        await using var restarted = await ServiceProcess.StartAsync(Fixture.Provider, connectionString);
        using var again = restarted.NewClient();
        again.UseBearer(token);
        var stored = await (await again.GetAsync($"/api/games/{gameId}")).Json(HttpStatusCode.OK);
        Assert.Equal("interrupted", stored.Str("status"));
        Assert.Equal(2, stored.Int("players"));

        await using var database = Fixture.Provider == StorageProvider.Sqlite ? (Database)new SqliteDatabase(connectionString) : new PostgresDatabase(connectionString);
        await using var connection = await database.OpenAsync();
        var answers = (await connection.QueryAsync<(int, long)>(
            "SELECT player_id, points FROM game_answers WHERE game_id = @gameId", new { gameId })).ToList();
        var (player, points) = Assert.Single(answers);
        Assert.Equal(1, player);
        Assert.InRange(points, 500, 1000);
        Assert.NotNull(await connection.ExecuteScalarAsync<long?>("SELECT ended_at FROM games WHERE id = @gameId", new { gameId }));
    }

    [Fact]
    public async Task Tokens_issued_before_a_restart_are_still_accepted_after_it()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        var username = Teacher.NewUsername();
        string token;
        await using (var service = await ServiceProcess.StartAsync(Fixture.Provider, connectionString))
        {
            using var api = service.NewClient();
            await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
            token = await Teacher.LoginAsync(api, username, Teacher.DefaultPassword);
        }

        await using var restarted = await ServiceProcess.StartAsync(Fixture.Provider, connectionString);
        using var again = restarted.NewClient();
        again.UseBearer(token);
        Assert.Equal(username, (await (await again.GetAsync("/api/me")).Json(HttpStatusCode.OK)).Str("username"));
    }
}

public sealed class SqliteStorageTests(SqliteFixture fixture) : StorageTests(fixture), IClassFixture<SqliteFixture>;

public sealed class PostgresStorageTests(PostgresFixture fixture) : StorageTests(fixture), IClassFixture<PostgresFixture>;
