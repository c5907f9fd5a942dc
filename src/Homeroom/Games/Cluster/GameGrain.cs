using System.Data.Common;
using System.Text.Json;
using Dapper;
using Homeroom.Quizzes;
using Homeroom.Storage;
using Microsoft.AspNetCore.SignalR;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Homeroom.Games.Cluster;

/// <summary>
/// A hub call's answer from a game's grain: its result as JSON (what the hub returns to the client), or a refusal
/// meant for people (the hub throws it as a <see cref="HubException"/>).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record GameReply([property: Id(0)] string? Refusal, [property: Id(1)] string? Json);

/// <summary>What the HTTP side (GamesApi) needs to know about a live game held by a grain.</summary>
[GenerateSerializer, Immutable]
public sealed record GameSummary(
    [property: Id(0)] long Id,
    [property: Id(1)] long TeacherId,
    [property: Id(2)] long QuizId,
    [property: Id(3)] string Pin,
    [property: Id(4)] string Title,
    [property: Id(5)] string JoinUrl,
    [property: Id(6)] int QuestionCount,
    [property: Id(7)] int Phase,
    [property: Id(8)] int Players,
    [property: Id(9)] string Options,
    [property: Id(10)] string JoinMode,
    [property: Id(11)] IReadOnlyList<string>? FreeNames,
    [property: Id(12)] IReadOnlyList<UnavailableName>? UnavailableNames)
{
    public GamePhase GamePhase => (GamePhase)Phase;

    public bool IsOver => GamePhase is GamePhase.Podium or GamePhase.Closed;
}

/// <summary>
/// One live game in the cluster (key: the game's id). Any server's hub calls it; it holds the <see cref="LiveGame"/>
/// (the same state machine as on one server) and sends through every server that has connections in the game.
/// </summary>
public interface IGameGrain : IGrainWithIntegerKey
{
    /// <summary>Null when there is no live (or recently finished) game with this id.</summary>
    Task<GameSummary?> Summary();

    Task<GameReply> Join(string connection, string? nickname, string silo, IGameObserver observer);

    Task<GameReply> Rejoin(string connection, string? token, string silo, IGameObserver observer);

    /// <summary>An answer from this player's connection (<paramref name="playerId"/> as the connection's server recorded it at Join or Rejoin).</summary>
    Task<GameReply> Answer(string connection, int playerId, int questionIndex, string answer);

    Task<GameReply> Host(string connection, long teacherId, string silo, IGameObserver observer);

    /// <summary>A host's Start, Next, Kick (with the player's id) or End, from a connection whose Host call this game accepted.</summary>
    Task<GameReply> Command(string connection, string command, int argument);

    /// <summary>The teacher's End over HTTP; null when the game is not theirs or not live.</summary>
    Task<GameSummary?> EndByTeacher(long teacherId);

    Task Disconnected(string connection);

    /// <summary>Today's absent students of a class changed: a game played with that class stops offering their names.</summary>
    Task SetAbsent(long classId, long[] studentIds);

    /// <summary>A server that has connections in the game is (still) there: true when the game already knew it.</summary>
    Task<bool> Subscribe(string silo, IGameObserver observer);

    /// <summary>A server tells a game taken over which of its connections are which players and hosts.</summary>
    Task Attach(string silo, IGameObserver observer, string[] playerConnections, int[] playerIds, string[] hostConnections);
}

/// <summary>
/// The grain. Reentrant: the game has its own lock and every change under it is quick, so calls interleave exactly as
/// the hub's calls do on one server (an answer awaiting its durable write does not hold up the next). Placed on the
/// server that first calls it (the one that created the game); when that server is gone, the next call activates it
/// on another, which rebuilds the game from the database (<see cref="LiveGame.Restore"/>).
/// </summary>
[Reentrant]
[PreferLocalPlacement]
[CollectionAgeLimit(Minutes = 240)]
public sealed class GameGrain(GameServices services, Database database, ServiceInstance instance, ILogger<GameGrain> logger) : Grain, IGameGrain
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A question interrupted by a hand-over is played again after this long, so the servers can re-attach their connections first.</summary>
    public static readonly TimeSpan ReplayAfter = TimeSpan.FromSeconds(3);

    private LiveGame? game;
    private ClusterGameOutput? output;
    private long teacherId;
    private string options = "{}";

    /// <summary>The servers that have told this activation which of their connections are whose (<see cref="Attach"/>).</summary>
    private readonly HashSet<string> attached = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKeyLong();
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<GameRow>(
            """
            SELECT teacher_id AS TeacherId, quiz_id AS QuizId, class_id AS ClassId, pin AS Pin, title AS Title, questions AS Questions,
                   options AS Options, status AS Status, join_url AS JoinUrl, ended_at AS EndedAt
            FROM games WHERE id = @id
            """, new { id });
        if (row is null || row.Status == "interrupted"
            || (row.Status == "finished" && services.Clock.GetUtcNow().ToUnixTimeMilliseconds() - (row.EndedAt ?? 0) > GameRegistry.KeepFinished.TotalMilliseconds))
        {
            return;
        }

        var questions = JsonSerializer.Deserialize<List<Question>>(row.Questions, QuizzesApi.Json) ?? [];
        var settings = JsonSerializer.Deserialize<GameSettings>(row.Options, QuizzesApi.Json)!;
        List<RosterName>? roster = null;
        List<long> absent = [];
        if (settings.ClassId is { } classId && row.ClassId is not null)
        {
            var students = await connection.QueryAsync<Classes.StudentRow>(
                $"SELECT {Classes.StudentRow.Columns} FROM students s WHERE s.class_id = @classId AND s.removed_at IS NULL ORDER BY s.name, s.id",
                new { classId });
            roster = GamesApi.RosterNames([.. students]);
            // Today's absent students (the teacher's day, as when the game was created on one server) are not offered.
            var zone = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT t.time_zone FROM classes c JOIN teachers t ON t.id = c.teacher_id WHERE c.id = @classId", new { classId }) ?? "UTC";
            absent = [.. await connection.QueryAsync<long>(
                """
                SELECT a.student_id FROM absences a JOIN students s ON s.id = a.student_id
                WHERE a.class_id = @classId AND a.day = @day AND s.removed_at IS NULL
                """, new { classId, day = Classes.ClassRules.Today(services.Clock, zone) })];
        }

        teacherId = row.TeacherId;
        options = row.Options;
        output = new ClusterGameOutput(id, logger);
        game = new LiveGame(id, row.Pin, row.TeacherId, row.QuizId ?? 0, row.Title, questions, settings, roster, row.JoinUrl ?? "", services, output);
        game.SetAbsent(absent);
        game.Over += OnOver;
        var players = (await connection.QueryAsync<StoredPlayer>(
            """
            SELECT player_id AS Id, nickname AS Nickname, student_id AS StudentId, rejoin_hash AS RejoinHash,
                   first_question AS FirstQuestion, kicked AS Kicked
            FROM game_players WHERE game_id = @id ORDER BY player_id
            """, new { id })).ToList();
        if (row.Status != "lobby" || players.Count > 0)
        {
            var answers = (await connection.QueryAsync<StoredAnswer>(
                """
                SELECT player_id AS PlayerId, question_index AS QuestionIndex, answer AS Answer, correct AS Correct, points AS Points,
                       streak_bonus AS StreakBonus, streak AS Streak, time_ms AS TimeMs
                FROM game_answers WHERE game_id = @id
                """, new { id })).ToList();
            var asked = (await connection.QueryAsync<StoredQuestion>(
                "SELECT question_index AS \"Index\", opened_at AS OpenedAt, closed_at AS ClosedAt FROM game_questions WHERE game_id = @id",
                new { id })).ToList();
            game.Restore(row.Status, players, answers, asked, ReplayAfter);
            logger.GameTakenOver(id, players.Count, answers.Count, game.Phase.ToString());
        }

        if (row.Status is "lobby" or "running")
        {
            // This server holds the game now: the sweep of gone servers leaves it alone while this one beats.
            await database.WriteAsync((c, t) => c.ExecuteAsync(
                "UPDATE games SET owner_instance = @me WHERE id = @id AND status IN ('lobby', 'running')", new { id, me = instance.Id }, t));
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (game is not null)
        {
            game.Stop();
            // Whatever the game queued is stored before another server may read it back.
            await services.Log.Flush().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    public Task<GameSummary?> Summary() => Task.FromResult(game is null ? null : SummaryOf(game));

    public Task<GameReply> Join(string connection, string? nickname, string silo, IGameObserver observer)
    {
        if (game is not { } live)
        {
            return NoGame;
        }

        output!.Add(silo, observer);
        return ReplyAsync(async () => await live.JoinAsync(connection, nickname));
    }

    public Task<GameReply> Rejoin(string connection, string? token, string silo, IGameObserver observer)
    {
        if (game is not { } live)
        {
            return NoGame;
        }

        output!.Add(silo, observer);
        return ReplyAsync(() => Task.FromResult<object>(live.Rejoin(connection, token)));
    }

    public Task<GameReply> Answer(string connection, int playerId, int questionIndex, string answer)
    {
        if (game is not { } live)
        {
            return NoGame;
        }

        // After a hand-over this connection may not be attached yet (its server re-attaches its connections every few seconds).
        live.Reattach(connection, playerId);

        return ReplyAsync(async () =>
        {
            using var json = JsonDocument.Parse(answer);
            return await live.AnswerAsync(connection, questionIndex, json.RootElement.Clone());
        });
    }

    public Task<GameReply> Host(string connection, long teacherId, string silo, IGameObserver observer)
    {
        if (game is null || this.teacherId != teacherId || game.Phase == GamePhase.Closed)
        {
            return Task.FromResult(new GameReply("No live game of yours has this id.", null));
        }

        output!.Add(silo, observer);
        var live = game;
        return ReplyAsync(() => Task.FromResult<object>(live.AddHost(connection)));
    }

    public Task<GameReply> Command(string connection, string command, int argument)
    {
        if (game is not { } live)
        {
            return NoGame;
        }

        // The hub only sends commands from a connection this game accepted as a host; after a hand-over it may not be attached yet.
        live.AddHost(connection);
        return ReplyAsync(() =>
        {

            switch (command)
            {
                case "Start":
                    live.Start();
                    break;
                case "Next":
                    live.Next();
                    break;
                case "Kick":
                    live.Kick(argument);
                    break;
                case "End":
                    live.End();
                    break;
                default:
                    throw new HubException("Unknown command.");
            }

            return Task.FromResult<object>(true);
        });
    }

    public Task<GameSummary?> EndByTeacher(long teacherId)
    {
        if (game is not { IsOver: false } live || this.teacherId != teacherId)
        {
            return Task.FromResult<GameSummary?>(null);
        }

        live.End();
        return Task.FromResult<GameSummary?>(SummaryOf(live));
    }

    public Task SetAbsent(long classId, long[] studentIds)
    {
        if (game is { IsOver: false } live && live.Settings.ClassId == classId)
        {
            live.SetAbsent(studentIds);
        }

        return Task.CompletedTask;
    }

    public Task Disconnected(string connection)
    {
        game?.Disconnected(connection);
        return Task.CompletedTask;
    }

    public Task<bool> Subscribe(string silo, IGameObserver observer)
    {
        if (output is null)
        {
            return Task.FromResult(true);
        }

        output.Add(silo, observer);
        return Task.FromResult(attached.Contains(silo));
    }

    public Task Attach(string silo, IGameObserver observer, string[] playerConnections, int[] playerIds, string[] hostConnections)
    {
        ArgumentNullException.ThrowIfNull(playerConnections);
        ArgumentNullException.ThrowIfNull(playerIds);
        ArgumentNullException.ThrowIfNull(hostConnections);
        if (game is null)
        {
            return Task.CompletedTask;
        }

        output!.Add(silo, observer);
        attached.Add(silo);
        for (var i = 0; i < playerConnections.Length && i < playerIds.Length; i++)
        {
            game.Reattach(playerConnections[i], playerIds[i]);
        }

        foreach (var host in hostConnections)
        {
            game.AddHost(host);
        }

        return Task.CompletedTask;
    }

    private static Task<GameReply> NoGame => Task.FromResult(new GameReply("There is no game with that PIN. Check the number on the screen.", null));

    private static async Task<GameReply> ReplyAsync(Func<Task<object>> call)
    {
        try
        {
            var result = await call();
            return new GameReply(null, JsonSerializer.Serialize(result, result.GetType(), Json));
        }
        catch (HubException refused)
        {
            return new GameReply(refused.Message, null);
        }
    }

    private GameSummary SummaryOf(LiveGame live) => new(
        live.Id, teacherId, live.QuizId, live.Pin, live.Title, live.JoinUrl, live.QuestionCount, (int)live.Phase, live.PlayerCount, options,
        live.JoinMode, live.FreeRosterNames(), live.UnavailableRosterNames());

    private void OnOver(LiveGame over)
    {
        if (over.Phase != GamePhase.Closed)
        {
            return;
        }

        // Closed from the lobby: nothing was played, nothing to report.
        _ = DeleteUnplayedAsync(over.Id);
    }

    private async Task DeleteUnplayedAsync(long id)
    {
        try
        {
            await database.WriteAsync((connection, transaction) =>
                connection.ExecuteAsync("DELETE FROM games WHERE id = @id AND status = 'lobby'", new { id }, transaction));
        }
        catch (DbException e)
        {
            logger.UnplayedNotDropped(e, id);
        }
    }

    private sealed class GameRow
    {
        public long TeacherId { get; init; }

        public long? QuizId { get; init; }

        public long? ClassId { get; init; }

        public string Pin { get; init; } = "";

        public string Title { get; init; } = "";

        public string Questions { get; init; } = "[]";

        public string Options { get; init; } = "{}";

        public string Status { get; init; } = "";

        public string? JoinUrl { get; init; }

        public long? EndedAt { get; init; }
    }
}
