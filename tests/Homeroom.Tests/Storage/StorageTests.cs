using System.Data.Common;
using System.Net;
using Dapper;
using Homeroom.Storage;
using Homeroom.Tests.Classes;
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
    public async Task A_failing_write_in_a_group_commit_takes_no_other_write_with_it()
    {
        var teacher = await SignUpAsync();
        var scope = TeacherDb.For(App.Service<Database>(), teacher.Id);
        const string insert = "INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, @name, 0) RETURNING id";

        // The writer is held while the writes queue up, so they all go into one batch.
        var (release, held) = await HoldTheWriterAsync(scope);
        var writes = Enumerable.Range(0, 20)
            .Select(i => scope.WriteAsync(tx => tx.ExecuteScalarAsync<long>(insert, new { name = i == 7 ? null : $"group {teacher.Id} {i}" })))
            .ToList();
        var partly = scope.WriteAsync(async tx =>
        {
            await tx.ExecuteAsync("INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, 'half done', 0)");
            return await tx.ExecuteScalarAsync<long>(insert, new { name = (string?)null });
        });
        release.SetResult();
        await held;

        await Assert.ThrowsAnyAsync<DbException>(() => writes[7]);
        await Assert.ThrowsAnyAsync<DbException>(() => partly);
        var ids = new List<long>();
        foreach (var write in writes.Where((_, i) => i != 7))
        {
            ids.Add(await write);
        }

        Assert.Equal(
            Enumerable.Range(0, 20).Where(i => i != 7).Select(i => $"group {teacher.Id} {i}").Order(StringComparer.Ordinal),
            (await scope.QueryAsync<string>("SELECT name FROM classes WHERE teacher_id = @TeacherId")).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Order(), await scope.QueryAsync<long>("SELECT id FROM classes WHERE teacher_id = @TeacherId ORDER BY id"));
    }

    [Fact]
    public async Task Statements_of_many_lanes_on_several_writers_are_all_committed_and_answered()
    {
        // Storage:StatementWriters > 1 on PostgreSQL: each lane's statements go to one of three writers, each its own connection.
        var teacher = await SignUpAsync();
        await using var database = Fixture.Provider == StorageProvider.Sqlite
            ? (Database)new SqliteDatabase(App.ConnectionString)
            : new PostgresDatabase(App.ConnectionString, statementWriters: 3);
        var scope = TeacherDb.For(database, teacher.Id);
        const string insert = "INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, @name, 0) RETURNING id, name";
        var sent = Enumerable.Range(0, 60).Select(i => scope.WriteStatementAsync<(long Id, string Name)>(insert, new { name = $"lane {i % 7} #{i:00}" }, lane: i % 7)).ToList();
        var answered = new List<string>();
        foreach (var statement in sent)
        {
            answered.Add(Assert.Single(await statement).Name);
        }

        Assert.Equal(Enumerable.Range(0, 60).Select(i => $"lane {i % 7} #{i:00}"), answered);
        Assert.Equal(answered.Order(StringComparer.Ordinal), (await scope.QueryAsync<string>("SELECT name FROM classes WHERE teacher_id = @TeacherId")).Order(StringComparer.Ordinal));
        Assert.Equal(0, database.QueuedWrites);
    }

    /// <summary>
    /// A combined statement (the fair pick's form on PostgreSQL) for the tests: each write inserts a class named after
    /// its lane and answers how many classes of its lane it saw before it (so a write that shared a snapshot with an
    /// earlier write of its lane would see one too few) and how many writes its run had. A write named "fail"
    /// divides by zero.
    /// </summary>
    private const string CombinedInsert = """
        WITH q AS MATERIALIZED (
            SELECT * FROM unnest(@TeacherId::bigint[], @name::text[], @lane::bigint[]) WITH ORDINALITY AS q(teacher_id, name, lane, n)
        ), seen AS MATERIALIZED (
            SELECT q.n, q.teacher_id, q.name,
                (SELECT count(*) FROM classes c WHERE c.teacher_id = q.teacher_id AND c.name LIKE 'lane ' || q.lane || ' #%')
                    + 1 / CASE WHEN q.name = 'fail' THEN 0 ELSE 1 END - 1 AS before
            FROM q
        ), inserted AS (
            INSERT INTO classes (teacher_id, name, created_at) SELECT teacher_id, name, before FROM seen RETURNING name, created_at
        )
        SELECT i.name, i.created_at AS before, (SELECT count(*) FROM q) AS run, s.n
        FROM seen s JOIN inserted i ON i.name = s.name
        """;

    /// <summary>
    /// A new teacher's scope for combined statements on PostgreSQL; on SQLite, whose single writer remembers instead
    /// (the picker does not use combined statements there), checks that they are refused and gives null.
    /// </summary>
    private async Task<TeacherDb?> CombinedScopeAsync()
    {
        var teacher = await SignUpAsync();
        var scope = TeacherDb.For(App.Service<Database>(), teacher.Id);
        if (Fixture.Provider != StorageProvider.Sqlite)
        {
            return scope;
        }

        await Assert.ThrowsAsync<NotSupportedException>(() => scope.WriteCombinedAsync<(string, long, long)>(CombinedInsert, new { name = "x", lane = 1L }, lane: 1));
        return null;
    }

    [Fact]
    public async Task Combined_statements_run_once_for_many_writes_one_per_lane_per_run()
    {
        if (await CombinedScopeAsync() is not { } scope)
        {
            return;
        }

        // 60 writes over 7 lanes waiting together: 8 runs of 7 writes (a write of each lane) and a last run of 4.
        var (release, held) = await HoldTheWriterAsync(scope);
        var sent = Enumerable.Range(0, 60)
            .Select(i => scope.WriteCombinedAsync<(string Name, long Before, long Run)>(CombinedInsert, new { name = $"lane {i % 7} #{i:00}", lane = (long)(i % 7) }, lane: i % 7))
            .ToList();
        release.SetResult();
        await held;

        for (var i = 0; i < sent.Count; i++)
        {
            var row = Assert.Single(await sent[i]);
            Assert.Equal($"lane {i % 7} #{i:00}", row.Name);
            Assert.Equal(i / 7, row.Before);
            Assert.Equal(i < 56 ? 7 : 4, row.Run);
        }

        Assert.Equal(60, (await scope.QueryAsync<string>("SELECT name FROM classes WHERE teacher_id = @TeacherId")).Count);
    }

    [Fact]
    public async Task A_failing_write_of_a_combined_statement_is_answered_alone_and_the_others_land()
    {
        if (await CombinedScopeAsync() is not { } scope)
        {
            return;
        }

        static string Name(int i) => i == 9 ? "fail" : $"lane {i % 4} #{i:00}";
        var (release, held) = await HoldTheWriterAsync(scope);
        var sent = Enumerable.Range(0, 20)
            .Select(i => scope.WriteCombinedAsync<(string Name, long Before, long Run)>(CombinedInsert, new { name = Name(i), lane = (long)(i % 4) }, lane: i % 4))
            .ToList();
        release.SetResult();
        await held;

        var landed = new List<string>();
        for (var i = 0; i < sent.Count; i++)
        {
            if (i == 9)
            {
                var error = await Assert.ThrowsAnyAsync<DbException>(() => sent[i]);
                Assert.Contains("division by zero", error.Message, StringComparison.Ordinal);
                continue;
            }

            var row = Assert.Single(await sent[i]);
            Assert.Equal(Name(i), row.Name);

            // Lane 1 lost its third write (9): the ones after it see one class fewer.
            Assert.Equal(i % 4 == 1 && i > 9 ? (i / 4) - 1 : i / 4, row.Before);
            landed.Add(row.Name);
        }

        Assert.Equal(landed.Order(StringComparer.Ordinal), (await scope.QueryAsync<string>("SELECT name FROM classes WHERE teacher_id = @TeacherId")).Order(StringComparer.Ordinal));
        Assert.Equal(1, await scope.WriteAsync(tx => tx.ExecuteAsync("UPDATE teachers SET display_name = 'after' WHERE id = @TeacherId")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failing_statement_among_statements_sent_together_is_answered_alone(bool withOtherWrites)
    {
        var teacher = await SignUpAsync();
        var scope = TeacherDb.For(App.Service<Database>(), teacher.Id);
        const string insert = "INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, @name, 0) RETURNING id, name";
        static string? Name(long teacher, int i) => i is 3 or 11 ? null : $"sent {teacher} {i:00}";

        // Statements alone go to PostgreSQL with BEGIN and COMMIT in one round trip; with other writes beside them
        // (a write with code, a statement without RETURNING) the statements go first, then the rest.
        var (release, held) = await HoldTheWriterAsync(scope);
        var statements = Enumerable.Range(0, 16).Select(i => scope.WriteStatementAsync<(long Id, string Name)>(insert, new { name = Name(teacher.Id, i) })).ToList();
        var nothing = scope.WriteStatementAsync<long>("UPDATE classes SET name = 'never' WHERE id = -1 AND teacher_id = @TeacherId RETURNING id");
        var others = withOtherWrites
            ? new Task[]
            {
                scope.WriteAsync(tx => tx.ExecuteScalarAsync<long>("INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, 'beside', 0) RETURNING id")),
                scope.WriteStatementAsync<long>("INSERT INTO classes (teacher_id, name, created_at) VALUES (@TeacherId, 'no rows', 0)"),
            }
            : [];
        release.SetResult();
        await held;

        var names = new List<string>();
        for (var i = 0; i < statements.Count; i++)
        {
            if (Name(teacher.Id, i) is null)
            {
                await Assert.ThrowsAnyAsync<DbException>(() => statements[i]);
            }
            else
            {
                names.Add(Assert.Single(await statements[i]).Name);
            }
        }

        Assert.Empty(await nothing);
        await Task.WhenAll(others);
        if (withOtherWrites)
        {
            names.AddRange(["beside", "no rows"]);
        }

        Assert.Equal(
            names.Order(StringComparer.Ordinal),
            (await scope.QueryAsync<string>("SELECT name FROM classes WHERE teacher_id = @TeacherId")).Order(StringComparer.Ordinal));
        Assert.Equal(1, await scope.WriteAsync(tx => tx.ExecuteAsync("UPDATE teachers SET display_name = 'after' WHERE id = @TeacherId")));
    }

    [Fact]
    public async Task A_write_given_up_in_a_deadlock_with_another_server_is_tried_again()
    {
        var teacher = await SignUpAsync();
        var scope = TeacherDb.For(App.Service<Database>(), teacher.Id);
        var tries = 0;

        // PostgreSQL breaks a deadlock between two servers' batches by failing a statement of one of them.
        var name = await scope.WriteAsync(async tx =>
        {
            await tx.ExecuteAsync("UPDATE teachers SET display_name = 'tried' WHERE id = @TeacherId");
            if (Interlocked.Increment(ref tries) < 3)
            {
                throw new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", Npgsql.PostgresErrorCodes.DeadlockDetected);
            }

            return await tx.ExecuteScalarAsync<string>("SELECT display_name FROM teachers WHERE id = @TeacherId");
        });
        var other = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => scope.WriteAsync<int>(
            _ => throw new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", Npgsql.PostgresErrorCodes.DeadlockDetected)));

        Assert.Equal(("tried", 3), (name, tries));
        Assert.Equal(Npgsql.PostgresErrorCodes.DeadlockDetected, other.SqlState);
    }

    [Fact]
    public async Task Acknowledged_picks_survive_a_kill_9_of_the_service()
    {
        var connectionString = await Fixture.CreateDatabaseAsync() ?? throw new InvalidOperationException();
        var username = Teacher.NewUsername();
        long classId;
        List<long> acknowledged;
        await using (var service = await ServiceProcess.StartAsync(Fixture.Provider, connectionString))
        {
            using var api = service.NewClient();
            await (await api.PostAsync("/api/auth/signup", new { username, password = Teacher.DefaultPassword })).Status(HttpStatusCode.Created);
            api.UseBearer(await Teacher.LoginAsync(api, username, Teacher.DefaultPassword));
            classId = (await (await api.PostAsync("/api/classes", new { name = "Kill 9" })).Json(HttpStatusCode.Created)).Long("id");
            using var roster = new StringContent(string.Join('\n', Enumerable.Range(1, 25).Select(i => $"Student {i}")), System.Text.Encoding.UTF8, "text/plain");
            await (await api.PostAsync($"/api/classes/{classId}/students/import", roster)).Status(HttpStatusCode.OK);

            // Concurrent picks, so that they share commits.
            acknowledged = [.. (await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.PickAsync(classId)))).Select(p => p.Long("id"))];
            await service.KillAsync();
        }

        await using var restarted = await ServiceProcess.StartAsync(Fixture.Provider, connectionString);
        using var again = restarted.NewClient();
        again.UseBearer(await Teacher.LoginAsync(again, username, Teacher.DefaultPassword));
        var history = await (await again.GetAsync($"/api/classes/{classId}/picks?pageSize=200")).Json(HttpStatusCode.OK);
        var stored = history.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(acknowledged.Order(), stored.Select(p => p.Long("id")).Order());
        Assert.Equal(20, stored.Select(p => p.StudentId()).Distinct().Count());
    }

    /// <summary>
    /// Occupies the writer until <c>Release</c> is completed, so that the writes made meanwhile wait together and
    /// are then run as one batch; <c>Held</c> completes when the occupying write has.
    /// </summary>
    private static async Task<(TaskCompletionSource Release, Task Held)> HoldTheWriterAsync(TeacherDb scope)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = scope.WriteAsync(async tx =>
        {
            started.TrySetResult();
            await release.Task;
            return await tx.ExecuteAsync("UPDATE teachers SET display_name = 'held' WHERE id = @TeacherId");
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (release, held);
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
