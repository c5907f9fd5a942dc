using System.Data.Common;
using Dapper;

namespace Homeroom.Storage;

/// <summary>
/// This running server, as the other servers on the same database see it: a row in <c>instances</c> with an id
/// of its own (new for every process run) and a heartbeat written every <see cref="Beat"/>. A server whose
/// heartbeat is older than <see cref="GoneAfter"/> is gone: its games are dead with it, and any surviving server
/// marks them interrupted (<see cref="Games.GameRegistry"/>). A server also has a stable <see cref="Name"/>
/// (<c>Homeroom:InstanceName</c>, by default the machine's name and the addresses it listens on): a server
/// restarted under the same name removes its previous run's row at start, so that run's games are recognised as
/// gone at once instead of after <see cref="GoneAfter"/>. Beats use the service's clock (<see cref="TimeProvider"/>),
/// so the servers' clocks must agree to well within <see cref="GoneAfter"/> (NTP).
/// </summary>
public sealed partial class ServiceInstance(Database database, TimeProvider clock, IConfiguration configuration, ILogger<ServiceInstance> logger)
    : IHostedService, IDisposable
{
    /// <summary>How often a server writes its heartbeat.</summary>
    public static readonly TimeSpan Beat = TimeSpan.FromSeconds(5);

    /// <summary>A server that has not beaten for this long (four beats) is gone.</summary>
    public static readonly TimeSpan GoneAfter = TimeSpan.FromSeconds(20);

    private ITimer? timer;
    private int beating;

    /// <summary>This process run's id (games record it as their owner).</summary>
    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The server's stable name; two servers running at once must not share it.</summary>
    public string Name { get; } = configuration["Homeroom:InstanceName"] is { Length: > 0 } name
        ? name
        : $"{Environment.MachineName} {configuration["urls"] ?? "http://localhost:5000"}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var previous = await database.WriteAsync(async (connection, transaction) =>
        {
            // A previous run under this name is over: its games are recognised as gone at once.
            var removed = await connection.ExecuteAsync("DELETE FROM instances WHERE name = @Name", new { Name }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO instances (id, name, started_at, heartbeat_at) VALUES (@Id, @Name, @now, @now)", new { Id, Name, now }, transaction);
            return removed;
        });
        LogStarted(logger, Name, Id, previous);
        timer = clock.CreateTimer(_ => _ = BeatAsync(), null, Beat, Beat);
    }

    /// <summary>The heartbeat. Beats never overlap: a beat due while one is still being written is skipped.</summary>
    private async Task BeatAsync()
    {
        if (Interlocked.Exchange(ref beating, 1) == 1)
        {
            return;
        }

        try
        {
            var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var lost = await database.WriteAsync(async (connection, transaction) =>
            {
                if (await connection.ExecuteAsync("UPDATE instances SET heartbeat_at = @now WHERE id = @Id", new { Id, now }, transaction) > 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(
                    "INSERT INTO instances (id, name, started_at, heartbeat_at) VALUES (@Id, @Name, @now, @now)", new { Id, Name, now }, transaction);
                return true;
            });
            if (lost)
            {
                // Another server took us for gone (beats failed for too long, or a second server runs under this name).
                LogLost(logger, Name, Id);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ObjectDisposedException)
        {
            LogBeatFailed(logger, e);
        }
        finally
        {
            Volatile.Write(ref beating, 0);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        timer?.Dispose();
        try
        {
            await database.WriteAsync((connection, transaction) =>
                connection.ExecuteAsync("DELETE FROM instances WHERE id = @Id", new { Id }, transaction));
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ObjectDisposedException)
        {
            LogBeatFailed(logger, e);
        }
    }

    public void Dispose() => timer?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "This server is instance {Name} ({Id}); {Previous} earlier run(s) under this name ended")]
    private static partial void LogStarted(ILogger logger, string name, string id, int previous);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Instance {Name} ({Id}) had been taken for gone (heartbeats missed, or another server runs under this name) and registered again")]
    private static partial void LogLost(ILogger logger, string name, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write this server's heartbeat")]
    private static partial void LogBeatFailed(ILogger logger, Exception exception);
}
