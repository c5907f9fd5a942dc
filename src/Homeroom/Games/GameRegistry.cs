using System.Collections.Concurrent;
using Dapper;
using Homeroom.Quizzes;
using Homeroom.Storage;

namespace Homeroom.Games;

/// <summary>
/// The live games of this service, by id and by PIN. Live games are held in memory by the one service
/// instance that hosts them (players' connections are to it); everything they produce is in the database, and
/// each game's row names its owner (<see cref="ServiceInstance"/>). At start and every <see cref="ServiceInstance.Beat"/>
/// this server looks for games whose owner is gone (its heartbeat stopped, or it was this server's own previous
/// run): their running games are marked interrupted (their answers so far stay) and their lobbies dropped. Games
/// of servers that are alive are never touched. A finished game stays reachable for a while, so late rejoins
/// still see the podium, then its PIN is free again. PINs are unique among the live games of the whole database
/// (a partial unique index); <see cref="ReservePin"/> only avoids this server's own.
/// </summary>
public sealed class GameRegistry(Database database, ServiceInstance instance, GameServices services, Cluster.GameCluster cluster, ILogger<GameRegistry> logger)
    : IHostedService, IDisposable
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
    private ITimer? orphans;
    private int sweeping;

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

    public LiveGame Add(long id, string pin, long teacherId, long quizId, string title, IReadOnlyList<Question> questions, GameSettings settings,
        IReadOnlyList<RosterName>? roster, string joinUrl)
    {
        var game = new LiveGame(id, pin, teacherId, quizId, title, questions, settings, roster, joinUrl, services);
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

    /// <summary>This server's id, recorded as the owner of the games it starts.</summary>
    public string InstanceId => instance.Id;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!cluster.Enabled)
        {
            // In a cluster the first sweep waits for the timer: the cluster is not running yet.
            await SweepOrphansAsync();
        }

        orphans = services.Clock.CreateTimer(_ => _ = SweepOrphansAsync(), null, ServiceInstance.Beat, ServiceInstance.Beat);
        sweeper = TimeProvider.System.CreateTimer(_ => Sweep(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// The games of servers that are gone: running ones become interrupted, lobbies are dropped, and the gone
    /// servers' rows are removed. Never this server's own games. Sweeps never overlap (one due meanwhile is skipped).
    /// </summary>
    public async Task SweepOrphansAsync()
    {
        if (Interlocked.Exchange(ref sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            var now = services.Clock.GetUtcNow();
            var args = new { now = now.ToUnixTimeMilliseconds(), cutoff = (now - ServiceInstance.GoneAfter).ToUnixTimeMilliseconds(), me = instance.Id };
            if (cluster.Enabled)
            {
                // In a cluster a game outlives its server: the cluster moves it to a live one (which records itself as the
                // owner). Players rejoining do that within seconds; this is for a game nobody has called since.
                var orphaned = await database.WriteAsync(async (connection, transaction) =>
                {
                    var ids = (await connection.QueryAsync<long>($"SELECT id FROM games WHERE {Orphaned}", args, transaction)).ToList();
                    await connection.ExecuteAsync("DELETE FROM instances WHERE heartbeat_at < @cutoff AND id <> @me", args, transaction);
                    return ids;
                });
                if (orphaned.Count > 0)
                {
                    logger.Resumed(orphaned.Count);
                    await cluster.ResumeAsync(orphaned, logger);
                }

                return;
            }

            var (interrupted, dropped) = await database.WriteAsync(async (connection, transaction) =>
            {
                var running = await connection.ExecuteAsync(
                    $"UPDATE games SET status = 'interrupted', ended_at = @now WHERE {Orphaned} AND status = 'running'", args, transaction);
                var lobbies = await connection.ExecuteAsync($"DELETE FROM games WHERE {Orphaned} AND status = 'lobby'", args, transaction);
                await connection.ExecuteAsync("DELETE FROM instances WHERE heartbeat_at < @cutoff AND id <> @me", args, transaction);
                return (running, lobbies);
            });
            if (interrupted + dropped > 0)
            {
                logger.Recovered(interrupted, dropped);
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            logger.SweepFailed(e);
        }
        finally
        {
            Volatile.Write(ref sweeping, 0);
        }
    }

    /// <summary>
    /// Live games whose owner is gone (no heartbeat since @cutoff), never this server's (@me). "status IN ('lobby',
    /// 'running')" is spelled as the partial index's condition so that SQLite uses that index.
    /// </summary>
    private const string Orphaned = """
        status IN ('lobby', 'running')
        AND owner_instance <> @me AND owner_instance NOT IN (SELECT id FROM instances WHERE heartbeat_at >= @cutoff)
        """;

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

    /// <summary>This server is stopping, and its games with it: they are recorded as interrupted now.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        sweeper?.Dispose();
        orphans?.Dispose();
        if (cluster.Enabled)
        {
            // In a cluster this server's games move to the others (Orleans deactivates their grains first).
            return;
        }

        try
        {
            var args = new { now = services.Clock.GetUtcNow().ToUnixTimeMilliseconds(), me = instance.Id };
            await database.WriteAsync(async (connection, transaction) =>
                await connection.ExecuteAsync(
                    "UPDATE games SET status = 'interrupted', ended_at = @now WHERE status IN ('lobby', 'running') AND status = 'running' AND owner_instance = @me",
                    args, transaction)
                + await connection.ExecuteAsync(
                    "DELETE FROM games WHERE status IN ('lobby', 'running') AND status = 'lobby' AND owner_instance = @me", args, transaction));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            logger.SweepFailed(e);
        }
    }

    public void Dispose()
    {
        sweeper?.Dispose();
        orphans?.Dispose();
    }
}
