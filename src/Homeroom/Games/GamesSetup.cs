using Microsoft.AspNetCore.SignalR;
using System.Threading.RateLimiting;
using Homeroom.Games.Cluster;

namespace Homeroom.Games;

public static class GamesSetup
{
    /// <summary>The live-game hub's address.</summary>
    public const string HubPath = "/hubs/game";

    public static WebApplicationBuilder AddGames(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSignalR(options =>
        {
            // Every hub message is small: a nickname, an answer. Anything bigger is refused before it is read.
            options.MaximumReceiveMessageSize = 8 * 1024;
            options.AddFilter<HubErrorLog>();
            options.AddFilter<HubFloodFilter>();
        });
        services.AddSingleton<HubErrorLog>();
        services.AddSingleton<HubFloodFilter>();
        // Its "Failed to invoke hub method" errors are mostly refusals; HubErrorLog logs the real faults.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical);
        services.AddSingleton<Nicknames>();
        services.AddSingleton<GameLog>();
        services.AddSingleton<GameServices>();
        services.AddSingleton<GameRegistry>();
        services.AddHostedService(provider => provider.GetRequiredService<GameRegistry>());
        builder.AddGameCluster();

        var perMinute = builder.Configuration.GetValue("Homeroom:PinLookupsPerMinutePerClient", 60);
        services.AddRateLimiter(options => options.AddPolicy(GamesApi.PinLookupRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "local",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })));
        return builder;
    }

    public static void MapGameHub(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetRequiredService<Cluster.GameCluster>().Enabled)
        {
            app.MapHub<Cluster.ClusterGameHub>(HubPath);
        }
        else
        {
            app.MapHub<GameHub>(HubPath);
        }
    }
}
