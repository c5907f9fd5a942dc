using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;

namespace Homeroom.Games.Cluster;

/// <summary>
/// One per server: a game's grain sends each message once to every server that has connections in the game, and that
/// server's <see cref="LocalFanout"/> sends it on to its own connections. Payloads travel as JSON, serialised once by the grain.
/// </summary>
public interface IGameObserver : IGrainObserver
{
    Task ToEveryone(long gameId, string method, string json);

    Task ToHosts(long gameId, string method, string json);

    Task ToEach(long gameId, string method, string[] connections, string[] json);

    Task ToConnection(long gameId, string connection, string method, string json);

    Task Leave(long gameId, string connection);
}

/// <summary>
/// A game's messages, as its grain sends them: to the fan-out of every server that has connections in the game. A server
/// that does not answer is dropped (its connections are gone with it; the players rejoin elsewhere); it is added back
/// when it calls the game again (<see cref="LocalFanout"/> re-subscribes every <see cref="LocalFanout.Every"/>).
/// </summary>
public sealed class ClusterGameOutput(long gameId, ILogger logger) : IGameOutput
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<string, IGameObserver> servers = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a server's fan-out; false when the server was already known.</summary>
    public bool Add(string silo, IGameObserver observer)
    {
        var known = servers.ContainsKey(silo);
        servers[silo] = observer;
        return !known;
    }

    public Task ToEveryoneAsync(string method, object message) => EachServerAsync(o => o.ToEveryone(gameId, method, Serialize(message)));

    public Task ToHostsAsync(string method, object message) => EachServerAsync(o => o.ToHosts(gameId, method, Serialize(message)));

    public Task ToEachAsync<T>(string method, IReadOnlyList<(string Connection, T Message)> messages)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(messages);
        var connections = messages.Select(m => m.Connection).ToArray();
        var json = messages.Select(m => Serialize(m.Message)).ToArray();
        return EachServerAsync(o => o.ToEach(gameId, method, connections, json));
    }

    public Task ToConnectionAsync(string connection, string method, object message) =>
        EachServerAsync(o => o.ToConnection(gameId, connection, method, Serialize(message)));

    public Task LeaveAsync(string connection) => EachServerAsync(o => o.Leave(gameId, connection));

    private static string Serialize(object message) => JsonSerializer.Serialize(message, message.GetType(), Json);

    private async Task EachServerAsync(Func<IGameObserver, Task> send)
    {
        foreach (var (silo, observer) in servers)
        {
            try
            {
                await send(observer);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                servers.TryRemove(new KeyValuePair<string, IGameObserver>(silo, observer));
                logger.ObserverDropped(e, gameId, silo);
            }
        }
    }
}

/// <summary>
/// This server's fan-out (<see cref="IGameObserver"/>) and its record of which of its connections are in which game, as
/// whom. Every <see cref="Every"/> it tells each of those games that it is still there; a game that did not know it (the
/// game moved to another server, which rebuilt it from the database) is told which connections are which players, so they
/// carry on without rejoining.
/// </summary>
public sealed class LocalFanout(IHubContext<ClusterGameHub> hub, GameCluster cluster, ILogger<LocalFanout> logger) : IGameObserver, IHostedService, IDisposable
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(2);

    /// <summary>Per game, this server's connections in it: the player's id, or 0 for a host screen.</summary>
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<string, int>> games = new();
    private readonly ConcurrentDictionary<long, HubGameOutput<ClusterGameHub>> outputs = new();
    private readonly CancellationTokenSource stopping = new();
    private Task? loop;

    public void Track(long gameId, string connection, int playerId) =>
        games.GetOrAdd(gameId, _ => new ConcurrentDictionary<string, int>(StringComparer.Ordinal))[connection] = playerId;

    public void Untrack(long gameId, string connection)
    {
        if (games.TryGetValue(gameId, out var connections) && connections.TryRemove(connection, out _) && connections.IsEmpty)
        {
            games.TryRemove(new KeyValuePair<long, ConcurrentDictionary<string, int>>(gameId, connections));
            outputs.TryRemove(gameId, out _);
        }
    }

    public Task ToEveryone(long gameId, string method, string json) => Output(gameId).ToEveryoneAsync(method, Parse(json));

    public Task ToHosts(long gameId, string method, string json) => Output(gameId).ToHostsAsync(method, Parse(json));

    public Task ToEach(long gameId, string method, string[] connections, string[] json)
    {
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(json);
        if (!games.TryGetValue(gameId, out var mine))
        {
            return Task.CompletedTask;
        }

        var messages = new List<(string, JsonElement)>();
        for (var i = 0; i < connections.Length; i++)
        {
            if (mine.ContainsKey(connections[i]))
            {
                messages.Add((connections[i], Parse(json[i])));
            }
        }

        return Output(gameId).ToEachAsync(method, messages);
    }

    public Task ToConnection(long gameId, string connection, string method, string json) =>
        games.TryGetValue(gameId, out var mine) && mine.ContainsKey(connection)
            ? hub.Clients.Client(connection).SendAsync(method, Parse(json))
            : Task.CompletedTask;

    public Task Leave(long gameId, string connection) => Output(gameId).LeaveAsync(connection);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        loop = Task.Run(KeepSubscribedAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => stopping.Dispose();

    private HubGameOutput<ClusterGameHub> Output(long gameId) => outputs.GetOrAdd(gameId, id => new HubGameOutput<ClusterGameHub>(hub, id));

    private static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    private async Task KeepSubscribedAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await Task.WhenAll(games.Keys.Select(SubscribeAsync));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SubscribeAsync(long gameId)
    {
        if (!games.TryGetValue(gameId, out var connections) || !cluster.Ready)
        {
            return;
        }

        try
        {
            var grain = cluster.Grain(gameId);
            if (!await grain.Subscribe(cluster.Silo, cluster.Observer))
            {
                var snapshot = connections.ToArray();
                await grain.Attach(
                    cluster.Silo, cluster.Observer,
                    [.. snapshot.Where(c => c.Value > 0).Select(c => c.Key)],
                    [.. snapshot.Where(c => c.Value > 0).Select(c => c.Value)],
                    [.. snapshot.Where(c => c.Value == 0).Select(c => c.Key)]);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            logger.GrainUnreachable(e, gameId);
        }
    }
}
