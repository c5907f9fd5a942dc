using System.Text.Json;
using Homeroom.Accounts;
using Microsoft.AspNetCore.SignalR;

namespace Homeroom.Games;

/// <summary>
/// The live-game hub at /hubs/game (SignalR, JSON protocol; every method and event is documented in
/// docs/live-games.md). Players are anonymous: a PIN and a nickname; the host is the signed-in teacher who
/// owns the game. A connection is one player or one host screen. Refusals are <see cref="HubException"/>s
/// whose message the page shows as it is.
/// </summary>
public sealed class GameHub(GameRegistry games) : Hub
{
    private const string PlayerKey = "player";
    private const string HostKey = "host";
    private const string FailedPinsKey = "failedPins";

    /// <summary>Wrong PINs one connection may try before it is closed (PINs are not to be guessed).</summary>
    private const int MaxFailedPins = 10;

    public async Task<Joined> Join(string pin, string? nickname)
    {
        var game = FindPlayable(pin);
        await Groups.AddToGroupAsync(Context.ConnectionId, game.PlayersGroupOf(Context.ConnectionId));
        try
        {
            var joined = await game.JoinAsync(Context.ConnectionId, nickname);
            Context.Items[PlayerKey] = game;
            return joined;
        }
        catch
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, game.PlayersGroupOf(Context.ConnectionId));
            throw;
        }
    }

    public async Task<Joined> Rejoin(string pin, string rejoinToken)
    {
        var game = FindPlayable(pin);
        await Groups.AddToGroupAsync(Context.ConnectionId, game.PlayersGroupOf(Context.ConnectionId));
        try
        {
            var joined = game.Rejoin(Context.ConnectionId, rejoinToken);
            Context.Items[PlayerKey] = game;
            return joined;
        }
        catch
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, game.PlayersGroupOf(Context.ConnectionId));
            throw;
        }
    }

    public Task<AnswerAck> Answer(int questionIndex, JsonElement answer) =>
        (Context.Items.TryGetValue(PlayerKey, out var game) ? (LiveGame)game! : throw new HubException("Join the game first."))
            .AnswerAsync(Context.ConnectionId, questionIndex, answer);

    public async Task<HostState> Host(long gameId)
    {
        var teacherId = Context.User?.TeacherId() ?? throw new HubException("Sign in to host a game.");
        var game = games.Find(gameId);
        if (game is null || game.TeacherId != teacherId)
        {
            throw new HubException("No live game of yours has this id.");
        }

        if (Context.Items.ContainsKey(PlayerKey))
        {
            throw new HubException("This connection is playing; host from another one.");
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, game.HostsGroup);
        Context.Items[HostKey] = game;
        return game.AddHost(Context.ConnectionId);
    }

    public void Start() => Hosted().Start();

    public void Next() => Hosted().Next();

    public void Kick(int playerId) => Hosted().Kick(playerId);

    public void End() => Hosted().End();

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        foreach (var key in (string[])[PlayerKey, HostKey])
        {
            if (Context.Items.TryGetValue(key, out var game))
            {
                ((LiveGame)game!).Disconnected(Context.ConnectionId);
            }
        }

        return base.OnDisconnectedAsync(exception);
    }

    private LiveGame FindPlayable(string pin)
    {
        if (Context.Items.ContainsKey(PlayerKey) || Context.Items.ContainsKey(HostKey))
        {
            throw new HubException("This connection is already in a game.");
        }

        if (games.FindByPin(pin) is { } game)
        {
            return game;
        }

        var failed = Context.Items.TryGetValue(FailedPinsKey, out var count) ? (int)count! + 1 : 1;
        Context.Items[FailedPinsKey] = failed;
        if (failed >= MaxFailedPins)
        {
            Context.Abort();
        }

        throw new HubException("There is no game with that PIN. Check the number on the screen.");
    }

    private LiveGame Hosted() =>
        Context.Items.TryGetValue(HostKey, out var game) && ((LiveGame)game!).IsHost(Context.ConnectionId)
            ? (LiveGame)game
            : throw new HubException("Only the game's host can do that.");
}

/// <summary>
/// Floods: each connection may send a burst of <see cref="Burst"/> messages, refilled at <see cref="PerSecond"/>
/// a second; beyond that a call is refused, and a connection that keeps flooding is closed. Other players
/// never notice.
/// </summary>
public sealed class HubFloodFilter(TimeProvider clock) : IHubFilter
{
    public const int Burst = 20;
    public const double PerSecond = 10;
    private const int CloseAfterRefusals = 200;
    private const string BucketKey = "flood";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        var context = invocationContext.Context;
        if (!context.Items.TryGetValue(BucketKey, out var value) || value is not Bucket bucket)
        {
            bucket = new Bucket { Tokens = Burst, At = clock.GetTimestamp() };
            context.Items[BucketKey] = bucket;
        }

        if (!bucket.Take(clock))
        {
            if (++bucket.Refused >= CloseAfterRefusals)
            {
                context.Abort();
            }

            throw new HubException("Slow down: too many messages. Wait a moment and try again.");
        }

        return await next(invocationContext);
    }

    private sealed class Bucket
    {
        private readonly Lock gate = new();

        public double Tokens { get; set; }

        public long At { get; set; }

        public int Refused { get; set; }

        public bool Take(TimeProvider clock)
        {
            lock (gate)
            {
                var now = clock.GetTimestamp();
                Tokens = Math.Min(Burst, Tokens + (clock.GetElapsedTime(At, now).TotalSeconds * PerSecond));
                At = now;
                if (Tokens < 1)
                {
                    return false;
                }

                Tokens--;
                Refused = 0;
                return true;
            }
        }
    }
}

/// <summary>
/// A refusal (a <see cref="HubException"/>: a wrong PIN, a nickname taken, an answer too late) is the caller's answer,
/// not a fault. SignalR's dispatcher would log every one as an error with its stack trace, so its log is turned down
/// (<see cref="GamesSetup"/>) and this filter, outermost, logs instead: refusals at Debug, real faults at Error.
/// </summary>
public sealed partial class HubErrorLog(ILogger<HubErrorLog> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocationContext);
        }
        catch (HubException refused)
        {
            LogRefused(logger, invocationContext.HubMethodName, refused.Message);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, invocationContext.HubMethodName);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hub call {Method} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub call {Method} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method);
}
