using System.Net;
using Dapper;
using Homeroom.Storage;
using Npgsql;
using Orleans.Configuration;

namespace Homeroom.Games.Cluster;

/// <summary>
/// Live games across servers (<c>Homeroom:Cluster:Enabled</c>): each game is an Orleans grain (<see cref="GameGrain"/>)
/// that any server's hub calls; the servers form an Orleans cluster whose membership is kept in the same PostgreSQL
/// (or, on SQLite, a one-server cluster on this machine). Off by default: one server holds its games in memory
/// (<see cref="GameRegistry"/>), as it always has. See docs/live-games.md, "Several servers".
/// </summary>
public sealed class GameCluster(IConfiguration configuration, IServiceProvider services, Database database, ServiceInstance instance, TimeProvider clock)
{
    public const string EnabledKey = "Homeroom:Cluster:Enabled";

    private IGameObserver? observer;

    public bool Enabled { get; } = IsEnabled(configuration);

    /// <summary>This server's name in the games' lists of servers: its instance id (new for every process run).</summary>
    public string Silo => instance.Id;

    /// <summary>True once this server can call grains (the cluster is running on it).</summary>
    public bool Ready => Enabled;

    /// <summary>This server's fan-out, as the grains call it.</summary>
    public IGameObserver Observer => observer ??= Factory.CreateObjectReference<IGameObserver>(services.GetRequiredService<LocalFanout>());

    private IGrainFactory Factory => services.GetRequiredService<IGrainFactory>();

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue(EnabledKey, false);

    public IGameGrain Grain(long gameId) => Factory.GetGrain<IGameGrain>(gameId);

    /// <summary>The game behind a PIN: a live one, else one that finished within <see cref="GameRegistry.KeepFinished"/> (to see its podium).</summary>
    public async Task<long?> FindByPinAsync(string? pin)
    {
        if (pin is null || pin.Trim() is not { Length: > 0 and <= 10 } trimmed || !trimmed.All(char.IsAsciiDigit))
        {
            return null;
        }

        await using var connection = await database.OpenAsync();
        return await connection.QueryFirstOrDefaultAsync<long?>(
            "SELECT id FROM games WHERE pin = @pin AND status IN ('lobby', 'running')", new { pin = trimmed })
            ?? await connection.QueryFirstOrDefaultAsync<long?>(
                "SELECT id FROM games WHERE pin = @pin AND status = 'finished' AND ended_at >= @since ORDER BY id DESC LIMIT 1",
                new { pin = trimmed, since = (clock.GetUtcNow() - GameRegistry.KeepFinished).ToUnixTimeMilliseconds() });
    }

    /// <summary>A teacher's games that are live now, by their stored status.</summary>
    public async Task<IReadOnlyList<long>> LiveGamesOfAsync(long teacherId)
    {
        await using var connection = await database.OpenAsync();
        return [.. await connection.QueryAsync<long>(
            "SELECT id FROM games WHERE teacher_id = @teacherId AND status IN ('lobby', 'running') ORDER BY id DESC", new { teacherId })];
    }

    /// <summary>Wakes the grains of games whose server is gone: the cluster activates each on a live server, which takes it over.</summary>
    public async Task ResumeAsync(IReadOnlyList<long> gameIds, ILogger logger)
    {
        foreach (var id in gameIds)
        {
            try
            {
                await Grain(id).Summary();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.GrainUnreachable(e, id);
            }
        }
    }
}

public static class ClusterSetup
{
    /// <summary>In cluster mode, this server joins the Orleans cluster of the servers on the same database.</summary>
    public static WebApplicationBuilder AddGameCluster(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<GameCluster>();
        if (!GameCluster.IsEnabled(builder.Configuration))
        {
            return builder;
        }

        var configuration = builder.Configuration;
        builder.Services.AddSingleton<LocalFanout>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<LocalFanout>());
        var siloPort = configuration.GetValue("Homeroom:Cluster:SiloPort", 11111);
        var gatewayPort = configuration.GetValue("Homeroom:Cluster:GatewayPort", 30000);
        var advertised = configuration["Homeroom:Cluster:Address"] is { Length: > 0 } address ? IPAddress.Parse(address) : IPAddress.Loopback;
        var postgres = string.Equals(configuration["Storage:Provider"], "postgres", StringComparison.OrdinalIgnoreCase);
        builder.UseOrleans(silo =>
        {
            if (postgres)
            {
                System.Data.Common.DbProviderFactories.RegisterFactory("Npgsql", NpgsqlFactory.Instance);
                silo.UseAdoNetClustering(options =>
                {
                    options.Invariant = "Npgsql";
                    options.ConnectionString = configuration.GetConnectionString("Homeroom");
                });
                silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: true);
            }
            else
            {
                // SQLite is one server: a cluster of one, on this machine.
                silo.UseLocalhostClustering(siloPort, gatewayPort);
            }

            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = configuration["Homeroom:Cluster:Name"] ?? "homeroom";
                options.ServiceId = "homeroom";
            });
            // A server that stops answering is declared dead within a few seconds (two missed probes of one second, one
            // vote), so its games move on well within 10 s; the defaults take about a minute.
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
                options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(10);
            });
            silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        return builder;
    }
}
