using System.Globalization;
using Microsoft.AspNetCore.SignalR;

namespace Homeroom.Games;

/// <summary>
/// Where a live game's messages go. On one server, straight to its SignalR connections (<see cref="HubGameOutput{THub}"/>);
/// in a cluster, to every server that has connections in the game, each fanning out to its own (<see cref="Cluster.ClusterGameOutput"/>).
/// A game calls these one at a time, in order, from its outbox.
/// </summary>
public interface IGameOutput
{
    /// <summary>To every player and host screen of the game.</summary>
    Task ToEveryoneAsync(string method, object message);

    /// <summary>To the game's host screens.</summary>
    Task ToHostsAsync(string method, object message);

    /// <summary>A message of its own to each of these connections.</summary>
    Task ToEachAsync<T>(string method, IReadOnlyList<(string Connection, T Message)> messages)
        where T : notnull;

    /// <summary>To one connection.</summary>
    Task ToConnectionAsync(string connection, string method, object message);

    /// <summary>The connection no longer gets the game's messages to players.</summary>
    Task LeaveAsync(string connection);
}

/// <summary>The SignalR groups of a game: its players' connections spread over <see cref="PlayerShards"/> groups, and its hosts'.</summary>
public static class GameGroups
{
    /// <summary>Players' connections are spread over this many groups, so that a message to every player goes out a group at a time.</summary>
    public const int PlayerShards = 16;

    public static string PlayersOf(long gameId, string connectionId) =>
        Players(gameId, (int)((uint)StringComparer.Ordinal.GetHashCode(connectionId) % PlayerShards));

    public static string Players(long gameId, int shard) => string.Create(CultureInfo.InvariantCulture, $"players:{gameId}:{shard}");

    public static string Hosts(long gameId) => string.Create(CultureInfo.InvariantCulture, $"hosts:{gameId}");
}

/// <summary>A game's messages to this server's own SignalR connections.</summary>
public sealed class HubGameOutput<THub>(IHubContext<THub> hub, long gameId) : IGameOutput
    where THub : Hub
{
    /// <summary>A message of its own to each player (<see cref="ToEachAsync"/>) yields to the thread pool after this many sends.</summary>
    private const int SendsPerWave = 500;

    private readonly string[] playerGroups = [.. Enumerable.Range(0, GameGroups.PlayerShards).Select(shard => GameGroups.Players(gameId, shard))];
    private readonly string hostsGroup = GameGroups.Hosts(gameId);

    /// <summary>
    /// A message to every player, then to the hosts. Each send to a connection queues that connection's transport
    /// on the thread pool, so one send to 10,000 players queued 10,000 work items at once, and every answer that
    /// arrived meanwhile (its receive, its dispatch, its acknowledgement) waited behind all of them. Going a group
    /// of players at a time, yielding to the thread pool's queue in between, lets that work through between waves.
    /// </summary>
    public async Task ToEveryoneAsync(string method, object message)
    {
        foreach (var group in playerGroups)
        {
            await hub.Clients.Group(group).SendAsync(method, message);
            await Task.Yield();
        }

        await hub.Clients.Group(hostsGroup).SendAsync(method, message);
    }

    public Task ToHostsAsync(string method, object message) => hub.Clients.Group(hostsGroup).SendAsync(method, message);

    /// <summary>A message of its own to each of these connections, in waves like <see cref="ToEveryoneAsync"/>.</summary>
    public async Task ToEachAsync<T>(string method, IReadOnlyList<(string Connection, T Message)> messages)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(messages);
        for (var i = 0; i < messages.Count; i++)
        {
            await hub.Clients.Client(messages[i].Connection).SendAsync(method, messages[i].Message);
            if ((i + 1) % SendsPerWave == 0)
            {
                await Task.Yield();
            }
        }
    }

    public Task ToConnectionAsync(string connection, string method, object message) => hub.Clients.Client(connection).SendAsync(method, message);

    public Task LeaveAsync(string connection) => hub.Groups.RemoveFromGroupAsync(connection, GameGroups.PlayersOf(gameId, connection));
}
