using System.Text.Json;
using Homeroom.Quizzes;

namespace Homeroom.Reports;

/// <summary>
/// A game as its report names it. Status is finished, interrupted (the service stopped during it) or live. Kind is game
/// (a live game) or assignment (played at one's own pace: StartedAt is when it was assigned, EndedAt its deadline or
/// when it was closed, and it is live until then).
/// </summary>
public sealed record ReportGame(
    long Id, string Title, long? QuizId, long? ClassId, string? ClassName, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    string Kind = "game");

/// <summary>One line of the list of reports.</summary>
public sealed record ReportListItem(
    long Id, string Title, long? QuizId, long? ClassId, string? ClassName, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt,
    int Players, int Questions, double? Accuracy);

public sealed record ReportPage(IReadOnlyList<ReportListItem> Items, int Page, int PageSize, long Total);

/// <summary>
/// The game as a whole. Players and the averages count ranked players (kicked players are left out);
/// accuracy is every right answer over every answer expected (answered plus unanswered scored questions), in percent.
/// </summary>
public sealed record ReportSummary(int Players, int Kicked, int Questions, int ScoredQuestions, double AverageScore, double? Accuracy);

/// <summary>What needs the teacher's attention, and the thresholds behind it (percent right, strictly below).</summary>
public sealed record ReportFlags(
    double DifficultBelow, double NeedsHelpBelow, bool Interrupted, bool Live,
    IReadOnlyList<int> DifficultQuestions, IReadOnlyList<int> NeedsHelp, IReadOnlyList<int> DidNotFinish);

public sealed record PlayerStudent(long Id, string Name, string? PreferredName);

/// <summary>A player's game. Rank is null for a kicked player; accuracy and average time are null when there is nothing to average.</summary>
public sealed record PlayerResult(
    int PlayerId, int? Rank, string Nickname, PlayerStudent? Student, int Score, int Right, int Wrong, int Unanswered,
    double? Accuracy, int? AverageTimeMs, bool Kicked, bool LeftEarly, bool NeedsHelp, bool DidNotFinish);

/// <summary>How many chose an answer (or typed a text, or put the items in the right order or not). Correct is null for polls.</summary>
public sealed record AnswerCount(string Label, bool? Correct, int Count);

/// <summary>
/// One asked question. Index is its place in the quiz (from 0), Number that plus one. For a poll, PercentRight is null,
/// Right and Wrong are 0, and Unanswered counts who did not vote. OtherAnswers counts typed answers beyond those listed.
/// </summary>
public sealed record QuestionResult(
    int Index, int Number, string Type, string Text, int Points, int TimeLimit, int Answered, int Right, int Wrong, int Unanswered,
    double? PercentRight, int? AverageTimeMs, bool Difficult, IReadOnlyList<AnswerCount> Answers, int OtherAnswers);

/// <summary>Players best first (kicked players last), questions hardest first (polls last).</summary>
public sealed record GameReport(ReportGame Game, ReportSummary Summary, ReportFlags Flags, IReadOnlyList<PlayerResult> Players, IReadOnlyList<QuestionResult> Questions);

/// <summary>
/// Turns what the database added up about a game into its report. Definitions (docs/api.md, Reports):
/// <list type="bullet">
/// <item>A player's score is the sum of points and streak bonuses; rank is by score, ties to the earlier joiner; kicked players are not ranked.</item>
/// <item>Only asked questions count. Polls count for nothing but their answer distribution.</item>
/// <item>Unanswered: asked, scored questions from the player's first question on that they did not answer.</item>
/// <item>Accuracy: right ÷ (answered + unanswered) over scored questions, in percent, to one decimal.</item>
/// <item>Percent right of a question: right ÷ the ranked players who could answer it (joined by then).</item>
/// <item>Difficult question: under 35 % right. Needs help: a ranked player under 35 % accuracy. Didn't finish: left early or kicked.</item>
/// </list>
/// </summary>
public static class ReportMath
{
    public const double DifficultBelow = 35;
    public const double NeedsHelpBelow = 35;

    /// <summary>Typed answers listed per type-answer question; the rest are counted together.</summary>
    public const int MaxTypedAnswers = 10;

    public static string StatusName(string status) => status == "running" ? "live" : status;

    public static double? Percent(long part, long whole) =>
        whole <= 0 ? null : Math.Round(100.0 * part / whole, 1, MidpointRounding.AwayFromZero);

    public static IReadOnlyList<Question> ReadQuestions(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<List<Question>>(json, QuizzesApi.Json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    internal static GameReport Build(GameData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var questions = ReadQuestions(data.Game.Questions);
        var asked = data.Asked.Where(i => i >= 0 && i < questions.Count).Distinct().Order().ToList();
        var scored = asked.Where(i => questions[i].Type != QuestionTypes.Poll).ToList();
        var expectedFrom = ExpectedFrom(scored, questions.Count);

        // Players: totals, then ranks among those not kicked.
        var players = data.Players.Select(p =>
        {
            var right = (int)p.RightCount;
            var answeredScored = (int)p.Scored;
            var unanswered = Math.Max(0, Expected(expectedFrom, p.FirstQuestion) - answeredScored);
            var accuracy = Percent(right, answeredScored + unanswered);
            return new PlayerResult(
                p.PlayerId, null, p.Nickname, p.StudentId is { } id ? new PlayerStudent(id, p.StudentName ?? "", p.StudentPreferredName) : null,
                (int)p.Score, right, answeredScored - right, unanswered, accuracy,
                p.Answers > 0 ? (int)Math.Round((double)p.TimeMs / p.Answers, MidpointRounding.AwayFromZero) : null,
                p.Kicked, p.LeftEarly, !p.Kicked && accuracy < NeedsHelpBelow, p.Kicked || p.LeftEarly);
        }).ToList();
        var ranked = players.Where(p => !p.Kicked).OrderByDescending(p => p.Score).ThenBy(p => p.PlayerId)
            .Select((p, i) => p with { Rank = i + 1 }).ToList();
        var listed = ranked.Concat(players.Where(p => p.Kicked).OrderBy(p => p.PlayerId)).ToList();

        // Questions: who could answer each (ranked players who had joined), and what they answered.
        var joinedBy = new int[questions.Count + 1];
        foreach (var player in data.Players.Where(p => !p.Kicked))
        {
            joinedBy[Math.Clamp(player.FirstQuestion, 0, questions.Count)]++;
        }

        for (var i = 1; i < joinedBy.Length; i++)
        {
            joinedBy[i] += joinedBy[i - 1];
        }

        var groups = data.Groups.ToLookup(g => g.QuestionIndex);
        var results = asked.Select(index => Question(index, questions[index], groups[index].ToList(), joinedBy[index])).ToList();
        var hardestFirst = results
            .OrderBy(q => q.PercentRight is null ? 1 : 0)
            .ThenBy(q => q.PercentRight ?? 0)
            .ThenBy(q => q.Index)
            .ToList();

        var status = StatusName(data.Game.Status);
        var summary = new ReportSummary(
            ranked.Count,
            players.Count - ranked.Count,
            asked.Count,
            scored.Count,
            ranked.Count == 0 ? 0 : Math.Round(ranked.Average(p => (double)p.Score), 1, MidpointRounding.AwayFromZero),
            Percent(ranked.Sum(p => (long)p.Right), ranked.Sum(p => (long)p.Right + p.Wrong + p.Unanswered)));
        var flags = new ReportFlags(
            DifficultBelow,
            NeedsHelpBelow,
            status == "interrupted",
            status == "live",
            hardestFirst.Where(q => q.Difficult).Select(q => q.Index).ToList(),
            ranked.Where(p => p.NeedsHelp).Select(p => p.PlayerId).ToList(),
            listed.Where(p => p.DidNotFinish).Select(p => p.PlayerId).ToList());
        return new GameReport(data.Game.ToReportGame(), summary, flags, listed, hardestFirst);
    }

    /// <summary>expectedFrom[f]: how many of the scored questions have an index of f or more.</summary>
    private static int[] ExpectedFrom(List<int> scored, int questionCount)
    {
        var counts = new int[questionCount + 2];
        foreach (var index in scored)
        {
            counts[index]++;
        }

        for (var i = questionCount; i >= 0; i--)
        {
            counts[i] += counts[i + 1];
        }

        return counts;
    }

    private static int Expected(int[] expectedFrom, int firstQuestion) => expectedFrom[Math.Clamp(firstQuestion, 0, expectedFrom.Length - 1)];

    private static QuestionResult Question(int index, Question question, List<AnswerGroupRow> groups, int couldAnswer)
    {
        var type = question.Type ?? "";
        var poll = type == QuestionTypes.Poll;
        var answered = (int)groups.Sum(g => g.Count);
        var right = poll ? 0 : (int)groups.Sum(g => g.RightCount);
        var time = groups.Sum(g => g.TimeMs);
        var percent = poll ? null : Percent(right, couldAnswer);
        var (answers, other) = Distribution(question, groups, right, answered);
        return new QuestionResult(
            index, index + 1, type, question.Text ?? "", question.Points ?? QuizRules.DefaultPoints, question.TimeLimit ?? QuizRules.DefaultTimeLimit,
            answered, right, poll ? 0 : answered - right, Math.Max(0, couldAnswer - answered), percent,
            answered > 0 ? (int)Math.Round((double)time / answered, MidpointRounding.AwayFromZero) : null,
            percent < DifficultBelow, answers, other);
    }

    /// <summary>Who chose what: per answer for choices, True/False, the most common typed texts, right order or not.</summary>
    private static (IReadOnlyList<AnswerCount> Answers, int Other) Distribution(Question question, List<AnswerGroupRow> groups, int right, int answered)
    {
        switch (question.Type)
        {
            case QuestionTypes.SingleChoice or QuestionTypes.Poll or QuestionTypes.Multi:
            {
                var choices = question.Answers ?? [];
                var counts = new int[choices.Count];
                foreach (var group in groups)
                {
                    foreach (var choice in Choices(group.Answer).Where(c => c >= 0 && c < counts.Length))
                    {
                        counts[choice] += (int)group.Count;
                    }
                }

                return (choices.Select((a, i) => new AnswerCount(a.Text ?? "", question.Type == QuestionTypes.Poll ? null : a.Correct == true, counts[i])).ToList(), 0);
            }

            case QuestionTypes.TrueFalse:
            {
                int yes = 0, no = 0;
                foreach (var group in groups)
                {
                    switch (Read(group.Answer)?.ValueKind)
                    {
                        case JsonValueKind.True:
                            yes += (int)group.Count;
                            break;
                        case JsonValueKind.False:
                            no += (int)group.Count;
                            break;
                    }
                }

                return ([new AnswerCount("True", question.Correct == true, yes), new AnswerCount("False", question.Correct == false, no)], 0);
            }

            case QuestionTypes.TypeAnswer:
            {
                var typed = groups
                    .Select(g => (Text: Read(g.Answer) is { ValueKind: JsonValueKind.String } s ? s.GetString()!.Trim() : null, g.Count))
                    .Where(t => t.Text is not null)
                    .GroupBy(t => QuizRules.MatchKey(t.Text!))
                    .Select(key =>
                    {
                        // Shown as the spelling most people used.
                        var label = key.GroupBy(t => t.Text!, StringComparer.Ordinal)
                            .OrderByDescending(s => s.Sum(t => t.Count)).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;
                        return new AnswerCount(label, QuizRules.Accepts(question, label), (int)key.Sum(t => t.Count));
                    })
                    .OrderByDescending(a => a.Count).ThenBy(a => a.Label, StringComparer.Ordinal)
                    .ToList();
                return (typed.Take(MaxTypedAnswers).ToList(), typed.Skip(MaxTypedAnswers).Sum(a => a.Count));
            }

            case QuestionTypes.Order:
                return ([new AnswerCount("In the right order", true, right), new AnswerCount("In another order", false, answered - right)], 0);

            default:
                return ([], 0);
        }
    }

    private static List<int> Choices(string answer)
    {
        var json = Read(answer);
        if (json is { ValueKind: JsonValueKind.Number } number && number.TryGetInt32(out var single))
        {
            return [single];
        }

        if (json is { ValueKind: JsonValueKind.Array } array)
        {
            return array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out _)).Select(e => e.GetInt32()).Distinct().ToList();
        }

        return [];
    }

    private static JsonElement? Read(string answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
