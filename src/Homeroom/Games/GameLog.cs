using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Dapper;
using Homeroom.Storage;
using Microsoft.Data.Sqlite;

namespace Homeroom.Games;

/// <summary>
/// Writes what happens in live games (players joining, questions opening and closing, answers, kicks, the
/// end) durably and in order, batching whatever has queued up meanwhile into one transaction: with 10,000
/// players answering within seconds, one commit carries hundreds of answers. Each record's task completes
/// only once its batch is committed, so a player's answer is acknowledged only when it would survive a
/// crash; the window in which an accepted answer can still be lost is the time its batch takes to commit
/// (one durable commit, ~1–20 ms here). A batch that fails is retried one record at a time, so one bad
/// record (say, for a game deleted meanwhile) fails alone.
/// </summary>
public sealed class GameLog : IAsyncDisposable
{
    private const int MaxBatch = 2000;
    private const int RowsPerStatement = 200;
    private readonly Database database;
    private readonly ILogger<GameLog> logger;
    private readonly Channel<Record> queue = Channel.CreateUnbounded<Record>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task writer;

    public GameLog(Database database, ILogger<GameLog> logger)
    {
        this.database = database;
        this.logger = logger;
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The kinds of record, in the order a batch writes them (a player before their answers).</summary>
    private enum Kind
    {
        Started,
        Joined,
        Opened,
        Answered,
        Closed,
        Kicked,
        Ended,
        Flush,
    }

    public Task GameStarted(long gameId, long at) => Add(Kind.Started, new Values(gameId, At: at));

    public Task PlayerJoined(long gameId, int playerId, string nickname, long? studentId, long at, int firstQuestion, string rejoinHash) =>
        Add(Kind.Joined, new Values(gameId, playerId, Text: nickname, StudentId: studentId, At: at, Number: firstQuestion, Hash: rejoinHash));

    /// <summary>Completes once everything queued before it is stored (nothing is written for it).</summary>
    public Task Flush() => Add(Kind.Flush, new Values(0));

    public Task QuestionOpened(long gameId, int questionIndex, long at) => Add(Kind.Opened, new Values(gameId, Number: questionIndex, At: at));

    public Task QuestionClosed(long gameId, int questionIndex, long at) => Add(Kind.Closed, new Values(gameId, Number: questionIndex, At: at));

    public Task Answered(long gameId, int playerId, int questionIndex, string answer, bool? correct, AnswerScore score, long timeMs, long at) =>
        Add(Kind.Answered, new Values(gameId, playerId, Text: answer, Number: questionIndex, At: at, Correct: correct, Score: score, TimeMs: timeMs));

    public Task PlayerKicked(long gameId, int playerId) => Add(Kind.Kicked, new Values(gameId, playerId));

    /// <summary>The game is over: finished, with the players who had left by then.</summary>
    public Task GameEnded(long gameId, long at, IReadOnlyList<int> leftEarly) => Add(Kind.Ended, new Values(gameId, At: at, Players: leftEarly));

    private Task Add(Kind kind, Values values)
    {
        var record = new Record(kind, values);
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(record), this);

        return record.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Record>();
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            try
            {
                await database.WriteAsync((connection, transaction) => WriteAsync(connection, transaction, batch));
                batch.ForEach(r => r.Done.TrySetResult());
            }
            catch (DbException) when (batch.Count > 1)
            {
                foreach (var record in batch)
                {
                    await WriteAloneAsync(record);
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                logger.RecordsFailed(e);
                batch.ForEach(r => r.Done.TrySetException(e));
            }

            batch.Clear();
        }
    }

    private async Task WriteAloneAsync(Record record)
    {
        try
        {
            await database.WriteAsync((connection, transaction) => WriteAsync(connection, transaction, [record]));
            record.Done.TrySetResult();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            logger.RecordFailed(e, record.Kind.ToString(), record.Values.GameId);
            record.Done.TrySetException(e);
        }
    }

    private async Task<bool> WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<Record> batch)
    {
        var sqlite = database.IsSqlite;
        foreach (var group in batch.GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            var values = group.Select(r => r.Values).ToList();
            switch (group.Key)
            {
                case Kind.Started:
                    await connection.ExecuteAsync("UPDATE games SET status = 'running', started_at = @At WHERE id = @GameId AND status = 'lobby'", values, transaction);
                    break;
                case Kind.Joined:
                    await InsertRowsAsync(connection, transaction, values,
                        "INSERT INTO game_players (game_id, player_id, nickname, student_id, joined_at, first_question, rejoin_hash)",
                        ["bigint", "integer", "text", "bigint", "bigint", "integer", "text"],
                        v => [v.GameId, v.PlayerId, v.Text, v.StudentId, v.At, v.Number, v.Hash]);
                    break;
                case Kind.Opened:
                    await InsertRowsAsync(connection, transaction, values,
                        "INSERT INTO game_questions (game_id, question_index, opened_at)", ["bigint", "integer", "bigint"], v => [v.GameId, v.Number, v.At]);
                    break;
                case Kind.Answered:
                    await InsertRowsAsync(connection, transaction, values,
                        "INSERT INTO game_answers (game_id, player_id, question_index, answer, correct, points, streak_bonus, streak, time_ms, answered_at)",
                        ["bigint", "integer", "integer", "text", "boolean", "integer", "integer", "integer", "integer", "bigint"],
                        v => [v.GameId, v.PlayerId, v.Number, v.Text, v.Correct, v.Score!.Points, v.Score.StreakBonus, v.Score.Streak, v.TimeMs, v.At]);
                    break;
                case Kind.Closed:
                    await connection.ExecuteAsync(
                        "UPDATE game_questions SET closed_at = @At WHERE game_id = @GameId AND question_index = @Number", values, transaction);
                    break;
                case Kind.Kicked:
                    await connection.ExecuteAsync(
                        sqlite ? "UPDATE game_players SET kicked = 1 WHERE game_id = @GameId AND player_id = @PlayerId"
                               : "UPDATE game_players SET kicked = TRUE WHERE game_id = @GameId AND player_id = @PlayerId",
                        values, transaction);
                    break;
                case Kind.Ended:
                    foreach (var end in values)
                    {
                        await connection.ExecuteAsync(
                            "UPDATE games SET status = 'finished', ended_at = @At WHERE id = @GameId AND status = 'running'", end, transaction);
                        foreach (var chunk in end.Players!.Chunk(RowsPerStatement * 5))
                        {
                            await connection.ExecuteAsync(
                                sqlite ? "UPDATE game_players SET left_early = 1 WHERE game_id = @GameId AND player_id IN @Players"
                                       : "UPDATE game_players SET left_early = TRUE WHERE game_id = @GameId AND player_id = ANY(@Players)",
                                new { end.GameId, Players = chunk }, transaction);
                        }
                    }

                    break;
            }
        }

        return true;
    }

    /// <summary>
    /// Inserts a batch's rows. On PostgreSQL, one INSERT … SELECT FROM unnest() of one array per column: one statement
    /// and one round trip with a parameter per column, however many rows (multi-row VALUES of 200 rows were 2,000
    /// parameters for Npgsql and PostgreSQL to parse and plan every time). On SQLite there are no round trips, and
    /// SQLite looks each named parameter up by a linear scan of the statement's names, so a many-row statement costs
    /// the square of its size: there one single-row statement is prepared once per batch and run for every row.
    /// <paramref name="insert"/> is INSERT INTO table (columns), without VALUES; <paramref name="types"/> the
    /// PostgreSQL type of each column (bigint, integer, text or boolean).
    /// </summary>
    private static async Task InsertRowsAsync(
        DbConnection connection, DbTransaction transaction, List<Values> rows, string insert, string[] types, Func<Values, object?[]> columns)
    {
        if (connection is SqliteConnection)
        {
            await InsertEachAsync(connection, transaction, rows, insert, columns);
            return;
        }

        var cells = rows.ConvertAll(row => columns(row));
        var parameters = new DynamicParameters();
        var arrays = new StringBuilder();
        for (var column = 0; column < types.Length; column++)
        {
            var index = column;
            parameters.Add(string.Create(CultureInfo.InvariantCulture, $"c{column}"), types[column] switch
            {
                "bigint" => cells.ConvertAll(row => row[index] is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : (long?)null).ToArray(),
                "integer" => cells.ConvertAll(row => row[index] is { } v ? Convert.ToInt32(v, CultureInfo.InvariantCulture) : (int?)null).ToArray(),
                "boolean" => cells.ConvertAll(row => (bool?)row[index]).ToArray(),
                _ => (object)cells.ConvertAll(row => (string?)row[index]).ToArray(),
            });
            arrays.Append(column == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"@c{column}::{types[column]}[]");
        }

        await connection.ExecuteAsync($"{insert} SELECT * FROM unnest({arrays})", parameters, transaction);
    }

    private static async Task InsertEachAsync(DbConnection connection, DbTransaction transaction, List<Values> rows, string insert, Func<Values, object?[]> columns)
    {
        var first = columns(rows[0]);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        var parameters = new DbParameter[first.Length];
        var sql = new StringBuilder(insert).Append(" VALUES (");
        for (var column = 0; column < first.Length; column++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"@p{column}");
            sql.Append(column == 0 ? "" : ", ").Append(name);
            parameters[column] = command.CreateParameter();
            parameters[column].ParameterName = name;
            command.Parameters.Add(parameters[column]);
        }

        command.CommandText = sql.Append(')').ToString();
        await command.PrepareAsync();
        foreach (var row in rows)
        {
            var cells = columns(row);
            for (var column = 0; column < cells.Length; column++)
            {
                parameters[column].Value = cells[column] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    private sealed record Values(
        long GameId, int PlayerId = 0, string? Text = null, long? StudentId = null, long At = 0, int Number = 0,
        bool? Correct = null, AnswerScore? Score = null, long TimeMs = 0, IReadOnlyList<int>? Players = null, string? Hash = null);

    private sealed record Record(Kind Kind, Values Values)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
