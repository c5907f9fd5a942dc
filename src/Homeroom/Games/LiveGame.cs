using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Homeroom.Quizzes;
using Microsoft.AspNetCore.SignalR;

namespace Homeroom.Games;

/// <summary>What a live game needs from the service.</summary>
public sealed record GameServices(
    GameLog Log, IHubContext<GameHub> Hub, TimeProvider Clock, IRandomSource Random, Nicknames Nicknames, ILogger<LiveGame> Logger,
    Images.ImageLinks Images);

/// <summary>
/// One game being played: the state machine, its players and their scores, in memory, with every change
/// that matters written through <see cref="GameLog"/> as it happens. All state changes happen under one
/// lock and are quick; what they send goes through one outbox per game, in order, so a slow fan-out to
/// thousands of phones never holds up an answer, and no player sees a question's results before the question.
/// The server keeps the time: questions open and close on <see cref="TimeProvider"/> timers.
/// </summary>
public sealed class LiveGame
{
    /// <summary>Games are for classrooms and school assemblies; this bounds memory, not real use.</summary>
    public const int MaxPlayers = 20_000;

    /// <summary>Small games get every answer count; bigger ones at most this often.</summary>
    private const long AnswerCountEveryMs = 200;

    private readonly Lock sync = new();
    private readonly GameServices services;
    private readonly IReadOnlyList<Question> questions;
    private readonly IReadOnlyList<int[]?> shownOrder;
    private readonly IReadOnlyList<string?> imageLinks;
    private readonly IReadOnlyList<RosterName>? roster;
    private HashSet<long> absentToday = [];
    private readonly List<Player> players = [];
    private readonly Dictionary<string, Player> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Player> byToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Player> byConnection = new(StringComparer.Ordinal);
    private readonly HashSet<string> hosts = new(StringComparer.Ordinal);
    private readonly IGameOutput output;
    private readonly Channel<Func<IGameOutput, Task>> outbox =
        Channel.CreateUnbounded<Func<IGameOutput, Task>>(new UnboundedChannelOptions { SingleReader = true });

    private GamePhase phase = GamePhase.Lobby;
    private int index = -1;
    private int generation;
    private ITimer? timer;
    private DateTimeOffset openedAt;
    private int answered;
    private int waiting;
    private int kicked;
    private long lastCountSent;
    private QuestionEnded? lastEnded;
    private Leaderboard? lastLeaderboard;
    private Podium? podium;

    /// <summary>The highest question whose opening is stored (a question replayed after a hand-over is not stored twice).</summary>
    private int storedOpen = -1;

    public LiveGame(
        long id, string pin, long teacherId, long quizId, string title, IReadOnlyList<Question> questions, GameSettings settings,
        IReadOnlyList<RosterName>? roster, string joinUrl, GameServices services, IGameOutput? output = null)
    {
        ArgumentNullException.ThrowIfNull(questions);
        ArgumentNullException.ThrowIfNull(services);
        Id = id;
        Pin = pin;
        TeacherId = teacherId;
        QuizId = quizId;
        Title = title;
        Settings = settings;
        JoinUrl = joinUrl;
        this.questions = questions;
        this.roster = roster;
        this.services = services;
        shownOrder = [.. questions.Select(ShownOrder)];
        this.output = output ?? new HubGameOutput<GameHub>(services.Hub, id);
        // The pictures' addresses for players (and the host screen): sent only with their question, so only those shown it can load it.
        imageLinks = [.. questions.Select(q => q.ImageId is { } image ? services.Images.ForPlayers(image) : null)];
        CreatedAt = services.Clock.GetUtcNow();
        LastActivity = CreatedAt;
        _ = Task.Run(SendLoopAsync);
    }

    public long Id { get; }

    public string Pin { get; }

    public long TeacherId { get; }

    /// <summary>The quiz the game was started from (the game plays its own copy of the questions).</summary>
    public long QuizId { get; }

    public string Title { get; }

    public GameSettings Settings { get; }

    public string JoinUrl { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset LastActivity { get; private set; }

    public int QuestionCount => questions.Count;

    /// <summary>The SignalR group of this player's connection: one of the game's player groups (<see cref="GameGroups"/>).</summary>
    public string PlayersGroupOf(string connectionId) => GameGroups.PlayersOf(Id, connectionId);

    /// <summary>The SignalR group of the host's connections (a host may reload, or open a second screen).</summary>
    public string HostsGroup => GameGroups.Hosts(Id);

    public GamePhase Phase
    {
        get
        {
            lock (sync)
            {
                return phase;
            }
        }
    }

    public int PlayerCount
    {
        get
        {
            lock (sync)
            {
                return ActiveCount();
            }
        }
    }

    /// <summary>The players connected to this game now (the host's screens not counted).</summary>
    public int ConnectedPlayers
    {
        get
        {
            lock (sync)
            {
                return ConnectedCount();
            }
        }
    }

    public bool IsOver => Phase is GamePhase.Podium or GamePhase.Closed;

    /// <summary>Raised once when the game reaches the podium or is closed from the lobby.</summary>
    public event Action<LiveGame>? Over;

    /// <summary>Roster names nobody has taken yet, of students not marked absent today, for a class game's join screen.</summary>
    public IReadOnlyList<string>? FreeRosterNames()
    {
        lock (sync)
        {
            return roster?.Where(r => !byName.ContainsKey(Nicknames.Key(r.Name)) && !absentToday.Contains(r.StudentId)).Select(r => r.Name).ToList();
        }
    }

    /// <summary>The roster names a class game's join screen shows but does not offer, and why: "joined" (a player has the name) or "absent" (marked absent today).</summary>
    public IReadOnlyList<UnavailableName>? UnavailableRosterNames()
    {
        lock (sync)
        {
            return roster?
                .Select(r => byName.ContainsKey(Nicknames.Key(r.Name)) ? new UnavailableName(r.Name, "joined")
                    : absentToday.Contains(r.StudentId) ? new UnavailableName(r.Name, "absent") : null)
                .OfType<UnavailableName>().ToList();
        }
    }

    /// <summary>
    /// Today's absent students of the class the game is played with: their names are not offered on the join
    /// screen (the hub still takes them, should the teacher have marked someone absent by mistake).
    /// </summary>
    public void SetAbsent(IEnumerable<long> studentIds)
    {
        var absent = studentIds.ToHashSet();
        lock (sync)
        {
            absentToday = absent;
        }
    }

    public string JoinMode => roster is not null ? "roster" : Settings.NicknameGenerator ? "generated" : "nickname";

    // ---- Players -------------------------------------------------------------------------------------

    public async Task<Joined> JoinAsync(string connectionId, string? nickname)
    {
        Player player;
        Task saved;
        string token;
        lock (sync)
        {
            if (phase is GamePhase.Podium or GamePhase.Closed)
            {
                throw new HubException("This game has ended.");
            }

            if (players.Count >= MaxPlayers)
            {
                throw new HubException("This game is full.");
            }

            var (name, studentId) = ChooseName(nickname);
            var firstQuestion = phase is GamePhase.Question or GamePhase.Answering ? index : index + 1;
            token = NewToken();
            player = new Player(players.Count + 1, name, studentId, TokenHash(token), Math.Max(0, firstQuestion), questions.Count);
            players.Add(player);
            byName[Nicknames.Key(name)] = player;
            byToken[player.TokenHash] = player;
            Attach(player, connectionId);
            if (IsWaiting(player))
            {
                waiting++;
            }

            saved = services.Log.PlayerJoined(Id, player.Id, name, studentId, Now(), player.FirstQuestion, player.TokenHash);
            var change = new LobbyChange(Lobby(player), ActiveCount(), ConnectedCount());
            Send(o => o.ToHostsAsync("playerJoined", change));
        }

        await saved;
        lock (sync)
        {
            return new Joined(player.Id, player.Nickname, token, StateFor(player));
        }
    }

    public Joined Rejoin(string connectionId, string? token)
    {
        lock (sync)
        {
            if (token is null || !byToken.TryGetValue(TokenHash(token), out var player))
            {
                throw new HubException("That rejoin token is not valid for this game. Join again with a nickname.");
            }

            if (player.Kicked)
            {
                throw new HubException("You were removed from this game.");
            }

            if (phase == GamePhase.Closed)
            {
                throw new HubException("This game has ended.");
            }

            if (player.ConnectionId is { } old && old != connectionId)
            {
                byConnection.Remove(old);
                Send(o => o.LeaveAsync(old));
            }

            var wasWaiting = IsWaiting(player);
            Attach(player, connectionId);
            if (!wasWaiting && IsWaiting(player))
            {
                waiting++;
            }

            var change = new LobbyChange(Lobby(player), ActiveCount(), ConnectedCount());
            Send(o => o.ToHostsAsync("playerJoined", change));
            return new Joined(player.Id, player.Nickname, token, StateFor(player));
        }
    }

    public async Task<AnswerAck> AnswerAsync(string connectionId, int questionIndex, JsonElement payload)
    {
        AnswerRecord record;
        lock (sync)
        {
            var player = PlayerOn(connectionId);
            if (player.Answers[Math.Clamp(questionIndex, 0, questions.Count - 1)] is { } first && questionIndex >= 0 && questionIndex < questions.Count)
            {
                record = first;
            }
            else
            {
                if (phase != GamePhase.Answering || questionIndex != index)
                {
                    throw new HubException(questionIndex == index && phase is GamePhase.Results or GamePhase.Leaderboard
                        ? "Time is up for this question."
                        : "That question is not open for answers.");
                }

                var question = questions[index];
                var answer = Scoring.Read(question, payload) ?? throw new HubException(Scoring.ShapeHelp(question));
                if (Scoring.RangeProblem(question, answer) is { } problem)
                {
                    throw new HubException(problem);
                }

                var now = services.Clock.GetUtcNow();
                var time = now - openedAt;
                if (time < TimeSpan.Zero)
                {
                    time = TimeSpan.Zero;
                }

                var score = Scoring.Score(question, answer, time, player.Streak, Settings.Streaks);
                var timeMs = (long)time.TotalMilliseconds;
                bool? correct = question.Type == QuestionTypes.Poll ? null : score.Correct;
                record = new AnswerRecord(answer, score, correct, timeMs);
                var wasWaiting = IsWaiting(player);
                player.Answers[index] = record;
                player.Score += score.Total;
                player.Streak = score.Streak;
                answered++;
                if (wasWaiting)
                {
                    waiting--;
                }

                record.Saved = services.Log.Answered(Id, player.Id, index, Compact(payload), correct, score, timeMs, now.ToUnixTimeMilliseconds());
                LastActivity = now;
                if (waiting <= 0)
                {
                    CloseQuestion();
                }
                else if (answered + waiting < 50 || Environment.TickCount64 - lastCountSent >= AnswerCountEveryMs)
                {
                    lastCountSent = Environment.TickCount64;
                    var count = new AnswerCount(index, answered, answered + waiting);
                    Send(o => o.ToHostsAsync("answerCount", count));
                }
            }
        }

        try
        {
            await record.Saved;
        }
        catch (Exception e) when (e is not HubException)
        {
            throw new HubException("Your answer could not be saved. Please tell your teacher.");
        }

        return new AnswerAck(questionIndex, record.TimeMs);
    }

    /// <summary>A connection went away: the player stays in the game (they may rejoin), shown as disconnected.</summary>
    public void Disconnected(string connectionId)
    {
        lock (sync)
        {
            hosts.Remove(connectionId);
            if (!byConnection.Remove(connectionId, out var player))
            {
                return;
            }

            Detach(player);
            var change = new LobbyChange(Lobby(player), ActiveCount(), ConnectedCount());
            Send(o => o.ToHostsAsync("playerLeft", change));
        }
    }

    /// <summary>
    /// A connection that is already in the game on another server (the game was handed over to this one) is this player's:
    /// it gets the player's messages again, unless the player has rejoined on another connection meanwhile.
    /// </summary>
    public void Reattach(string connectionId, int playerId)
    {
        lock (sync)
        {
            if (playerId < 1 || playerId > players.Count || byConnection.ContainsKey(connectionId))
            {
                return;
            }

            var player = players[playerId - 1];
            if (player.Kicked || player.ConnectionId is not null)
            {
                return;
            }

            var wasWaiting = IsWaiting(player);
            Attach(player, connectionId);
            if (!wasWaiting && IsWaiting(player))
            {
                waiting++;
            }
        }
    }

    // ---- Hand-over -----------------------------------------------------------------------------------

    /// <summary>
    /// Rebuilds the game from what it stored, on a server taking it over (cluster mode; docs/live-games.md, "Several
    /// servers"): the players with their hashed rejoin tokens, every stored answer with its points, so scores and
    /// streaks are exactly what they were; nobody is connected until they rejoin or their server re-attaches them.
    /// Where it resumes: a lobby stays a lobby; a game whose last question had closed shows that question's results (the
    /// host's Next goes on); a question whose answers were open (or the first, while being read) is played again after
    /// <paramref name="replayAfter"/> (the answers already stored stand, the others get the full time); a finished game
    /// shows its podium.
    /// </summary>
    internal void Restore(
        string status, IReadOnlyList<StoredPlayer> storedPlayers, IReadOnlyList<StoredAnswer> storedAnswers, IReadOnlyList<StoredQuestion> asked,
        TimeSpan replayAfter)
    {
        lock (sync)
        {
            foreach (var stored in storedPlayers.OrderBy(p => p.Id))
            {
                while (players.Count < stored.Id - 1)
                {
                    // A hole in the numbering cannot happen (players are stored before Join returns); keep ids aligned anyway.
                    players.Add(new Player(players.Count + 1, "?", null, "", questions.Count, questions.Count) { Kicked = true });
                    kicked++;
                }

                var player = new Player(stored.Id, stored.Nickname, stored.StudentId, stored.RejoinHash ?? "", stored.FirstQuestion, questions.Count)
                {
                    Kicked = stored.Kicked,
                };
                players.Add(player);
                byName[Nicknames.Key(stored.Nickname)] = player;
                if (stored.Kicked)
                {
                    kicked++;
                }
                else if (stored.RejoinHash is { } hash)
                {
                    byToken[hash] = player;
                }
            }

            foreach (var stored in storedAnswers)
            {
                if (stored.PlayerId < 1 || stored.PlayerId > players.Count || stored.QuestionIndex < 0 || stored.QuestionIndex >= questions.Count)
                {
                    continue;
                }

                using var json = JsonDocument.Parse(stored.Answer);
                var answer = Scoring.Read(questions[stored.QuestionIndex], json.RootElement) ?? new PlayerAnswer();
                var player = players[stored.PlayerId - 1];
                player.Answers[stored.QuestionIndex] = new AnswerRecord(
                    answer, new AnswerScore(stored.Correct == true, stored.Points, stored.StreakBonus, stored.Streak), stored.Correct, stored.TimeMs);
                player.Score += stored.Points + stored.StreakBonus;
            }

            var last = asked.Count == 0 ? -1 : asked.Max(q => q.Index);
            var lastClosed = last >= 0 && asked.First(q => q.Index == last).ClosedAt is not null;
            storedOpen = last;
            foreach (var player in players)
            {
                // Streaks as CloseQuestion left them: a right answer's streak, reset by a missed question (polls leave it).
                for (var q = 0; q <= last; q++)
                {
                    if (player.Answers[q] is { } record)
                    {
                        player.Streak = record.Score.Streak;
                    }
                    else if ((q < last || lastClosed) && questions[q].Type != QuestionTypes.Poll && player.FirstQuestion <= q)
                    {
                        player.Streak = 0;
                    }
                }
            }

            switch (status)
            {
                case "lobby":
                    return;
                case "running" when lastClosed:
                    index = last;
                    phase = GamePhase.Results;
                    var ranked = Rank();
                    lastEnded = Ended(index, players.Count(p => !p.Kicked && p.FirstQuestion <= index));
                    foreach (var player in ranked)
                    {
                        player.LastResult = ResultOf(player, index, ranked.Count);
                    }

                    return;
                case "running":
                    index = Math.Max(0, last);
                    phase = GamePhase.Question;
                    foreach (var player in players)
                    {
                        // Waited for until the time limit, as a phone that dropped during the question is.
                        player.DroppedDuring = index;
                    }

                    var replay = index;
                    Schedule(replayAfter, _ => ShowQuestion(replay));
                    return;
                default:
                    index = Math.Max(0, last);
                    phase = GamePhase.Podium;
                    var final = Rank();
                    podium = new Podium([.. final.Take(Settings.PodiumSize).Select(Standing)], final.Count, last + 1);
                    return;
            }
        }
    }

    // ---- Host ----------------------------------------------------------------------------------------

    public HostState AddHost(string connectionId)
    {
        lock (sync)
        {
            hosts.Add(connectionId);
            return HostStateNow();
        }
    }

    public bool IsHost(string connectionId)
    {
        lock (sync)
        {
            return hosts.Contains(connectionId);
        }
    }

    public void Start()
    {
        lock (sync)
        {
            if (phase != GamePhase.Lobby)
            {
                throw new HubException("The game has already started.");
            }

            if (ActiveCount() == 0)
            {
                throw new HubException("Wait for at least one player to join.");
            }

            _ = services.Log.GameStarted(Id, Now());
            ShowQuestion(0);
        }
    }

    public void Next()
    {
        lock (sync)
        {
            switch (phase)
            {
                case GamePhase.Lobby:
                    throw new HubException("Start the game first.");
                case GamePhase.Question:
                    OpenAnswers(generation);
                    break;
                case GamePhase.Answering:
                    CloseQuestion();
                    break;
                case GamePhase.Results:
                    ShowLeaderboard();
                    break;
                case GamePhase.Leaderboard when index + 1 < questions.Count:
                    ShowQuestion(index + 1);
                    break;
                case GamePhase.Leaderboard:
                    Finish();
                    break;
                default:
                    throw new HubException("The game is over.");
            }
        }
    }

    public void Kick(int playerId)
    {
        lock (sync)
        {
            if (playerId < 1 || playerId > players.Count || players[playerId - 1].Kicked)
            {
                throw new HubException("There is no such player in this game.");
            }

            var player = players[playerId - 1];
            var connection = player.ConnectionId;
            Detach(player, kick: true);
            byToken.Remove(player.TokenHash);
            _ = services.Log.PlayerKicked(Id, player.Id);
            var change = new LobbyChange(Lobby(player), ActiveCount(), ConnectedCount());
            if (connection is not null)
            {
                Send(async o =>
                {
                    await o.ToConnectionAsync(connection, "kicked", new Notice("The host removed you from this game."));
                    await o.LeaveAsync(connection);
                });
            }

            Send(o => o.ToHostsAsync("playerLeft", change));
        }
    }

    /// <summary>Ends the game now: to the podium if it has started, else closes it (and it is not kept).</summary>
    /// <returns>True when the game had started (its results are kept).</returns>
    public bool End()
    {
        lock (sync)
        {
            switch (phase)
            {
                case GamePhase.Lobby:
                    phase = GamePhase.Closed;
                    CancelTimer();
                    Send(o => o.ToEveryoneAsync("gameClosed", new Notice("The host closed this game.")));
                    Send(_ => Task.Run(() => Over?.Invoke(this)));
                    return false;
                case GamePhase.Podium or GamePhase.Closed:
                    return true;
                default:
                    if (phase == GamePhase.Answering)
                    {
                        CloseQuestion();
                    }

                    Finish();
                    return true;
            }
        }
    }

    // ---- The flow (all called under the lock) --------------------------------------------------------

    private void ShowQuestion(int number)
    {
        index = number;
        phase = GamePhase.Question;
        answered = 0;
        lastEnded = null;
        var shown = Shown(number);
        Send(o => o.ToEveryoneAsync("question", shown));
        var read = TimeSpan.FromSeconds(Settings.ReadSeconds);
        if (read <= TimeSpan.Zero)
        {
            OpenAnswers(generation);
        }
        else
        {
            Schedule(read, OpenAnswers);
        }
    }

    private void OpenAnswers(int expected)
    {
        if (expected != generation || phase != GamePhase.Question)
        {
            return;
        }

        CancelTimer();
        phase = GamePhase.Answering;
        openedAt = services.Clock.GetUtcNow();
        LastActivity = openedAt;
        answered = players.Count(p => p.Answers[index] is not null);
        waiting = players.Count(IsWaiting);
        if (index > storedOpen)
        {
            storedOpen = index;
            _ = services.Log.QuestionOpened(Id, index, openedAt.ToUnixTimeMilliseconds());
        }

        var open = Open(index, TimeSpan.FromSeconds(TimeLimit(questions[index])));
        var at = generation;
        var started = Stopwatch.GetTimestamp();
        Send(async o =>
        {
            await o.ToEveryoneAsync("answersOpen", open);
            // The time limit runs from when the answers went out (a slow fan-out gets up to 2 s back).
            var fanOut = Stopwatch.GetElapsedTime(started);
            lock (sync)
            {
                if (at == generation && phase == GamePhase.Answering)
                {
                    var limit = TimeSpan.FromSeconds(TimeLimit(questions[index])) + TimeSpan.FromTicks(Math.Min(fanOut.Ticks, TimeSpan.FromSeconds(2).Ticks));
                    Schedule(limit - (services.Clock.GetUtcNow() - openedAt), _ => CloseQuestion());
                }
            }
        });
    }

    private void CloseQuestion()
    {
        if (phase != GamePhase.Answering)
        {
            return;
        }

        CancelTimer();
        phase = GamePhase.Results;
        var question = questions[index];
        var now = services.Clock.GetUtcNow();
        // Written after every answer to this question, so once it is stored, they all are.
        var stored = services.Log.QuestionClosed(Id, index, now.ToUnixTimeMilliseconds());
        if (question.Type != QuestionTypes.Poll)
        {
            foreach (var player in players)
            {
                if (!player.Kicked && player.FirstQuestion <= index && player.Answers[index] is null)
                {
                    player.Streak = 0;
                }
            }
        }

        var ranked = Rank();
        var eligible = players.Count(p => !p.Kicked && p.FirstQuestion <= index);
        var ended = Ended(index, eligible);
        lastEnded = ended;
        var results = new List<(string Connection, PlayerResult Result)>(ranked.Count);
        foreach (var player in ranked)
        {
            var result = ResultOf(player, index, ranked.Count);
            player.LastResult = result;
            if (player.ConnectionId is { } connection)
            {
                results.Add((connection, result));
            }
        }

        Send(async o =>
        {
            // The results go out once the answers are stored: no player sees a result before their answer's
            // acknowledgement, and the acknowledgements of the last answers are not queued behind 10,000 results
            // (a failure is logged by the log; show the results anyway).
            await stored.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await o.ToEveryoneAsync("questionEnded", ended);
            await o.ToEachAsync("result", results);
        });
    }

    private void ShowLeaderboard()
    {
        phase = GamePhase.Leaderboard;
        var ranked = Rank();
        var board = new Leaderboard(index, questions.Count, [.. ranked.Take(5).Select(Standing)], ranked.Count);
        lastLeaderboard = board;
        Send(o => o.ToEveryoneAsync("leaderboard", board));
    }

    private void Finish()
    {
        CancelTimer();
        phase = GamePhase.Podium;
        var ranked = Rank();
        var asked = index + 1;
        podium = new Podium([.. ranked.Take(Settings.PodiumSize).Select(Standing)], ranked.Count, asked);
        var final = podium;
        var leftEarly = players.Where(p => !p.Kicked && p.ConnectionId is null).Select(p => p.Id).ToList();
        var stored = services.Log.GameEnded(Id, Now(), leftEarly);
        var overs = ranked.Where(p => p.ConnectionId is not null).Select(p => (p.ConnectionId!, new GameOver(p.Rank, p.Score, ranked.Count))).ToList();
        Send(async o =>
        {
            // The podium goes out once the results are stored (a failure is logged by the log; show the podium anyway).
            await stored.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await o.ToEveryoneAsync("podium", final);
            await o.ToEachAsync("gameOver", overs);
        });
        Send(_ => Task.Run(() => Over?.Invoke(this)));
    }

    // ---- Helpers -------------------------------------------------------------------------------------

    private (string Name, long? StudentId) ChooseName(string? nickname)
    {
        if (roster is not null)
        {
            var key = Nicknames.Key(nickname ?? "");
            var student = roster.FirstOrDefault(r => Nicknames.Key(r.Name) == key)
                ?? throw new HubException("Choose your name from the class list.");
            if (byName.ContainsKey(key))
            {
                throw new HubException($"{student.Name} has already joined. If that is not you, tell your teacher.");
            }

            return (student.Name, student.StudentId);
        }

        if (Settings.NicknameGenerator)
        {
            return (Nicknames.Generate(services.Random, name => byName.ContainsKey(Nicknames.Key(name))), null);
        }

        var checkedName = services.Nicknames.Check(nickname, out var problem) ?? throw new HubException(problem!);
        if (byName.ContainsKey(Nicknames.Key(checkedName)))
        {
            throw new HubException("That nickname is taken in this game. Choose another.");
        }

        return (checkedName, null);
    }

    private void Attach(Player player, string connectionId)
    {
        player.ConnectionId = connectionId;
        byConnection[connectionId] = player;
        LastActivity = services.Clock.GetUtcNow();
    }

    private Player PlayerOn(string connectionId) =>
        byConnection.TryGetValue(connectionId, out var player) && !player.Kicked
            ? player
            : throw new HubException("Join the game first.");

    /// <summary>A player leaves (disconnects or is kicked): the open question stops waiting for a kicked player, not for one who dropped during it.</summary>
    private void Detach(Player player, bool kick = false)
    {
        var wasWaiting = IsWaiting(player);
        if (player.ConnectionId is { } connection)
        {
            byConnection.Remove(connection);
        }

        player.ConnectionId = null;
        if (kick)
        {
            player.Kicked = true;
            kicked++;
        }
        else if (phase is GamePhase.Question or GamePhase.Answering)
        {
            // A phone that reloads or drops mid-question is still waited for until the time limit: it may rejoin and answer.
            player.DroppedDuring = index;
        }

        if (wasWaiting && !IsWaiting(player) && --waiting <= 0 && answered > 0)
        {
            CloseQuestion();
        }
    }

    private int ActiveCount() => players.Count - kicked;

    private int ConnectedCount() => byConnection.Count;

    /// <summary>
    /// True for a player the open question still waits for: in the game, joined by then, not answered yet, and connected
    /// or dropped during this question (they may be reloading; the time limit closes the question if they never come back).
    /// </summary>
    private bool IsWaiting(Player player) =>
        phase == GamePhase.Answering && !player.Kicked && (player.ConnectionId is not null || player.DroppedDuring == index)
        && player.FirstQuestion <= index && player.Answers[index] is null;

    /// <summary>Score descending, then join order: the same rule the reports use.</summary>
    private List<Player> Rank()
    {
        var ranked = players.Where(p => !p.Kicked).OrderByDescending(p => p.Score).ThenBy(p => p.Id).ToList();
        for (var i = 0; i < ranked.Count; i++)
        {
            ranked[i].Rank = i + 1;
        }

        return ranked;
    }

    private static Standing Standing(Player player) => new(player.Rank, player.Id, player.Nickname, player.Score, player.Streak);

    private static LobbyPlayer Lobby(Player player) => new(player.Id, player.Nickname, player.ConnectionId is not null, player.Score);

    private static PlayerResult ResultOf(Player player, int questionIndex, int count)
    {
        var record = player.Answers[questionIndex];
        return new PlayerResult(questionIndex, record is not null, record?.Correct == true, record?.Score.Points ?? 0,
            record?.Score.StreakBonus ?? 0, player.Score, player.Streak, player.Rank, count,
            record is null && player.ConnectionId is null ? true : null);
    }

    private PlayerState StateFor(Player player)
    {
        var current = index >= 0 && index < questions.Count ? index : -1;
        return new PlayerState(
            Title, phase, current, questions.Count, player.Score, player.Streak, player.Rank,
            current >= 0 && player.Answers[current] is not null,
            phase is GamePhase.Question or GamePhase.Answering ? Shown(current) : null,
            phase == GamePhase.Answering ? Open(current, Remaining()) : null,
            phase is GamePhase.Results or GamePhase.Leaderboard && player.LastResult?.Index == current ? player.LastResult : null,
            podium);
    }

    private HostState HostStateNow() => new(
        Id, Pin, Title, JoinUrl, phase, index, questions.Count,
        [.. players.Where(p => !p.Kicked).Select(Lobby)], answered,
        phase is GamePhase.Question or GamePhase.Answering ? Shown(index) : null,
        phase is GamePhase.Answering or GamePhase.Results or GamePhase.Leaderboard ? Open(index, phase == GamePhase.Answering ? Remaining() : TimeSpan.Zero) : null,
        phase is GamePhase.Results or GamePhase.Leaderboard ? lastEnded : null,
        phase == GamePhase.Leaderboard ? lastLeaderboard : null,
        podium);

    private TimeSpan Remaining()
    {
        var left = openedAt + TimeSpan.FromSeconds(TimeLimit(questions[index])) - services.Clock.GetUtcNow();
        return left < TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    private QuestionShown Shown(int number)
    {
        var question = questions[number];
        return new QuestionShown(number, questions.Count, question.Type!, question.Text!, TimeLimit(question),
            question.Points ?? QuizRules.DefaultPoints, Settings.ReadSeconds * 1000, imageLinks[number]);
    }

    private AnswersOpen Open(int number, TimeSpan closesIn)
    {
        var question = questions[number];
        var order = shownOrder[number];
        IReadOnlyList<ShownChoice>? answers = question.Answers is { } list && order is not null
            ? [.. order.Select(i => new ShownChoice(i, list[i].Text!))]
            : null;
        IReadOnlyList<ShownChoice>? items = question.Items is { } things && order is not null
            ? [.. order.Select(i => new ShownChoice(i, things[i]))]
            : null;
        return new AnswersOpen(number, question.Type!, question.Text!, TimeLimit(question), question.Points ?? QuizRules.DefaultPoints,
            (long)closesIn.TotalMilliseconds, answers, items, imageLinks[number]);
    }

    private QuestionEnded Ended(int number, int eligible)
    {
        var question = questions[number];
        var records = players.Select(p => p.Answers[number]).OfType<AnswerRecord>().ToList();
        var right = records.Count(r => r.Correct == true);
        IReadOnlyList<int> counts = question.Type switch
        {
            QuestionTypes.SingleChoice or QuestionTypes.Poll => [.. Enumerable.Range(0, question.Answers!.Count).Select(i => records.Count(r => r.Answer.Choice == i))],
            QuestionTypes.Multi => [.. Enumerable.Range(0, question.Answers!.Count).Select(i => records.Count(r => r.Answer.Choices!.Contains(i)))],
            QuestionTypes.TrueFalse => [records.Count(r => r.Answer.Value == true), records.Count(r => r.Answer.Value == false)],
            _ => [right, records.Count - right],
        };
        IReadOnlyList<TextCount>? texts = question.Type == QuestionTypes.TypeAnswer
            ? [.. records.GroupBy(r => QuizRules.MatchKey(r.Answer.Text!))
                .OrderByDescending(g => g.Count())
                .Take(10)
                .Select(g => new TextCount(g.First().Answer.Text!.Trim(), g.Count(), g.First().Correct == true))]
            : null;
        return new QuestionEnded(
            number, question.Type!, records.Count, eligible, right,
            question.Answers is { } answers && question.Type != QuestionTypes.Poll
                ? [.. Enumerable.Range(0, answers.Count).Where(i => answers[i].Correct == true)]
                : null,
            question.Type == QuestionTypes.TrueFalse ? question.Correct : null,
            question.Type == QuestionTypes.TypeAnswer ? question.Accepted : null,
            question.Type == QuestionTypes.Order ? [.. question.Items!.Select((text, i) => new ShownChoice(i, text))] : null,
            counts, texts);
    }

    private int[]? ShownOrder(Question question)
    {
        var count = question.Answers?.Count ?? question.Items?.Count;
        if (count is not { } n)
        {
            return null;
        }

        var order = Enumerable.Range(0, n).ToArray();
        if (question.Type == QuestionTypes.Order)
        {
            // The items come in the right order: show them in any other.
            for (var attempt = 0; attempt < 20 && order.SequenceEqual(Enumerable.Range(0, n)); attempt++)
            {
                services.Random.Shuffle(order);
            }
        }
        else if (Settings.ShuffleAnswers)
        {
            services.Random.Shuffle(order);
        }

        return order;
    }

    private static int TimeLimit(Question question) => question.TimeLimit ?? QuizRules.DefaultTimeLimit;

    private static string Compact(JsonElement payload) => payload.GetRawText();

    /// <summary>How a rejoin token is kept (in memory and in game_players.rejoin_hash): its SHA-256, base64url.</summary>
    public static string TokenHash(string token) =>
        Convert.ToBase64String(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private long Now() => services.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    private void Schedule(TimeSpan due, Action<int> action)
    {
        CancelTimer();
        var at = ++generation;
        timer = services.Clock.CreateTimer(
            _ =>
            {
                lock (sync)
                {
                    if (at == generation)
                    {
                        action(at);
                    }
                }
            },
            null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private void CancelTimer()
    {
        generation++;
        timer?.Dispose();
        timer = null;
    }

    private void Send(Func<IGameOutput, Task> message) => outbox.Writer.TryWrite(message);

    private async Task SendLoopAsync()
    {
        while (await outbox.Reader.WaitToReadAsync())
        {
            while (outbox.Reader.TryRead(out var message))
            {
                try
                {
                    await message(output);
                }
                catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
                {
                    services.Logger.SendFailed(e, Id);
                }
            }
        }
    }

    /// <summary>Stops the game's sender once it is over and removed.</summary>
    internal void Retire() => outbox.Writer.TryComplete();

    /// <summary>This server lets the game go (it moves to another): no timer fires here any more, nothing more is sent.</summary>
    internal void Stop()
    {
        lock (sync)
        {
            CancelTimer();
        }

        Retire();
    }

    private sealed class Player(int id, string nickname, long? studentId, string tokenHash, int firstQuestion, int questionCount)
    {
        public int Id { get; } = id;

        public string Nickname { get; } = nickname;

        public long? StudentId { get; } = studentId;

        /// <summary>The rejoin token's SHA-256 (<see cref="LiveGame.TokenHash(string)"/>): the token itself is only ever in the player's hands.</summary>
        public string TokenHash { get; } = tokenHash;

        public int FirstQuestion { get; } = firstQuestion;

        public AnswerRecord?[] Answers { get; } = new AnswerRecord?[questionCount];

        public string? ConnectionId { get; set; }

        public bool Kicked { get; set; }

        public int Score { get; set; }

        public int Streak { get; set; }

        public int Rank { get; set; }

        public PlayerResult? LastResult { get; set; }

        /// <summary>The question during which the player's connection last dropped (-1: none).</summary>
        public int DroppedDuring { get; set; } = -1;
    }

    private sealed record AnswerRecord(PlayerAnswer Answer, AnswerScore Score, bool? Correct, long TimeMs)
    {
        public Task Saved { get; set; } = Task.CompletedTask;
    }
}

/// <summary>A player as stored in game_players, read back when a server takes a game over.</summary>
public sealed class StoredPlayer
{
    public int Id { get; init; }

    public string Nickname { get; init; } = "";

    public long? StudentId { get; init; }

    public string? RejoinHash { get; init; }

    public int FirstQuestion { get; init; }

    public bool Kicked { get; init; }
}

/// <summary>An answer as stored in game_answers.</summary>
public sealed class StoredAnswer
{
    public int PlayerId { get; init; }

    public int QuestionIndex { get; init; }

    public string Answer { get; init; } = "null";

    public bool? Correct { get; init; }

    public int Points { get; init; }

    public int StreakBonus { get; init; }

    public int Streak { get; init; }

    public long TimeMs { get; init; }
}

/// <summary>A question asked, as stored in game_questions.</summary>
public sealed class StoredQuestion
{
    public int Index { get; init; }

    public long OpenedAt { get; init; }

    public long? ClosedAt { get; init; }
}
