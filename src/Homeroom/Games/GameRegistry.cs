using System.Collections.Concurrent;
using Dapper;
using Homeroom.Quizzes;
using Homeroom.Storage;

namespace Homeroom.Games;

/// <summary>
/// The live games of this service, by id and by PIN. Live games are held in memory by the one service
/// instance that hosts them (players' connections are to it); everything they produce is in the database.
/// At start, games a previous run left running are marked interrupted (their answers so far stay), and
/// lobbies that never started are dropped. A finished game stays reachable for a while, so late rejoins
/// still see the podium, then its PIN is free again.
/// </summary>
public sealed class GameRegistry(Database database, GameServices services, ILogger<GameRegistry> logger) : IHostedService, IDisposable
{
    /// <summary>How long a finished game stays joinable to see its podium.</summary>
    public static readonly TimeSpan KeepFinished = TimeSpan.FromMinutes(30);

    /// <summary>A game nobody has touched for this long is ended (a lobby is closed).</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromHours(3);

    private readonly ConcurrentDictionary<long, LiveGame> byId = new();
    private readonly ConcurrentDictionary<string, LiveGame> byPin = new(StringComparer.Ordinal);
    private readonly HashSet<string> reservedPins = new(StringComparer.Ordinal);
    private readonly Lock pins = new();
    private ITimer? sweeper;

    public LiveGame? Find(long id) => byId.TryGetValue(id, out var game) ? game : null;

    public LiveGame? FindByPin(string? pin) =>
        pin is not null && byPin.TryGetValue(pin.Trim(), out var game) && game.Phase != GamePhase.Closed ? game : null;

    public IEnumerable<LiveGame> OfTeacher(long teacherId) => byId.Values.Where(g => g.TeacherId == teacherId);

    /// <summary>The games this instance runs that are not over (lobby or playing), and the players connected to any of its games.</summary>
    public (int Games, int ConnectedPlayers) Running()
    {
        int games = 0, players = 0;
        foreach (var game in byId.Values)
        {
            games += game.IsOver ? 0 : 1;
            players += game.ConnectedPlayers;
        }

        return (games, players);
    }

    /// <summary>A PIN no live game has, held until <see cref="Add"/> or <see cref="Release"/>.</summary>
    public string ReservePin()
    {
        lock (pins)
        {
            var pin = GamePins.New(services.Random, p => byPin.ContainsKey(p) || reservedPins.Contains(p));
            reservedPins.Add(pin);
            return pin;
        }
    }

    public void Release(string pin)
    {
        lock (pins)
        {
            reservedPins.Remove(pin);
        }
    }

    public LiveGame Add(long id, string pin, long teacherId, string title, IReadOnlyList<Question> questions, GameSettings settings,
        IReadOnlyList<RosterName>? roster, string joinUrl)
    {
        var game = new LiveGame(id, pin, teacherId, title, questions, settings, roster, joinUrl, services);
        game.Over += OnOver;
        byId[id] = game;
        byPin[pin] = game;
        Release(pin);
        return game;
    }

    private void OnOver(LiveGame game)
    {
        if (game.Phase == GamePhase.Closed)
        {
            // Closed from the lobby: nothing was played, nothing to report.
            Remove(game);
            _ = DeleteUnplayedAsync(game.Id);
            return;
        }

        services.Clock.CreateTimer(_ => Remove(game), null, KeepFinished, Timeout.InfiniteTimeSpan);
    }

    private void Remove(LiveGame game)
    {
        byId.TryRemove(new KeyValuePair<long, LiveGame>(game.Id, game));
        byPin.TryRemove(new KeyValuePair<string, LiveGame>(game.Pin, game));
        game.Retire();
    }

    private async Task DeleteUnplayedAsync(long id)
    {
        try
        {
            await database.WriteAsync((connection, transaction) =>
                connection.ExecuteAsync("DELETE FROM games WHERE id = @id AND status = 'lobby'", new { id }, transaction));
        }
        catch (System.Data.Common.DbException e)
        {
            logger.UnplayedNotDropped(e, id);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = services.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        var (interrupted, dropped) = await database.WriteAsync(async (connection, transaction) => (
            await connection.ExecuteAsync("UPDATE games SET status = 'interrupted', ended_at = @now WHERE status = 'running'", new { now }, transaction),
            await connection.ExecuteAsync("DELETE FROM games WHERE status = 'lobby'", transaction: transaction)));
        if (interrupted + dropped > 0)
        {
            logger.Recovered(interrupted, dropped);
        }

        sweeper = TimeProvider.System.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    private void Sweep()
    {
        var now = services.Clock.GetUtcNow();
        foreach (var game in byId.Values)
        {
            if (!game.IsOver && now - game.LastActivity > Idle)
            {
                game.End();
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sweeper?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => sweeper?.Dispose();
}
