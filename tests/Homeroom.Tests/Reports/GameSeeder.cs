using System.Net;
using System.Text.Json;
using Dapper;
using Homeroom.Storage;
using Homeroom.Tests.Classes;
using Homeroom.Tests.Infrastructure;

namespace Homeroom.Tests.Reports;

/// <summary>
/// A played game, written straight into the app's database the way the live-game engine records one: the game
/// with its copy of the quiz's questions, the players in join order, the questions asked and every answer with
/// its verdict and points. Reports read nothing else, so a test knows every figure in advance.
/// </summary>
public sealed class SeedGame(long teacherId, string questionsJson)
{
    private readonly List<SeedPlayer> players = [];
    private readonly List<int> asked = [];
    private readonly List<SeedAnswer> answers = [];

    public long TeacherId { get; } = teacherId;

    public string Questions { get; } = questionsJson;

    public long? QuizId { get; init; }

    public long? ClassId { get; init; }

    public string Title { get; init; } = "Seeded game";

    public string Status { get; init; } = "finished";

    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow.AddHours(-1);

    /// <summary>Null for a game still in its lobby.</summary>
    public bool Started { get; init; } = true;

    public IReadOnlyList<SeedPlayer> Players => players;

    public SeedPlayer Player(string nickname, long? studentId = null, int firstQuestion = 0, bool kicked = false, bool leftEarly = false)
    {
        var player = new SeedPlayer(players.Count + 1, nickname, studentId, firstQuestion, kicked, leftEarly);
        players.Add(player);
        return player;
    }

    /// <summary>Marks questions as asked (by their index in the quiz).</summary>
    public SeedGame Ask(params int[] questions)
    {
        asked.AddRange(questions);
        return this;
    }

    /// <summary>One answer: <paramref name="answer"/> is the JSON the player sent; correct is null for a poll.</summary>
    public SeedGame Answer(SeedPlayer player, int question, string answer, bool? correct, int points = 0, int streakBonus = 0, int timeMs = 1000)
    {
        ArgumentNullException.ThrowIfNull(player);
        answers.Add(new SeedAnswer(player.PlayerId, question, answer, correct, points, streakBonus, timeMs));
        return this;
    }

    private static long nextPin = 8_000_000;

    /// <summary>Inserts the game and returns its id.</summary>
    public Task<long> InsertAsync(Database database)
    {
        ArgumentNullException.ThrowIfNull(database);
        var started = StartedAt.ToUnixTimeMilliseconds();
        return database.WriteAsync(async (connection, transaction) =>
        {
            var id = await connection.ExecuteScalarAsync<long>(
                """
                INSERT INTO games (teacher_id, quiz_id, class_id, pin, title, questions, options, status, created_at, started_at, ended_at)
                VALUES (@TeacherId, @QuizId, @ClassId, @Pin, @Title, @Questions, @Options, @Status, @Created, @StartedAt, @EndedAt)
                RETURNING id
                """,
                new
                {
                    // Live PINs are unique on the database: each seeded game gets its own.
                    Pin = Interlocked.Increment(ref nextPin).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    TeacherId,
                    QuizId,
                    ClassId,
                    Title,
                    Questions,
                    Options = """{"streaks":true,"podiumSize":3,"shuffleAnswers":false,"nicknameGenerator":false}""",
                    Status,
                    Created = started - 60_000,
                    StartedAt = Started ? started : (long?)null,
                    EndedAt = Status is "finished" or "interrupted" ? started + 600_000 : (long?)null,
                },
                transaction);
            foreach (var player in players)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO game_players (game_id, player_id, nickname, student_id, joined_at, first_question, kicked, left_early)
                    VALUES (@id, @PlayerId, @Nickname, @StudentId, @joined, @FirstQuestion, @Kicked, @LeftEarly)
                    """,
                    new { id, player.PlayerId, player.Nickname, player.StudentId, joined = started + player.PlayerId, player.FirstQuestion, player.Kicked, player.LeftEarly },
                    transaction);
            }

            foreach (var question in asked)
            {
                await connection.ExecuteAsync(
                    "INSERT INTO game_questions (game_id, question_index, opened_at, closed_at) VALUES (@id, @question, @opened, @closed)",
                    new
                    {
                        id,
                        question,
                        opened = started + (question * 60_000L),
                        // The last question of an interrupted game was still open.
                        closed = Status == "interrupted" && question == asked.Max() ? (long?)null : started + (question * 60_000L) + 20_000,
                    },
                    transaction);
            }

            foreach (var answer in answers)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO game_answers (game_id, player_id, question_index, answer, correct, points, streak_bonus, streak, time_ms, answered_at)
                    VALUES (@id, @PlayerId, @Question, @Answer, @Correct, @Points, @StreakBonus, 0, @TimeMs, @at)
                    """,
                    new { id, answer.PlayerId, answer.Question, answer.Answer, answer.Correct, answer.Points, answer.StreakBonus, answer.TimeMs, at = started + (answer.Question * 60_000L) + answer.TimeMs },
                    transaction);
            }

            return id;
        });
    }
}

public sealed record SeedPlayer(int PlayerId, string Nickname, long? StudentId, int FirstQuestion, bool Kicked, bool LeftEarly);

public sealed record SeedAnswer(int PlayerId, int Question, string Answer, bool? Correct, int Points, int StreakBonus, int TimeMs);

public static class GameSeeder
{
    /// <summary>Creates a quiz through the API and returns its id and its questions exactly as stored (the JSON a game copies).</summary>
    public static async Task<(long Id, string Questions)> CreateQuizAsync(this Teacher teacher, string title, params object[] questions)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        var quiz = await (await teacher.Api.PostAsync("/api/quizzes", new { title, questions })).Json(HttpStatusCode.Created);
        return (quiz.Long("id"), quiz.GetProperty("questions").GetRawText());
    }

    /// <summary>A JSON string literal, as a player's typed answer is stored.</summary>
    public static string Typed(string text) => JsonSerializer.Serialize(text);
}

/// <summary>The game whose every figure the tests know by heart (worked out in ReportsTests).</summary>
public sealed record KnownGame(Teacher Teacher, long GameId, long QuizId, long ClassId, long AdaStudentId, DateTimeOffset StartedAt)
{
    /// <summary>
    /// Seven questions; the game asks the first six (it ended before the last):
    /// 0 single (Paris), 1 multi (2 and 3), 2 true/false (false), 3 type answer (Au), 4 order, 5 poll, 6 single (not asked).
    /// </summary>
    public static object[] QuizQuestions() =>
    [
        new { type = "single", text = "Capital of France?", answers = new object[] { new { text = "Paris", correct = true }, new { text = "London", correct = false }, new { text = "Berlin", correct = false }, new { text = "Madrid", correct = false } } },
        new { type = "multi", text = "Which are prime?", answers = new object[] { new { text = "2", correct = true }, new { text = "3", correct = true }, new { text = "4", correct = false }, new { text = "6", correct = false } } },
        new { type = "truefalse", text = "The Earth is flat.", correct = false },
        new { type = "typeanswer", text = "Chemical symbol of gold?", accepted = new[] { "Au" } },
        new { type = "order", text = "Smallest first", points = 2000, items = new[] { "one", "two", "three" } },
        new { type = "poll", text = "Favourite colour?", answers = new object[] { new { text = "Red" }, new { text = "Green" }, new { text = "Blue" } } },
        new { type = "single", text = "Never asked", answers = new object[] { new { text = "a", correct = true }, new { text = "b", correct = false } } },
    ];

    /// <summary>
    /// Ada (roster student Ada Lovelace) gets everything right. Eve leaves after two questions, Ben struggles, Cleo
    /// joins at question 3, Dan is kicked after question 3. Scores: Ada 5330, Eve 1300, Ben 1150, Cleo 1150 (after
    /// Ben: ties go to the earlier joiner), Dan 2970 (not ranked).
    /// </summary>
    public static async Task<KnownGame> SeedAsync(HomeroomApp app, Database database, string? cleo = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        var teacher = await Teacher.SignUpAsync(app);
        var classId = await teacher.CreateClassAsync("7B Science");
        var ada = (await teacher.AddStudentsAsync(classId, ["Ada Lovelace"]))[0];
        var (quizId, questions) = await teacher.CreateQuizAsync("Science mix", QuizQuestions());
        var started = app.Clock.GetUtcNow().AddDays(-1);
        var game = new SeedGame(teacher.Id, questions) { QuizId = quizId, ClassId = classId, Title = "Science mix", StartedAt = started };
        game.Ask(0, 1, 2, 3, 4, 5);
        var pAda = game.Player("Ada", studentId: ada);
        var pBen = game.Player("Ben");
        var pCleo = game.Player(cleo ?? "Cleo", firstQuestion: 3);
        var pDan = game.Player("Dan", kicked: true);
        var pEve = game.Player("Eve", leftEarly: true);

        game.Answer(pAda, 0, "0", true, 950, 0, 1500)
            .Answer(pAda, 1, "[0,1]", true, 900, 100, 3000)
            .Answer(pAda, 2, "false", true, 980, 200, 1000)
            .Answer(pAda, 3, GameSeeder.Typed("Au"), true, 800, 300, 5000)
            .Answer(pAda, 4, "[0,1,2]", true, 700, 400, 8000)
            .Answer(pAda, 5, "2", null, 0, 0, 2000);
        game.Answer(pBen, 0, "1", false, 0, 0, 4000)
            .Answer(pBen, 1, "[0]", false, 450, 0, 6000) // half the right choices: partial points, not right
            .Answer(pBen, 2, "true", false, 0, 0, 2000)
            .Answer(pBen, 3, GameSeeder.Typed(" au"), true, 700, 0, 7000)
            .Answer(pBen, 5, "0", null, 0, 0, 3000); // question 4 unanswered
        game.Answer(pCleo, 3, GameSeeder.Typed("Ag"), false, 0, 0, 9000)
            .Answer(pCleo, 4, "[0,1,2]", true, 1150, 0, 10000)
            .Answer(pCleo, 5, "2", null, 0, 0, 1000);
        game.Answer(pDan, 0, "0", true, 990, 0, 500)
            .Answer(pDan, 1, "[0,1]", true, 990, 0, 500)
            .Answer(pDan, 2, "false", true, 990, 0, 500)
            .Answer(pDan, 3, GameSeeder.Typed("Ag"), false, 0, 0, 500);
        game.Answer(pEve, 0, "0", true, 900, 0, 2000)
            .Answer(pEve, 1, "[1]", false, 400, 0, 4000);
        var id = await game.InsertAsync(database);
        return new KnownGame(teacher, id, quizId, classId, ada, started);
    }
}
