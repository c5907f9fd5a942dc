using System.Data.Common;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Homeroom.Storage;

/// <summary>
/// A row type that reads itself from the current row, by position. For the few statements run on every request on
/// the SQLite writer (<see cref="TeacherTransaction.QueryPreparedAsync{T}"/>): Dapper works out how to map a row on
/// every call, reading each column's name and type from SQLite first, which cost about a fifth of the writer's time
/// for a fair pick. Other row types are mapped by Dapper as everywhere else.
/// </summary>
public interface IRowReader<TSelf>
    where TSelf : IRowReader<TSelf>
{
    static abstract TSelf Read(DbDataReader reader);
}

/// <summary>The <see cref="IRowReader{TSelf}.Read"/> of <typeparamref name="T"/>, or null when it has none.</summary>
internal static class RowReader<T>
{
    public static readonly Func<DbDataReader, T>? Read = Find();

    private static Func<DbDataReader, T>? Find() =>
        typeof(T).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRowReader<>) && i.GenericTypeArguments[0] == typeof(T))
            ? typeof(T).GetMethod(nameof(IRowReader<>.Read), BindingFlags.Public | BindingFlags.Static, [typeof(DbDataReader)])!.CreateDelegate<Func<DbDataReader, T>>()
            : null;
}

/// <summary>
/// Equal when the statement is the same string object and the arguments of the same type: for caches of constant
/// statements (string literals, which are interned), found without hashing their text on every run.
/// </summary>
internal sealed class SameStatement : IEqualityComparer<(string Sql, Type? Args)>
{
    public static readonly SameStatement Instance = new();

    /// <summary>True for a string literal (or another interned string): the same object on every run.</summary>
    public static bool IsConstant(string sql) => ReferenceEquals(string.IsInterned(sql), sql);

    public bool Equals((string Sql, Type? Args) x, (string Sql, Type? Args) y) => ReferenceEquals(x.Sql, y.Sql) && x.Args == y.Args;

    public int GetHashCode((string Sql, Type? Args) obj) => HashCode.Combine(RuntimeHelpers.GetHashCode(obj.Sql), obj.Args);
}
