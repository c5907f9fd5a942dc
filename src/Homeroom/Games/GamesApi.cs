using System.Globalization;
using System.Text.Json;
using Homeroom.Games.Cluster;
using Homeroom.Quizzes;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using QRCoder;

namespace Homeroom.Games;

/// <summary>Starting live games, and what a player's phone needs before it joins. The game itself runs over <see cref="GameHub"/>.</summary>
public static class GamesApi
{
    public const string PinLookupRateLimit = "pin-lookup";

    /// <summary>PINs drawn for one new game before giving up (each is a fresh draw; collisions are rare).</summary>
    private const int MaxPinAttempts = 20;

    /// <summary>The game as its host sees it over HTTP.</summary>
    public sealed record GameInfo(
        long Id, long? QuizId, string Pin, string JoinUrl, string QrCodeUrl, string Title, int QuestionCount, string Status, GamePhase? Phase, int Players, GameSettings Options);

    /// <summary>
    /// What a phone learns from a PIN: the quiz title and how players are named. JoinMode is nickname (type
    /// one), generated (the server picks a friendly one) or roster (choose one of <c>Names</c>, the class list;
    /// <c>Unavailable</c> are the class list's other names, already joined or marked absent today).
    /// </summary>
    public sealed record PlayInfo(string Pin, string Title, string JoinMode, IReadOnlyList<string>? Names, IReadOnlyList<UnavailableName>? Unavailable);

    public static void MapGames(this IEndpointRouteBuilder api)
    {
        var games = api.MapGroup("/games").WithTags("Live games").RequireAuthorization();
        games.MapPost("/", Create).WithSummary("Start a live game of a quiz (mine or public): a PIN, a join URL and its QR code")
            .Problem(StatusCodes.Status404NotFound, "No quiz of mine or public quiz has that quizId.")
            .Problem(StatusCodes.Status422UnprocessableEntity, "The quiz has no questions, or the class has no students.");
        games.MapGet("/", ListLive).WithSummary("My games that are live now");
        games.MapGet("/{id:long}", Get).WithSummary("One of my games: PIN, status, players");
        games.MapPost("/{id:long}/end", End)
            .WithSummary("End one of my live games now: to the podium with its results kept, or, from the lobby, closed and not kept")
            .Problem(StatusCodes.Status404NotFound, "No live game of mine has this id (it may have ended already).");
        games.MapGet("/{id:long}/qr.svg", QrCode).WithSummary("The join URL as a QR code (SVG)").Produces<string>(contentType: "image/svg+xml");

        api.MapGet("/play/{pin}", Lookup).WithTags("Live games").AllowAnonymous().RequireRateLimiting(PinLookupRateLimit)
            .WithSummary("For players: the game behind a PIN, and how to name yourself");
    }

    private static async Task<Results<Created<GameInfo>, ProblemHttpResult, ValidationProblem>> Create(
        NewGame request, TeacherDb mine, GameRegistry registry, GameCluster cluster, TimeProvider clock, IConfiguration configuration, HttpContext context)
    {
        if (await QuizzesApi.FindAsync(mine, request.QuizId!.Value) is not { } quiz)
        {
            return Problems.NotFound("quiz (or public quiz)");
        }

        var questions = quiz.ToDetail().Questions;
        if (questions.Count == 0)
        {
            return Problems.Unprocessable("This quiz has no questions yet: add some before playing it.");
        }

        var settings = GameSettings.From(request.Options);
        List<RosterName>? roster = null;
        IReadOnlyList<long> absent = [];
        if (settings.ClassId is { } classId)
        {
            if (await Classes.ClassesApi.FindClassAsync(mine, classId) is not { } cls)
            {
                return Problems.Invalid("options.classId", "There is no class of yours with that id.");
            }

            roster = RosterNames(await Classes.ClassesApi.ActiveStudentsAsync(mine, classId));
            if (roster.Count == 0)
            {
                return Problems.Unprocessable("This class has no students yet: add the roster before playing with it.");
            }

            absent = (await Classes.ClassesApi.ReadAttendanceAsync(mine, classId, Classes.ClassRules.Today(clock, cls.TimeZone), roster.Count)).Absent;
        }

        var joinUrlRoot = JoinAddress.Root(configuration, context);
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var options = JsonSerializer.Serialize(settings, QuizzesApi.Json);
        // A PIN is unique among the live games of every server on the database: one another server holds is
        // not inserted (ON CONFLICT DO NOTHING on the partial unique index) and a new one is drawn.
        for (var attempt = 0; attempt < MaxPinAttempts; attempt++)
        {
            var pin = registry.ReservePin();
            try
            {
                var id = await mine.WriteAsync(tx => tx.ExecuteScalarAsync<long?>(
                    """
                    INSERT INTO games (teacher_id, quiz_id, class_id, pin, title, questions, options, status, created_at, owner_instance, join_url)
                    VALUES (@TeacherId, @quizId, @classId, @pin, @title, @questions, @options, 'lobby', @now, @owner, @joinUrl)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """,
                    new
                    {
                        quizId = quiz.Id,
                        classId = settings.ClassId,
                        pin,
                        title = quiz.Title,
                        questions = quiz.Questions,
                        options,
                        now,
                        owner = registry.InstanceId,
                        joinUrl = JoinUrl(joinUrlRoot, pin),
                    }));
                if (id is { } newId && cluster.Enabled)
                {
                    // The game's grain starts on this server (it reads the game back from the database).
                    return await cluster.Grain(newId).Summary() is { } summary
                        ? TypedResults.Created($"/api/games/{newId}", Info(summary))
                        : Problems.NotFound("game");
                }

                if (id is { } gameId)
                {
                    var joinUrl = JoinUrl(joinUrlRoot, pin);
                    var game = registry.Add(gameId, pin, mine.TeacherId, quiz.Id, quiz.Title, questions, settings, roster, joinUrl);
                    game.SetAbsent(absent);
                    return TypedResults.Created($"/api/games/{gameId}", Info(game));
                }
            }
            finally
            {
                registry.Release(pin);
            }
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No free game PIN",
            detail: "Every game PIN drawn is in use by another live game. Try again in a moment.");
    }

    private static string JoinUrl(string root, string pin) => string.Create(CultureInfo.InvariantCulture, $"{root}/play?pin={pin}");

    private static async Task<Ok<List<GameInfo>>> ListLive(TeacherDb mine, GameRegistry registry, GameCluster cluster)
    {
        if (cluster.Enabled)
        {
            var live = new List<GameInfo>();
            foreach (var id in await cluster.LiveGamesOfAsync(mine.TeacherId))
            {
                if (await cluster.Grain(id).Summary() is { IsOver: false } summary && summary.TeacherId == mine.TeacherId)
                {
                    live.Add(Info(summary));
                }
            }

            return TypedResults.Ok(live);
        }

        return TypedResults.Ok(registry.OfTeacher(mine.TeacherId).Where(g => !g.IsOver).OrderByDescending(g => g.CreatedAt).Select(Info).ToList());
    }

    private static async Task<Results<Ok<GameInfo>, ProblemHttpResult>> Get(long id, TeacherDb mine, GameRegistry registry, GameCluster cluster)
    {
        if (registry.Find(id) is { } game && game.TeacherId == mine.TeacherId)
        {
            return TypedResults.Ok(Info(game));
        }

        if (cluster.Enabled && await LiveSummaryAsync(cluster, mine, id) is { } summary)
        {
            return TypedResults.Ok(Info(summary));
        }

        var stored = await mine.QuerySingleOrDefaultAsync<StoredGame>(
            """
            SELECT g.id, g.quiz_id, g.pin, g.title, g.questions, g.options, g.status,
                   (SELECT COUNT(*) FROM game_players p WHERE p.game_id = g.id) AS players
            FROM games g WHERE g.id = @id AND g.teacher_id = @TeacherId
            """, new { id });
        if (stored is null)
        {
            return Problems.NotFound("game");
        }

        var settings = JsonSerializer.Deserialize<GameSettings>(stored.Options, QuizzesApi.Json)!;
        var count = JsonSerializer.Deserialize<List<Question>>(stored.Questions, QuizzesApi.Json)?.Count ?? 0;
        return TypedResults.Ok(new GameInfo(stored.Id, stored.QuizId, stored.Pin, "", "", stored.Title, count, stored.Status, null, (int)stored.Players, settings));
    }

    /// <summary>The host's End, for a game left running whose host screen is gone (the players are told as from the hub).</summary>
    private static async Task<Results<Ok<GameInfo>, ProblemHttpResult>> End(long id, TeacherDb mine, GameRegistry registry, GameCluster cluster)
    {
        if (cluster.Enabled)
        {
            return await LiveSummaryAsync(cluster, mine, id) is not null && await cluster.Grain(id).EndByTeacher(mine.TeacherId) is { } ended
                ? TypedResults.Ok(Info(ended))
                : Problems.NotFound("live game");
        }

        if (registry.Find(id) is not { IsOver: false } game || game.TeacherId != mine.TeacherId)
        {
            return Problems.NotFound("live game");
        }

        game.End();
        return TypedResults.Ok(Info(game));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> QrCode(long id, TeacherDb mine, GameRegistry registry, GameCluster cluster, HttpContext context)
    {
        string joinUrl;
        if (cluster.Enabled)
        {
            if (await LiveSummaryAsync(cluster, mine, id) is not { IsOver: false } summary)
            {
                return Problems.NotFound("live game");
            }

            joinUrl = summary.JoinUrl;
        }
        else if (registry.Find(id) is not { } game || game.TeacherId != mine.TeacherId || game.IsOver)
        {
            return Problems.NotFound("live game");
        }
        else
        {
            joinUrl = game.JoinUrl;
        }

        using var data = QRCodeGenerator.GenerateQrCode(joinUrl, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(10, "#000000", "#ffffff", true, SvgQRCode.SizingMode.ViewBoxAttribute);
        context.Response.Headers.CacheControl = "private, max-age=3600";
        return TypedResults.Content(svg, "image/svg+xml");
    }

    private static async Task<Results<Ok<PlayInfo>, ProblemHttpResult>> Lookup(string pin, GameRegistry registry, GameCluster cluster)
    {
        if (cluster.Enabled)
        {
            if (await cluster.FindByPinAsync(pin) is { } id && await cluster.Grain(id).Summary() is { IsOver: false } summary)
            {
                return TypedResults.Ok(new PlayInfo(summary.Pin, summary.Title, summary.JoinMode, summary.FreeNames, summary.UnavailableNames));
            }
        }
        else if (registry.FindByPin(pin) is { IsOver: false } game)
        {
            return TypedResults.Ok(new PlayInfo(game.Pin, game.Title, game.JoinMode, game.FreeRosterNames(), game.UnavailableRosterNames()));
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such game",
            detail: "There is no game with that PIN right now. Check the number on the screen.");
    }

    /// <summary>A live game of mine, as its grain sees it (cluster mode); null when it is not mine or not live.</summary>
    private static async Task<GameSummary?> LiveSummaryAsync(GameCluster cluster, TeacherDb mine, long id)
    {
        var live = await mine.QuerySingleOrDefaultAsync<long?>(
            "SELECT id FROM games WHERE id = @id AND teacher_id = @TeacherId AND status IN ('lobby', 'running')", new { id });
        return live is not null && await cluster.Grain(id).Summary() is { } summary && summary.TeacherId == mine.TeacherId ? summary : null;
    }

    private static GameInfo Info(GameSummary game) => new(
        game.Id, game.QuizId, game.Pin, game.JoinUrl, $"/api/games/{game.Id}/qr.svg", game.Title, game.QuestionCount,
        game.GamePhase switch { GamePhase.Lobby => "lobby", GamePhase.Podium or GamePhase.Closed => "finished", _ => "running" },
        game.GamePhase, game.Players, JsonSerializer.Deserialize<GameSettings>(game.Options, QuizzesApi.Json)!);

    private static GameInfo Info(LiveGame game) => new(
        game.Id, game.QuizId, game.Pin, game.JoinUrl, $"/api/games/{game.Id}/qr.svg", game.Title, game.QuestionCount,
        game.Phase switch { GamePhase.Lobby => "lobby", GamePhase.Podium or GamePhase.Closed => "finished", _ => "running" },
        game.Phase, game.PlayerCount, game.Settings);

    /// <summary>
    /// The names students choose from: preferred name, else name; where two would read the same, the full
    /// name, and where even those clash a number.
    /// </summary>
    internal static List<RosterName> RosterNames(IReadOnlyList<Classes.StudentRow> students)
    {
        var names = students.Select(s => (s.Id, Name: string.IsNullOrWhiteSpace(s.PreferredName) ? s.Name : s.PreferredName!, Full: s.Name)).ToList();
        var clashing = names.GroupBy(n => Nicknames.Key(n.Name)).Where(g => g.Count() > 1).SelectMany(g => g).Select(n => n.Id).ToHashSet();
        var result = names.Select(n => (n.Id, Name: clashing.Contains(n.Id) ? n.Full : n.Name)).ToList();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var unique = new List<RosterName>(result.Count);
        foreach (var (studentId, name) in result.OrderBy(n => n.Name, StringComparer.CurrentCultureIgnoreCase))
        {
            var key = Nicknames.Key(name);
            var count = seen[key] = seen.GetValueOrDefault(key) + 1;
            unique.Add(new RosterName(studentId, count == 1 ? name : string.Create(CultureInfo.InvariantCulture, $"{name} ({count})")));
        }

        return unique;
    }

    private sealed class StoredGame
    {
        public long Id { get; init; }

        public long? QuizId { get; init; }

        public string Pin { get; init; } = "";

        public string Title { get; init; } = "";

        public string Questions { get; init; } = "[]";

        public string Options { get; init; } = "{}";

        public string Status { get; init; } = "";

        public long Players { get; init; }
    }
}
