using System.Text.Json;
using Homeroom.Quizzes;

namespace Homeroom.Games;

/// <summary>What a player sent for a question: one shape per question type.</summary>
/// <remarks>
/// single and poll: <see cref="Choice"/>; multi: <see cref="Choices"/>; truefalse: <see cref="Value"/>;
/// typeanswer: <see cref="Text"/>; order: <see cref="Order"/>, the items in the order the player put them.
/// Answers and items are always named by their index in the quiz, whatever order they were shown in
/// (each shown answer or item carries that index as its id).
/// </remarks>
public sealed record PlayerAnswer(int? Choice = null, IReadOnlyList<int>? Choices = null, bool? Value = null, string? Text = null, IReadOnlyList<int>? Order = null);

/// <summary>The verdict on one answer.</summary>
public sealed record AnswerScore(bool Correct, int Points, int StreakBonus, int Streak)
{
    public int Total => Points + StreakBonus;
}

/// <summary>
/// Kahoot's published scoring. For a question worth P points (0, 1000 or 2000) with time limit T, an
/// answer given t seconds after the answers were shown earns round((1 − (t / T) / 2) × P): full points
/// within the first half second, never less than half. Wrong answers earn 0 and reset the streak.
/// <list type="bullet">
/// <item>multi: each right choice picked earns its share P / (number of right choices), speed-scaled;
/// each wrong choice picked takes one share away; never below 0. All right and none wrong counts as
/// correct (for the streak); anything else does not.</item>
/// <item>typeanswer: right when it matches an accepted answer ignoring case, surrounding spaces and
/// accents (<see cref="QuizRules.MatchKey"/>).</item>
/// <item>order: right only when every item is in its place.</item>
/// <item>poll: scores nothing and leaves the streak as it is.</item>
/// </list>
/// Streaks: the 2nd right answer in a row adds 100, the 3rd 200, … up to 500 from the 6th on, unless the
/// host turned streaks off. A question worth 0 points still counts for the streak.
/// </summary>
public static class Scoring
{
    public const double FullPointsWithin = 0.5;
    public const int StreakStep = 100;
    public const int MaxStreakBonus = 500;

    public static AnswerScore Score(Question question, PlayerAnswer answer, TimeSpan responseTime, int previousStreak, bool streaks)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        if (question.Type == QuestionTypes.Poll)
        {
            return new AnswerScore(false, 0, 0, previousStreak);
        }

        var possible = question.Points ?? QuizRules.DefaultPoints;
        var factor = SpeedFactor(responseTime, question.TimeLimit ?? QuizRules.DefaultTimeLimit);
        var (correct, points) = question.Type switch
        {
            QuestionTypes.SingleChoice => Whole(answer.Choice is { } c && c >= 0 && c < question.Answers!.Count && question.Answers[c].Correct == true, possible, factor),
            QuestionTypes.TrueFalse => Whole(answer.Value is { } v && v == question.Correct, possible, factor),
            QuestionTypes.TypeAnswer => Whole(answer.Text is { } text && QuizRules.Accepts(question, text), possible, factor),
            QuestionTypes.Order => Whole(answer.Order is { } order && order.SequenceEqual(Enumerable.Range(0, question.Items!.Count)), possible, factor),
            QuestionTypes.Multi => Partial(question, answer.Choices ?? [], possible, factor),
            _ => (false, 0),
        };
        var streak = correct ? previousStreak + 1 : 0;
        var bonus = correct && streaks ? StreakBonus(streak) : 0;
        return new AnswerScore(correct, points, bonus, streak);
    }

    /// <summary>1 within the first half second, then falling linearly to ½ at the time limit.</summary>
    public static double SpeedFactor(TimeSpan responseTime, int timeLimitSeconds)
    {
        var t = responseTime.TotalSeconds;
        if (t <= FullPointsWithin)
        {
            return 1;
        }

        return 1 - (Math.Min(t, timeLimitSeconds) / timeLimitSeconds / 2);
    }

    public static int StreakBonus(int streak) => streak < 2 ? 0 : Math.Min((streak - 1) * StreakStep, MaxStreakBonus);

    private static (bool, int) Whole(bool correct, int possible, double factor) =>
        correct ? (true, (int)Math.Round(factor * possible, MidpointRounding.AwayFromZero)) : (false, 0);

    private static (bool, int) Partial(Question question, IReadOnlyList<int> picked, int possible, double factor)
    {
        var answers = question.Answers!;
        var choices = picked.Where(i => i >= 0 && i < answers.Count).Distinct().ToList();
        var right = answers.Count(a => a.Correct == true);
        var rightPicked = choices.Count(i => answers[i].Correct == true);
        var wrongPicked = choices.Count - rightPicked;
        var share = (double)possible / right;
        var points = Math.Max(0, (rightPicked - wrongPicked) * share * factor);
        return (rightPicked == right && wrongPicked == 0, (int)Math.Round(points, MidpointRounding.AwayFromZero));
    }

    /// <summary>Reads a hub client's answer payload for a question type; null when it has the wrong shape.</summary>
    public static PlayerAnswer? Read(Question question, JsonElement payload)
    {
        ArgumentNullException.ThrowIfNull(question);
        try
        {
            return question.Type switch
            {
                QuestionTypes.SingleChoice or QuestionTypes.Poll when payload.ValueKind == JsonValueKind.Number => new PlayerAnswer(Choice: payload.GetInt32()),
                QuestionTypes.Multi when payload.ValueKind == JsonValueKind.Array && payload.GetArrayLength() <= 6 =>
                    new PlayerAnswer(Choices: payload.EnumerateArray().Select(e => e.GetInt32()).ToList()),
                QuestionTypes.TrueFalse when payload.ValueKind is JsonValueKind.True or JsonValueKind.False => new PlayerAnswer(Value: payload.GetBoolean()),
                QuestionTypes.TypeAnswer when payload.ValueKind == JsonValueKind.String && payload.GetString()!.Length <= QuizRules.MaxAnswerText =>
                    new PlayerAnswer(Text: payload.GetString()),
                QuestionTypes.Order when payload.ValueKind == JsonValueKind.Array && payload.GetArrayLength() <= 6 =>
                    new PlayerAnswer(Order: payload.EnumerateArray().Select(e => e.GetInt32()).ToList()),
                _ => null,
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return null;
        }
    }
    /// <summary>Why an answer of the right shape names answers or items that do not exist; null when it is fine.</summary>
    public static string? RangeProblem(Question question, PlayerAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(answer);
        var count = question.Answers?.Count ?? question.Items?.Count ?? 0;
        var ok = question.Type switch
        {
            QuestionTypes.SingleChoice or QuestionTypes.Poll => answer.Choice is { } c && c >= 0 && c < count,
            QuestionTypes.Multi => answer.Choices!.Count > 0 && answer.Choices.All(c => c >= 0 && c < count) && answer.Choices.Distinct().Count() == answer.Choices.Count,
            QuestionTypes.Order => answer.Order!.Count == count && answer.Order.OrderBy(i => i).SequenceEqual(Enumerable.Range(0, count)),
            QuestionTypes.TypeAnswer => !string.IsNullOrWhiteSpace(answer.Text),
            _ => true,
        };
        return ok ? null : question.Type switch
        {
            QuestionTypes.Order => $"Send every item's id once, in your order (ids 0 to {count - 1}).",
            QuestionTypes.TypeAnswer => "Type an answer.",
            QuestionTypes.Multi => $"Choose at least one answer, each once (ids 0 to {count - 1}).",
            _ => $"That answer does not exist: ids go from 0 to {count - 1}.",
        };
    }

    /// <summary>What an answer to a question of this type looks like, for an answer of the wrong shape.</summary>
    public static string ShapeHelp(Question question) => question?.Type switch
    {
        QuestionTypes.SingleChoice or QuestionTypes.Poll => "Send the chosen answer's id (a number).",
        QuestionTypes.Multi => "Send the chosen answers' ids (an array of numbers).",
        QuestionTypes.TrueFalse => "Send true or false.",
        QuestionTypes.TypeAnswer => $"Send your answer as text (at most {QuizRules.MaxAnswerText} characters).",
        _ => "Send the items' ids in your order (an array of numbers).",
    };
}
