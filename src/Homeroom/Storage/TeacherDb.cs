using System.Data.Common;
using System.Reflection;
using Dapper;
using Homeroom.Accounts;

namespace Homeroom.Storage;

/// <summary>
/// The database as the signed-in teacher sees it: the way every feature reaches its own rows.
/// Each statement gets the teacher's id as <c>@TeacherId</c>, and a statement that does not mention
/// <c>@TeacherId</c> is refused before it runs, so forgetting the ownership filter fails the first test
/// that touches the code instead of leaking another teacher's data. Handlers take it as a parameter
/// (it binds itself from the signed-in user), so there is no teacher id to pass around by hand.
/// </summary>
public sealed class TeacherDb
{
    private TeacherDb(Database database, long teacherId)
    {
        Database = database;
        TeacherId = teacherId;
    }

    public Database Database { get; }

    public long TeacherId { get; }

    public static TeacherDb For(Database database, long teacherId) => new(database, teacherId);

    /// <summary>Minimal API binding: endpoints behind RequireAuthorization() always have a teacher.</summary>
    public static ValueTask<TeacherDb?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var teacherId = context.User.TeacherId()
            ?? throw new InvalidOperationException($"{parameter?.Name} needs a signed-in teacher; the endpoint must RequireAuthorization().");
        return ValueTask.FromResult<TeacherDb?>(new TeacherDb(context.RequestServices.GetRequiredService<Database>(), teacherId));
    }

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.OpenAsync();
        return (await connection.QueryAsync<T>(sql, Scope(sql, args))).AsList();
    }

    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<T>(sql, Scope(sql, args));
    }

    /// <summary>One durable write statement (through <see cref="Database.WriteAsync{T}"/>).</summary>
    public Task<int> ExecuteAsync(string sql, object? args = null)
    {
        var parameters = Scope(sql, args);
        return Database.WriteAsync((connection, transaction) => connection.ExecuteAsync(sql, parameters, transaction));
    }

    /// <summary>A single value from a read (use <see cref="WriteAsync{T}"/> for statements that change data).</summary>
    public async Task<T?> ExecuteScalarAsync<T>(string sql, object? args = null)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<T>(sql, Scope(sql, args));
    }

    /// <summary>
    /// One statement that changes data, with its rows (see <see cref="Database.WriteStatementAsync{T}"/>: on
    /// PostgreSQL it is sent together with the other statements waiting, by the writer of its lane). Arguments must be plain values.
    /// </summary>
    public Task<IReadOnlyList<T>> WriteStatementAsync<T>(string sql, object? args = null, long lane = 0) =>
        Database.WriteStatementAsync<T>(sql, Parameters(sql, args), lane);

    /// <summary>
    /// One write of a combined statement (see <see cref="Database.WriteCombinedAsync{T}"/>, PostgreSQL only): in the
    /// statement <c>@TeacherId</c>, like every parameter, is the array of the writes' values.
    /// </summary>
    public Task<IReadOnlyList<T>> WriteCombinedAsync<T>(string sql, object args, long lane) =>
        Database.WriteCombinedAsync<T>(sql, Parameters(sql, args), lane);

    /// <summary>A checked statement's values by name: the teacher's id and each of <paramref name="args"/>'s properties.</summary>
    private Dictionary<string, object?> Parameters(string sql, object? args)
    {
        Check(sql, args);
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal) { ["TeacherId"] = TeacherId };
        foreach (var property in StatementArguments.Of(args))
        {
            parameters[property.Name] = property.GetValue(args);
        }

        return parameters;
    }

    /// <summary>
    /// Constant statements (string literals, which are interned) that passed <see cref="Check"/>, by the very string
    /// and the type of their arguments, so that one run on every request is not scanned or hashed each time.
    /// Statements built afresh on each call are checked each time, as before.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Sql, Type? Args), bool> Checked = new(SameStatement.Instance);

    /// <summary>Refuses a statement without the ownership filter, or with a parameter no argument is named exactly after.</summary>
    internal static void Check(string sql, object? args)
    {
        var key = (sql, args?.GetType());
        if (Checked.ContainsKey(key))
        {
            return;
        }

        if (!sql.Contains("@TeacherId", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A teacher-scoped statement must filter on @TeacherId: " + sql);
        }

        SqlParameterCheck.Verify(sql, args, "TeacherId");
        if (SameStatement.IsConstant(sql))
        {
            Checked[key] = true;
        }
    }

    /// <summary>Runs several scoped statements atomically and durably (see <see cref="Database.WriteAsync{T}"/>).</summary>
    public Task<T> WriteAsync<T>(Func<TeacherTransaction, Task<T>> work) =>
        Database.WriteAsync((connection, transaction) => work(new TeacherTransaction(this, connection, transaction)));

    internal DynamicParameters Scope(string sql, object? args)
    {
        Check(sql, args);
        var parameters = new DynamicParameters(args);
        parameters.Add("TeacherId", TeacherId);
        return parameters;
    }
}

/// <summary>The same scoped statements as <see cref="TeacherDb"/>, inside one open transaction.</summary>
public sealed class TeacherTransaction(TeacherDb scope, DbConnection connection, DbTransaction transaction)
{
    public long TeacherId => scope.TeacherId;

    public Database Database => scope.Database;

    /// <summary>What the SQLite writer remembers between writes (<see cref="WriterMemory"/>); null anywhere else.</summary>
    internal WriterMemory? Memory => WriterMemory.For(connection);

    /// <summary>The part of <see cref="Memory"/> of type <typeparamref name="T"/> (see <see cref="WriterMemory.Part{T}"/>); null where there is none.</summary>
    internal T? Remembered<T>()
        where T : class, new() => Memory?.Part<T>(transaction);

    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null) =>
        (await connection.QueryAsync<T>(sql, scope.Scope(sql, args), transaction)).AsList();

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? args = null) =>
        connection.QuerySingleOrDefaultAsync<T>(sql, scope.Scope(sql, args), transaction);

    public Task<int> ExecuteAsync(string sql, object? args = null) =>
        connection.ExecuteAsync(sql, scope.Scope(sql, args), transaction);

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? args = null) =>
        connection.ExecuteScalarAsync<T>(sql, scope.Scope(sql, args), transaction);

    /// <summary>
    /// <see cref="QueryAsync{T}"/> for a statement run on almost every request: on SQLite the writer keeps it
    /// prepared (<see cref="PreparedStatements"/>). Arguments must be plain values (no lists).
    /// </summary>
    public Task<IReadOnlyList<T>> QueryPreparedAsync<T>(string sql, object? args = null)
    {
        if (PreparedStatements.For(connection) is not { } prepared)
        {
            return QueryAsync<T>(sql, args);
        }

        TeacherDb.Check(sql, args);
        return prepared.QueryAsync<T>(sql, transaction, args, scope.TeacherId);
    }

    /// <summary><see cref="ExecuteAsync"/> for a statement run on almost every request (see <see cref="QueryPreparedAsync{T}"/>).</summary>
    public Task<int> ExecutePreparedAsync(string sql, object? args = null)
    {
        if (PreparedStatements.For(connection) is not { } prepared)
        {
            return ExecuteAsync(sql, args);
        }

        TeacherDb.Check(sql, args);
        return prepared.ExecuteAsync(sql, transaction, args, scope.TeacherId);
    }
}

/// <summary>
/// SQLite matches parameter names case-sensitively and PostgreSQL does not, so "@studentId" bound from
/// a property "StudentId" works on one database and fails on the other. Every @name in a statement must
/// have an argument spelled exactly the same; checked once per statement and argument type.
/// </summary>
internal static partial class SqlParameterCheck
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, Type?), bool> Checked = new();

    public static void Verify(string sql, object? args, params string[] extra)
    {
        var type = args?.GetType();
        if (Checked.ContainsKey((sql, type)))
        {
            return;
        }

        var available = new HashSet<string>(extra, StringComparer.Ordinal);
        if (type is not null)
        {
            available.UnionWith(type.GetProperties().Select(p => p.Name));
        }

        var missing = ParameterPattern().Matches(sql).Select(m => m.Groups[1].Value).Where(name => !available.Contains(name)).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"No argument named exactly {string.Join(", ", missing.Select(m => "'" + m + "'"))} for: {sql} (SQLite parameter names are case-sensitive).");
        }

        Checked[(sql, type)] = true;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![@\w])@([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial System.Text.RegularExpressions.Regex ParameterPattern();
}
