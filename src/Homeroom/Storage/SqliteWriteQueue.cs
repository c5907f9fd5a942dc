using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Homeroom.Storage;

/// <summary>
/// Group commit for SQLite. A durable commit (synchronous=FULL) costs one fsync, a few hundred
/// microseconds, and SQLite has one writer at a time, so committing each request on its own caps writes
/// at a few thousand a second. Instead every write goes through this single writer: it takes all the
/// writes waiting, runs each in its own savepoint inside one transaction, commits once, and only then
/// completes them. A write that fails rolls back to its savepoint alone; the others still commit.
/// Nothing is acknowledged before the commit that holds it is on disk.
/// Work items run one after another, so they must be quick SQL only (no hashing, no network).
/// The writer keeps one connection open for as long as it runs (opened again only after a failed commit),
/// with the hottest statements kept prepared on it (<see cref="PreparedStatements"/>).
/// </summary>
internal sealed class SqliteWriteQueue : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<IWork> queue = Channel.CreateUnbounded<IWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<CancellationToken, ValueTask<DbConnection>> open;
    private readonly Task loop;
    private DbConnection? connection;
    private PreparedStatements? statements;

    public SqliteWriteQueue(Func<CancellationToken, ValueTask<DbConnection>> open)
    {
        this.open = open;
        loop = Task.Run(RunAsync);
    }

    private interface IWork
    {
        Task RunAsync(DbConnection connection, DbTransaction transaction);

        void Succeed();

        void Fail(Exception exception);
    }

    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        var item = new Work<T>(work);
        if (!queue.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(SqliteWriteQueue), "The database is shutting down.");
        }

        return item.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
        await CloseAsync();
    }

    private async Task<DbConnection> ConnectionAsync()
    {
        if (connection is null)
        {
            connection = await open(CancellationToken.None);
            statements = connection is SqliteConnection sqlite ? PreparedStatements.Attach(sqlite) : null;
        }

        return connection;
    }

    /// <summary>Closes the writer's connection (after a failure, or at shutdown); the next batch opens a new one.</summary>
    private async Task CloseAsync()
    {
        statements?.Dispose();
        statements = null;
        if (connection is not null)
        {
            await connection.DisposeAsync();
            connection = null;
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<IWork>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            if (!await TryBatchAsync(batch, savepoints: false) && batch.Count > 1)
            {
                // Something in the batch failed and everything was rolled back: replay it with a savepoint
                // around each write, so only the failing one is lost.
                await TryBatchAsync(batch, savepoints: true);
            }
        }
    }

    /// <summary>
    /// Runs the batch in one transaction and completes its writes. Without savepoints a failure rolls
    /// back everything and returns false, completing nothing (unless the batch is that one write).
    /// </summary>
    private async Task<bool> TryBatchAsync(List<IWork> batch, bool savepoints)
    {
        var failed = new List<(IWork Work, Exception Error)>();
        try
        {
            var connection = await ConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var item in batch)
            {
                if (!savepoints)
                {
                    try
                    {
                        await item.RunAsync(connection, transaction);
                    }
#pragma warning disable CA1031 // Any failure sends the batch to the careful path (or to its one caller).
                    catch (Exception) when (batch.Count > 1)
#pragma warning restore CA1031
                    {
                        await transaction.RollbackAsync();
                        return false;
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
        }
#pragma warning disable CA1031 // The commit failed: every write in the batch is lost, so every caller hears of it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            // Start the next batch on a fresh connection, whatever state this one was left in.
            await CloseAsync();
            foreach (var item in batch)
            {
                item.Fail(e);
            }

            return true;
        }

        foreach (var item in batch)
        {
            var failure = failed.FirstOrDefault(f => ReferenceEquals(f.Work, item));
            if (failure.Work is null)
            {
                item.Succeed();
            }
            else
            {
                item.Fail(failure.Error);
            }
        }

        return true;
    }

    private sealed class Work<T>(Func<DbConnection, DbTransaction, Task<T>> work) : IWork
    {
        private readonly TaskCompletionSource<T> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? result;

        public Task<T> Task => completion.Task;

        public async Task RunAsync(DbConnection connection, DbTransaction transaction) => result = await work(connection, transaction);

        public void Succeed() => completion.TrySetResult(result!);

        public void Fail(Exception exception) => completion.TrySetException(exception);
    }
}
