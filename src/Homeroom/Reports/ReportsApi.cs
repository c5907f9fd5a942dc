using Homeroom.Classes;
using Homeroom.Quizzes;
using Homeroom.Storage;
using Homeroom.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Homeroom.Reports;

/// <summary>
/// Reports on the games a teacher hosted (only games that started): the list, one game's report and its
/// CSV/Excel export, the report of every game played with a class, and deleting a game with its data.
/// Another teacher's game or class is 404 on every route. See <see cref="ReportMath"/> for the figures.
/// </summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReports(this IEndpointRouteBuilder api)
    {
        var reports = api.MapGroup("/reports").WithTags("Reports").RequireAuthorization();
        reports.MapGet("/", List).WithSummary("The games I hosted, newest first, with players and average accuracy (?classId=, ?page=, ?pageSize=)");
        reports.MapGet("/games/{id:long}", Game).WithSummary("A game's report: summary, flags, every player, every asked question hardest first")
            .Produces<GameReport>();
        reports.MapGet("/games/{id:long}/export", Export)
            .WithSummary("Download a game's report: ?format=csv (players and questions) or xlsx (Overview, Players and Questions sheets)")
            .Produces<byte[]>(StatusCodes.Status200OK, "text/csv", Spreadsheet.ContentType);
        reports.MapDelete("/games/{id:long}", Delete).WithSummary("Delete a game and everything recorded about it (409 while it is live)")
            .Problem(StatusCodes.Status409Conflict, "The game is live: end it first.");
        reports.MapGet("/classes/{id:long}", Class).WithSummary("Every game played with a class and every assignment given to it: each student game by game, the questions it keeps missing, the picker's equity");
        return reports;
    }

    private sealed class JoinedRow
    {
        public long GameId { get; init; }

        public int FirstQuestion { get; init; }

        public long Players { get; init; }
    }

    private sealed class RightRow
    {
        public long GameId { get; init; }

        public long RightCount { get; init; }
    }

    private static async Task<Results<Ok<ReportPage>, ValidationProblem>> List(TeacherDb mine, long? classId, int? page, int? pageSize)
    {
        if (Paging.TryRead(page, pageSize, defaultSize: 20, maxSize: 100, out var paging) is { } invalid)
        {
            return invalid;
        }

        var where = "g.teacher_id = @TeacherId AND g.started_at IS NOT NULL" + (classId is null ? "" : " AND g.class_id = @classId");
        var pageOfGames = $"SELECT g.id FROM games g WHERE {where} ORDER BY g.started_at DESC, g.id DESC LIMIT @size OFFSET @skip";
        var args = new { classId, size = paging.PageSize, skip = paging.Skip };
        var games = await mine.QueryAsync<GameRow>(
            $"""
            SELECT g.id, g.title, g.quiz_id, g.class_id, c.name AS class_name, g.questions, g.status, g.started_at, g.ended_at
            FROM games g LEFT JOIN classes c ON c.id = g.class_id
            WHERE {where} ORDER BY g.started_at DESC, g.id DESC LIMIT @size OFFSET @skip
            """, args);
        var total = await mine.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM games g WHERE {where}", args);
        if (games.Count == 0)
        {
            return TypedResults.Ok(new ReportPage([], paging.Page, paging.PageSize, total));
        }

        // Accuracy = right answers of ranked players ÷ the answers they were expected to give, as in each report.
        var asked = (await mine.QueryAsync<AskedRow>(
            $"SELECT q.game_id, q.question_index FROM game_questions q WHERE q.game_id IN ({pageOfGames})", args)).ToLookup(a => a.GameId, a => a.QuestionIndex);
        var joined = (await mine.QueryAsync<JoinedRow>(
            $"""
            SELECT p.game_id, p.first_question, COUNT(*) AS players FROM game_players p
            WHERE p.game_id IN ({pageOfGames}) AND NOT p.kicked GROUP BY p.game_id, p.first_question
            """, args)).ToLookup(j => j.GameId);
        var right = (await mine.QueryAsync<RightRow>(
            $"""
            SELECT a.game_id, COUNT(*) AS right_count FROM game_answers a
            WHERE a.game_id IN ({pageOfGames}) AND a.correct
              AND (a.game_id, a.player_id) NOT IN (SELECT k.game_id, k.player_id FROM game_players k WHERE k.game_id IN ({pageOfGames}) AND k.kicked)
            GROUP BY a.game_id
            """, args)).ToDictionary(r => r.GameId, r => r.RightCount);

        var items = games.Select(g =>
        {
            var game = g.ToReportGame();
            var questions = ReportMath.ReadQuestions(g.Questions);
            var askedHere = asked[g.Id].Where(i => i >= 0 && i < questions.Count).Distinct().ToList();
            var scored = askedHere.Where(i => questions[i].Type != QuestionTypes.Poll).ToList();
            var expected = joined[g.Id].Sum(j => j.Players * scored.Count(i => i >= j.FirstQuestion));
            return new ReportListItem(game.Id, game.Title, game.QuizId, game.ClassId, game.ClassName, game.Status, game.StartedAt, game.EndedAt,
                (int)joined[g.Id].Sum(j => j.Players), askedHere.Count, ReportMath.Percent(right.GetValueOrDefault(g.Id), expected));
        }).ToList();
        return TypedResults.Ok(new ReportPage(items, paging.Page, paging.PageSize, total));
    }

    internal static async Task<GameReport?> FindAsync(TeacherDb mine, long id) =>
        await ReportData.LoadAsync(mine, GameScope.One(id)) is [var data] ? ReportMath.Build(data) : null;

    /// <summary>A finished game's report is kept once worked out (<see cref="FinishedReports"/>): the same JSON, checked against the database each time.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Game(long id, TeacherDb mine, FinishedReports finished) =>
        await finished.JsonAsync(mine, id) is { } json ? TypedResults.File(json, "application/json; charset=utf-8") : Problems.NotFound("game");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Export(long id, string? format, TeacherDb mine)
    {
        var chosen = format?.Trim().ToLowerInvariant() ?? ReportExport.Csv;
        if (!ReportExport.Formats.Contains(chosen))
        {
            return Problems.Invalid("format", $"format must be one of {string.Join(", ", ReportExport.Formats)}.");
        }

        if (await FindAsync(mine, id) is not { } report)
        {
            return Problems.NotFound("game");
        }

        var (content, contentType, fileName) = ReportExport.Export(report, chosen);
        return TypedResults.File(content, contentType, fileName);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(long id, TeacherDb mine)
    {
        // The status is read and the game deleted in one write, so a game that goes live in between is not deleted.
        var status = await mine.WriteAsync(async tx =>
        {
            var current = await tx.ExecuteScalarAsync<string?>("SELECT status FROM games WHERE id = @id AND teacher_id = @TeacherId", new { id });
            if (current is "finished" or "interrupted")
            {
                await tx.ExecuteAsync("DELETE FROM games WHERE id = @id AND teacher_id = @TeacherId", new { id });
            }

            return current;
        });
        return status switch
        {
            null => Problems.NotFound("game"),
            "finished" or "interrupted" => TypedResults.NoContent(),
            _ => Problems.Conflict("This game is live: end it before deleting it."),
        };
    }

    private static async Task<Results<Ok<ClassReport>, ProblemHttpResult>> Class(long id, TeacherDb mine, TimeProvider clock)
    {
        if (await ClassesApi.FindClassAsync(mine, id) is not { } cls)
        {
            return Problems.NotFound("class");
        }

        // Live games and assignments side by side, oldest first (an assignment dated by when it was assigned).
        var games = (await ReportData.LoadAsync(mine, GameScope.OfClass(id))).Select(ReportMath.Build)
            .Concat(await Assignments.AssignmentReports.OfClassAsync(mine, id, clock.GetUtcNow().ToUnixTimeMilliseconds()))
            .OrderBy(g => g.Game.StartedAt).ToList();
        var roster = await mine.QueryAsync<StudentRow>(
            $"""
            SELECT {StudentRow.Columns} FROM students s JOIN classes c ON c.id = s.class_id
            WHERE s.class_id = @id AND c.teacher_id = @TeacherId ORDER BY s.name, s.id
            """, new { id });
        var equity = await PicksApi.EquityAsync(mine, id);
        return TypedResults.Ok(ClassReports.Build(new ReportClass(cls.Id, cls.Name), roster, games, equity));
    }
}
