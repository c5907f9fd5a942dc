using System.Text.Json.Serialization;
using Homeroom.Web;

namespace Homeroom.Assignments;

/// <summary>POST /api/assignments: which quiz, until when, and how students play it.</summary>
public sealed record NewAssignment(long? QuizId, DateTimeOffset? Deadline, AssignmentOptionsRequest? Options) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (QuizId is null)
        {
            errors.Add("quizId", "quizId is required: the quiz to assign.");
        }

        if (Deadline is null)
        {
            errors.Add("deadline", "deadline is required: the date and time (ISO 8601, with an offset) after which answers are refused.");
        }

        AssignmentSettings.Check(Options, errors);
    }
}

/// <summary>PATCH /api/assignments/{id}: a later deadline.</summary>
public sealed record AssignmentChange(DateTimeOffset? Deadline) : IValidatable
{
    public void Validate(ValidationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Deadline is null)
        {
            errors.Add("deadline", "deadline is required: the new, later deadline.");
        }
    }
}

/// <summary>The options as sent; missing ones take the defaults of <see cref="AssignmentSettings"/>.</summary>
public sealed record AssignmentOptionsRequest(
    long? ClassId = null, string? Timer = null, bool? ShuffleQuestions = null, bool? ShuffleAnswers = null, int? Attempts = null, string? ShowAnswers = null);

/// <summary>
/// How an assignment plays. Timer "on": each question has its time limit, timed by the server from when it is
/// shown, and points follow the live games' speed rule (<see cref="Games.Scoring"/>) with streaks; "off": no time
/// limit and a right answer earns the question's full points (accuracy only). ShowAnswers: after-each (right or wrong
/// and the right answer after every answer), at-end (when the attempt is finished) or after-deadline.
/// Stored with the assignment (assignments.options) as JSON.
/// </summary>
public sealed record AssignmentSettings(
    bool Timer, bool ShuffleQuestions, bool ShuffleAnswers, int Attempts, string ShowAnswers,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ClassId)
{
    public const int MaxAttempts = 10;
    public const string AfterEach = "after-each";
    public const string AtEnd = "at-end";
    public const string AfterDeadline = "after-deadline";
    public static readonly string[] ShowAnswersValues = [AfterEach, AtEnd, AfterDeadline];

    public static AssignmentSettings From(AssignmentOptionsRequest? options) => new(
        (options?.Timer ?? "on") == "on",
        options?.ShuffleQuestions ?? false,
        options?.ShuffleAnswers ?? false,
        options?.Attempts ?? 1,
        options?.ShowAnswers ?? AtEnd,
        options?.ClassId);

    internal static void Check(AssignmentOptionsRequest? options, ValidationErrors errors)
    {
        if (options is null)
        {
            return;
        }

        if (options.Timer is { } timer && timer is not ("on" or "off"))
        {
            errors.Add("options.timer", "timer must be on or off.");
        }

        if (options.Attempts is { } attempts && attempts is < 1 or > MaxAttempts)
        {
            errors.Add("options.attempts", $"attempts must be from 1 to {MaxAttempts}.");
        }

        if (options.ShowAnswers is { } show && !ShowAnswersValues.Contains(show))
        {
            errors.Add("options.showAnswers", $"showAnswers must be one of {string.Join(", ", ShowAnswersValues)}.");
        }
    }
}
