using System.Text.Json;
using Homeroom.Accounts;
using Microsoft.AspNetCore.SignalR;

namespace Homeroom.Games.Cluster;

/// <summary>
/// The live-game hub at /hubs/game in cluster mode: the same methods, results and refusals as <see cref="GameHub"/>
/// (docs/live-games.md), but each call goes to the game's grain, wherever it runs. This server keeps its own connections
/// in the game's SignalR groups and its <see cref="LocalFanout"/> sends them what the grain sends.
/// </summary>
public sealed class ClusterGameHub(GameCluster cluster, LocalFanout fanout) : Hub
{
    private const string PlayerKey = "player";
    private const string HostKey = "host";
    private const string PlayerIdKey = "playerId";
    private const string FailedPinsKey = "failedPins";
    private const int MaxFailedPins = 10;

    public Task<JsonElement> Join(string pin, string? nickname) =>
        EnterAsync(pin, (grain, connection) => grain.Join(connection, nickname, cluster.Silo, cluster.Observer));

    public Task<JsonElement> Rejoin(string pin, string rejoinToken) =>
        EnterAsync(pin, (grain, connection) => grain.Rejoin(connection, rejoinToken, cluster.Silo, cluster.Observer));

    public async Task<JsonElement> Answer(int questionIndex, JsonElement answer)
    {
        var gameId = Context.Items.TryGetValue(PlayerKey, out var id) ? (long)id! : throw new HubException("Join the game first.");
        var playerId = (int)Context.Items[PlayerIdKey]!;
        return Result(await CallAsync(gameId, grain => grain.Answer(Context.ConnectionId, playerId, questionIndex, answer.GetRawText())));
    }

    public async Task<JsonElement> Host(long gameId)
    {
        var teacherId = Context.User?.TeacherId() ?? throw new HubException("Sign in to host a game.");
        if (Context.Items.ContainsKey(PlayerKey))
        {
            throw new HubException("This connection is playing; host from another one.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, GameGroups.Hosts(gameId));
        fanout.Track(gameId, Context.ConnectionId, 0);
        try
        {
            var result = Result(await CallAsync(gameId, grain => grain.Host(Context.ConnectionId, teacherId, cluster.Silo, cluster.Observer)));
            Context.Items[HostKey] = gameId;
            return result;
        }
        catch
        {
            fanout.Untrack(gameId, Context.ConnectionId);
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, GameGroups.Hosts(gameId));
            throw;
        }
    }

    public Task Start() => CommandAsync("Start");

    public Task Next() => CommandAsync("Next");

    public Task Kick(int playerId) => CommandAsync("Kick", playerId);

    public Task End() => CommandAsync("End");

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var key in (string[])[PlayerKey, HostKey])
        {
            if (Context.Items.TryGetValue(key, out var id))
            {
                var gameId = (long)id!;
                fanout.Untrack(gameId, Context.ConnectionId);
                try
                {
                    await cluster.Grain(gameId).Disconnected(Context.ConnectionId);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // The game's server is gone: the game taken over does not know this connection anyway.
                }
            }
        }

        await base.OnDisconnectedAsync(exception);
    }

    private async Task<JsonElement> EnterAsync(string pin, Func<IGameGrain, string, Task<GameReply>> enter)
    {
        if (Context.Items.ContainsKey(PlayerKey) || Context.Items.ContainsKey(HostKey))
        {
            throw new HubException("This connection is already in a game.");
        }

        if (await cluster.FindByPinAsync(pin) is not { } gameId)
        {
            var failed = Context.Items.TryGetValue(FailedPinsKey, out var count) ? (int)count! + 1 : 1;
            Context.Items[FailedPinsKey] = failed;
            if (failed >= MaxFailedPins)
            {
                Context.Abort();
            }

            throw new HubException("There is no game with that PIN. Check the number on the screen.");
        }

        var group = GameGroups.PlayersOf(gameId, Context.ConnectionId);
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        fanout.Track(gameId, Context.ConnectionId, -1);
        try
        {
            var joined = Result(await CallAsync(gameId, grain => enter(grain, Context.ConnectionId)));
            var playerId = joined.GetProperty("playerId").GetInt32();
            fanout.Track(gameId, Context.ConnectionId, playerId);
            Context.Items[PlayerIdKey] = playerId;
            Context.Items[PlayerKey] = gameId;
            return joined;
        }
        catch
        {
            fanout.Untrack(gameId, Context.ConnectionId);
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, group);
            throw;
        }
    }

    private async Task CommandAsync(string command, int argument = 0)
    {
        var gameId = Context.Items.TryGetValue(HostKey, out var id) ? (long)id! : throw new HubException("Only the game's host can do that.");
        Result(await CallAsync(gameId, grain => grain.Command(Context.ConnectionId, command, argument)));
    }

    /// <summary>Calls the game's grain; a game whose server has just gone answers once the cluster has moved it (the page tries again).</summary>
    private async Task<GameReply> CallAsync(long gameId, Func<IGameGrain, Task<GameReply>> call)
    {
        try
        {
            return await call(cluster.Grain(gameId));
        }
        catch (Exception e) when (e is not HubException and not OutOfMemoryException)
        {
            throw new HubException("The game is moving to another server. Try again in a moment.");
        }
    }

    private static JsonElement Result(GameReply reply) =>
        reply.Refusal is { } refusal ? throw new HubException(refusal) : JsonSerializer.Deserialize<JsonElement>(reply.Json ?? "null");
}
