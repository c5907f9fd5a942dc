using Homeroom.Classes;
using Homeroom.Quizzes;

namespace Homeroom.Reports;

public sealed record ReportClass(long Id, string Name);

/// <summary>
/// A game played with the class, or an assignment given to it (Kind game or assignment; ids are per kind), oldest first;
/// Players and Accuracy as in its own report's summary.
/// </summary>
public sealed record ClassReportGame(long Id, string Title, string Status, DateTimeOffset StartedAt, int Players, int Questions, double? Accuracy, string Kind = "game");

/// <summary>A student in one game (or assignment, by Kind): Played is false (and the figures empty) when no ranked player was that student.</summary>
public sealed record StudentGame(long GameId, bool Played, int? Rank, int? Score, int Right, int Wrong, int Unanswered, double? Accuracy, string Kind = "game");

/// <summary>A student across the class's games: one entry per game, in the games' order; Accuracy pooled over the games played.</summary>
public sealed record StudentReport(StudentRef Student, bool Removed, int GamesPlayed, double? Accuracy, IReadOnlyList<StudentGame> Games);

public sealed record MissedQuestionGame(long GameId, string GameTitle, int QuestionIndex, double? PercentRight, string Kind = "game");

/// <summary>A question the class got wrong, pooled over every game that asked it (same type and text).</summary>
public sealed record MissedQuestion(string Text, string Type, int Right, int Expected, double? PercentRight, bool Difficult, IReadOnlyList<MissedQuestionGame> Games);

/// <summary>
/// Every game played with a class: each student's accuracy game by game, the questions the class keeps missing,
/// and the picker's equity report.
/// </summary>
public sealed record ClassReport(
    ReportClass Class, IReadOnlyList<ClassReportGame> Games, IReadOnlyList<StudentReport> Students,
    IReadOnlyList<MissedQuestion> MissedQuestions, PickStats Equity);

internal static class ClassReports
{
    /// <summary>Questions listed as missed, lowest percent right first.</summary>
    public const int MaxMissed = 10;

    public static ClassReport Build(ReportClass cls, IReadOnlyList<StudentRow> roster, IReadOnlyList<GameReport> games, PickStats equity)
    {
        var students = new List<StudentReport>();
        foreach (var student in roster)
        {
            var results = games.Select(g => StudentIn(g, student.Id)).ToList();
            var played = results.Where(r => r.Played).ToList();
            if (student.RemovedAt is not null && played.Count == 0)
            {
                continue;
            }

            students.Add(new StudentReport(
                new StudentRef(student.Id, student.Name, student.PreferredName, student.Pronouns),
                student.RemovedAt is not null,
                played.Count,
                ReportMath.Percent(played.Sum(r => (long)r.Right), played.Sum(r => (long)r.Right + r.Wrong + r.Unanswered)),
                results));
        }

        var missed = games
            .SelectMany(g => g.Questions
                .Where(q => q.Type != QuestionTypes.Poll && q.Answered + q.Unanswered > 0)
                .Select(q => (Game: g.Game, Question: q)))
            .GroupBy(x => (x.Question.Type, Key: QuizRules.MatchKey(x.Question.Text)))
            .Select(same =>
            {
                var right = same.Sum(x => x.Question.Right);
                var expected = same.Sum(x => x.Question.Answered + x.Question.Unanswered);
                var percent = ReportMath.Percent(right, expected);
                return new MissedQuestion(
                    same.First().Question.Text, same.Key.Type, right, expected, percent, percent < ReportMath.DifficultBelow,
                    same.Select(x => new MissedQuestionGame(x.Game.Id, x.Game.Title, x.Question.Index, x.Question.PercentRight, x.Game.Kind)).ToList());
            })
            .Where(q => q.Right < q.Expected)
            .OrderBy(q => q.PercentRight)
            .ThenByDescending(q => q.Games.Count)
            .ThenBy(q => q.Text, StringComparer.Ordinal)
            .Take(MaxMissed)
            .ToList();

        return new ClassReport(
            cls,
            games.Select(g => new ClassReportGame(g.Game.Id, g.Game.Title, g.Game.Status, g.Game.StartedAt, g.Summary.Players, g.Summary.Questions, g.Summary.Accuracy, g.Game.Kind)).ToList(),
            students,
            missed,
            equity);
    }

    /// <summary>The student's ranked players in a game (normally one), added together.</summary>
    private static StudentGame StudentIn(GameReport game, long studentId)
    {
        var players = game.Players.Where(p => !p.Kicked && p.Student?.Id == studentId).ToList();
        if (players.Count == 0)
        {
            return new StudentGame(game.Game.Id, false, null, null, 0, 0, 0, null, game.Game.Kind);
        }

        int right = players.Sum(p => p.Right), wrong = players.Sum(p => p.Wrong), unanswered = players.Sum(p => p.Unanswered);
        return new StudentGame(game.Game.Id, true, players.Min(p => p.Rank), players.Max(p => p.Score), right, wrong, unanswered,
            ReportMath.Percent(right, right + wrong + unanswered), game.Game.Kind);
    }
}
