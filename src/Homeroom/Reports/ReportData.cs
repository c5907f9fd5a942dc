using Homeroom.Storage;

namespace Homeroom.Reports;

internal sealed class GameRow
{
    public long Id { get; init; }

    public string Title { get; init; } = "";

    public long? QuizId { get; init; }

    public long? ClassId { get; init; }

    public string? ClassName { get; init; }

    public string Questions { get; init; } = "[]";

    public string Status { get; init; } = "";

    public long StartedAt { get; init; }

    public long? EndedAt { get; init; }

    public ReportGame ToReportGame() => new(Id, Title, QuizId, ClassId, ClassName, ReportMath.StatusName(Status),
        DateTimeOffset.FromUnixTimeMilliseconds(StartedAt), EndedAt is { } ended ? DateTimeOffset.FromUnixTimeMilliseconds(ended) : null);
}

internal sealed class AskedRow
{
    public long GameId { get; init; }

    public int QuestionIndex { get; init; }
}

/// <summary>A player with their answers added up: all of them, the scored ones, the right ones, points and time.</summary>
internal sealed class PlayerRow
{
    public long GameId { get; init; }

    public int PlayerId { get; init; }

    public string Nickname { get; init; } = "";

    public long? StudentId { get; init; }

    public string? StudentName { get; init; }

    public string? StudentPreferredName { get; init; }

    public int FirstQuestion { get; init; }

    public bool Kicked { get; init; }

    public bool LeftEarly { get; init; }

    public long Answers { get; init; }

    public long Scored { get; init; }

    public long RightCount { get; init; }

    public long Score { get; init; }

    public long TimeMs { get; init; }
}

/// <summary>The answers of ranked (not kicked) players to one question that are the same JSON, added up.</summary>
internal sealed class AnswerGroupRow
{
    public long GameId { get; init; }

    public int QuestionIndex { get; init; }

    public string Answer { get; init; } = "";

    public long Count { get; init; }

    public long RightCount { get; init; }

    public long TimeMs { get; init; }
}

/// <summary>Everything a game's report is computed from.</summary>
internal sealed record GameData(GameRow Game, IReadOnlyList<int> Asked, IReadOnlyList<PlayerRow> Players, IReadOnlyList<AnswerGroupRow> Groups);

/// <summary>
/// Which games a report reads, as a condition on a game id column: one game, or every game played with a class.
/// Both name the teacher, so another teacher's games are never read. <see cref="NotKicked"/> leaves kicked
/// players' answers out: for one game as a list of player ids (SQLite tests each answer against it in a small
/// in-memory index), for a class's games (classroom-sized) as pairs.
/// </summary>
internal sealed record GameScope(Func<string, string> Where, Func<string, string> NotKicked, object Args)
{
    public static GameScope One(long id) => new(
        column => $"{column} = @id AND EXISTS (SELECT 1 FROM games o WHERE o.id = @id AND o.teacher_id = @TeacherId AND o.started_at IS NOT NULL)",
        answers => $"{answers}.player_id NOT IN (SELECT k.player_id FROM game_players k WHERE k.game_id = @id AND k.kicked)",
        new { id });

    public static GameScope OfClass(long classId)
    {
        static string Games(string column) =>
            $"{column} IN (SELECT o.id FROM games o WHERE o.class_id = @classId AND o.teacher_id = @TeacherId AND o.started_at IS NOT NULL)";
        return new(
            Games,
            answers => $"({answers}.game_id, {answers}.player_id) NOT IN (SELECT k.game_id, k.player_id FROM game_players k WHERE {Games("k.game_id")} AND k.kicked)",
            new { classId });
    }
}

/// <summary>
/// The report's reads. The sums over answers run in the database (GROUP BY over game_answers, answered from the
/// covering indexes of migration 0006); everything else is small and is done in C# (<see cref="ReportMath"/>).
/// </summary>
internal static class ReportData
{
    public static async Task<IReadOnlyList<GameData>> LoadAsync(TeacherDb mine, GameScope scope)
    {
        var games = await mine.QueryAsync<GameRow>(
            $"""
            SELECT g.id, g.title, g.quiz_id, g.class_id, c.name AS class_name, g.questions, g.status, g.started_at, g.ended_at
            FROM games g LEFT JOIN classes c ON c.id = g.class_id
            WHERE {scope.Where("g.id")} ORDER BY g.started_at, g.id
            """, scope.Args);
        if (games.Count == 0)
        {
            return [];
        }

        // The two sums read every answer of the game (in the order of an index that holds all they need, so without
        // a sort); on their own connections they run side by side (Microsoft.Data.Sqlite's async calls complete
        // synchronously, hence Task.Run).
        var players = Task.Run(() => mine.QueryAsync<PlayerRow>(
            $"""
            SELECT p.game_id, p.player_id, p.nickname, p.student_id, s.name AS student_name, s.preferred_name AS student_preferred_name,
                p.first_question, p.kicked, p.left_early, COALESCE(t.answers, 0) AS answers, COALESCE(t.scored, 0) AS scored,
                COALESCE(t.right_count, 0) AS right_count, COALESCE(t.score, 0) AS score, COALESCE(t.time_ms, 0) AS time_ms
            FROM game_players p
            LEFT JOIN (
                SELECT a.game_id, a.player_id, COUNT(*) AS answers, COUNT(a.correct) AS scored,
                    SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) AS right_count, SUM(a.points + a.streak_bonus) AS score, SUM(a.time_ms) AS time_ms
                FROM game_answers a
                WHERE {scope.Where("a.game_id")}
                GROUP BY a.game_id, a.player_id
            ) t ON t.game_id = p.game_id AND t.player_id = p.player_id
            LEFT JOIN students s ON s.id = p.student_id
            WHERE {scope.Where("p.game_id")}
            """, scope.Args));
        // Kicked players' answers count nowhere but in their own row.
        var groups = Task.Run(() => mine.QueryAsync<AnswerGroupRow>(
            $"""
            SELECT a.game_id, a.question_index, a.answer, COUNT(*) AS count, SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) AS right_count, SUM(a.time_ms) AS time_ms
            FROM game_answers a
            WHERE {scope.Where("a.game_id")} AND {scope.NotKicked("a")}
            GROUP BY a.game_id, a.question_index, a.answer
            """, scope.Args));
        var asked = await mine.QueryAsync<AskedRow>(
            $"SELECT q.game_id, q.question_index FROM game_questions q WHERE {scope.Where("q.game_id")}", scope.Args);
        await Task.WhenAll(players, groups);

        var askedByGame = asked.ToLookup(a => a.GameId, a => a.QuestionIndex);
        var playersByGame = players.Result.ToLookup(p => p.GameId);
        var groupsByGame = groups.Result.ToLookup(g => g.GameId);
        return games.Select(g => new GameData(
            g,
            askedByGame[g.Id].ToList(),
            playersByGame[g.Id].OrderBy(p => p.PlayerId).ToList(),
            groupsByGame[g.Id].ToList())).ToList();
    }
}
