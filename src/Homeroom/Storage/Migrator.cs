using System.Globalization;
using System.Reflection;
using Dapper;

namespace Homeroom.Storage;

/// <summary>
/// Applies the numbered scripts under Storage/Migrations/{sqlite|postgres}/ in order at start-up, each in
/// its own transaction together with its row in schema_migrations, so a script is either wholly applied
/// and recorded or not at all. On PostgreSQL an advisory lock keeps two servers starting at once from
/// racing each other.
/// </summary>
public sealed partial class Migrator(Database database, TimeProvider clock, ILogger<Migrator> logger)
{
    private const long AdvisoryLockKey = 0x486f6d65726f6f6d; // "Homeroom"

    public sealed record Script(int Version, string Name, string Sql);

    public static IReadOnlyList<Script> ScriptsFor(StorageProvider provider)
    {
        var folder = provider == StorageProvider.Sqlite ? "sqlite" : "postgres";
        var prefix = $"Homeroom.Storage.Migrations.{folder}.";
        var assembly = typeof(Migrator).Assembly;
        var scripts = new List<Script>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            // Embedded resource names of files starting with a digit are prefixed with '_'.
            var digits = new string(name.TrimStart('_').TakeWhile(char.IsDigit).ToArray());
            var version = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            scripts.Add(new Script(version, name.TrimStart('_'), Read(assembly, resource)));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        return scripts;
    }

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        if (!database.IsSqlite)
        {
            await connection.ExecuteAsync("SELECT pg_advisory_lock(@key)", new { key = AdvisoryLockKey });
        }

        try
        {
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL
                )
                """);
            var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations")).ToHashSet();
            foreach (var script in ScriptsFor(database.Provider).Where(s => !applied.Contains(s.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(script.Sql, transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { script.Version, script.Name, At = clock.GetUtcNow().ToUnixTimeMilliseconds() },
                    transaction);
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, script.Version, script.Name, database.Provider);
            }
        }
        finally
        {
            if (!database.IsSqlite)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = AdvisoryLockKey });
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Version} {Name} ({Provider})")]
    private static partial void LogApplied(ILogger logger, int version, string name, StorageProvider provider);

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing migration resource {resource}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
