using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Homeroom.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The one database the service talks to. It hands out open connections configured the same way every
/// time, so feature code never has to remember a pragma or a pool setting. SQL stays plain (Dapper);
/// where the two databases' dialects differ, <see cref="Sql"/> picks the right text.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    static Database() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public abstract StorageProvider Provider { get; }

    public bool IsSqlite => Provider == StorageProvider.Sqlite;

    /// <summary>Chooses between two spellings of the same statement.</summary>
    public string Sql(string sqlite, string postgres) => IsSqlite ? sqlite : postgres;

    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>The writes waiting for the writer or being run by it (the write queue's depth).</summary>
    public abstract int QueuedWrites { get; }

    /// <summary>A synchronous open, for the few framework callbacks that are not async (data-protection keys).</summary>
    public abstract DbConnection Open();

    /// <summary>
    /// Runs <paramref name="work"/> atomically and returns once its changes are durably committed.
    /// <paramref name="work"/> must not commit or roll back itself; it must be quick SQL only. If it
    /// throws, none of its changes are kept. Concurrent writes share one transaction and one commit (group
    /// commit, see <see cref="WriteQueue"/>), on SQLite and on PostgreSQL.
    /// </summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work);

    /// <summary>
    /// One statement that changes data, run atomically and durably like <see cref="WriteAsync{T}"/>; returns its
    /// rows (<c>RETURNING</c>). On PostgreSQL the statements waiting are sent to the server together, in one
    /// round trip, inside the group commit; on SQLite it is an ordinary write. Values must be plain: integers,
    /// text, floating point, booleans or null. Statements of the same <paramref name="lane"/> (say, a class's id)
    /// are always run by the same writer; on PostgreSQL statements of different lanes may be run by different
    /// writers at the same time (<see cref="PostgresDatabase"/>), so a statement must be safe against concurrent
    /// writers, as it must be against other servers.
    /// </summary>
    public abstract Task<IReadOnlyList<T>> WriteStatementAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane);

    /// <summary>
    /// One write of a statement written for many writes at once (PostgreSQL only): like
    /// <see cref="WriteStatementAsync{T}"/>, but the writes of the same <paramref name="sql"/> waiting together run as
    /// one statement, in which each parameter <c>@name</c> is an array of the writes' values (read them with
    /// <c>unnest(@a::bigint[], @b::text[]) WITH ORDINALITY</c>), at most one write of each <paramref name="lane"/> per
    /// run, and whose rows end with a column holding the 1-based position of the write they belong to. Every write
    /// must give every parameter a value, of the same type. SQLite's single writer has no such statements (it
    /// remembers instead, see <see cref="WriterMemory"/>): there this throws <see cref="NotSupportedException"/>.
    /// </summary>
    public virtual Task<IReadOnlyList<T>> WriteCombinedAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) =>
        throw new NotSupportedException("Combined statements are for PostgreSQL only.");

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>True when <paramref name="exception"/> is a UNIQUE constraint violation.</summary>
    public bool IsUniqueViolation(DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// Where the service keeps its files (the SQLite database): <c>Homeroom:DataDirectory</c>, by default <c>data</c>.
    /// A relative path is under the working directory, for <c>dotnet run</c> and the published app alike.
    /// </summary>
    public static string DataDirectory(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return Path.GetFullPath(configuration["Homeroom:DataDirectory"] is { Length: > 0 } directory ? directory : "data");
    }

    public static Database Create(IConfiguration configuration, HomeroomMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration["Storage:Provider"] ?? "sqlite";
        var connectionString = configuration.GetConnectionString("Homeroom");
        return provider.Trim().ToLowerInvariant() switch
        {
            "sqlite" => new SqliteDatabase(connectionString ?? $"Data Source={Path.Combine(DataDirectory(configuration), "homeroom.db")}", metrics),
            "postgres" or "postgresql" => new PostgresDatabase(connectionString
                ?? throw new InvalidOperationException("Storage:Provider is postgres but ConnectionStrings:Homeroom is not set."), metrics,
                configuration.GetValue("Storage:StatementWriters", PostgresDatabase.DefaultStatementWriters)),
            _ => throw new InvalidOperationException($"Storage:Provider must be 'sqlite' or 'postgres', not '{provider}'."),
        };
    }
}

/// <summary>
/// SQLite in WAL mode with foreign keys on, a busy timeout, and synchronous=FULL: a commit is on disk
/// before it returns, so an acknowledged write survives a kill -9 (and a power cut).
/// </summary>
public sealed class SqliteDatabase : Database
{
    private const string PerConnectionPragmas = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;";
    private readonly string connectionString;
    private readonly WriteQueue writes;

    // The bundled SQLite defaults to synchronous=FULL, also in WAL mode, and Microsoft.Data.Sqlite retries
    // a busy database for the command timeout; so pooled connections need no pragmas on every open. Checked
    // at start: a build with other defaults gets the pragmas on every open instead.
    private readonly bool pragmasOnOpen;

    static SqliteDatabase() => SQLitePCL.Batteries_V2.Init();

    public SqliteDatabase(string connectionString, HomeroomMetrics? metrics = null)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
            Pooling = true,
            Mode = SqliteOpenMode.ReadWriteCreate,
        };
        if (builder.DataSource is { Length: > 0 } path && path != ":memory:" && !path.StartsWith("file:", StringComparison.Ordinal))
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        this.connectionString = builder.ToString();
        using (var probe = new SqliteConnection(this.connectionString))
        {
            probe.Open();
            // WAL is a property of the database file: set once, it stays.
            probe.Execute("PRAGMA journal_mode = WAL;");
            pragmasOnOpen = probe.ExecuteScalar<long>("PRAGMA synchronous") < 2;
        }

        writes = new WriteQueue(OpenWriterAsync, metrics);
    }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public string FilePath => new SqliteConnectionStringBuilder(connectionString).DataSource;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        if (pragmasOnOpen)
        {
            await using var pragmas = connection.CreateCommand();
            pragmas.CommandText = PerConnectionPragmas;
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    /// <summary>
    /// The writer's connection, the one that commits and so checkpoints (copies the WAL back into the database file,
    /// in the middle of a commit). It does that every 10,000 pages of WAL (about 40 MB) rather than SQLite's 1,000:
    /// the same hot index pages are then copied once for ten times as many commits, which took about a fifth off the
    /// commit's share of a fair pick. Durability is unchanged: every commit still syncs the WAL.
    /// </summary>
    private async ValueTask<DbConnection> OpenWriterAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA wal_autocheckpoint = 10000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override DbConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        if (pragmasOnOpen)
        {
            connection.Execute(PerConnectionPragmas);
        }

        return connection;
    }

    public override int QueuedWrites => writes.Depth;

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work) => writes.WriteAsync(work);

    public override Task<IReadOnlyList<T>> WriteStatementAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) =>
        writes.WriteStatementAsync<T>(sql, parameters);

    public override async ValueTask DisposeAsync()
    {
        await writes.DisposeAsync();
        await base.DisposeAsync();
    }
}

/// <summary>
/// PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>. Writes go through a <see cref="WriteQueue"/> on
/// one connection of their own (group commit), as on SQLite: PostgreSQL would flush each commit of its own,
/// and a transaction per write costs a pooled connection, BEGIN and COMMIT round trips and a flush each.
/// Single statements (<see cref="WriteStatementAsync{T}"/>, the fair pick) can be spread by lane over several such
/// writers (<c>Storage:StatementWriters</c>, each with its own connection; a lane, a class, always goes to the same
/// one): one writer's backend running the pick's statement is the serial part of picking (about 80 % of a core), and
/// more writers let PostgreSQL run several batches at once. Each still commits durably before it answers. Off by
/// default (one writer): on the shared 2-core benchmark machine paired runs did not show a gain that stood out of
/// the noise (docs/performance.md); it is meant for servers with cores to spare.
/// </summary>
public sealed class PostgresDatabase : Database
{
    /// <summary>How many writers run single statements, unless <c>Storage:StatementWriters</c> says otherwise.</summary>
    public const int DefaultStatementWriters = 1;

    private readonly NpgsqlDataSource dataSource;
    private readonly NpgsqlDataSource writerSource;
    private readonly WriteQueue writes;

    /// <summary>The writers of single statements by lane; the first is <see cref="writes"/> itself.</summary>
    private readonly WriteQueue[] statementWriters;

    public PostgresDatabase(string connectionString, HomeroomMetrics? metrics = null, int statementWriters = DefaultStatementWriters)
    {
        var tuned = Tune(connectionString);
        dataSource = NpgsqlDataSource.Create(tuned);
        writerSource = NpgsqlDataSource.Create(ForWriter(tuned));
        writes = new WriteQueue(OpenWriterAsync, metrics);
        this.statementWriters = new WriteQueue[Math.Clamp(statementWriters, 1, 16)];
        this.statementWriters[0] = writes;
        for (var i = 1; i < this.statementWriters.Length; i++)
        {
            this.statementWriters[i] = new WriteQueue(OpenWriterAsync, metrics);
        }
    }

    private async ValueTask<DbConnection> OpenWriterAsync(CancellationToken cancellationToken) => await writerSource.OpenConnectionAsync(cancellationToken);

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    public override DbConnection Open() => dataSource.OpenConnection();

    /// <summary>
    /// The service sets no session state, so a pooled connection need not be reset (DISCARD ALL) each time
    /// it is returned; statements it runs often are prepared once per connection. Explicit settings in the
    /// connection string win.
    /// </summary>
    private static string Tune(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            builder.NoResetOnClose = true;
        }

        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The writer's connection plans each statement once (generic plans). With the default, PostgreSQL plans a
    /// prepared statement afresh on every run whenever its generic plan looks dearer than the plans made for the
    /// values at hand, and for the fair pick's one statement that planning cost several times its execution. The
    /// writer runs short statements on a few rows each, for which a generic plan is as good.
    /// </summary>
    private static string ForWriter(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = $"{builder.Options} -c plan_cache_mode=force_generic_plan".Trim();
        builder.ApplicationName ??= "homeroom-writer";
        return builder.ToString();
    }

    public override int QueuedWrites => statementWriters.Sum(w => w.Depth);

    public override Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work) => writes.WriteAsync(work);

    public override Task<IReadOnlyList<T>> WriteStatementAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) =>
        statementWriters[(int)((ulong)lane % (ulong)statementWriters.Length)].WriteStatementAsync<T>(sql, parameters);

    public override Task<IReadOnlyList<T>> WriteCombinedAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, long lane) =>
        statementWriters[(int)((ulong)lane % (ulong)statementWriters.Length)].WriteCombinedAsync<T>(sql, parameters, lane);

    public override async ValueTask DisposeAsync()
    {
        foreach (var writer in statementWriters)
        {
            await writer.DisposeAsync();
        }

        await writerSource.DisposeAsync();
        await dataSource.DisposeAsync();
        await base.DisposeAsync();
    }
}
