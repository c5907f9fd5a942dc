using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Homeroom.Storage;

/// <summary>
/// Group commit, on both databases. A durable commit costs a flush to disk, and a transaction of its own
/// costs every write its own begin, commit and (on PostgreSQL) connection from the pool, so committing each
/// request on its own caps writes at a few thousand a second. Instead every write goes through this single
/// writer: it takes all the writes waiting, runs them inside one transaction, commits once, and only then
/// completes them. Nothing is acknowledged before the commit that holds it is durable.
/// <list type="bullet">
/// <item>A batch first runs optimistically, without savepoints. A write that fails makes the batch roll back
/// and run again with a savepoint around each write, so only the failing one is lost.</item>
/// <item>Statements queued with <see cref="WriteStatementAsync{T}"/> are, on PostgreSQL, sent to the server
/// together before the other writes of the batch (one round trip for all of them, NpgsqlBatch). One that
/// fails rolls the transaction back and is answered with its error; the others run again without it.</item>
/// <item>Statements queued with <see cref="WriteCombinedAsync{T}"/> (PostgreSQL) go further: the waiting ones of the
/// same text run as one statement whose parameters are arrays, one value per write, so the server starts one plan
/// for all of them. One write per lane goes into each run of it, the next write of a lane into the next run, so
/// writes of one lane never see the same snapshot. A combined run that fails rolls back, and its writes run again
/// each on its own, so the failure is answered to the write that caused it alone.</item>
/// </list>
/// Work items run one after another on one connection, so they must be quick SQL only (no hashing, no
/// network), and a write never waits for another write of the same server. The writer keeps its connection
/// open for as long as it runs (opened again only after a failure of the transaction itself), with the
/// hottest SQLite statements kept prepared on it (<see cref="PreparedStatements"/>).
/// </summary>
internal sealed class WriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 256;

    /// <summary>How often a write that PostgreSQL gave up in a deadlock with another server is queued again.</summary>
    private const int MaxRetries = 3;
    private readonly Channel<Work> queue = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, ValueTask<DbConnection>> open;
    private readonly HomeroomMetrics? metrics;
    private readonly Task loop;
    private DbConnection? connection;
    private PreparedStatements? statements;
    private WriterMemory? memory;
    private int waiting;
    private volatile int running;

    public WriteQueue(Func<CancellationToken, ValueTask<DbConnection>> open, HomeroomMetrics? metrics = null)
    {
        this.open = open;
        this.metrics = metrics;
        loop = Task.Run(RunAsync);
    }

    /// <summary>The writes not yet answered: waiting in the queue, or in the batch being run.</summary>
    public int Depth => Volatile.Read(ref waiting) + running;

    /// <summary>How a try at a batch ended.</summary>
    private enum Outcome
    {
        /// <summary>Committed: every write that did not fail in its savepoint is durable.</summary>
        Committed,

        /// <summary>A write failed without savepoints; everything was rolled back.</summary>
        NeedsSavepoints,

        /// <summary>One write failed on its own (a statement, or the batch's only write); everything was rolled back.</summary>
        WriteFailed,

        /// <summary>The transaction itself failed (begin, rollback or commit): every write of the batch is lost.</summary>
        Broken,

        /// <summary>A combined statement failed; everything was rolled back, and its writes will each run on their own.</summary>
        Split,
    }

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work) => Enqueue(new ClosureWork<T>(work));

    /// <summary>One statement, with its rows (RETURNING); see <see cref="Database.WriteStatementAsync{T}"/>.</summary>
    public Task<IReadOnlyList<T>> WriteStatementAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters) =>
        Enqueue(new StatementWork<T>(sql, parameters));

    /// <summary>
    /// One write of a combined statement (PostgreSQL), with its rows; see <see cref="Database.WriteCombinedAsync{T}"/>.
    /// </summary>
    public Task<IReadOnlyList<T>> WriteCombinedAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) =>
        Enqueue(new CombinedWork<T>(sql, parameters, lane));

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
        await CloseAsync();
    }

    private Task<T> Enqueue<T>(Work<T> item)
    {
        // Counted before it is queued, so that the writer never takes away more than was counted.
        Interlocked.Increment(ref waiting);
        if (!queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref waiting);
            throw new ObjectDisposedException(nameof(WriteQueue), "The database is shutting down.");
        }

        return item.Task;
    }

    private async Task<DbConnection> ConnectionAsync()
    {
        if (connection is null)
        {
            connection = await open(CancellationToken.None);
            statements = connection is SqliteConnection sqlite ? PreparedStatements.Attach(sqlite) : null;
            memory = connection is SqliteConnection writer ? WriterMemory.Attach(writer) : null;
        }

        return connection;
    }

    /// <summary>Closes the writer's connection (after a failure, or at shutdown); the next batch opens a new one.</summary>
    private async Task CloseAsync()
    {
        statements?.Dispose();
        statements = null;
        memory?.Dispose();
        memory = null;
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Work>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            running = batch.Count;
            Interlocked.Add(ref waiting, -batch.Count);
            var started = Stopwatch.GetTimestamp();
            await RunBatchAsync(batch);
            running = 0;
            metrics?.Committed(Stopwatch.GetElapsedTime(started), batch.Count);
        }
    }

    /// <summary>Runs the batch until it commits (without the writes that failed) and completes every write.</summary>
    private async Task RunBatchAsync(List<Work> batch)
    {
        var savepoints = false;
        while (batch.Count > 0)
        {
            var (outcome, failed) = await TryBatchAsync(batch, savepoints);
            if (outcome != Outcome.Committed || failed.Count > 0)
            {
                // Something was rolled back: what the writer remembered may include it.
                memory?.Forget();
            }

            switch (outcome)
            {
                case Outcome.Committed:
                    foreach (var item in batch)
                    {
                        if (failed.Find(f => ReferenceEquals(f.Work, item)) is { Work: not null } failure)
                        {
                            FailOrRetry(item, failure.Error);
                        }
                        else
                        {
                            item.Succeed();
                        }
                    }

                    return;
                case Outcome.NeedsSavepoints:
                    savepoints = true;
                    break;
                case Outcome.Split:
                    // The combined statement's writes now run one by one, and the one that fails is answered alone.
                    break;
                case Outcome.WriteFailed:
                    // That one write is answered with its error (or tried again later); the rest run again without it.
                    FailOrRetry(failed[0].Work, failed[0].Error);
                    batch.Remove(failed[0].Work);
                    break;
                default:
                    foreach (var item in batch)
                    {
                        item.Fail(failed[0].Error);
                    }

                    return;
            }
        }
    }

    /// <summary>
    /// Answers a write that failed with its error, unless PostgreSQL gave it up for another server's sake (a
    /// deadlock between two servers' batches, or a serialization failure): it then joins the queue again, up to
    /// <see cref="MaxRetries"/> times, since it would most likely go through now.
    /// </summary>
    private void FailOrRetry(Work item, Exception error)
    {
        if (error is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure }
            && item.Retries++ < MaxRetries)
        {
            Interlocked.Increment(ref waiting);
            if (queue.Writer.TryWrite(item))
            {
                return;
            }

            Interlocked.Decrement(ref waiting);
        }

        item.Fail(error);
    }

    /// <summary>
    /// One try at the batch in one transaction. Pipelined statements first (PostgreSQL), then the other writes in
    /// order: without savepoints a failure rolls everything back; with them only the failing write is undone.
    /// </summary>
    private async Task<(Outcome Outcome, List<(Work Work, Exception Error)> Failed)> TryBatchAsync(List<Work> batch, bool savepoints)
    {
        var failed = new List<(Work Work, Exception Error)>();
        try
        {
            var connection = await ConnectionAsync();
            var npgsql = connection as NpgsqlConnection;
            var pipelined = npgsql is null ? [] : batch.Where(w => w.Pipelined).ToList();
            if (pipelined.Count == batch.Count)
            {
                return await TryStatementsAsync(npgsql!, pipelined);
            }

            await using var transaction = await connection.BeginTransactionAsync();
            if (pipelined.Count > 0 && await RunPipelinedAsync(npgsql!, (NpgsqlTransaction)transaction, pipelined) is { } failure)
            {
                await transaction.RollbackAsync();
                return failure;
            }

            foreach (var item in batch)
            {
                if (pipelined.Count > 0 && item.Pipelined)
                {
                    continue;
                }

                if (!savepoints)
                {
                    try
                    {
                        await item.RunAsync(connection, transaction);
                    }
#pragma warning disable CA1031 // A failure is handed to the write that caused it (or makes the batch run again with savepoints).
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        await transaction.RollbackAsync();
                        failed.Add((item, e));
                        return (batch.Count == 1 ? Outcome.WriteFailed : Outcome.NeedsSavepoints, failed);
                    }

                    continue;
                }

                await transaction.SaveAsync("work");
                try
                {
                    await item.RunAsync(connection, transaction);
                    await transaction.ReleaseAsync("work");
                }
#pragma warning disable CA1031 // The failure belongs to that one request: hand it over and go on with the batch.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    await transaction.RollbackAsync("work");
                    await transaction.ReleaseAsync("work");
                    failed.Add((item, e));
                }
            }

            await transaction.CommitAsync();
            return (Outcome.Committed, failed);
        }
#pragma warning disable CA1031 // The transaction itself failed: every write in the batch is lost, so every caller hears of it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Start the next batch on a fresh connection, whatever state this one was left in.
            await CloseAsync();
            return (Outcome.Broken, [(batch[0], e)]);
        }
    }

    /// <summary>
    /// A batch of statements only (PostgreSQL): BEGIN, the statements and COMMIT go to the server in one round trip.
    /// When a statement fails PostgreSQL skips everything after it, COMMIT included; the transaction is then rolled
    /// back and the statement answered with its error. A failure of COMMIT itself, or of anything else once the
    /// statements have gone, leaves the outcome unknown: it propagates (the caller fails the whole batch).
    /// </summary>
    private static async Task<(Outcome Outcome, List<(Work Work, Exception Error)> Failed)> TryStatementsAsync(NpgsqlConnection connection, List<Work> items)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        var commands = Commands(items);
        var index = 0;
        try
        {
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command.ToBatchCommand());
                index++;
            }
        }
#pragma warning disable CA1031 // A statement that cannot even be built fails alone; nothing has been sent.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Failure(commands[index], e);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        index = 0;
        try
        {
            // BEGIN and COMMIT answer without a result set, which the reader passes over.
            await using var reader = await batch.ExecuteReaderAsync();
            while (true)
            {
                await commands[index].ReadAsync(reader);
                if (++index == commands.Count)
                {
                    break;
                }

                if (!await reader.NextResultAsync())
                {
                    throw new InvalidOperationException("A statement sent in a batch answered without a result set.");
                }
            }

            while (await reader.NextResultAsync())
            {
            }
        }
        catch (PostgresException e) when (index < commands.Count)
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync();
            return Failure(commands[index], e);
        }

        return (Outcome.Committed, []);
    }

    /// <summary>
    /// A statement's failure: its write's alone, or, for a combined statement of several writes, a reason to run them
    /// again each on its own (<see cref="Outcome.Split"/>).
    /// </summary>
    private static (Outcome Outcome, List<(Work Work, Exception Error)> Failed) Failure(Command command, Exception error)
    {
        if (command.Works.Count == 1)
        {
            return (Outcome.WriteFailed, [(command.Works[0], error)]);
        }

        foreach (var work in command.Works)
        {
            ((ICombinedWork)work).Alone = true;
        }

        return (Outcome.Split, []);
    }

    /// <summary>
    /// Sends the statements in one round trip and reads each one's rows. On an error PostgreSQL skips the rest and
    /// the transaction is aborted: returns how (see <see cref="Failure"/>; the caller rolls back).
    /// </summary>
    private static async Task<(Outcome Outcome, List<(Work Work, Exception Error)> Failed)?> RunPipelinedAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<Work> items)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var commands = Commands(items);
        var index = 0;
        try
        {
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command.ToBatchCommand());
                index++;
            }

            index = 0;
            await using var reader = await batch.ExecuteReaderAsync();
            while (true)
            {
                await commands[index].ReadAsync(reader);
                if (++index == commands.Count)
                {
                    return null;
                }

                if (!await reader.NextResultAsync())
                {
                    throw new InvalidOperationException("A statement sent in a batch answered without a result set.");
                }
            }
        }
#pragma warning disable CA1031 // The error belongs to the statement that was running (a broken connection then fails the rollback, and with it the batch).
        catch (Exception e)
#pragma warning restore CA1031
        {
            return Failure(commands[Math.Min(index, commands.Count - 1)], e);
        }
    }

    /// <summary>
    /// The statements to send for these writes, in their order: one per statement write, and for the writes of a
    /// combined statement (<see cref="WriteCombinedAsync{T}"/>) as few runs of it as their lanes allow: the first
    /// write of each lane in the first run, the second in the second, and so on. A write that must run alone
    /// (after its combined run failed) is a run of its own.
    /// </summary>
    private static List<Command> Commands(List<Work> items)
    {
        var commands = new List<Command>(items.Count);
        Dictionary<string, List<int>>? runs = null;
        Dictionary<long, int>? lastOfLane = null;
        foreach (var item in items)
        {
            if (item is not ICombinedWork combined)
            {
                commands.Add(new Command([item]));
                continue;
            }

            // A write joins the first run of its statement after its lane's last write, so a lane's writes keep their order.
            runs ??= new(StringComparer.Ordinal);
            lastOfLane ??= [];
            var after = lastOfLane.GetValueOrDefault(combined.Lane, -1);
            int run;
            if (!combined.Alone)
            {
                if (!runs.TryGetValue(combined.Sql, out var ofThisSql))
                {
                    runs[combined.Sql] = ofThisSql = [];
                }

                var first = ofThisSql.FindIndex(r => r > after);
                run = first < 0 ? -1 : ofThisSql[first];
                if (run < 0)
                {
                    run = commands.Count;
                    ofThisSql.Add(run);
                    commands.Add(new Command([]));
                }

                commands[run].Works.Add(item);
            }
            else
            {
                run = commands.Count;
                commands.Add(new Command([item]));
            }

            lastOfLane[combined.Lane] = run;
        }

        return commands;
    }

    /// <summary>One statement sent in a batch, and the writes it runs: one, or several for a combined statement.</summary>
    private sealed class Command(List<Work> works)
    {
        public List<Work> Works { get; } = works;

        public NpgsqlBatchCommand ToBatchCommand() => Works[0] is ICombinedWork combined
            ? combined.ToCombinedCommand(Works)
            : Works[0].ToBatchCommand();

        public async Task ReadAsync(DbDataReader reader)
        {
            if (Works[0] is not ICombinedWork)
            {
                await Works[0].ReadAsync(reader);
                return;
            }

            foreach (var work in Works)
            {
                ((ICombinedWork)work).Clear();
            }

            if (reader.FieldCount == 0)
            {
                return;
            }

            // The last column is the 1-based position of the write the row belongs to in the run's arrays.
            var last = reader.FieldCount - 1;
            while (await reader.ReadAsync())
            {
                var position = reader.GetInt64(last);
                if (position < 1 || position > Works.Count)
                {
                    throw new InvalidOperationException($"A combined statement answered a row for write {position} of {Works.Count}.");
                }

                ((ICombinedWork)Works[(int)position - 1]).Add(reader);
            }
        }
    }

    private abstract class Work
    {
        /// <summary>How often the write has been queued again (<see cref="FailOrRetry"/>).</summary>
        public int Retries { get; set; }

        /// <summary>True for a single statement that PostgreSQL can run in a pipeline with others.</summary>
        public virtual bool Pipelined => false;

        public abstract Task RunAsync(DbConnection connection, DbTransaction transaction);

        public virtual NpgsqlBatchCommand ToBatchCommand() => throw new NotSupportedException();

        public virtual Task ReadAsync(DbDataReader reader) => throw new NotSupportedException();

        public abstract void Succeed();

        public abstract void Fail(Exception exception);
    }

    private abstract class Work<T> : Work
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => completion.Task;

        protected T? Result { get; set; }

        public override void Succeed() => completion.TrySetResult(Result!);

        public override void Fail(Exception exception) => completion.TrySetException(exception);
    }

    private sealed class ClosureWork<T>(Func<DbConnection, DbTransaction, Task<T>> work) : Work<T>
    {
        public override async Task RunAsync(DbConnection connection, DbTransaction transaction) => Result = await work(connection, transaction);
    }

    private sealed class StatementWork<T>(string sql, IReadOnlyDictionary<string, object?> parameters) : Work<IReadOnlyList<T>>
    {
        /// <summary>Only a statement that answers with a result set: the reader would skip one without, and with it our count.</summary>
        public override bool Pipelined => PositionalSql.For(sql).ReturnsRows;

        /// <summary>Where statements are not pipelined (SQLite), an ordinary write of one statement.</summary>
        public override async Task RunAsync(DbConnection connection, DbTransaction transaction) =>
            Result = (await connection.QueryAsync<T>(sql, new DynamicParameters(parameters), transaction)).AsList();

        /// <summary>With positional placeholders (<see cref="PositionalSql"/>), which Npgsql sends without parsing the text.</summary>
        public override NpgsqlBatchCommand ToBatchCommand()
        {
            var positional = PositionalSql.For(sql);
            var command = new NpgsqlBatchCommand(positional.Sql);
            foreach (var name in positional.Names)
            {
                if (!parameters.TryGetValue(name, out var value))
                {
                    throw new InvalidOperationException($"No value for @{name} in: {sql}");
                }

                command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            return command;
        }

        public override async Task ReadAsync(DbDataReader reader)
        {
            var rows = new List<T>();
            if (reader.FieldCount > 0)
            {
                var parse = RowReader<T>.Read ?? reader.GetRowParser<T>();
                while (await reader.ReadAsync())
                {
                    rows.Add(parse(reader));
                }
            }

            Result = rows;
        }
    }

    /// <summary>A write of a combined statement, as <see cref="Command"/> sees it whatever its row type.</summary>
    private interface ICombinedWork
    {
        string Sql { get; }

        long Lane { get; }

        /// <summary>Set when a combined run with it failed: it then runs alone, so that a failure is its own.</summary>
        bool Alone { get; set; }

        /// <summary>The statement for these writes (this one first): each parameter an array of their values, in order.</summary>
        NpgsqlBatchCommand ToCombinedCommand(List<Work> works);

        /// <summary>Forgets the rows of an earlier try.</summary>
        void Clear();

        void Add(DbDataReader reader);

        object? Value(string name);
    }

    private sealed class CombinedWork<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) : Work<IReadOnlyList<T>>, ICombinedWork
    {
        private List<T> rows = [];

        public string Sql => sql;

        public long Lane => lane;

        public bool Alone { get; set; }

        public override bool Pipelined => true;

        /// <summary>Never called: a combined write is always pipelined, and <see cref="Command"/> builds and reads its statement.</summary>
        public override Task RunAsync(DbConnection connection, DbTransaction transaction) =>
            throw new NotSupportedException("A combined statement runs on PostgreSQL only, in a batch of statements.");

        public NpgsqlBatchCommand ToCombinedCommand(List<Work> works)
        {
            var positional = PositionalSql.For(sql);
            var command = new NpgsqlBatchCommand(positional.Sql);
            foreach (var name in positional.Names)
            {
                if (Value(name) is not { } first)
                {
                    throw new InvalidOperationException($"No value for @{name} in: {sql}");
                }

                // One array per parameter, of the values' own type (long[], string[], …), a value per write in order.
                var values = Array.CreateInstance(first.GetType(), works.Count);
                for (var i = 0; i < works.Count; i++)
                {
                    var value = ((ICombinedWork)works[i]).Value(name);
                    if (value is null || value.GetType() != first.GetType())
                    {
                        throw new InvalidOperationException($"Every write of a combined statement needs a value of type {first.GetType().Name} for @{name}.");
                    }

                    values.SetValue(value, i);
                }

                command.Parameters.Add(new NpgsqlParameter { Value = values });
            }

            return command;
        }

        public object? Value(string name) => parameters.GetValueOrDefault(name);

        public void Clear()
        {
            rows = [];
            Result = rows;
        }

        public void Add(DbDataReader reader) => rows.Add((RowReader<T>.Read ?? reader.GetRowParser<T>())(reader));
    }
}
