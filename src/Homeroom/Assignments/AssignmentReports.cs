using Homeroom.Reports;
using Homeroom.Storage;

namespace Homeroom.Assignments;

/// <summary>
/// An assignment as a report source: its rows read into the same <see cref="GameData"/> a game's report is built from,
/// so <see cref="ReportMath.Build"/> gives the same shape, flags and exports. Each student (or nickname) counts once,
/// with their best attempt (highest score, ties to the earlier attempt). Every question counts as asked. While the
/// assignment is open it reads as live; once over, an unfinished attempt is "didn't finish" (left early).
/// </summary>
internal static class AssignmentReports
{
    public const string Kind = "assignment";

    private sealed class AttemptRow
    {
        public long AssignmentId { get; init; }

        public int PlayerId { get; init; }

        public string Participant { get; init; } = "";

        public string Nickname { get; init; } = "";

        public long? StudentId { get; init; }

        public string? StudentName { get; init; }

        public string? StudentPreferredName { get; init; }

        public long? FinishedAt { get; init; }

        public long Answers { get; init; }

        public long Scored { get; init; }

        public long RightCount { get; init; }

        public long Score { get; init; }

        public long TimeMs { get; init; }
    }

    private sealed class AnswerRow
    {
        public long AssignmentId { get; init; }

        public int PlayerId { get; init; }

        public int QuestionIndex { get; init; }

        public string Answer { get; init; } = "";

        public bool? Correct { get; init; }

        public long TimeMs { get; init; }
    }

    public static async Task<GameReport?> FindAsync(TeacherDb mine, long id, long now) =>
        (await LoadAsync(mine, "a.id = @id", new { id }, now)) is [var report] ? report : null;

    /// <summary>The class's assignments that anyone started, oldest first.</summary>
    public static async Task<IReadOnlyList<GameReport>> OfClassAsync(TeacherDb mine, long classId, long now) =>
        (await LoadAsync(mine, "a.class_id = @classId AND EXISTS (SELECT 1 FROM assignment_players s WHERE s.assignment_id = a.id)", new { classId }, now))
            .OrderBy(r => r.Game.StartedAt).ToList();

    private static async Task<IReadOnlyList<GameReport>> LoadAsync(TeacherDb mine, string where, object args, long now)
    {
        var assignments = await mine.QueryAsync<AssignmentsApi.AssignmentRow>(
            $"SELECT {AssignmentsApi.Columns} FROM assignments a LEFT JOIN classes c ON c.id = a.class_id WHERE {where} AND a.teacher_id = @TeacherId ORDER BY a.created_at, a.id",
            args);
        if (assignments.Count == 0)
        {
            return [];
        }

        var attempts = await mine.QueryAsync<AttemptRow>(
            $"""
            SELECT p.assignment_id, p.player_id, p.participant, p.nickname, p.student_id, s.name AS student_name, s.preferred_name AS student_preferred_name,
                p.finished_at, COUNT(x.question_index) AS answers, COUNT(x.correct) AS scored,
                SUM(CASE WHEN x.correct THEN 1 ELSE 0 END) AS right_count, COALESCE(SUM(x.points + x.streak_bonus), 0) AS score, COALESCE(SUM(x.time_ms), 0) AS time_ms
            FROM assignment_players p JOIN assignments a ON a.id = p.assignment_id
            LEFT JOIN assignment_answers x ON x.assignment_id = p.assignment_id AND x.player_id = p.player_id
            LEFT JOIN students s ON s.id = p.student_id
            WHERE {where} AND a.teacher_id = @TeacherId
            GROUP BY p.assignment_id, p.player_id, p.participant, p.nickname, p.student_id, s.name, s.preferred_name, p.finished_at
            """, args);
        var answers = await mine.QueryAsync<AnswerRow>(
            $"""
            SELECT x.assignment_id, x.player_id, x.question_index, x.answer, x.correct, x.time_ms
            FROM assignment_answers x JOIN assignments a ON a.id = x.assignment_id
            WHERE {where} AND a.teacher_id = @TeacherId
            """, args);

        var attemptsOf = attempts.ToLookup(a => a.AssignmentId);
        var answersOf = answers.ToLookup(a => (a.AssignmentId, a.PlayerId));
        return assignments.Select(row =>
        {
            var ended = row.EndedAt(now);
            var best = attemptsOf[row.Id].GroupBy(a => a.Participant)
                .Select(g => g.OrderByDescending(a => a.Score).ThenBy(a => a.PlayerId).First())
                .OrderBy(a => a.PlayerId)
                .ToList();
            var players = best.Select(a => new PlayerRow
            {
                GameId = row.Id,
                PlayerId = a.PlayerId,
                Nickname = a.Nickname,
                StudentId = a.StudentId,
                StudentName = a.StudentName,
                StudentPreferredName = a.StudentPreferredName,
                FirstQuestion = 0,
                LeftEarly = ended is not null && a.FinishedAt is null,
                Answers = a.Answers,
                Scored = a.Scored,
                RightCount = a.RightCount,
                Score = a.Score,
                TimeMs = a.TimeMs,
            }).ToList();
            var groups = best.SelectMany(a => answersOf[(row.Id, a.PlayerId)])
                .GroupBy(x => (x.QuestionIndex, x.Answer))
                .Select(g => new AnswerGroupRow
                {
                    GameId = row.Id,
                    QuestionIndex = g.Key.QuestionIndex,
                    Answer = g.Key.Answer,
                    Count = g.Count(),
                    RightCount = g.Count(x => x.Correct == true),
                    TimeMs = g.Sum(x => x.TimeMs),
                }).ToList();
            var game = new GameRow
            {
                Id = row.Id,
                Title = row.Title,
                QuizId = row.QuizId,
                ClassId = row.ClassId,
                ClassName = row.ClassName,
                Questions = row.Questions,
                Status = ended is null ? "running" : "finished",
                StartedAt = row.CreatedAt,
                EndedAt = ended,
            };
            var report = ReportMath.Build(new GameData(game, Enumerable.Range(0, row.QuestionList.Count).ToList(), players, groups));
            return report with { Game = report.Game with { Kind = Kind } };
        }).ToList();
    }
}
