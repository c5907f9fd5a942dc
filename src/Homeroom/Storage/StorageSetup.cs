using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Homeroom.Storage;

public static class StorageSetup
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(provider => Database.Create(builder.Configuration, provider.GetService<HomeroomMetrics>()));
        services.AddSingleton<Migrator>();
        // Registered before the features' hosted services: it starts first (games record its id) and stops last.
        services.AddSingleton<ServiceInstance>();
        services.AddHostedService(provider => provider.GetRequiredService<ServiceInstance>());
        services.AddDataProtection().SetApplicationName("Homeroom");
        services.AddOptions<KeyManagementOptions>().Configure<Database>((options, database) =>
            options.XmlRepository = new DataProtectionKeyStore(database));
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>Brings the schema up to date before the server takes its first request.</summary>
    public static Task MigrateAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetRequiredService<Migrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
    }

    /// <summary>
    /// The database answers a query. The report names the engine and its version (SQLite's is the library bundled with the
    /// service, PostgreSQL's the server's <c>server_version</c>), which both drivers know from the connection itself.
    /// </summary>
    private sealed class DatabaseHealthCheck(Database database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await connection.ExecuteScalarAsync<int>("SELECT 1");
                var engine = database.IsSqlite ? "SQLite" : "PostgreSQL";
                var version = connection is NpgsqlConnection postgres ? postgres.PostgreSqlVersion.ToString() : connection.ServerVersion;
                return HealthCheckResult.Healthy(
                    $"{engine} {version} answers.", new Dictionary<string, object> { ["engine"] = engine, ["version"] = version });
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"{database.Provider} does not answer.", e);
            }
        }
    }
}
