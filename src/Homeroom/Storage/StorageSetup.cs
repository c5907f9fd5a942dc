using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Homeroom.Storage;

public static class StorageSetup
{
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton(_ => Database.Create(builder.Configuration));
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

    private sealed class DatabaseHealthCheck(Database database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await connection.ExecuteScalarAsync<int>("SELECT 1");
                return HealthCheckResult.Healthy($"{database.Provider} answers.");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"{database.Provider} does not answer.", e);
            }
        }
    }
}
