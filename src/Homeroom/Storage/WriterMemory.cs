using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Homeroom.Storage;

/// <summary>
/// What the SQLite writer remembers between writes on its own connection (the fair picker's rounds), so that a hot
/// write does not read again what the writer itself wrote a moment ago. What is remembered is only ever a copy of
/// what the database holds, and it is all forgotten the moment anything else may have changed the database:
/// <list type="bullet">
/// <item>any row changed on the writer's connection by anything but the code that keeps the memory up to date
/// (SQLite's count of changed rows, <c>sqlite3_total_changes</c>, is compared on every use);</item>
/// <item>any commit by another connection or process (<c>PRAGMA data_version</c>);</item>
/// <item>any batch that does not commit as a whole (<see cref="WriteQueue"/> calls <see cref="Forget"/>: a rolled-back
/// write may have updated the memory), and a new connection.</item>
/// </list>
/// Only the writer's loop uses it, one write at a time, so it needs no locks.
/// </summary>
internal sealed class WriterMemory : IDisposable
{
    private static readonly ConditionalWeakTable<DbConnection, WriterMemory> ByConnection = [];
    private readonly SqliteConnection connection;
    private readonly SqliteCommand dataVersion;
    private readonly Dictionary<Type, object> parts = [];
    private long changes = -1;
    private long version = -1;

    private WriterMemory(SqliteConnection connection)
    {
        this.connection = connection;
        dataVersion = connection.CreateCommand();
        dataVersion.CommandText = "PRAGMA data_version";
        dataVersion.Prepare();
    }

    /// <summary>Starts remembering on the writer's connection, until disposed.</summary>
    public static WriterMemory Attach(SqliteConnection connection)
    {
        var memory = new WriterMemory(connection);
        ByConnection.AddOrUpdate(connection, memory);
        return memory;
    }

    /// <summary>The memory of <paramref name="connection"/>, or null when it keeps none (PostgreSQL, reads, tests' own connections).</summary>
    public static WriterMemory? For(DbConnection connection) => ByConnection.TryGetValue(connection, out var memory) ? memory : null;

    /// <summary>
    /// The part of the memory of type <typeparamref name="T"/>, to read and update within one write: empty whenever
    /// anything else changed the database since <see cref="Seal"/> was last called.
    /// </summary>
    public T Part<T>(DbTransaction transaction)
        where T : class, new()
    {
        dataVersion.Transaction = (SqliteTransaction)transaction;
        var currentVersion = (long)dataVersion.ExecuteScalar()!;
        if (TotalChanges() != changes || currentVersion != version)
        {
            parts.Clear();
            changes = TotalChanges();
            version = currentVersion;
        }

        if (!parts.TryGetValue(typeof(T), out var part))
        {
            part = new T();
            parts.Add(typeof(T), part);
        }

        return (T)part;
    }

    /// <summary>Records that the changes made since <see cref="Part{T}"/> are the caller's own, and reflected in the memory.</summary>
    public void Seal() => changes = TotalChanges();

    /// <summary>Forgets everything (a batch rolled back).</summary>
    public void Forget()
    {
        parts.Clear();
        changes = -1;
    }

    public void Dispose()
    {
        ByConnection.Remove(connection);
        dataVersion.Dispose();
        parts.Clear();
    }

    private long TotalChanges() => SQLitePCL.raw.sqlite3_total_changes(connection.Handle);
}
