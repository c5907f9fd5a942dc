using System.Collections.Concurrent;
using System.Reflection;

namespace Homeroom.Storage;

/// <summary>
/// The public properties of a statement's argument object (<c>new { id, day }</c>), one array per type and always in
/// the same order, for the places that bind arguments themselves instead of through Dapper: prepared statements on
/// the SQLite writer and statements sent together on PostgreSQL.
/// </summary>
internal static class StatementArguments
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    public static PropertyInfo[] Of(object? args) =>
        args is null ? [] : Properties.GetOrAdd(args.GetType(), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance));
}
