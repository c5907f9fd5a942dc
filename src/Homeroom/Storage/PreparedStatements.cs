using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Homeroom.Storage;

/// <summary>
/// Statements kept prepared on the SQLite writer's own connection. Microsoft.Data.Sqlite parses and plans
/// the SQL of every new command again, which for a short statement costs more than running it; the writer
/// keeps one connection for as long as the service runs, so a statement prepared on it once is simply run
/// again with new values. Only the few statements on the hottest write paths go through here (see
/// <see cref="TeacherTransaction.QueryPreparedAsync{T}"/>); anywhere else (reads, PostgreSQL, which
/// prepares frequent statements itself) they run as ordinary Dapper calls.
/// Arguments must be plain values: integers, text, floating point, booleans or null.
/// </summary>
internal sealed class PreparedStatements : IDisposable
{
    /// <summary>More distinct statements than this are run unprepared rather than kept.</summary>
    private const int Capacity = 32;

    private static readonly ConditionalWeakTable<DbConnection, PreparedStatements> ByConnection = [];
    private readonly SqliteConnection connection;
    private readonly Dictionary<(string Sql, Type? Args), SqliteCommand> commands = [];

    /// <summary>The same commands for constant statements, by the very string: found without hashing the text.</summary>
    private readonly Dictionary<(string Sql, Type? Args), SqliteCommand> constants = new(SameStatement.Instance);

    private PreparedStatements(SqliteConnection connection) => this.connection = connection;

    /// <summary>Keeps statements prepared on <paramref name="connection"/> until disposed (the writer's connection).</summary>
    public static PreparedStatements Attach(SqliteConnection connection)
    {
        var statements = new PreparedStatements(connection);
        ByConnection.AddOrUpdate(connection, statements);
        return statements;
    }

    /// <summary>The statements kept for <paramref name="connection"/>, or null when it keeps none.</summary>
    public static PreparedStatements? For(DbConnection connection) => ByConnection.TryGetValue(connection, out var statements) ? statements : null;

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, DbTransaction transaction, object? args, long teacherId)
    {
        var (command, owned) = Command(sql, transaction, args, teacherId);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            if (RowReader<T>.Read is not { } read)
            {
                return reader.Parse<T>().AsList();
            }

            var rows = new List<T>();
            while (await reader.ReadAsync())
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        finally
        {
            if (owned)
            {
                await command.DisposeAsync();
            }
        }
    }

    public async Task<int> ExecuteAsync(string sql, DbTransaction transaction, object? args, long teacherId)
    {
        var (command, owned) = Command(sql, transaction, args, teacherId);
        try
        {
            return await command.ExecuteNonQueryAsync();
        }
        finally
        {
            if (owned)
            {
                await command.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        ByConnection.Remove(connection);
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }

        commands.Clear();
        constants.Clear();
    }

    /// <summary>The prepared command for <paramref name="sql"/> with these values bound; owned (to dispose) when the cache is full.</summary>
    private (SqliteCommand Command, bool Owned) Command(string sql, DbTransaction transaction, object? args, long teacherId)
    {
        var owned = false;
        var key = (sql, args?.GetType());
        if (!constants.TryGetValue(key, out var command) && commands.TryGetValue(key, out command) && SameStatement.IsConstant(sql))
        {
            constants[key] = command;
        }

        if (command is null)
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add(new SqliteParameter("@TeacherId", SqliteType.Integer));
            foreach (var property in StatementArguments.Of(args))
            {
                command.Parameters.Add(new SqliteParameter("@" + property.Name, null));
            }

            if (commands.Count < Capacity)
            {
                command.Prepare();
                commands.Add(key, command);
                if (SameStatement.IsConstant(sql))
                {
                    constants[key] = command;
                }
            }
            else
            {
                owned = true;
            }
        }

        command.Transaction = (SqliteTransaction)transaction;
        command.Parameters[0].Value = teacherId;
        var properties = StatementArguments.Of(args);
        for (var i = 0; i < properties.Length; i++)
        {
            command.Parameters[i + 1].Value = Plain(properties[i].GetValue(args), properties[i].Name);
        }

        return (command, owned);
    }

    private static object Plain(object? value, string name) => value switch
    {
        null => DBNull.Value,
        long or int or string or double or bool => value,
        _ => throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
            $"A prepared statement's argument '{name}' must be an integer, text, a number, a boolean or null, not {value.GetType().Name}.")),
    };
}
